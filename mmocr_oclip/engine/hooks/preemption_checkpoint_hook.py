"""Checkpoint the exact training state when the job is told to stop (preemption)."""
import logging
import os
import os.path as osp
import signal
import threading

import torch
import torch.distributed as torch_dist
from mmengine.dist import barrier, get_dist_info, is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmocr.registry import HOOKS

from mmocr_oclip.utils import atomic_write

#: Exit status of a run stopped by :class:`PreemptionCheckpointHook` (``EX_TEMPFAIL``
#: of ``sysexits.h``: a temporary failure, run the command again with ``--resume``).
PREEMPTED_EXIT_CODE = 75


class TrainingPreempted(SystemExit):
    """Raised by :class:`PreemptionCheckpointHook` after its checkpoint is saved;
    the process exits with :data:`PREEMPTED_EXIT_CODE` unless it is caught."""

    def __init__(self, message):
        super().__init__(PREEMPTED_EXIT_CODE)
        self.message = message

    def __str__(self):
        return self.message


@HOOKS.register_module()
class PreemptionCheckpointHook(Hook):
    """On SIGTERM or SIGUSR1, finish the iteration, save the exact state, exit.

    Slurm (``--signal``, preemption, ``scancel``) and Kubernetes send SIGTERM (or
    the signal asked for) some time before SIGKILL. From ``before_train`` to
    ``after_train`` this hook installs handlers that only note the signal; after
    the running training iteration (or validation iteration) every rank agrees,
    through one small all-reduce on a CPU (gloo) group, to stop at that same
    iteration; every hook gets ``gather_checkpoint_state`` (so that
    :class:`RNGStateHook` gathers every rank's generators); the main process
    writes an atomic checkpoint of model, optimiser, schedulers, message hub,
    generators and the loop position (``epoch``, ``iter``: an epoch-based loop
    resumes inside the epoch, see :mod:`mmocr_oclip.utils.mid_epoch_resume`),
    points ``last_checkpoint`` at it, removes this hook's older saves, logs one
    line saying how to continue, and every rank raises :class:`TrainingPreempted`
    (exit status :data:`PREEMPTED_EXIT_CODE`, 75). Further signals during the
    save are counted and ignored; the save itself is atomic, so even a SIGKILL
    during it leaves the previous checkpoints intact.

    Run the same command with ``--resume`` to continue: the losses are those of
    an uninterrupted run under :class:`RNGStateHook`'s conditions. A stop during
    validation keeps the training state of the epoch's end and skips the rest of
    that validation.

    Args:
        signals (Sequence[str]): Names of the signals that stop the run.
            Defaults to ``('SIGTERM', 'SIGUSR1')``.
        filename_tmpl (str): Checkpoint name, formatted with the number of
            trained iterations. Defaults to ``'preempted_iter_{}.pth'``.
        interval (int): Check for a signal every ``interval`` iterations (each
            check is one all-reduce of one number when distributed). Defaults
            to 1.
    """

    priority = 'LOWEST'  # after CheckpointHook: a scheduled save comes first

    def __init__(self,
                 signals=('SIGTERM', 'SIGUSR1'),
                 filename_tmpl='preempted_iter_{}.pth',
                 interval=1):
        unknown = [name for name in signals if not hasattr(signal, name)]
        if unknown:
            raise ValueError(f'PreemptionCheckpointHook: unknown signals {unknown}')
        if interval < 1:
            raise ValueError(f'PreemptionCheckpointHook: interval must be >= 1, got '
                             f'{interval}')
        self.signals = tuple(signals)
        self.filename_tmpl = filename_tmpl
        self.interval = interval
        self._received = []  # names of the signals received, in order
        self._previous_handlers = {}
        self._group = None
        self._checks = 0

    def _on_signal(self, signum, frame):
        # only note it: the training loop acts at the end of the iteration
        self._received.append(signal.Signals(signum).name)

    def before_train(self, runner):
        if threading.current_thread() is not threading.main_thread():
            print_log(
                'PreemptionCheckpointHook: training runs outside the main thread, '
                'where signals cannot be handled; preemption saves are off',
                logger='current',
                level=logging.WARNING)
            return
        for name in self.signals:
            signum = getattr(signal, name)
            self._previous_handlers[signum] = signal.signal(signum, self._on_signal)
        _, world_size = get_dist_info()
        if world_size > 1:
            # a CPU group: the check must not synchronise the GPU every iteration
            self._group = (torch_dist.new_group(
                backend='gloo') if torch_dist.get_backend() != 'gloo' else None)

    def after_train(self, runner):
        self._restore_handlers()

    def _restore_handlers(self):
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers = {}

    def _stop_requested(self):
        """Whether any rank has received a signal (collective when distributed)."""
        self._checks += 1
        if self._checks % self.interval:
            return False
        requested = bool(self._received)
        _, world_size = get_dist_info()
        if world_size > 1:
            flag = torch.tensor([int(requested)])
            torch_dist.all_reduce(flag, op=torch_dist.ReduceOp.MAX, group=self._group)
            requested = bool(flag.item())
        return requested

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self._previous_handlers and self._stop_requested():
            # the iteration has run; the loop's counter moves on after the hooks
            self._save_and_stop(runner, trained_iters=runner.iter + 1)

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self._previous_handlers and self._stop_requested():
            self._save_and_stop(runner, trained_iters=runner.iter)

    def _checkpoint_dir(self, runner):
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and hook.out_dir is not None:
                return hook.out_dir
        return runner.work_dir

    def _save_and_stop(self, runner, trained_iters):
        received = ', '.join(self._received) or 'a signal on another rank'
        num_received = len(self._received)
        runner.call_hook('gather_checkpoint_state')
        out_dir = self._checkpoint_dir(runner)
        filename = self.filename_tmpl.format(trained_iters)
        path = osp.join(out_dir, filename)
        if is_main_process():
            print_log(
                f'{received} received: saving the state after iteration '
                f'{trained_iters} to {path}',
                logger='current')
            runner.save_checkpoint(out_dir,
                                   filename,
                                   meta=dict(epoch=runner.epoch, iter=trained_iters),
                                   by_epoch=False)
            atomic_write(path, osp.join(runner.work_dir, 'last_checkpoint'))
            self._remove_older_saves(out_dir, filename)
        barrier()
        self._restore_handlers()
        later = self._received[num_received:]
        if later:
            received += f' ({", ".join(later)} during the save: ignored)'
        message = (f'training stopped by {received} after iteration {trained_iters}; '
                   f'its state is in {path}: run the same command with --resume to '
                   f'continue (exit status {PREEMPTED_EXIT_CODE})')
        if is_main_process():
            print_log(message, logger='current', level=logging.WARNING)
        raise TrainingPreempted(message)

    def _remove_older_saves(self, out_dir, keep):
        prefix, _, suffix = self.filename_tmpl.partition('{}')
        for name in os.listdir(out_dir):
            if (name != keep and name.startswith(prefix) and name.endswith(suffix)
                    and name[len(prefix):len(name) - len(suffix)].isdigit()):
                for stale in (name, name + '.sha256'):
                    if osp.isfile(osp.join(out_dir, stale)):
                        os.remove(osp.join(out_dir, stale))
