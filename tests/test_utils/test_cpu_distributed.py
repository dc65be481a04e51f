import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config

from mmocr_oclip.utils import setup_cpu_distributed
from helpers.processes import free_port

pytestmark = pytest.mark.skipif(torch.cuda.is_available(),
                                reason='the CPU-only path of a machine without CUDA')


def test_without_launcher_nothing_changes():
    cfg = Config(dict(launcher='none', env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_cpu_distributed(cfg)
    assert 'model_wrapper_cfg' not in cfg and not dist.is_initialized()


def test_pytorch_launcher_starts_gloo_and_wraps_ddp_without_devices(monkeypatch):
    port = free_port()
    for key, value in dict(RANK='0',
                           LOCAL_RANK='0',
                           WORLD_SIZE='1',
                           MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    cfg = Config(
        dict(launcher='pytorch',
             env_cfg=dict(dist_cfg=dict(backend='nccl')),
             model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                                    find_unused_parameters=True)))
    start_method = mp.get_start_method(allow_none=True)  # init_dist may set it
    try:
        setup_cpu_distributed(cfg)  # would raise in torch.cuda.set_device
        assert dist.is_initialized() and dist.get_backend() == 'gloo'
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
        mp.set_start_method(start_method, force=True)
    assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel',
                                         find_unused_parameters=True,
                                         device_ids=None)
