from .attention_pool_neck import AttentionPoolNeck

__all__ = ['AttentionPoolNeck']
