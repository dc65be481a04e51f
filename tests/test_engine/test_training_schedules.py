"""The full-size pre-training configs train as the authors' code does: which
parameters get weight decay, the learning rate at chosen iterations, and the
data rules (the values of the authors' code, written out here)."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope
from mmocr.registry import MODELS

from mmocr_oclip.engine.schedulers import CosineAnnealingAfterWarmupLR
from helpers import REPO
from helpers.authors_oclip import to_official

PRETRAIN = osp.join(REPO, 'configs', 'pretrain')
OCLIP_CONFIGS = ('oclip_rn50_synthtext.py', 'oclip_rn101_synthtext.py')
WECROMCL_CONFIGS = ('wecromcl_r50_1xb16-200k_synthtext.py',
                    'wecromcl_r50_1xb4-80k_totaltext.py')


def load(name):
    init_default_scope('mmocr')
    cfg = Config.fromfile(osp.join(PRETRAIN, name))
    cfg.model.backbone.init_cfg = None
    return cfg


def authors_oclip_decays(name):
    """oCLIP's main.py: no decay on names with bn, ln, bias or logit_scale."""
    return not any(k in name for k in ('bn', 'ln', 'bias', 'logit_scale'))


def decay_of_each_parameter(model, optim_wrapper_cfg):
    optim_wrapper = build_optim_wrapper(model, optim_wrapper_cfg)
    names = {id(p): n for n, p in model.named_parameters()}
    return {
        names[id(p)]: group['weight_decay']
        for group in optim_wrapper.optimizer.param_groups
        for p in group['params']
    }


@pytest.mark.parametrize('config', OCLIP_CONFIGS)
def test_oclip_weight_decay_is_the_authors_name_rule(config):
    cfg = load(config)
    model = MODELS.build(cfg.model)
    decay = decay_of_each_parameter(model, cfg.optim_wrapper)
    assert len(decay) == len(list(model.parameters()))
    expected = {
        name: 0.1 if authors_oclip_decays(to_official(name)) else 0.0
        for name in decay
    }
    assert decay == expected
    # the parameters where MMEngine's norm/bias rules alone would differ
    for name in ('backbone.layer1.0.downsample.2.weight', 'neck.positional_embedding',
                 'text_encoder.token_embedding.weight',
                 'text_encoder.positional_embedding', 'decoder.image_pos'):
        assert decay[name] == 0.1, name
    for name in ('backbone.layer1.0.downsample.2.bias',
                 'text_encoder.resblocks.0.attn.in_proj_bias',
                 'decoder.resblocks.0.attn.in_proj_bias', 'logit_scale'):
        assert decay[name] == 0.0, name
    assert model.max_logit_scale is None  # the authors' clamp is commented out


def lr_at(cfg, iters, epoch_length):
    """The lr of the config's param_scheduler at each of ``iters``."""
    optim_wrapper = build_optim_wrapper(torch.nn.Linear(1, 1), cfg.optim_wrapper)
    schedulers = []
    for sc in cfg.param_scheduler:
        sc = dict(sc)
        cls = PARAM_SCHEDULERS.get(sc.pop('type'))
        if sc.pop('convert_to_iter_based', False):
            schedulers.append(
                cls.build_iter_from_epoch(optim_wrapper,
                                          epoch_length=epoch_length,
                                          **sc))
        else:
            schedulers.append(cls(optim_wrapper, **sc))
    lrs = {}
    for it in range(max(iters) + 1):
        if it in iters:
            lrs[it] = optim_wrapper.optimizer.param_groups[0]['lr']
        for scheduler in schedulers:
            scheduler.step()
    return lrs


def test_oclip_lr_is_the_authors_warmup_and_cosine():
    """scheduler.py's cosine_lr: (step + 1) / W of the lr during W warm-up
    steps, then a cosine from the lr to 0 over the remaining steps."""
    cfg = load('oclip_rn50_synthtext.py')
    base, warmup, epochs = 1e-4, 10000, 100
    assert cfg.optim_wrapper.optimizer.lr == base
    epoch_length = 150  # a short epoch keeps the test fast: 15,000 steps in all
    total = epochs * epoch_length
    iters = [0, 1, 10, 100, 5000, 9999, 10000, 10001, 12500, total - 2, total - 1]
    lrs = lr_at(cfg, iters, epoch_length)
    for it in iters:
        if it < warmup:
            theirs = base * (it + 1) / warmup
        else:
            theirs = 0.5 * (1 + math.cos(math.pi * (it - warmup) /
                                         (total - warmup))) * base
        assert lrs[it] == pytest.approx(theirs, rel=1e-9, abs=1e-18), it


