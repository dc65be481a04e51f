"""Saves the random number generators in checkpoints and restores them on resume."""
import logging
import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from mmocr.registry import HOOKS

from mmocr_oclip.utils import batches_done_in_epoch


def get_rng_state():
    """The state of this process's python, numpy, torch (and CUDA) generators.

    Returns:
        dict: ``python`` (``random.getstate()``), ``numpy`` (the legacy global
        generator's state with its key as a list, loadable with
        ``weights_only=True``), ``torch`` (uint8 tensor) and, with CUDA,
        ``cuda`` (one uint8 tensor per device).
    """
    name, key, pos, has_gauss, gauss = np.random.get_state()
    state = dict(python=random.getstate(),
                 numpy=(name, key.tolist(), int(pos), int(has_gauss), float(gauss)),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state):
    """Restore generators from a :func:`get_rng_state` result."""
    name, key, pos, has_gauss, gauss = state['numpy']
    random.setstate(state['python'])
    np.random.set_state((name, np.asarray(key, dtype=np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make ``--resume`` continue the random streams of the interrupted run.

    MMEngine restores the iteration, optimizer, schedulers and message hub, but
    not the python/numpy/torch generators that draw the models' masks and, with
    ``num_workers=0``, the augmentations (with workers, also the per-epoch worker
    seeds: see :func:`~mmocr_oclip.engine.per_epoch_worker_init_fn`). This hook

    - stores the generators in every checkpoint under ``'rng_state'`` (a list
      indexed by rank: with several processes, each rank's state is gathered at
      the end of each training epoch, of each iteration when a
      ``CheckpointHook`` saves by iteration, before validation, and when a hook
      calls ``gather_checkpoint_state`` on every rank before an unscheduled save,
      as :class:`PreemptionCheckpointHook` does; the hook's priority, LOW, runs
      it just before ``CheckpointHook``, VERY_LOW), and the generators at the
      start of the epoch under ``'rng_state_epoch_start'``;
    - runs validation on a side copy of the generators, so that a run that
      validates between a checkpoint and the next epoch draws the same training
      random numbers as one resumed from that checkpoint;
    - on resume (not on ``load_from``), restores its rank's generators at
      ``before_train``, after everything that drew random numbers while the
      runner was built; resumed in the middle of an epoch (see
      :mod:`mmocr_oclip.utils.mid_epoch_resume`), it restores the epoch's
      starting generators first (data workers draw their seeds from them when
      the epoch's loader starts) and the interrupted iteration's once the
      trained batches are skipped.

    Exact continuation needs deterministic kernels (``randomness`` with a seed
    and ``deterministic=True``; CPU, or GPU ops that are deterministic), the same
    number of processes, workers and batch size, ``persistent_workers=False``
    (persistent workers carry their generators across epochs, a restarted run
    starts new ones), and either an epoch-based loop (from an epoch checkpoint
    or one saved inside an epoch) or an iteration-based loop with
    ``InfiniteSampler`` and ``num_workers >= 1`` (on resume it re-loads the
    trained batches to skip them: with ``num_workers=0`` that draws augmentations
    from the restored generators, and each new pass of a ``DefaultSampler`` seeds
    its workers from them).
    """

    priority = 'LOW'

    def __init__(self):
        # (runner.iter, [state of each rank], [epoch-start state of each rank])
        self._snapshot = None
        self._epoch_start = None
        self._resume_state = None
        self._resume_epoch_start = None
        self._before_val = None
        self._gather_every_iter = False

    def _take_snapshot(self, runner):
        pair = (get_rng_state(), self._epoch_start)
        _, world_size = get_dist_info()
        pairs = all_gather_object(pair) if world_size > 1 else [pair]
        self._snapshot = (runner.iter, [p[0] for p in pairs], [p[1] for p in pairs])

    def before_train(self, runner):
        _, world_size = get_dist_info()
        self._gather_every_iter = world_size > 1 and any(
            isinstance(hook, CheckpointHook) and not hook.by_epoch
            for hook in runner.hooks)
        if self._resume_state is None:
            return
        if len(self._resume_state) != world_size:
            print_log(
                f'RNGStateHook: the checkpoint holds the generators of '
                f'{len(self._resume_state)} processes, this run has {world_size}: '
                'random numbers will differ from the interrupted run',
                logger='current',
                level=logging.WARNING)
        loop = runner.train_loop
        if isinstance(loop,
                      EpochBasedTrainLoop) and 0 < batches_done_in_epoch(loop) <= len(
                          loop.dataloader):
            # mid-epoch: the iteration's generators wait for the skipped batches
            if self._resume_epoch_start is not None:
                _set_own_state(self._resume_epoch_start)
            else:
                print_log(
                    'RNGStateHook: the checkpoint was saved inside an epoch without '
                    'the generators of the epoch\'s start: data workers will draw '
                    'other random numbers than in the interrupted run',
                    logger='current',
                    level=logging.WARNING)
            return
        self._restore_resume_state()

    def after_skip_trained_batches(self, runner, num_batches):
        """The resumed epoch has skipped its trained batches: continue the
        interrupted iteration's random streams."""
        if self._resume_state is not None:
            self._restore_resume_state()

    def _restore_resume_state(self):
        _set_own_state(self._resume_state)
        self._resume_state = None
        self._resume_epoch_start = None

    def before_train_epoch(self, runner):
        self._epoch_start = get_rng_state()

    def gather_checkpoint_state(self, runner):
        """Gather every rank's generators for a save this hook did not schedule.

        Collective: every rank calls it (through ``runner.call_hook``) before the
        main process saves. During validation the generators of training were
        gathered before it started and are kept."""
        if self._before_val is None:
            self._take_snapshot(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self._gather_every_iter:
            self._take_snapshot(runner)

    def after_train_epoch(self, runner):
        self._take_snapshot(runner)

    def before_val(self, runner):
        if _is_training(runner):
            self._take_snapshot(runner)
            self._before_val = get_rng_state()

    def after_val(self, runner):
        if self._before_val is not None:
            set_rng_state(self._before_val)
            self._before_val = None

    def before_save_checkpoint(self, runner, checkpoint):
        if self._snapshot is not None and self._snapshot[0] == runner.iter:
            checkpoint['rng_state'] = self._snapshot[1]
            if all(state is not None for state in self._snapshot[2]):
                checkpoint['rng_state_epoch_start'] = self._snapshot[2]
        else:  # a save at a point without snapshot: this (main) process only
            checkpoint['rng_state'] = [get_rng_state()]

    def after_load_checkpoint(self, runner, checkpoint):
        if not runner._resume:  # load_from: a new run keeps its own streams
            return
        if 'rng_state' not in checkpoint:
            print_log(
                'RNGStateHook: the checkpoint has no random generator states '
                '(saved without this hook); random numbers will differ from the '
                'interrupted run',
                logger='current',
                level=logging.WARNING)
            return
        self._resume_state = checkpoint['rng_state']
        self._resume_epoch_start = checkpoint.get('rng_state_epoch_start')


def _set_own_state(states):
    """Restore this rank's entry of a per-rank list of generator states."""
    rank, _ = get_dist_info()
    set_rng_state(states[rank % len(states)])


def _is_training(runner):
    """Whether ``runner.train()`` is running (its loop is built)."""
    return runner._train_loop is not None and not isinstance(runner._train_loop, dict)
