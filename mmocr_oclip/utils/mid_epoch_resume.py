"""Resume an epoch-based loop in the middle of an epoch.

MMEngine 0.10.7's ``EpochBasedTrainLoop`` restores ``epoch`` and ``iter`` from a
checkpoint and then runs the resumed epoch from its first batch. From an epoch
checkpoint that is right; from one saved in the middle of an epoch (a
``CheckpointHook`` with ``by_epoch=False``, or a
:class:`~mmocr_oclip.engine.hooks.PreemptionCheckpointHook` save) it trains the
already-trained batches again and runs past ``max_iters``.
:func:`apply_mid_epoch_resume` (run on ``import mmocr_oclip``) makes the loop
skip them: the batches ``iter - epoch * len(dataloader)`` of the resumed epoch are
loaded (so that data workers and samplers advance exactly as in the interrupted
run) but not trained on, and then hooks get ``after_skip_trained_batches`` (the
point at which :class:`~mmocr_oclip.engine.hooks.RNGStateHook` restores the
generators of the interrupted iteration). Batch indices, the logged
``[epoch][i/n]`` and epoch ends stay those of the uninterrupted run.
"""
import logging

from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop


def batches_done_in_epoch(loop):
    """How many batches of the current epoch ``loop`` has already trained on
    (0 at an epoch boundary; ``len(dataloader)`` when a save came after the
    epoch's last iteration but before its end-of-epoch hooks)."""
    return loop.iter - loop.epoch * len(loop.dataloader)


def _run_epoch(self):
    """``EpochBasedTrainLoop.run_epoch`` that skips the trained batches of a
    resumed epoch."""
    self.runner.call_hook('before_train_epoch')
    self.runner.model.train()
    skip = batches_done_in_epoch(self)
    if not 0 <= skip <= len(self.dataloader):
        print_log(
            f'the checkpoint is at iteration {self.iter}, outside epoch '
            f'{self.epoch + 1} of {len(self.dataloader)} batches (another batch size '
            'or number of processes?): the epoch starts from its first batch',
            logger='current',
            level=logging.WARNING)
        skip = 0
    batches = iter(self.dataloader)
    if skip:
        print_log(
            f'resuming in epoch {self.epoch + 1}: loading and skipping the {skip} '
            'batches it has trained on',
            logger='current')
        for _ in range(skip):
            next(batches)
        self.runner.call_hook('after_skip_trained_batches', num_batches=skip)
    for idx, data_batch in enumerate(batches, start=skip):
        self.run_iter(idx, data_batch)
    self.runner.call_hook('after_train_epoch')
    self._epoch += 1


def apply_mid_epoch_resume():
    """Let ``EpochBasedTrainLoop`` resume in the middle of an epoch (idempotent)."""
    EpochBasedTrainLoop.run_epoch = _run_epoch
