"""SeededDropout draws torch's dropout distribution, keeps no mask and draws the
same mask again in the backward pass."""
import pytest
import torch
from mmocr.registry import MODELS
from test_sampling_deformable_attention import ENCODER, _encoder, _outputs_and_grads
from torch import nn

from mmocr_oclip.models.layers import SeededDropout, use_seeded_dropout
from mmocr_oclip.models.layers.cpu_ops import cpu_ops
from mmocr_oclip.models.layers.seeded_dropout import SeededDropoutFunction


@pytest.fixture(autouse=True)
def built_ops():
    assert cpu_ops() is not None, 'the CPU operators must build where MMCV built'


@pytest.mark.parametrize('p', [0.1, 0.5])
def test_keep_rate_scale_and_independence(p):
    torch.manual_seed(0)
    x = torch.rand(1 << 20) + 0.5  # no zeros: a zero output is a dropped element
    y = SeededDropout(p).train()(x)
    dropped = y == 0
    n = x.numel()
    # the fraction dropped within 5 standard deviations of p
    assert abs(dropped.float().mean().item() - p) < 5 * (p * (1 - p) / n)**0.5
    # kept elements scaled exactly as torch's dropout scales them
    scale = 1 / torch.tensor(1 - p)
    assert torch.equal(y[~dropped], x[~dropped] * scale)
    # neighbours (one 64-bit draw gives two elements) and rows are independent
    both = (dropped[0::2] & dropped[1::2]).float().mean().item()
    assert abs(both - p * p) < 5 * (p * p * (1 - p * p) / (n / 2))**0.5
    rows = dropped.view(1024, 1024).float().mean(1)
    assert rows.std().item() < 2 * (p * (1 - p) / 1024)**0.5


def test_backward_draws_the_forward_mask_again():
    torch.manual_seed(0)
    x = (torch.rand(3, 1000, 7) + 0.5).requires_grad_()
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t,
                                                  lambda t: t):
        y = SeededDropout(0.3).train()(x)
    assert saved == []  # no mask kept, only the seed and p
    g = torch.randn_like(y)
    y.backward(g)
    scale = 1 / torch.tensor(0.7)
    assert torch.equal(x.grad, g * (y != 0) * scale)
    # torch's dropout keeps its mask
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t,
                                                  lambda t: t):
        nn.Dropout(0.3).train()(x)
    assert saved


def test_seeds_come_from_torchs_generator():
    x = torch.rand(4096) + 0.5
    drop = SeededDropout(0.5).train()
    torch.manual_seed(1)
    a, b = drop(x), drop(x)
    torch.manual_seed(1)
    assert torch.equal(drop(x), a)
    assert not torch.equal(a, b)


def test_same_mask_at_any_thread_count_and_layout():
    threads = torch.get_num_threads()
    x = torch.rand(64, 300) + 0.5
    try:
        outs = []
        for n in (1, 2):
            torch.set_num_threads(n)
            outs.append(SeededDropoutFunction.apply(x, 0.2, 12345))
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(outs[0], outs[1])
    # a transposed input is dropped in its contiguous (row-major) order
    xt = x.t().contiguous().t()
    assert torch.equal(SeededDropoutFunction.apply(xt, 0.2, 12345), outs[0])


def test_torch_dropout_where_the_operator_does_not_apply():
    x = torch.rand(2, 100, dtype=torch.float64) + 0.5
    drop = SeededDropout(0.5)
    assert torch.equal(drop.eval()(x), x)
    y = drop.train()(x)  # float64: torch's dropout
    assert y.dtype == torch.float64 and y.grad_fn is None
    x32 = torch.rand(2, 100) + 0.5
    assert torch.equal(SeededDropout(0.0).train()(x32), x32)
    assert torch.equal(SeededDropout(1.0).train()(x32), torch.zeros_like(x32))
    inplace = SeededDropout(0.5, inplace=True).train()
    z = x32.clone()
    assert inplace(z) is z


def test_bad_input_is_named():
    with pytest.raises(RuntimeError, match='seeded_dropout: a float32 CPU tensor'):
        cpu_ops().seeded_dropout(torch.ones(3, dtype=torch.float64), 0.1, 0)
    with pytest.raises(RuntimeError, match=r'seeded_dropout: p in \[0, 1\)'):
        cpu_ops().seeded_dropout(torch.ones(3), 1.0, 0)


def test_registered_and_swapped_in():
    assert isinstance(MODELS.build(dict(type='SeededDropout', p=0.2)), SeededDropout)
    net = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.2),
                        nn.Sequential(nn.Dropout(0.4, inplace=True)))
    assert use_seeded_dropout(net) == 2
    assert type(net[1]) is SeededDropout and net[1].p == 0.2
    assert type(net[2][0]) is SeededDropout and net[2][0].inplace
    assert use_seeded_dropout(net) == 0


def test_encoder_option_keeps_keys_eval_outputs_and_checkpointing():
    plain = _encoder()
    seeded = _encoder(seeded_dropout=True)
    kinds = {type(m) for m in seeded.encoder.modules()}
    assert SeededDropout in kinds and nn.Dropout not in kinds
    assert nn.Dropout in {type(m) for m in plain.encoder.modules()}
    assert list(seeded.state_dict()) == list(plain.state_dict())
    seeded.load_state_dict(plain.state_dict())
    for module in (plain, seeded):
        module.eval()
    assert torch.equal(_outputs_and_grads(seeded)[0], _outputs_and_grads(plain)[0])
    # checkpointed layers replay the same masks: the seeds come from torch's
    # generator, whose state checkpointing restores
    cp = _encoder(seeded_dropout=True, with_cp=True)
    cp.load_state_dict(plain.state_dict())
    seeded.zero_grad(set_to_none=True)
    seeded.train()
    cp.train()
    out, grads = _outputs_and_grads(seeded)
    out_cp, grads_cp = _outputs_and_grads(cp)
    assert torch.allclose(out_cp, out, atol=1e-6)
    for name, grad in grads.items():
        assert torch.allclose(grads_cp[name], grad, atol=1e-6, rtol=1e-5), name
    assert ENCODER['dropout'] > 0
