from .oclip import OCLIP

__all__ = ['OCLIP']
