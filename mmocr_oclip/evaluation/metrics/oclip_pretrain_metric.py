"""Validation metric of oCLIP pre-training."""
from mmengine.evaluator import BaseMetric
from mmocr.registry import METRICS


@METRICS.register_module()
class OCLIPPretrainMetric(BaseMetric):
    """Masked-character accuracy and in-batch retrieval recall@1.

    Consumes the data samples of :meth:`OCLIP.predict`:

    - ``mask_char_acc``: masked characters predicted right / masked characters;
    - ``i2t_recall@1`` / ``t2i_recall@1``: images whose words (resp. word sets
      whose image) rank first among the validation batch.

    Args:
        collect_device (str): ``cpu`` or ``gpu``. Defaults to ``cpu``.
        prefix (str, optional): Metric name prefix. Defaults to ``oclip``.
    """
    default_prefix = 'oclip'

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            pred = sample['pred_instances']
            targets = pred['masked_targets']
            masked = targets >= 0
            labels = pred.get('pred_labels')
            self.results.append(
                dict(masked=int(masked.sum()),
                     correct=0 if labels is None else int(
                         (labels[masked] == targets[masked]).sum()),
                     i2t=bool(sample['i2t_correct']),
                     t2i=bool(sample['t2i_correct'])))

    def compute_metrics(self, results):
        num_masked = sum(r['masked'] for r in results)
        metrics = {
            'i2t_recall@1': sum(r['i2t'] for r in results) / len(results),
            't2i_recall@1': sum(r['t2i'] for r in results) / len(results),
        }
        if num_masked:
            metrics['mask_char_acc'] = sum(r['correct'] for r in results) / num_masked
        return metrics
