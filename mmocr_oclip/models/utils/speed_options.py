"""The compiled call of a module, for the algorithms' ``compile_backbone``."""
import warnings

import torch
from torch import nn


def compiled_call(module, compile_options):
    """``module``'s call compiled with ``torch.compile``, or None.

    The compiled function calls the module (its forward hooks included) and is
    not itself a module: keeping it adds no state-dict key (unlike
    ``torch.compile(module)``, an ``OptimizedModule`` with ``_orig_mod.``
    keys), and the module itself stays uncompiled for whoever calls it
    directly.

    Args:
        module (nn.Module): the module to compile.
        compile_options (bool | dict): False: no compilation; True or a dict
            of ``torch.compile`` keyword arguments (e.g. ``dict(dynamic=False)``).

    Returns:
        Callable | None: None when ``compile_options`` is false, or when torch
        is older than 2.2 (no ``nn.Module.compile``; a warning says the module
        runs uncompiled).
    """
    if not compile_options:
        return None
    if not hasattr(nn.Module, 'compile'):
        warnings.warn(f'compile_backbone: torch {torch.__version__} has no '
                      'nn.Module.compile (torch >= 2.2): the backbone runs '
                      'uncompiled (same function, slower)')
        return None
    kwargs = compile_options if isinstance(compile_options, dict) else {}
    return torch.compile(module.__call__, **kwargs)
