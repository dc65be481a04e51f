"""OCLIPPretrainMetric: recall@1 both ways and the masked-character accuracy."""
import torch
from mmocr.registry import METRICS


def test_metric_hand_computed():
    metric = METRICS.build(dict(type='OCLIPPretrainMetric'))
    a = dict(pred_instances=dict(masked_targets=torch.tensor([5, 6, -1]),
                                 pred_labels=torch.tensor([5, 7, 1])),
             i2t_correct=True,
             t2i_correct=False)
    b = dict(pred_instances=dict(masked_targets=torch.tensor([9]),
                                 pred_labels=torch.tensor([9])),
             i2t_correct=False,
             t2i_correct=False)
    metric.process({}, [a, b])
    assert metric.compute_metrics(metric.results) == {
        'i2t_recall@1': 0.5,
        't2i_recall@1': 0.0,
        'mask_char_acc': 2 / 3
    }
