"""Cosine annealing of the learning rate that starts where a warm-up ends."""
import logging

from mmengine.logging import print_log
from mmengine.optim.scheduler import CosineAnnealingLR
from mmengine.optim.scheduler.param_scheduler import INF
from mmocr.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingAfterWarmupLR(CosineAnnealingLR):
    """MMEngine's :class:`CosineAnnealingLR` from the end of a warm-up to ``end``.

    oCLIP's (open_clip's) ``cosine_lr``: ``warmup_iters`` iterations of linear
    warm-up, then ``lr_t = base_lr * (1 + cos(pi * (t - w) / (T - w))) / 2`` for
    ``w <= t < T``, T the iterations of the whole run. MMEngine's
    ``CosineAnnealingLR`` over ``convert_to_iter_based`` epochs can only start at
    an epoch boundary, and started at 0 under the warm-up it runs below the
    authors' curve (0.2% at the warm-up's end, 6% in the last iterations of
    oCLIP's schedule). Here ``begin`` is moved by ``warmup_iters`` iterations
    after the conversion to iterations and ``T_max`` is what remains to
    ``end``; pair it with ``LinearLR(begin=0, end=warmup_iters)``. A run that
    ends within the warm-up gets no cosine (warned), as the authors'.

    Args:
        optimizer (Optimizer | OptimWrapper): the optimizer.
        warmup_iters (int): iterations of the warm-up before the cosine starts.
            Defaults to 0.
        begin (int): start of the run (epochs before ``convert_to_iter_based``,
            else iterations). Defaults to 0.
        end (int): end of the cosine, where the lr reaches ``eta_min``.
        by_epoch (bool): must be False once built (``warmup_iters`` counts
            iterations): set ``by_epoch=True, convert_to_iter_based=True`` in
            configs. Defaults to True.
        **kwargs: ``eta_min``, ``eta_min_ratio``, ``last_step``, ``verbose``
            of :class:`CosineAnnealingLR` (``T_max`` is derived).
    """

    def __init__(self,
                 optimizer,
                 warmup_iters=0,
                 begin=0,
                 end=INF,
                 by_epoch=True,
                 **kwargs):
        if kwargs.pop('T_max', None) is not None:
            raise ValueError('CosineAnnealingAfterWarmupLR: T_max is derived '
                             '(end - begin - warmup_iters); do not set it')
        if by_epoch and warmup_iters:
            raise ValueError('CosineAnnealingAfterWarmupLR: warmup_iters counts '
                             'iterations; set convert_to_iter_based=True (or '
                             'by_epoch=False)')
        if end == INF:
            raise ValueError('CosineAnnealingAfterWarmupLR needs a finite end')
        begin += warmup_iters
        if end <= begin:
            # the run ends within the warm-up: as the authors' cosine_lr, the lr
            # only warms up. Active on the last step only, where a cosine's first
            # step leaves the lr as it is.
            print_log(
                f'CosineAnnealingAfterWarmupLR: the run ({end} iterations) '
                f'ends within the warm-up ({warmup_iters}): no cosine decay',
                logger='current',
                level=logging.WARNING)
            begin = end - 1
        self.warmup_iters = warmup_iters
        super().__init__(optimizer,
                         T_max=end - begin,
                         begin=begin,
                         end=end,
                         by_epoch=by_epoch,
                         **kwargs)
