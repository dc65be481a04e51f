from .oclip_pretrain_metric import OCLIPPretrainMetric

__all__ = ['OCLIPPretrainMetric']
