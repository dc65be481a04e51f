"""Seeds data workers per epoch and rank from the main process's torch generator."""
import os
import random

import numpy as np
import torch
from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def per_epoch_worker_init_fn(worker_id, _scope_=None):
    """Seed a data worker's python, numpy and torch generators from the epoch's
    loader seed and the process rank.

    With a ``randomness`` seed, MMEngine seeds worker ``i`` of rank ``r`` with
    ``seed + num_workers * r + i`` every time the workers start, so every epoch
    of non-persistent workers repeats the same augmentations. PyTorch instead
    seeds worker ``i`` with ``base_seed + i``, ``base_seed`` drawn from the main
    process's torch generator each time a loader iterator starts (each epoch): a
    fresh stream per epoch, reproducible from the seed, and restored on resume
    together with the main generator by
    :class:`~mmocr_oclip.engine.hooks.RNGStateHook`. This function keeps
    PyTorch's per-epoch seed and mixes in the rank (``RANK``, set by every
    launcher), because ranks that share a seed draw the same ``base_seed``.
    Config: ``worker_init_fn=dict(type='per_epoch_worker_init_fn')`` in a
    dataloader.

    Args:
        worker_id (int): Index of the worker in its loader (in PyTorch's seed).
        _scope_ (str, optional): Unused; MMEngine stamps it on the config dicts
            of configs inherited through ``mmocr_oclip::`` and passes it on.
    """
    rank = int(os.environ.get('RANK', 0))
    seed = int(
        np.random.SeedSequence([torch.initial_seed(),
                                rank]).generate_state(1, np.uint64)[0])
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
