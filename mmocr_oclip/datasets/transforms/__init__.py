from .pack_oclip_inputs import PackOCLIPInputs
from .sample_text_instances import SampleTextInstances

__all__ = ['PackOCLIPInputs', 'SampleTextInstances']
