from .attention_pool_neck import AttentionPoolNeck
from .bifpn import BiFPN
from .deformable_encoder import DeformableEncoder
from .multi_scale_concat_neck import MultiScaleConcatNeck

__all__ = ['AttentionPoolNeck', 'BiFPN', 'DeformableEncoder', 'MultiScaleConcatNeck']
