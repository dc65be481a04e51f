"""Checkpointed batch norms update their running statistics once per step."""
import torch
from mmdet.models.backbones import ResNet

from mmocr_oclip.models.utils import keep_running_stats_in_recomputation


def _resnets():
    torch.manual_seed(0)
    plain = ResNet(depth=18, norm_eval=False)
    checkpointed = ResNet(depth=18, norm_eval=False, with_cp=True)
    checkpointed.load_state_dict(plain.state_dict())
    for model in (plain, checkpointed):
        model.train()  # MMDet's ResNet.train returns None
    return plain, checkpointed


def _steps(model, steps=2):
    g = torch.Generator().manual_seed(0)
    for _ in range(steps):
        x = torch.randn(2, 3, 32, 32, generator=g)
        sum(o.square().mean() for o in model(x)).backward()
    return model.state_dict()


def test_checkpointing_alone_updates_the_statistics_twice():
    # the defect the hooks fix: MMDet's with_cp runs each block's norms again
    plain, checkpointed = _resnets()
    ours, theirs = _steps(plain), _steps(checkpointed)
    key = 'layer1.0.bn1.num_batches_tracked'
    assert ours[key] == 2 and theirs[key] == 4
    assert not torch.allclose(ours['layer1.0.bn1.running_mean'],
                              theirs['layer1.0.bn1.running_mean'])


def test_hooked_checkpointed_norms_match_the_plain_model():
    plain, checkpointed = _resnets()
    assert keep_running_stats_in_recomputation(checkpointed) == 20
    ours, hooked = _steps(plain), _steps(checkpointed)
    for key, value in ours.items():
        assert torch.allclose(hooked[key].float(), value.float(), rtol=1e-5,
                              atol=1e-6), key
    for (name, p), q in zip(plain.named_parameters(), checkpointed.parameters()):
        scale = p.grad.abs().max().clamp_min(1e-6)
        assert (p.grad - q.grad).abs().max() <= 1e-4 * scale, name
    # momentum restored after each recomputation
    assert all(m.momentum == 0.1 for m in checkpointed.modules()
               if isinstance(m, torch.nn.BatchNorm2d))


def test_forward_outside_a_backward_pass_still_updates():
    plain, checkpointed = _resnets()
    keep_running_stats_in_recomputation(checkpointed)
    with torch.no_grad():  # no checkpointing without gradients: one update
        checkpointed(torch.randn(2, 3, 32, 32))
    assert checkpointed.layer1[0].bn1.num_batches_tracked == 1
