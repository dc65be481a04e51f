"""Whole job logs in files, progress on the terminal.

:func:`progress_line` turns one line of an MMEngine job's output into a short line
for the terminal (or None): training log lines give the label, epoch/iteration, ETA
and losses; validation/test lines their metrics; exceptions, warnings that name a
problem and our tools' own summary lines pass through. :func:`run_logged` runs a
command with its whole output in a file and its progress on the terminal
(the demo and the studies of ``projects/`` use them).
"""
import re
import subprocess
from typing import Optional, Sequence

PROGRESS = re.compile(r'(Epoch|Iter)\((train|val|test)\)\s*((?:\[\s*\d+\])?)'
                      r'\s*\[\s*(\d+)/(\d+)\]\s*(.*)')
NUMBER = re.compile(r'([\w/@.]+):\s*(-?[\d.]+(?:e-?\d+)?)')
# lines worth showing besides progress and metrics (whole words, so that build flags
# like -Werror in the environment dump do not match)
SHOWN = re.compile(r'Traceback|\b\w*(Error|Exception)\b:|bad sample|skipped|\bwrote\b|'
                   r'heat ?map|rendered \d+')
# MMEngine warnings that say nothing about the run
QUIET = ('deprecated', 'FileClient', 'HardDiskBackend')


def progress_line(line: str, label: str) -> Optional[str]:
    """The terminal line for one log line, or None."""
    match = PROGRESS.search(line)
    if match:
        kind, mode, epoch, step, total, rest = match.groups()
        values = dict(NUMBER.findall(rest))
        where = f'epoch {epoch.strip("[] ")} ' if epoch else ''
        unit = 'iter' if kind == 'Iter' or mode == 'train' else 'batch'
        where += f'{unit} {step}/{total}'
        if mode == 'train':
            eta = re.search(r'eta:\s*(\S+)', rest)
            losses = ' '.join(f'{k} {float(v):.3f}' for k, v in values.items()
                              if k.startswith(('loss', 'acc')))
            return (f'  [{label}] {where}  eta {eta.group(1) if eta else "?"}  '
                    f'{losses}')
        metrics = {k: v for k, v in values.items() if '/' in k}
        if metrics:
            when = f' after epoch {epoch.strip("[] ")}' if epoch else ''
            return (f'  [{label}] {mode}{when}: ' +
                    ', '.join(f'{k} {float(v):.3f}' for k, v in metrics.items()))
        return None
    stripped = line.strip()
    tagged = stripped.startswith(('anchor/', 'oclip/', 'icdar/', '['))
    warning = ' - WARNING - ' in line and not any(word in line for word in QUIET)
    if tagged or warning or SHOWN.search(line):
        return f'  [{label}] {stripped}'
    return None


def follow(lines, log, label: str, width: int = 160) -> None:
    """Write every line to ``log``; print the progress lines."""
    for line in lines:
        log.write(line)
        log.flush()
        shown = progress_line(line, label)
        if shown:
            print(shown[:width], flush=True)


def run_logged(cmd: Sequence[str], log_file: str, label: str, cwd=None, env=None):
    """Run ``cmd`` with its whole output in ``log_file`` and its progress printed;
    raise ``RuntimeError`` naming the log when it fails."""
    with open(log_file, 'w', encoding='utf-8') as log:
        with subprocess.Popen(list(cmd),
                              cwd=cwd,
                              env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              text=True) as proc:
            follow(proc.stdout, log, label)
    if proc.returncode != 0:
        raise RuntimeError(f'{label} failed (exit {proc.returncode}); whole output: '
                           f'{log_file}')
