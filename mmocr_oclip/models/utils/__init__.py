from .batch_norm_recompute import keep_running_stats_in_recomputation
from .gather import all_gather_with_grad, global_targets
from .pos_embed import resize_pos_embed
from .valid_grid_mask import valid_grid_mask

__all__ = [
    'all_gather_with_grad', 'global_targets', 'keep_running_stats_in_recomputation',
    'resize_pos_embed', 'valid_grid_mask'
]
