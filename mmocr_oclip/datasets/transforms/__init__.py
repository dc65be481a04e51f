from .load_checked_image_from_file import (BadImageError, LoadCheckedImageFromFile,
                                           use_checked_loading)
from .pack_oclip_inputs import PackOCLIPInputs
from .random_blur import RandomBlur
from .random_rotate_on_canvas import RandomRotateOnCanvas
from .random_short_side_resize import RandomShortSideResize
from .sample_text_instances import SampleTextInstances

__all__ = [
    'BadImageError', 'LoadCheckedImageFromFile', 'PackOCLIPInputs', 'RandomBlur',
    'RandomRotateOnCanvas', 'RandomShortSideResize', 'SampleTextInstances',
    'use_checked_loading'
]
