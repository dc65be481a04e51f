"""mmocr_oclip: oCLIP and WeCromCL scene-text pre-training as an MMOCR plugin.

Importing the package applies the compatibility fixes of :mod:`mmocr_oclip.utils.compat`
and registers every module into MMOCR's registries.
"""
from .utils.compat import apply_compat_fixes
from .version import __version__

apply_compat_fixes()

from . import registry  # noqa: E402,F401  (the `mmocr_oclip` scope)
from . import datasets, engine, evaluation, models, visualization  # noqa: E402,F401

__all__ = ['__version__']
