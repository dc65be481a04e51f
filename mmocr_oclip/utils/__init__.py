from .compat import apply_compat_fixes, checkpoint_safe_globals

__all__ = ['apply_compat_fixes', 'checkpoint_safe_globals']
