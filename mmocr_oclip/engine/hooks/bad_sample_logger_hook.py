"""Counts and logs the samples the training dataset skipped (bad input)."""
from collections import Counter

from mmengine.dist import all_gather_object
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop
from mmocr.registry import HOOKS


@HOOKS.register_module()
class BadSampleLoggerHook(Hook):
    """Log, per epoch, the samples skipped by the training dataset and why.

    :class:`OCLIPPretrainDataset` (``bad_sample='skip'``) attaches the records
    ``(img_path, kind, detail)`` of skipped samples to the metainfo
    ``skipped_samples`` of a sample it returns, so they travel from the data
    loader workers with the batch. This hook collects them after every
    training iteration and, at the end of every epoch (or every ``interval``
    iterations), gathers them over the ranks and logs the count, the count per
    kind and up to ``max_listed`` files with their reasons (rank 0 logs). Files
    are counted once; a file drawn again in the same report (the dataset's
    retry after a bad sample draws a random index) is skipped again, and the
    report gives these skips in all and per file.

    Exposed values: the scalar ``train/skipped_samples`` of the message hub
    (this rank's count since the last report, in the iteration log lines), the
    runtime info ``skipped_samples`` (the last report: ``count`` skips,
    ``files`` distinct files, ``kinds`` {kind: files}, ``records``
    [(img_path, kind, detail)], one per skip) and the
    visualizer scalar ``skipped_samples`` (the report's count, step = epoch or
    iteration).

    Args:
        interval (int, optional): report every ``interval`` training
            iterations (and at the end of training); None (default) reports at
            the end of every epoch, or every ``iter_loop_interval`` iterations
            under an :class:`~mmengine.runner.IterBasedTrainLoop`.
        max_listed (int): files named per report. Defaults to 20.
        iter_loop_interval (int): the interval used by ``interval=None`` with
            an iteration-based loop. Defaults to 1000.
    """

    def __init__(self, interval=None, max_listed=20, iter_loop_interval=1000):
        if interval is not None and interval < 1:
            raise ValueError(f'interval must be None or >= 1, got {interval}')
        self.interval = interval
        self.max_listed = max_listed
        self.iter_loop_interval = iter_loop_interval
        self._records = []

    def before_train(self, runner):
        self._records = []
        if self.interval is None and isinstance(getattr(runner, 'train_loop', None),
                                                IterBasedTrainLoop):
            self.interval = self.iter_loop_interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        samples = (data_batch or {}).get('data_samples') or []
        for sample in samples:
            self._records += sample.metainfo.get('skipped_samples', [])
        runner.message_hub.update_scalar('train/skipped_samples', len(self._records))
        if self.interval is not None and self.every_n_train_iters(
                runner, self.interval):
            self._report(runner, f'iterations up to {runner.iter + 1}', runner.iter + 1)

    def after_train_epoch(self, runner):
        if self.interval is None:
            self._report(runner, f'epoch {runner.epoch + 1}', runner.epoch + 1)

    def after_train(self, runner):
        if self.interval is not None and runner.iter % self.interval:
            self._report(runner, f'the last iterations up to {runner.iter}',
                         runner.iter)

    def _report(self, runner, period, step):
        """Gather the records of all ranks, log them and reset the count."""
        records = [
            tuple(r) for rank_records in all_gather_object(self._records)
            for r in rank_records
        ]
        self._records = []
        num_files = len({path for path, _, _ in records})
        file_kinds = dict.fromkeys((path, kind) for path, kind, _ in records)
        kinds = Counter(kind for _, kind in file_kinds)
        runner.message_hub.update_info(
            'skipped_samples',
            dict(count=len(records),
                 files=num_files,
                 kinds=dict(kinds),
                 records=records))
        runner.visualizer.add_scalars(dict(skipped_samples=len(records)), step=step)
        if not records:
            runner.logger.info(f'{period}: no sample skipped')
            return
        by_kind = ', '.join(f'{kind}: {n}' for kind, n in kinds.most_common())
        repeats = Counter(records)
        lines = [
            f'  {path}: {kind}: {detail}' + (f' (skipped {n} times)' if n > 1 else '')
            for (path, kind, detail), n in sorted(repeats.items())[:self.max_listed]
        ]
        more = len(repeats) - self.max_listed
        if more > 0:
            lines.append(f'  ... and {more} more files')
        retries = ''
        if len(records) > num_files:
            retries = (f'; {len(records)} skips in all, retries counted '
                       'separately (after a bad sample the dataset draws another '
                       'at random, which can be a bad file again)')
        files = 'file' if num_files == 1 else 'files'
        runner.logger.warning(f'{period}: skipped {num_files} bad {files} '
                              f'({by_kind}){retries}:\n' + '\n'.join(lines))
