"""WeCromCL's image side after the backbone: BiFPN, MultiScaleConcatNeck,
DeformableEncoder."""
import math

import pytest
import torch
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.necks.deformable_encoder import MaskedGroupNorm
from helpers.models import TINY_DEFORMABLE_ENCODER as TINY_ENCODER


def pyramid(batch, height, width, channels, strides=(4, 8, 16, 32)):
    """Random maps of ResNet's sizes (ceil halving) for a (height, width) image."""
    return tuple(
        torch.randn(batch, c, math.ceil(height / s), math.ceil(width / s))
        for c, s in zip(channels, strides))


def top_left_mask(batch, size, valid):
    """(batch, *size) bool, True on the top-left ``valid`` rectangle."""
    mask = torch.zeros(batch, *size, dtype=torch.bool)
    mask[:, :valid[0], :valid[1]] = True
    return mask


def build_encoder():
    """:data:`TINY_ENCODER`, as after some training.

    The positions only enter through the sampling-offset and attention-weight
    linears, whose weights start at zero (so without this they would not
    matter, nor get gradients).
    """
    encoder = MODELS.build(TINY_ENCODER)
    with torch.no_grad():
        for layer in encoder.encoder.layers:
            layer.self_attn.sampling_offsets.weight.normal_(std=0.05)
            layer.self_attn.attention_weights.weight.normal_(std=0.05)
    return encoder


def assert_all_params_get_grad(module, out):
    weights = torch.randn_like(out)  # a plain sum is degenerate after BN
    (out * weights).sum().backward()
    for name, p in module.named_parameters():
        assert p.grad is not None, name
        assert p.grad.abs().sum() > 0, name


def test_registry_builds_the_wecromcl_chain():
    neck = nn.Sequential(
        MODELS.build(dict(type='BiFPN', in_channels=[16, 32, 64, 128], out_channels=8)),
        MODELS.build(dict(type='MultiScaleConcatNeck', in_channels=8,
                          branch_channels=4)))
    encoder = MODELS.build(TINY_ENCODER)
    backbone = MODELS.build(
        dict(type='mmdet.ResNet', depth=50, base_channels=4, out_indices=(0, 1, 2, 3)))
    img = torch.randn(1, 3, 66, 98)  # odd strides: 17x25 at stride 4, 9x13 at 8
    feats = neck(backbone(img))
    assert [f.shape for f in feats] == [(1, 12, 17, 25), (1, 12, 9, 13)]
    assert encoder(feats).shape == (1, 16, 9, 13)


@pytest.mark.parametrize('upsample_mode', ['nearest', 'bilinear'])
def test_bifpn_shapes_odd_sizes_and_gradients(upsample_mode):
    bifpn = MODELS.build(
        dict(type='BiFPN',
             in_channels=[6, 8, 10, 12],
             out_channels=8,
             num_blocks=2,
             upsample_mode=upsample_mode))
    feats = pyramid(2, 70, 100, [6, 8, 10, 12])  # 18x25, 9x13, 5x7, 3x4
    outs = bifpn(feats)
    assert [o.shape for o in outs] == [(2, 8) + f.shape[-2:] for f in feats]
    assert_all_params_get_grad(bifpn, torch.cat([o.flatten(1) for o in outs], 1))


def test_bifpn_fusion_is_normalised_and_bad_sizes_fail():
    bifpn = MODELS.build(
        dict(type='BiFPN', in_channels=[4, 4, 4, 4], out_channels=4,
             num_blocks=1)).eval()
    feats = pyramid(1, 32, 32, [4] * 4)
    # scaling all fusion weights leaves the output (almost) unchanged
    ref = bifpn(feats)
    with torch.no_grad():
        block = bifpn.blocks[0]
        for w in [*block.td_weights, *block.bu_weights]:
            w.mul_(5)
    for a, b in zip(bifpn(feats), ref):
        torch.testing.assert_close(a, b, atol=1e-3, rtol=1e-3)
    bad = feats[:3] + (torch.randn(1, 4, 2, 2), )  # C5 of a 32x32 image is 1x1
    with pytest.raises(ValueError, match='level 3'):
        bifpn(bad)


def test_multi_scale_concat_neck_layout():
    neck = MODELS.build(
        dict(type='MultiScaleConcatNeck', in_channels=8, branch_channels=4)).eval()
    feats = pyramid(2, 70, 100, [8] * 4)
    stride4, stride8 = neck(feats)
    assert stride4.shape == (2, 12, 18, 25) and stride8.shape == (2, 12, 9, 13)
    # P2 feeds only the last branch of the stride-4 map, P5 only the first
    # branch of the stride-8 map
    changed = (feats[0] + 1, ) + feats[1:3] + (feats[3] + 1, )
    new4, new8 = neck(changed)
    assert torch.equal(new4[:, :8], stride4[:, :8])
    assert not torch.allclose(new4[:, 8:], stride4[:, 8:])
    assert not torch.allclose(new8[:, :4], stride8[:, :4])
    assert torch.equal(new8[:, 4:], stride8[:, 4:])
    assert_all_params_get_grad(neck.train(),
                               torch.cat([o.flatten(1) for o in neck(feats)], 1))


