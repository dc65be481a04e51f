from .anchor_points import activation_peaks, query_slots, query_words, set_anchor_points
from .character_tokenizer import CharacterTokenizer
from .gather import all_gather_with_grad
from .pos_embed import resize_pos_embed
from .quick_gelu import QuickGELU
from .valid_grid_mask import valid_grid_mask

__all__ = [
    'CharacterTokenizer', 'QuickGELU', 'activation_peaks', 'all_gather_with_grad',
    'query_slots', 'query_words', 'resize_pos_embed', 'set_anchor_points',
    'valid_grid_mask'
]
