"""Lean encoder layers compute the layers' function and gradients, keep fewer
tensors, and refuse what they cannot run."""
import pytest
import torch
from test_sampling_deformable_attention import _encoder, _outputs_and_grads

from mmocr_oclip.models.layers import lean_deformable_encoder_layer as lean_module
from mmocr_oclip.models.layers.cpu_ops import cpu_ops


@pytest.fixture(autouse=True)
def built_ops():
    assert cpu_ops() is not None, 'the CPU operators must build where MMCV built'


@pytest.fixture
def backward_calls(monkeypatch):
    """Counts the lean layers' backward passes."""
    calls = []
    function = lean_module.LeanEncoderLayerFunction
    backward = function.backward

    def counted(ctx, grad):
        calls.append(grad.shape)
        return backward(ctx, grad)

    monkeypatch.setattr(function, 'backward', staticmethod(counted))
    return calls


@pytest.mark.parametrize('options', [
    dict(seeded_dropout=True),
    dict(dropout=0.0),
])
def test_same_outputs_and_gradients_as_the_modules(options, backward_calls):
    """Padded batch of two images, dropout masks from the same seeds: the
    outputs and the layers' gradients are the modules' (the same operations in
    the same order); below the layers, to fp32 rounding (the two gradients of
    a layer's input are summed in another order)."""
    plain = _encoder(**options).train()
    with torch.no_grad():  # off the initialisation's zeros: every gradient non-zero
        for p in plain.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    lean = _encoder(lean_layers=True, **options).train()
    lean.load_state_dict(plain.state_dict())
    out, grads = _outputs_and_grads(plain)
    assert not backward_calls
    out_lean, grads_lean = _outputs_and_grads(lean)
    # every layer ran lean, the last one (first backward) on the last level's
    # queries only
    assert len(backward_calls) == len(lean.encoder.layers)
    assert backward_calls[0][1] < backward_calls[-1][1]
    assert torch.allclose(out_lean, out, rtol=0, atol=1e-6)
    assert grads_lean.keys() == grads.keys()
    for name, grad in grads.items():
        scale = grad.abs().max()
        assert scale > 0, name
        assert (grads_lean[name] - grad).abs().max() <= 1e-6 * scale, name
        if name.startswith('encoder.'):
            assert torch.equal(grads_lean[name], grad), name


def test_keeps_fewer_tensors_for_the_backward_pass():
    """Bytes of the tensors kept by autograd and by the lean layers' contexts,
    over one training forward of the encoder (parameters and inputs excluded)."""

    def kept_bytes(encoder):
        feats = (torch.randn(1, 16, 16, 24), torch.randn(1, 16, 8, 12))
        params = {p.data_ptr() for p in encoder.parameters()}
        storages = {}

        def pack(t):
            if t.data_ptr() not in params:
                storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
            return t

        contexts = []
        apply = lean_module.LeanEncoderLayerFunction.apply

        def recording_apply(*args):
            out = apply(*args)
            contexts.append(out.grad_fn)
            return out

        lean_module.LeanEncoderLayerFunction.apply = recording_apply
        try:
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                out = encoder(feats)
        finally:
            lean_module.LeanEncoderLayerFunction.apply = apply
        for ctx in contexts:
            for t in ctx.kept.values():
                storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return sum(storages.values()), out

    plain, out = kept_bytes(_encoder(seeded_dropout=True).train())
    lean, out_lean = kept_bytes(_encoder(seeded_dropout=True, lean_layers=True).train())
    assert out_lean.grad_fn is not None and out.grad_fn is not None
    # the layers keep 28% of the modules' bytes at full size; here half of
    # the encoder's (its input projections and norms included)
    assert lean < 0.6 * plain


def test_runs_the_modules_without_gradients_and_in_eval(backward_calls):
    lean = _encoder(seeded_dropout=True, lean_layers=True)
    feats = (torch.randn(1, 16, 8, 12), torch.randn(1, 16, 4, 6))
    with torch.no_grad():
        lean.train()(feats)
    out = lean.eval()(feats)
    plain = _encoder(seeded_dropout=True).eval()
    plain.load_state_dict(lean.state_dict())
    out.sum().backward()
    assert not backward_calls
    assert torch.equal(out, plain(feats))


def test_with_cp_checkpoints_the_modules_instead(backward_calls):
    both = _encoder(seeded_dropout=True, lean_layers=True, with_cp=True).train()
    cp = _encoder(seeded_dropout=True, with_cp=True).train()
    out, grads = _outputs_and_grads(both)
    out_cp, grads_cp = _outputs_and_grads(cp)
    assert not backward_calls
    assert torch.equal(out, out_cp)
    assert all(torch.equal(grads[k], grads_cp[k]) for k in grads)


@pytest.mark.parametrize('options, message', [
    (dict(), 'neither SeededDropout nor of p=0'),
    (dict(seeded_dropout=True, sampling='pytorch'), 'cpu_kernel=True'),
    (dict(seeded_dropout=True, sampling='mmcv'), 'not SamplingDeformableAttention'),
])
def test_unsupported_settings_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        _encoder(lean_layers=True, **options)


def test_second_backward_pass_is_refused():
    lean = _encoder(seeded_dropout=True, lean_layers=True).train()
    out = lean((torch.randn(1, 16, 8, 12), torch.randn(1, 16, 4, 6)))
    out.sum().backward(retain_graph=True)
    with pytest.raises(RuntimeError, match='backward pass runs once'):
        out.sum().backward()


def test_reference_points_needing_gradients_are_refused():
    layer = _encoder(seeded_dropout=True, lean_layers=True).train().encoder.layers[0]
    x = torch.randn(1, 6, 32)
    with pytest.raises(ValueError, match='reference_points must not need gradients'):
        lean_module.lean_encoder_layer(layer, x, x, x,
                                       torch.rand(1, 6, 2, 2, requires_grad=True), None,
                                       torch.tensor([[2, 2], [1, 2]]),
                                       torch.tensor([0, 4]))
