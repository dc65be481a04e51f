from .bad_sample_logger_hook import BadSampleLoggerHook
from .oclip_attention_visualization_hook import OCLIPAttentionVisualizationHook
from .preemption_checkpoint_hook import (PREEMPTED_EXIT_CODE, PreemptionCheckpointHook,
                                         TrainingPreempted)
from .rng_state_hook import RNGStateHook

__all__ = [
    'BadSampleLoggerHook', 'OCLIPAttentionVisualizationHook', 'PREEMPTED_EXIT_CODE',
    'PreemptionCheckpointHook', 'RNGStateHook', 'TrainingPreempted'
]
