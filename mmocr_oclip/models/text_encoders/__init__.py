from .character_text_encoder import CharacterTextEncoder

__all__ = ['CharacterTextEncoder']
