from .atomic_checkpoint import atomic_write
from .compat import apply_compat_fixes, checkpoint_safe_globals
from .cpu_distributed import setup_cpu_distributed
from .data_root import (DataPathError, bind_data_root, check_data_paths, load_config,
                        used_dataloaders)
from .resources import packaged_dict_file, resolve_resource_file

__all__ = [
    'atomic_write', 'setup_cpu_distributed', 'apply_compat_fixes',
    'checkpoint_safe_globals', 'packaged_dict_file', 'resolve_resource_file',
    'DataPathError', 'bind_data_root', 'check_data_paths', 'load_config',
    'used_dataloaders'
]
