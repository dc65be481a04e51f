from .text_query_attention_head import TextQueryAttentionHead

__all__ = ['TextQueryAttentionHead']
