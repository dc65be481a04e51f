import pytest
import torch
from mmocr.models.common.backbones import CLIPResNet
from torch.nn.modules.batchnorm import _BatchNorm

from mmocr_oclip.models import OCLIPResNet


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_depth50_state_dict_equals_mmocr_clipresnet():
    ours, stock = OCLIPResNet(depth=50), CLIPResNet()
    assert list(shapes(ours).items()) == list(shapes(stock).items())
    # and it loads into MMOCR's class strictly
    stock.load_state_dict(ours.state_dict(), strict=True)


def test_depth101_layers_and_outputs():
    model = OCLIPResNet(depth=101, base_channels=8)
    assert [len(getattr(model, f'layer{i}')) for i in range(1, 5)] == [3, 4, 23, 3]
    outs = model(torch.rand(1, 3, 64, 96))
    assert [tuple(o.shape) for o in outs] == [(1, 32, 16, 24), (1, 64, 8, 12),
                                              (1, 128, 4, 6), (1, 256, 2, 3)]


def test_invalid_depth():
    with pytest.raises(KeyError, match='invalid depth 34'):
        OCLIPResNet(depth=34)


def test_bn3_zero_initialised_unless_pretrained(tmp_path):
    model = OCLIPResNet(depth=50, base_channels=8)
    model.init_weights()
    bn3 = [
        m.bn3 for layer in (model.layer1, model.layer2, model.layer3, model.layer4)
        for m in layer
    ]
    assert len(bn3) == 16
    assert all(bool((bn.weight == 0).all()) for bn in bn3)
    assert float(model.layer1[0].bn1.weight.mean()) == 1.0
    # a freshly initialised network is the identity on each residual branch
    assert float(model.layer2[0].bn2.weight.abs().sum()) > 0

    # weights loaded through init_cfg are kept as they are
    ckpt = tmp_path / 'backbone.pth'
    state = {
        k: torch.full_like(v, 0.5) if v.is_floating_point() else v
        for k, v in model.state_dict().items()
    }
    torch.save({'state_dict': state}, ckpt)
    loaded = OCLIPResNet(depth=50,
                         base_channels=8,
                         init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)))
    loaded.init_weights()
    assert float(loaded.layer1[0].bn3.weight.min()) == 0.5


def test_frozen_stages_and_norm_eval():
    model = OCLIPResNet(depth=50, base_channels=8, frozen_stages=1, norm_eval=True)
    model.train()
    for p in list(model.stem.parameters()) + list(model.layer1.parameters()):
        assert not p.requires_grad
    assert all(p.requires_grad for p in model.layer2.parameters())
    assert not model.stem.training and not model.layer1.training
    assert all(not m.training for m in model.modules() if isinstance(m, _BatchNorm))

    model = OCLIPResNet(depth=50, base_channels=8, frozen_stages=-1, norm_eval=False)
    model.train()
    assert all(m.training for m in model.modules() if isinstance(m, _BatchNorm))
