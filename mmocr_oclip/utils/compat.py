"""Compatibility fixes between the pinned OpenMMLab stack and current PyTorch.

All of them live here and are applied once by ``import mmocr_oclip``:

1. ``weights_only``: torch >= 2.6 unpickles checkpoints with ``weights_only=True`` by
   default, and mmengine 0.10.7 calls ``torch.load`` without the argument. MMEngine's
   own checkpoints carry the message hub (``HistoryBuffer`` objects holding numpy
   arrays) and numpy scalars, so ``load_from``/``--resume`` fail. We allow-list exactly
   those classes with :func:`torch.serialization.add_safe_globals`; the protection
   stays on for everything else. ``HistoryBuffer`` also pickled its class-wide table
   of statistics functions (as ``getattr(HistoryBuffer, 'mean')``, and allowing
   ``getattr`` would open the unpickler to anything): checkpoints written with
   ``mmocr_oclip`` imported leave that table out (it is class state, rebuilt on
   load), so they load under the protection. Checkpoints written by plain
   mmengine still carry ``getattr`` and are refused by torch with its message.
2. ``mmocr_oclip::`` config bases: mmengine resolves ``package::path`` only for
   packages in ``MODULE2PACKAGE``; we add ours, so that a config outside this
   repository can inherit ``mmocr_oclip::pretrain/...`` once ``mmocr_oclip`` is
   imported (``mim train mmocr_oclip`` and our tools import it first).
3. Atomic checkpoint writes (:mod:`mmocr_oclip.utils.atomic_checkpoint`): a run
   killed while saving never leaves a truncated checkpoint or a ``last_checkpoint``
   naming a deleted one; checkpoints carry a checksum; a full disk is one line.
4. Mid-epoch resume (:mod:`mmocr_oclip.utils.mid_epoch_resume`): an epoch-based
   loop resumed from a checkpoint saved inside an epoch skips the batches it
   has trained on instead of repeating the epoch.
"""
import numpy as np
import torch
from mmengine.config import utils as config_utils
from mmengine.logging import HistoryBuffer

from .atomic_checkpoint import apply_atomic_checkpoint_writes
from .mid_epoch_resume import apply_mid_epoch_resume


def checkpoint_safe_globals():
    """The non-tensor classes found in MMEngine checkpoints (meta, message hub).

    Returns:
        list: classes and functions for :func:`torch.serialization.add_safe_globals`.
    """
    numpy_dtypes = [
        type(np.dtype(t)) for t in (np.float64, np.float32, np.float16, np.int64,
                                    np.int32, np.int16, np.int8, np.uint8, np.bool_)
    ]
    return [
        HistoryBuffer,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *numpy_dtypes,
    ]


def _history_buffer_state(self):
    """``HistoryBuffer.__getstate__`` without the class-wide statistics table."""
    state = self.__dict__.copy()
    state.pop('statistics_methods', None)
    return state


def allow_mmengine_checkpoints():
    """Allow-list MMEngine checkpoint contents for ``torch.load(weights_only=True)``."""
    HistoryBuffer.__getstate__ = _history_buffer_state
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:  # torch < 2.4 loads everything anyway
        add_safe_globals(checkpoint_safe_globals())


def register_config_package(package='mmocr_oclip'):
    """Let mmengine resolve ``_base_ = ['mmocr_oclip::...']`` config bases."""
    config_utils.MODULE2PACKAGE.setdefault(package, package)


def apply_compat_fixes():
    """Apply every fix of this module (idempotent)."""
    allow_mmengine_checkpoints()
    register_config_package()
    apply_atomic_checkpoint_writes()
    apply_mid_epoch_resume()
