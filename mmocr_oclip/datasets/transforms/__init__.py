from .pack_oclip_inputs import PackOCLIPInputs
from .random_short_side_resize import RandomShortSideResize
from .sample_text_instances import SampleTextInstances

__all__ = ['PackOCLIPInputs', 'RandomShortSideResize', 'SampleTextInstances']
