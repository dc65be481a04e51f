from .base_image_text_pretrainer import BaseImageTextPretrainer
from .oclip import OCLIP
from .wecromcl import WeCromCL

__all__ = ['BaseImageTextPretrainer', 'OCLIP', 'WeCromCL']
