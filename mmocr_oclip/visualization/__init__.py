from .oclip_attention_visualizer import OCLIPAttentionVisualizer

__all__ = ['OCLIPAttentionVisualizer']
