from .bad_sample_logger_hook import BadSampleLoggerHook
from .oclip_attention_visualization_hook import OCLIPAttentionVisualizationHook
from .rng_state_hook import RNGStateHook

__all__ = ['BadSampleLoggerHook', 'OCLIPAttentionVisualizationHook', 'RNGStateHook']