@pytest.mark.parametrize('config, base, total', [(WECROMCL_CONFIGS[0], 1e-3, 200000),
                                                 (WECROMCL_CONFIGS[1], 1e-4, 80000)])
def test_wecromcl_sgd_and_poly_lr_are_the_authors(config, base, total):
    """train.py: SGD over all parameters, one weight decay; LambdaLR
    (1 - step / niter) ** 0.9, stepped every iteration."""
    cfg = load(config)
    assert cfg.optim_wrapper.optimizer == dict(type='SGD',
                                               lr=base,
                                               momentum=0.9,
                                               weight_decay=1e-5)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    assert cfg.train_cfg.max_iters == total
    iters = [0, 1, 100, total // 2, total - 2, total - 1]
    lrs = lr_at(cfg, iters, epoch_length=None)
    for it in iters:
        assert lrs[it] == pytest.approx(base * (1 - it / total)**0.9, rel=1e-9), it


def test_cosine_after_warmup_refuses_what_it_cannot_honour_and_short_runs():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.)
    with pytest.raises(ValueError, match='T_max is derived'):
        CosineAnnealingAfterWarmupLR(optimizer,
                                     warmup_iters=2,
                                     T_max=5,
                                     end=10,
                                     by_epoch=False)
    with pytest.raises(ValueError, match='set convert_to_iter_based=True'):
        CosineAnnealingAfterWarmupLR(optimizer, warmup_iters=2, end=10)
    # a run shorter than the warm-up (the authors': the lr only warms up): the
    # cosine never changes the lr
    optimizer.param_groups[0]['lr'] = 0.3
    short = CosineAnnealingAfterWarmupLR(optimizer,
                                         warmup_iters=20,
                                         end=10,
                                         by_epoch=False)
    for _ in range(12):
        optimizer.step()
        short.step()
        assert optimizer.param_groups[0]['lr'] == 0.3


def find(pipeline, type_name, **match):
    steps = [
        s for s in pipeline
        if s['type'] == type_name or s.get('op') == type_name or any(
            t.get('op') == type_name for t in s.get('transforms', []))
    ]
    assert len(steps) == 1, (type_name, pipeline)
    return steps[0]


def test_oclip_data_rules_are_the_authors():
    cfg = load('oclip_rn50_synthtext.py')
    pipeline = cfg.train_dataloader.dataset.pipeline
    crop = find(pipeline, 'RandomResizedCrop')
    assert (crop.size, crop.scale, crop.interpolation) == (512, (0.95, 1.0), 3)
    assert find(pipeline, 'SampleTextInstances').max_instances == 32
    assert cfg.train_dataloader.dataset.max_text_len == 25  # 24 characters + end
    assert cfg.train_dataloader.drop_last is True
    assert cfg.train_dataloader.batch_size == 64  # x 4 GPUs
    assert cfg.model.get('mask_prob', 1.0) == 1.0  # one character of every word


def test_wecromcl_data_rules_are_the_authors():
    cfg = load(WECROMCL_CONFIGS[0])
    pipeline = cfg.train_dataloader.dataset.pipeline
    rotate = find(pipeline, 'RandomRotateOnCanvas')
    assert (rotate.max_angle, rotate.get('prob', 1.0)) == (10, 1.0)
    assert rotate.get('border_value', (0, 0, 0)) == (0, 0, 0)
    resize = find(pipeline, 'RandomShortSideResize')
    assert (resize.short_sides, resize.max_long_side) == ((640, ), 640)
    assert resize.get('rounding', 'authors') == 'authors'
    blur = find(pipeline, 'RandomBlur')
    assert blur.prob == 0.1 and blur.get('kernel_size', (3, 9)) == (3, 9)
    assert blur.get('sigma', (0.0, 3.0)) == (0.0, 3.0)
    jitter = find(pipeline, 'ColorJitter')
    assert jitter.prob == 0.5
    assert {
        k: jitter.transforms[0][k]
        for k in ('brightness', 'contrast', 'saturation', 'hue')
    } == dict(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.5)
    sampler = cfg.train_dataloader.collate_fn.sampler
    assert sampler.num_negatives == 16
    assert cfg.train_dataloader.dataset.max_text_len == 26  # 25 characters
    assert cfg.train_dataloader.batch_size == 16
