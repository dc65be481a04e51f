"""The speed options (channels-last layout, compiled backbone) keep the function,
the gradients and the checkpoint keys of both algorithms in training steps, and
leave eval-mode forwards exactly as without them."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmocr.registry import MODELS

from mmocr_oclip.models.layers import LeanEncoderLayerFunction

CONFIGS = dict(oclip='configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py',
               wecromcl='configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py')


def build(cfg, **options):
    torch.manual_seed(0)
    model = MODELS.build(dict(copy.deepcopy(cfg.model), **options))
    model.init_weights()
    return model.train()


def batch_of(cfg):
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader.pop('worker_init_fn', None)
    loader.sampler = dict(type='DefaultSampler', shuffle=False)
    if 'sampler' in loader.get('collate_fn', {}):
        # the demo's vocabulary lies in its rendered data: use the packaged one
        loader.collate_fn.sampler.vocab_file = 'english_vocab.txt'
    loader.dataset = dict(type='RandomWordImageDataset',
                          num_samples=2,
                          img_size=(64, 96),
                          words_per_image=5)
    return next(iter(Runner.build_dataloader(loader, seed=0)))


def loss_and_grads(model, batch):
    torch.manual_seed(1)  # the same masks and dropout
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    model.zero_grad()
    loss.backward()
    return loss.detach(), {n: p.grad for n, p in model.named_parameters()}


@pytest.mark.parametrize('name, options', [
    ('oclip', dict(channels_last=True)),
    ('oclip', dict(compile_backbone=True)),
    ('oclip', dict(channels_last=True, compile_backbone=True)),
    ('wecromcl', dict(channels_last=True)),
    ('wecromcl', dict(channels_last=True, compile_backbone=dict(dynamic=False))),
])
def test_speed_options_keep_the_function(name, options, mmocr_scope):
    cfg = Config.fromfile(CONFIGS[name])
    batch = batch_of(cfg)
    plain = build(cfg)
    fast = build(cfg, **options)
    assert list(fast.state_dict()) == list(plain.state_dict())
    fast.load_state_dict(plain.state_dict())
    layouts = []
    fast.backbone.register_forward_hook(lambda m, i, o: layouts.append(i[
        0].is_contiguous(memory_format=torch.channels_last)))
    loss_plain, grads_plain = loss_and_grads(plain, batch)
    loss_fast, grads_fast = loss_and_grads(fast, batch)
    # the compiled call runs the module's hooks too
    assert layouts == [bool(options.get('channels_last'))]
    assert torch.isfinite(loss_plain)
    assert torch.allclose(loss_fast, loss_plain, rtol=1e-5, atol=1e-5)
    for key, grad in grads_plain.items():
        if grad is None:
            assert grads_fast[key] is None, key
            continue
        # relative to the tensor's largest gradient; gradients that are zero in
        # exact arithmetic (e.g. a key projection's bias) agree to rounding
        scale = grad.abs().max().clamp_min(1e-4)
        assert (grads_fast[key] - grad).abs().max() / scale < 1e-3, key


@pytest.mark.parametrize('name', ['oclip', 'wecromcl'])
def test_eval_forward_ignores_the_speed_options(name, mmocr_scope):
    # pictures, anchor points and the checks against the authors' code run in
    # eval mode: the plain backbone, bit for bit, and nothing compiles
    cfg = Config.fromfile(CONFIGS[name])
    batch = batch_of(cfg)
    plain = build(cfg).eval()
    fast = build(cfg, channels_last=True, compile_backbone=True).eval()
    fast.load_state_dict(plain.state_dict())

    def must_not_compile(inputs):
        raise AssertionError('an eval-mode forward used the compiled backbone')

    fast._compiled_backbone = must_not_compile
    data = plain.data_preprocessor(batch, False)
    with torch.no_grad():
        feats_plain = plain.extract_feat(data['inputs'], data['data_samples'])
        feats_fast = fast.extract_feat(data['inputs'], data['data_samples'])
    for key, value in feats_plain.items():
        assert torch.equal(feats_fast[key], value), key


@pytest.mark.parametrize('config', [
    'oclip_rn50_synthtext.py', 'oclip_rn101_synthtext.py',
    'oclip_rn50-stage1_synthtext.py', 'oclip_rn50_lsvt.py'
])
def test_full_size_oclip_configs_train_with_the_speed_options(config):
    # measured 2026-12-07 (docs/en/notes/2026-12-07_fast_defaults.md): faster
    # training steps, paid back within a run; eval forwards stay exact
    model = Config.fromfile(f'configs/pretrain/{config}').model
    assert model.channels_last and model.compile_backbone


@pytest.mark.parametrize('config', [
    'wecromcl_r50_1xb16-200k_synthtext.py', 'wecromcl_r50_1xb4-80k_icdar2013.py',
    'wecromcl_r50_1xb4-80k_icdar2015.py', 'wecromcl_r50_1xb4-80k_totaltext.py'
])
def test_full_size_wecromcl_configs_train_with_the_speed_options(config):
    # compiling gave WeCromCL's step no gain (docs/en/notes/2026-12-07_benchmarks.md)
    model = Config.fromfile(f'configs/pretrain/{config}').model
    assert model.channels_last and not model.get('compile_backbone')
    assert model.encoder.seeded_dropout


def test_wecromcl_memory_switch_keeps_the_function(mmocr_scope, monkeypatch):
    """The documented memory switch (lean encoder layers and a checkpointed
    ResNet, docs/en/user_guides/train_test.md) on the small WeCromCL config
    with the full-size configs' seeded dropout: the same loss and gradients."""
    cfg = Config.fromfile(CONFIGS['wecromcl'])
    cfg.merge_from_dict({'model.encoder.seeded_dropout': True})
    batch = batch_of(cfg)
    plain = build(cfg)
    cfg.merge_from_dict({
        'model.encoder.lean_layers': True,
        'model.backbone.with_cp': True
    })
    switched = build(cfg)
    switched.load_state_dict(plain.state_dict())
    loss_plain, grads_plain = loss_and_grads(plain, batch)
    lean_backwards = []
    backward = LeanEncoderLayerFunction.backward
    monkeypatch.setattr(
        LeanEncoderLayerFunction, 'backward',
        staticmethod(lambda ctx, g: lean_backwards.append(1) or backward(ctx, g)))
    loss_switched, grads_switched = loss_and_grads(switched, batch)
    assert len(lean_backwards) == len(switched.encoder.encoder.layers)
    assert torch.isfinite(loss_plain)
    assert torch.allclose(loss_switched, loss_plain, rtol=1e-6, atol=1e-6)
    for key, grad in grads_plain.items():
        scale = grad.abs().max().clamp_min(1e-4)
        assert (grads_switched[key] - grad).abs().max() / scale < 1e-4, key
    # the checkpointed ResNet's batch norms updated their statistics once
    buffers = dict(switched.named_buffers())
    for key, value in plain.named_buffers():
        assert torch.allclose(buffers[key].float(), value.float(), rtol=1e-5,
                              atol=1e-6), key


def test_full_size_wecromcl_config_takes_the_memory_switch():
    cfg = Config.fromfile('configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py')
    cfg.merge_from_dict({
        'model.encoder.lean_layers': True,
        'model.backbone.with_cp': True,
        'model.backbone.init_cfg': None
    })
    model = MODELS.build(cfg.model)
    assert model.encoder.lean_layers and model.backbone.with_cp


def test_keep_ratio_config_does_not_compile_its_many_shapes():
    model = Config.fromfile('configs/pretrain/oclip_rn50-keepratio_synthtext.py').model
    assert model.channels_last and not model.compile_backbone


def test_compile_backbone_without_module_compile_warns_and_runs_eager(monkeypatch):
    from mmocr_oclip.models.utils.speed_options import compiled_call
    monkeypatch.delattr(torch.nn.Module, 'compile')  # as torch < 2.2
    with pytest.warns(UserWarning, match='runs uncompiled'):
        assert compiled_call(torch.nn.Conv2d(3, 4, 3), True) is None
    assert compiled_call(torch.nn.Conv2d(3, 4, 3), False) is None
