from .quick_gelu import QuickGELU
from .residual_attention_block import CrossAttentionBlock, ResidualAttentionBlock

__all__ = ['CrossAttentionBlock', 'QuickGELU', 'ResidualAttentionBlock']
