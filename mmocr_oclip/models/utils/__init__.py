from .gather import all_gather_with_grad, global_targets
from .pos_embed import resize_pos_embed
from .valid_grid_mask import valid_grid_mask

__all__ = [
    'all_gather_with_grad', 'global_targets', 'resize_pos_embed', 'valid_grid_mask'
]
