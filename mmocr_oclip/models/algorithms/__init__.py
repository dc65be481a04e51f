from .oclip import OCLIP
from .wecromcl import WeCromCL

__all__ = ['OCLIP', 'WeCromCL']
