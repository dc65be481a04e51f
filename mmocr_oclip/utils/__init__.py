from .compat import apply_compat_fixes, checkpoint_safe_globals
from .resources import packaged_dict_file, resolve_resource_file

__all__ = [
    'apply_compat_fixes', 'checkpoint_safe_globals', 'packaged_dict_file',
    'resolve_resource_file'
]
