"""Anchor-point results: written as they come, resumed, assembled, scored.

A run writes each labelled batch as one line of ``<OUT_JSON>.partial`` (JSON
lines; the first line holds the run's settings), flushed to disk before the next
batch starts, so an interrupted run loses at most the batch in flight. A resumed
run keeps the complete lines (a line cut by a crash is dropped and its batch
labelled again) and continues at the next batch, so the batches, and thus the
points, are those of an uninterrupted run. At the end the points are assembled
into ``OUT_JSON`` (written to a temporary file, then renamed) and the partial
file is removed.
"""
import json
import os
import os.path as osp

import numpy as np
from mmocr.registry import METRICS

from .anchor_point_labeler import point_instances

FORMAT_KEY = 'mmocr_oclip_anchor_points'
FORMAT_VERSION = 1
SPOTTING_METAINFO = dict(dataset_type='TextSpottingDataset',
                         task_name='textspotting',
                         category=[dict(id=0, name='text')])
_SAVED_KEYS = ('img_path', 'notes', 'skipped_words', 'skipped', 'unreadable', 'height',
               'width', 'points', 'scores', 'texts')


class ResumeError(RuntimeError):
    """A partial run that cannot be continued (or overwritten) as asked."""


class PartialResults:
    """The results of a run so far, in ``<out_file>.partial``.

    Args:
        out_file (str): the run's final output file.
        settings (dict): what makes two runs give the same points (JSON
            values); a resumed run must have the same.
        resume (bool): continue the partial run of ``out_file`` if there is
            one. Without it an existing partial run is an error (it is never
            overwritten).

    Attributes:
        results (list[dict]): the labelled entries so far, in input order.
        dropped_line (bool): a resumed file's last line was cut (and dropped).
    """

    def __init__(self, out_file, settings, resume=False):
        self.out_file = out_file
        self.path = out_file + '.partial'
        # as they read back from the file (tuples become lists)
        self.settings = json.loads(json.dumps(settings))
        self.results = []
        self.dropped_line = False
        if osp.exists(self.path):
            if not resume:
                raise ResumeError(
                    f'{self.path} holds an interrupted run: add --resume to continue '
                    'it, or delete the file to start over')
            self._read()
        else:
            os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
            header = {FORMAT_KEY: FORMAT_VERSION, 'settings': self.settings}
            self._write_line(header, 'w')

    def _read(self):
        with open(self.path, encoding='utf-8') as f:
            lines = f.read().split('\n')
        try:
            header = json.loads(lines[0])
            assert header[FORMAT_KEY] == FORMAT_VERSION
        except (ValueError, KeyError, TypeError, AssertionError):
            raise ResumeError(f'{self.path}: not a partial anchor-point run (first '
                              'line); delete it to start over') from None
        differ = sorted(k for k in set(header['settings']) | set(self.settings)
                        if header['settings'].get(k) != self.settings.get(k))
        if differ:
            was = ', '.join(f'{k}={header["settings"].get(k)!r}' for k in differ)
            raise ResumeError(f'{self.path} was started with {was}: resume with the '
                              'same settings, or delete the file to start over')
        # the text after the last newline is a line cut by a crash (or empty)
        self.dropped_line = bool(lines[-1].strip())
        batches = []
        for line in lines[1:-1]:
            try:
                batches.append(json.loads(line))
            except ValueError:
                self.dropped_line = True
                break
        self.results = [r for batch in batches for r in batch]
        if self.dropped_line:  # rewrite without the cut line
            tmp = self.path + '.tmp'
            with open(tmp, 'w', encoding='utf-8') as f:
                f.write('\n'.join(lines[:1 + len(batches)]) + '\n')
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)

    def _write_line(self, value, mode='a'):
        with open(self.path, mode, encoding='utf-8') as f:
            f.write(json.dumps(value, ensure_ascii=False) + '\n')
            f.flush()
            os.fsync(f.fileno())

    def append(self, batch):
        """Save a labelled batch (:meth:`AnchorPointLabeler.label` results)."""
        batch = [{k: r[k] for k in _SAVED_KEYS if k in r} for r in batch]
        self._write_line(batch)
        self.results += batch

    def finish(self, score_thr=0.):
        """Write ``out_file`` (:func:`points_dataset`) and remove the partial file.

        Returns:
            dict: the written dataset.
        """
        dataset = points_dataset(self.results, score_thr)
        tmp = self.out_file + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(dataset, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.out_file)
        os.remove(self.path)
        return dataset


def points_dataset(results, score_thr=0.):
    """The MMOCR text-spotting dataset of labelled entries (skipped ones left
    out): ``metainfo`` and a ``data_list`` of ``img_path``, ``height``,
    ``width`` and ``instances`` (:func:`point_instances`)."""
    return dict(metainfo=SPOTTING_METAINFO,
                data_list=[
                    dict(img_path=r['img_path'],
                         height=r['height'],
                         width=r['width'],
                         instances=point_instances(r, score_thr)) for r in results
                    if 'skipped' not in r
                ])


def ground_truth(entry):
    """AnchorPointMetric ``gt_instances`` of an entry whose instances all carry a
    ``polygon``."""
    instances = entry['instances']
    return dict(polygons=[np.asarray(i['polygon'], np.float64) for i in instances],
                texts=[i['text'] for i in instances],
                ignored=np.array([bool(i.get('ignore', False)) for i in instances],
                                 bool))


def anchor_point_metrics(predictions, entries, score_thr=0.):
    """:class:`AnchorPointMetric` of predictions against polygon ground truth.

    Args:
        predictions (list[dict | None]): per entry, ``points``, ``scores`` and
            ``texts`` (a labelled result), or None for an image without
            predictions (skipped).
        entries (list[dict]): the ground truth, entries whose instances all
            carry ``polygon`` (see :func:`first_without_polygon`).
        score_thr (float): the metric's fixed threshold.

    Returns:
        dict: the metric's values (``anchor/hmean``, ...).
    """
    metric = METRICS.build(dict(type='AnchorPointMetric', score_thr=score_thr))
    empty = dict(points=np.zeros((0, 2)), scores=np.zeros(0), texts=[])
    metric.process(None, [
        dict(pred_instances=dict(points=np.asarray(p['points'], np.float64).reshape(
            -1, 2),
                                 scores=np.asarray(p['scores'], np.float64),
                                 texts=list(p['texts'])) if p else empty,
             gt_instances=ground_truth(e)) for p, e in zip(predictions, entries)
    ])
    return metric.evaluate(len(entries))
