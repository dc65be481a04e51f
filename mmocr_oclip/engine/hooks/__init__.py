from .oclip_attention_visualization_hook import OCLIPAttentionVisualizationHook

__all__ = ['OCLIPAttentionVisualizationHook']
