from .bad_sample_logger_hook import BadSampleLoggerHook
from .oclip_attention_visualization_hook import OCLIPAttentionVisualizationHook

__all__ = ['BadSampleLoggerHook', 'OCLIPAttentionVisualizationHook']
