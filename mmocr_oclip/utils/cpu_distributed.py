"""Distributed training without CUDA (gloo) through MMEngine's Runner."""
import contextlib
import logging

import torch
from mmengine.dist import init_dist, is_distributed
from mmengine.logging import print_log
from mmengine.registry import MODEL_WRAPPERS
from torch.nn.parallel import DistributedDataParallel


@contextlib.contextmanager
def _no_cuda_device_selection():
    """Make ``torch.cuda.set_device`` a no-op for the duration of the block."""
    set_device = torch.cuda.set_device
    torch.cuda.set_device = lambda device: None
    try:
        yield
    finally:
        torch.cuda.set_device = set_device


def setup_cpu_distributed(cfg):
    """Prepare a config with a launcher for a machine without CUDA.

    MMEngine 0.10.7 calls ``torch.cuda.set_device`` in ``init_dist`` (every
    launcher) and wraps the model in DDP with ``device_ids=[LOCAL_RANK]``; both
    fail without CUDA. When ``cfg.launcher`` is not ``'none'`` and CUDA is not
    available, this starts the process group itself (MMEngine's ``init_dist``
    with ``env_cfg.dist_cfg``, the GPU selection skipped, ``nccl`` replaced by
    ``gloo``), which the Runner then finds started, and sets
    ``model_wrapper_cfg.device_ids=None`` for a DDP wrapper (DDP over CPU
    modules). With CUDA, or without a launcher, it does nothing.

    Args:
        cfg (Config): The training config, with ``launcher`` set; modified in
            place.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        print_log('no CUDA: distributed training with the gloo backend, not nccl',
                  logger='current',
                  level=logging.WARNING)
        dist_cfg['backend'] = 'gloo'
    if not is_distributed():
        with _no_cuda_device_selection():
            init_dist(cfg.launcher, **dist_cfg)
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel',
                                                   broadcast_buffers=False,
                                                   find_unused_parameters=cfg.get(
                                                       'find_unused_parameters', False))
    wrapper_type = MODEL_WRAPPERS.get(wrapper.get('type', 'MMDistributedDataParallel'))
    if issubclass(wrapper_type, DistributedDataParallel):
        wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
