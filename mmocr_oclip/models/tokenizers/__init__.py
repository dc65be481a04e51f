from .character_tokenizer import CharacterTokenizer

__all__ = ['CharacterTokenizer']
