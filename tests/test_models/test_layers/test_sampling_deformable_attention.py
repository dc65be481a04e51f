"""The speed and memory paths of the deformable encoder compute the plain path's
function: PyTorch sampling, recomputed sampling, checkpointed layers."""
import pytest
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch
from mmocr.registry import MODELS

from mmocr_oclip.models.layers.cpu_ops import cpu_ops
from mmocr_oclip.models.layers.sampling_deformable_attention import (
    FusedDeformableSampling, SamplingDeformableAttention, deformable_sampling)
from helpers.models import TINY_DEFORMABLE_ENCODER

# the necks' tiny encoder at other widths, with dropout (the paths must draw the
# same masks)
ENCODER = dict(TINY_DEFORMABLE_ENCODER,
               in_channels=(16, 16),
               feedforward_channels=24,
               dropout=0.1,
               out_channels=8,
               num_groups=4)


def test_sampling_equals_mmcv_function():
    g = torch.Generator().manual_seed(0)
    shapes = [(6, 5), (3, 2)]
    value = torch.randn(2, 36, 4, 8, generator=g)
    # some locations fall outside the map (zeros there, as grid_sample's)
    locations = torch.rand(2, 7, 4, 2, 3, 2, generator=g) * 1.4 - 0.2
    weights = torch.rand(2, 7, 4, 2, 3, generator=g)
    ours = deformable_sampling(value, shapes, locations, weights)
    theirs = multi_scale_deformable_attn_pytorch(value, torch.tensor(shapes), locations,
                                                 weights)
    assert ours.shape == (2, 7, 32)
    assert torch.allclose(ours, theirs, atol=1e-6)


def test_fused_cpu_kernel_equals_pytorch_sampling():
    assert cpu_ops() is not None, 'the CPU operators must build where MMCV built'
    g = torch.Generator().manual_seed(0)
    shapes = [(6, 5), (3, 2)]
    value = torch.randn(2, 36, 4, 8, generator=g, requires_grad=True)
    # some locations fall outside the map, some corners on its border
    locations = (torch.rand(2, 7, 4, 2, 3, 2, generator=g) * 1.4 - 0.2).requires_grad_()
    weights = torch.rand(2, 7, 4, 2, 3, generator=g, requires_grad=True)
    ref = deformable_sampling(value, shapes, locations, weights)
    out = FusedDeformableSampling.apply(value, torch.tensor(shapes),
                                        torch.tensor([0, 30]), locations, weights)
    assert out.shape == ref.shape == (2, 7, 32)
    assert torch.allclose(out, ref, atol=1e-6)
    grad = torch.randn(ref.shape, generator=g)
    inputs = (value, locations, weights)
    for ours, theirs in zip(torch.autograd.grad(out, inputs, grad),
                            torch.autograd.grad(ref, inputs, grad)):
        assert torch.allclose(ours, theirs, atol=1e-5, rtol=1e-5)


def test_fused_cpu_kernel_names_bad_input():
    value = torch.zeros(1, 4, 1, 2, dtype=torch.float64)
    with pytest.raises(RuntimeError, match='float32 tensors expected'):
        cpu_ops().sampling_forward(value, torch.tensor([[2, 2]]), torch.tensor([0]),
                                   torch.zeros(1, 1, 1, 1, 1, 2),
                                   torch.zeros(1, 1, 1, 1, 1))


def test_attention_equals_mmcv_module():
    torch.manual_seed(0)
    kwargs = dict(embed_dims=32,
                  num_heads=4,
                  num_levels=2,
                  num_points=2,
                  batch_first=True)
    theirs = MultiScaleDeformableAttention(**kwargs).eval()
    ours = SamplingDeformableAttention(**kwargs).eval()
    ours.load_state_dict(theirs.state_dict())
    shapes = torch.tensor([[6, 5], [3, 2]])
    query = torch.randn(2, 36, 32)
    pos = torch.randn(2, 36, 32)
    ref = torch.rand(2, 36, 2, 2)
    mask = torch.zeros(2, 36, dtype=torch.bool)
    mask[1, 30:] = True
    kwargs = dict(query=query,
                  query_pos=pos,
                  reference_points=ref,
                  key_padding_mask=mask,
                  spatial_shapes=shapes,
                  level_start_index=torch.tensor([0, 30]))
    assert torch.allclose(ours(**kwargs), theirs(**kwargs), atol=1e-5)


def _encoder(**options):
    torch.manual_seed(0)
    return MODELS.build(dict(ENCODER, **options))


def test_default_sampling_uses_the_kernels():
    attn = _encoder().encoder.layers[0].self_attn
    assert type(attn) is SamplingDeformableAttention
    assert attn.cuda_kernel and attn.cpu_kernel
    attn = _encoder(sampling='pytorch').encoder.layers[0].self_attn
    assert not (attn.cuda_kernel or attn.cpu_kernel)
    assert type(_encoder(
        sampling='mmcv').encoder.layers[0].self_attn) is (MultiScaleDeformableAttention)


def _outputs_and_grads(encoder, seed=1):
    g = torch.Generator().manual_seed(seed)
    feats = (torch.randn(2, 16, 8, 12, generator=g, requires_grad=True),
             torch.randn(2, 16, 4, 6, generator=g, requires_grad=True))
    valid = [
        torch.ones(2, 8, 12, dtype=torch.bool),
        torch.ones(2, 4, 6, dtype=torch.bool)
    ]
    valid[0][1, 6:] = False
    valid[1][1, 3:] = False
    torch.manual_seed(seed)  # the dropout masks
    out = encoder(feats, valid)
    (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
    grads = {n: p.grad.clone() for n, p in encoder.named_parameters()}
    grads['feats'] = feats[0].grad
    return out, grads


@pytest.mark.parametrize('options', [
    dict(),
    dict(sampling='pytorch'),
    dict(sampling='pytorch', recompute_sampling=True),
    dict(sampling='mmcv', with_cp=True),
    dict(sampling='pytorch', recompute_sampling=True, with_cp=True),
])
def test_encoder_paths_give_the_plain_outputs_and_gradients(options):
    plain = _encoder(sampling='mmcv')
    other = _encoder(**options)
    assert list(other.state_dict()) == list(plain.state_dict())
    other.load_state_dict(plain.state_dict())
    for module in (plain, other):
        module.train()  # dropout on: checkpointing must replay the same masks
    out_plain, grads_plain = _outputs_and_grads(plain)
    out_other, grads_other = _outputs_and_grads(other)
    assert torch.allclose(out_other, out_plain, atol=1e-5)
    for name, grad in grads_plain.items():
        assert torch.allclose(grads_other[name], grad, atol=1e-5, rtol=1e-4), name


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="sampling must be one of"):
        _encoder(sampling='cuda')
    with pytest.raises(ValueError,
                       match="recompute_sampling=True needs sampling='auto'"):
        _encoder(sampling='mmcv', recompute_sampling=True)
