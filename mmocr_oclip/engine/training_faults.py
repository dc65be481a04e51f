"""What the training and test tools do with the faults of long runs: which
checkpoint ``--resume`` uses, and the one line a failed run ends with.

The fault table of ``docs/en/user_guides/faults.md`` lists each fault, what the run
does and the test that shows it.
"""
import logging
import re
import signal

from mmengine.logging import print_log

from mmocr_oclip.utils import (CheckpointError, DiskFullError,
                               find_resumable_checkpoint, verify_checkpoint)

RESUME_HINT = 'run the same command with --resume to continue from the last checkpoint'


def is_local_checkpoint(path):
    """Whether ``path`` names a local file (not ``torchvision://``, a URL...)."""
    return isinstance(path, str) and '://' not in path


def choose_checkpoints(cfg, resume):
    """Set ``cfg.resume``/``cfg.load_from`` for ``--resume`` and check the files.

    Args:
        cfg (Config): The training config (``work_dir`` set).
        resume (str | None): None (no resume), ``'auto'`` (the newest readable
            checkpoint of the work dir; unreadable newer ones are reported and
            passed over) or a checkpoint path.

    Raises:
        CheckpointError: The checkpoint to resume or load from cannot be read
            (one line: the file and the reason), or the work dir holds
            checkpoints and none is readable.
    """
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = find_resumable_checkpoint(
            cfg.work_dir,
            log=lambda line: print_log(line, logger='current', level=logging.WARNING))
        if cfg.load_from is None:
            print_log(
                f'--resume: no checkpoint in {cfg.work_dir}, training starts '
                'from the beginning',
                logger='current')
        return
    if resume is not None:
        cfg.resume = True
        cfg.load_from = resume
    if is_local_checkpoint(cfg.get('load_from')):
        verify_checkpoint(cfg.load_from)


def explain_failure(error):
    """The one line a run that died of ``error`` ends with, or None for errors
    that keep their traceback.

    Args:
        error (BaseException): What ``runner.train()`` raised.
    """
    if isinstance(error, DiskFullError):
        return f'{error}; free some space, then {RESUME_HINT}'
    if isinstance(error, CheckpointError):
        return str(error)
    if isinstance(error, RuntimeError) and str(error).startswith('DataLoader worker'):
        return (f'a data loader worker died: {describe_worker_death(error)}; '
                f'{RESUME_HINT}')
    return None


def _failed_workers(error):
    """The worker processes PyTorch's loader found dead when it raised ``error``
    (its ``failed_workers``, read from the traceback), or []."""
    tb = error.__traceback__
    while tb is not None:
        workers = tb.tb_frame.f_locals.get('failed_workers')
        if workers:
            return list(workers)
        tb = tb.tb_next
    return []


def describe_worker_death(error):
    """Which data worker died and of what, from PyTorch's loader error.

    PyTorch reports a dead worker either as ``DataLoader worker (pid 123) is
    killed by signal: Killed.`` or, when its timeout check finds it first, as
    ``... (pid(s) 123) exited unexpectedly`` without the cause; the exit status of
    the dead process gives it then.
    """
    message = str(error).strip()
    deaths = []
    for worker in _failed_workers(error):
        code = worker.exitcode
        if code is not None and code < 0:
            deaths.append((worker.pid, signal.Signals(-code).name))
        else:
            deaths.append((worker.pid, f'exit status {code}'))
    match = re.match(r'DataLoader worker \(pid (\d+)\) is killed by signal: (\w+)',
                     message)
    if not deaths and match:
        name = {
            'Killed': 'SIGKILL',
            'Terminated': 'SIGTERM'
        }.get(match.group(2), match.group(2))
        deaths.append((int(match.group(1)), name))
    if not deaths:
        return message.split('. ')[0].rstrip('.')
    text = ', '.join(f'pid {pid}, ' +
                     (f'killed by {cause}' if cause.startswith('SIG') else cause)
                     for pid, cause in deaths)
    if any(cause == 'SIGKILL' for _, cause in deaths):
        text += (' (most often the kernel\'s out-of-memory killer, see `dmesg`; '
                 'fewer data workers or a smaller batch need less memory)')
    return text
