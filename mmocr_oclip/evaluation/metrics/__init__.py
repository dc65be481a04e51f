from .anchor_point_metric import AnchorPointMetric
from .oclip_pretrain_metric import OCLIPPretrainMetric

__all__ = ['AnchorPointMetric', 'OCLIPPretrainMetric']
