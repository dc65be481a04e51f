from .residual_attention_block import CrossAttentionBlock, ResidualAttentionBlock

__all__ = ['CrossAttentionBlock', 'ResidualAttentionBlock']
