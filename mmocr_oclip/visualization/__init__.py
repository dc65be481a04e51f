from .oclip_attention_visualizer import OCLIPAttentionVisualizer
from .word_outlines import outline_words

__all__ = ['OCLIPAttentionVisualizer', 'outline_words']
