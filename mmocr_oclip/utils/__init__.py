from .atomic_checkpoint import DiskFullError, atomic_write
from .checkpoint_integrity import (CheckpointError, find_resumable_checkpoint,
                                   verify_checkpoint)
from .compat import apply_compat_fixes, checkpoint_safe_globals
from .cpu_distributed import setup_cpu_distributed
from .data_root import (DataPathError, bind_data_root, check_data_paths, load_config,
                        used_dataloaders)
from .mid_epoch_resume import batches_done_in_epoch
from .resources import packaged_dict_file, resolve_resource_file

__all__ = [
    'atomic_write', 'DiskFullError', 'CheckpointError', 'find_resumable_checkpoint',
    'verify_checkpoint', 'batches_done_in_epoch', 'setup_cpu_distributed',
    'apply_compat_fixes', 'checkpoint_safe_globals', 'packaged_dict_file',
    'resolve_resource_file', 'DataPathError', 'bind_data_root', 'check_data_paths',
    'load_config', 'used_dataloaders'
]
