from .anchor_point_heatmaps import (HEATMAP_LEGEND, HIDDEN_IMAGE_LEGEND,
                                    TEXT_ONLY_LEGEND, heatmap_picture)
from .oclip_attention_visualizer import OCLIPAttentionVisualizer
from .word_outlines import outline_words

__all__ = [
    'HEATMAP_LEGEND', 'HIDDEN_IMAGE_LEGEND', 'OCLIPAttentionVisualizer',
    'TEXT_ONLY_LEGEND', 'heatmap_picture', 'outline_words'
]
