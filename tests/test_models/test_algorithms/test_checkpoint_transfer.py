"""oCLIP checkpoints load into MMOCR detectors with no renaming."""
import copy

import torch
from mmengine.config import Config
from mmengine.runner import save_checkpoint
from mmocr.registry import MODELS

from helpers.data import detector_batch
from helpers.models import WIDE_OCLIP

STOCK_PSENET = 'mmocr::textdet/psenet/psenet_resnet50-oclip_fpnf_600e_icdar2015.py'


def stock_config(tmp_path):
    """MMOCR's own PSENet-oCLIP config, inherited as a user's project would."""
    path = tmp_path / 'stock_psenet.py'
    path.write_text(f"_base_ = ['{STOCK_PSENET}']\n")
    return Config.fromfile(str(path))


def test_oclip_checkpoint_loads_into_stock_mmocr_psenet(tmp_path):
    """The no-renaming promise: only init_cfg is set in MMOCR's own config."""
    oclip = make_oclip(50)
    ckpt = str(tmp_path / 'oclip.pth')
    save_checkpoint(dict(state_dict=oclip.state_dict(), meta=dict(epoch=1)), ckpt)

    cfg = stock_config(tmp_path)
    cfg.model.backbone.init_cfg = dict(type='Pretrained',
                                       checkpoint=ckpt,
                                       prefix='backbone.')
    detector = MODELS.build(cfg.model)
    assert type(detector.backbone).__name__ == 'CLIPResNet'  # MMOCR's own class
    detector.init_weights()
    assert_backbone_equal(detector, oclip)


def test_stock_psenet_oclip_runs_forward_on_cpu(tmp_path):
    from mmocr.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = stock_config(tmp_path)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    data = detector_batch(model, 160, high=255)
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert 'polygons' in out[0].pred_instances


def make_oclip(depth):
    cfg = copy.deepcopy(WIDE_OCLIP)
    cfg['backbone']['depth'] = depth
    oclip = MODELS.build(cfg)
    for p in oclip.backbone.parameters():
        torch.nn.init.normal_(p)
    return oclip


def assert_backbone_equal(detector, oclip):
    ours = {
        k[len('backbone.'):]: v
        for k, v in oclip.state_dict().items() if k.startswith('backbone.')
    }
    theirs = detector.backbone.state_dict()
    assert set(ours) == set(theirs)  # no missing, no unexpected keys
    for key, value in theirs.items():
        assert torch.equal(value, ours[key]), key


def test_rn101_checkpoint_loads_into_our_detector_config(tmp_path):
    oclip = make_oclip(101)
    ckpt = str(tmp_path / 'oclip101.pth')
    save_checkpoint(dict(state_dict=oclip.state_dict(), meta=dict(epoch=1)), ckpt)
    cfg = Config.fromfile(
        'configs/textdet/psenet/psenet_resnet101-oclip_fpnf_600e_icdar2015.py')
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    detector = MODELS.build(cfg.model)
    detector.init_weights()
    assert len(detector.backbone.layer3) == 23
    assert_backbone_equal(detector, oclip)