def test_masked_group_norm_is_group_norm_of_the_valid_region():
    norm = MaskedGroupNorm(4, 16)
    nn.init.normal_(norm.weight)
    nn.init.normal_(norm.bias)
    x = torch.randn(2, 16, 5, 7) * 3 + 1
    valid = torch.ones(2, 5, 7, dtype=torch.bool)
    # all valid: torch's GroupNorm itself (its fused operator)
    assert torch.equal(norm(x, valid), nn.GroupNorm.forward(norm, x))
    valid[1, 3:] = False
    valid[1, :, 4:] = False
    out = norm(x, valid)
    torch.testing.assert_close(out[:1], nn.GroupNorm.forward(norm, x[:1]))
    torch.testing.assert_close(out[1:, :, :3, :4],
                               nn.GroupNorm.forward(norm, x[1:, :, :3, :4]))


def test_encoder_shapes_and_gradients():
    encoder = build_encoder()
    feats = pyramid(2, 70, 100, [12, 12], strides=(4, 8))
    out = encoder(feats)
    assert out.shape == (2, 16, 9, 13)
    assert_all_params_get_grad(encoder, out)


@pytest.mark.parametrize('training', [False, True])
def test_encoder_last_layer_on_last_level_equals_full(training):
    encoder = build_encoder().train(training)  # dropout 0
    feats = pyramid(2, 64, 96, [12, 12], strides=(4, 8))
    masks = [top_left_mask(2, (16, 24), (12, 20)), top_left_mask(2, (8, 12), (6, 10))]
    masks[0][1], masks[1][1] = True, True  # the second image is unpadded
    fast = encoder(feats, masks)
    full = encoder(feats, masks, full_last_layer=True)
    torch.testing.assert_close(fast, full, atol=1e-5, rtol=1e-5)


def test_encoder_padding_invariance():
    """Every image of a padded batch gives its unpadded output on valid cells.

    This holds exactly (up to float rounding) for the encoder: padded values
    are zeroed like grid-sampling outside the map, the sine positions are
    normalised by the valid extent, reference points scale with the valid
    ratios and the input GroupNorm takes statistics over valid cells only.
    (It cannot hold for the whole image side: the convolutions of ResNet/
    BiFPN/MultiScaleConcatNeck see the padding near the borders, and the
    encoder then spreads any difference everywhere.)
    """
    torch.manual_seed(0)
    encoder = build_encoder().eval()
    sizes = [(64, 96), (44, 70)]  # image sizes; the second one has odd grids
    singles = [pyramid(1, h, w, [12, 12], strides=(4, 8)) for h, w in sizes]
    canvas = [(24, 32), (12, 16)]  # a 96x128 padded batch
    batch = [torch.randn(2, 12, *canvas[lvl]) * 5 for lvl in range(2)]
    masks = [torch.zeros(2, *canvas[lvl], dtype=torch.bool) for lvl in range(2)]
    for i, single in enumerate(singles):
        for lvl, feat in enumerate(single):
            h, w = feat.shape[-2:]
            batch[lvl][i, :, :h, :w] = feat[0]
            masks[lvl][i, :h, :w] = True
    out = encoder(batch, masks)
    for i, single in enumerate(singles):
        ref = encoder(single)
        h, w = ref.shape[-2:]
        torch.testing.assert_close(out[i:i + 1, :, :h, :w], ref, atol=1e-4, rtol=1e-4)
    # the features in the padding do not matter at all
    noisy = [f + (~m[:, None]) * torch.randn_like(f) * 10 for f, m in zip(batch, masks)]
    torch.testing.assert_close(
        encoder(noisy, masks)[masks[1][:, None].expand_as(out)],
        out[masks[1][:, None].expand_as(out)])


def test_encoder_rejects_bad_config_and_inputs():
    with pytest.raises(ValueError, match='num_groups'):
        MODELS.build(dict(TINY_ENCODER, num_groups=5))
    encoder = MODELS.build(TINY_ENCODER)
    feats = pyramid(1, 64, 96, [12, 12], strides=(4, 8))
    with pytest.raises(ValueError, match='expected 2'):
        encoder(feats[:1])
    with pytest.raises(ValueError, match='valid mask 1'):
        encoder(feats, [
            torch.ones(1, 16, 24, dtype=torch.bool),
            torch.ones(1, 9, 12, dtype=torch.bool)
        ])
