from .character_tokenizer import CharacterTokenizer
from .gather import all_gather_with_grad
from .pos_embed import resize_pos_embed
from .quick_gelu import QuickGELU

__all__ = [
    'CharacterTokenizer', 'QuickGELU', 'all_gather_with_grad', 'resize_pos_embed'
]
