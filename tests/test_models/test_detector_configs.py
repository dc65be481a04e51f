"""Our detector configs load an oCLIP backbone checkpoint and predict on CPU.

For each config in ``configs/textdet/*/`` that consumes the RN50 oCLIP backbone: the
config's ``backbone_checkpoint`` is replaced by a checkpoint with random
``backbone.*`` tensors (the layout of an oCLIP pre-training checkpoint), the detector
is built and initialised, its backbone must equal the checkpoint, and a forward pass
in ``predict`` mode must return ``pred_instances``.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

from helpers import REPO
from helpers.data import detector_batch

CONFIGS = [
    'dbnet/dbnet_resnet50-oclip_fpnc_1200e_icdar2015.py',
    'dbnet/dbnet_resnet50-oclip_fpnc_1200e_totaltext.py',
    'dbnet/dbnet_resnet50-oclip_fpnc_1200e_ctw1500.py',
    'dbnetpp/dbnetpp_resnet50-oclip_fpnc_1200e_icdar2015.py',
    'dbnetpp/dbnetpp_resnet50-oclip_fpnc_1200e_totaltext.py',
    'dbnetpp/dbnetpp_resnet50-oclip_fpnc_1200e_ctw1500.py',
    'fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py',
    'fcenet/fcenet_resnet50-oclip_fpn_1500e_totaltext.py',
    'fcenet/fcenet_resnet50-oclip_fpn_1500e_ctw1500.py',
    'maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_icdar2015.py',
    'maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_totaltext.py',
    'maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_ctw1500.py',
    'psenet/psenet_resnet50-oclip_fpnf_600e_ctw1500.py',
]
DATA_ROOTS = dict(icdar2015='data/icdar2015',
                  totaltext='data/totaltext',
                  ctw1500='data/ctw1500')


def load_config(name):
    return Config.fromfile(osp.join(REPO, 'configs', 'textdet', name))


def backbone_key(cfg):
    """Where the backbone sits: MMOCR wraps mmdet's Mask R-CNN in MMDetWrapper."""
    return 'model.cfg.backbone' if cfg.model.type == 'MMDetWrapper' else \
        'model.backbone'


def backbone_cfg(cfg):
    node = cfg
    for key in backbone_key(cfg).split('.'):
        node = node[key]
    return node


def backbone_of(detector):
    if hasattr(detector, 'wrapped_model'):
        return detector.wrapped_model.backbone
    return detector.backbone


@pytest.fixture(scope='module')
def oclip_checkpoint(tmp_path_factory):
    """A full-width RN50 backbone with random tensors, saved as oCLIP saves it."""
    torch.manual_seed(0)
    backbone = MODELS.build(dict(type='OCLIPResNet', depth=50))
    backbone.init_weights()  # random Kaiming convs
    state = backbone.state_dict()
    with torch.no_grad():  # random norms too, so that nothing equals a default
        for key, value in state.items():
            if key.endswith(('running_var', 'weight')) and value.dim() == 1:
                value.uniform_(0.5, 1.5)
            elif key.endswith(('running_mean', 'bias')):
                value.normal_(0, 0.1)
            elif key.endswith('num_batches_tracked'):
                value.fill_(int(torch.randint(1, 1000, ())))
    state = {key: value.clone() for key, value in state.items()}
    path = tmp_path_factory.mktemp('oclip') / 'oclip_rn50.pth'
    torch.save({'state_dict': {'backbone.' + k: v for k, v in state.items()}}, path)
    return str(path), state


@pytest.fixture(scope='module', params=CONFIGS)
def detector(request, oclip_checkpoint):
    """The config's detector, initialised from the random oCLIP checkpoint."""
    path, _ = oclip_checkpoint
    cfg = load_config(request.param)
    backbone_cfg(cfg).init_cfg.checkpoint = path
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    return model


@pytest.mark.parametrize('name', CONFIGS)
def test_config_settings(name):
    cfg = load_config(name)
    name = osp.basename(name)
    assert cfg.custom_imports == dict(imports=['mmocr_oclip'],
                                      allow_failed_imports=False)
    assert cfg.default_scope == 'mmocr'
    backbone = backbone_cfg(cfg)
    assert backbone.type == 'OCLIPResNet' and backbone.depth == 50
    assert backbone.init_cfg == dict(type='Pretrained',
                                     checkpoint=cfg.backbone_checkpoint,
                                     prefix='backbone.')
    if name.startswith('fcenet'):
        assert backbone.out_indices == (1, 2, 3)
    if name.startswith('mask-rcnn'):
        assert backbone._scope_ == 'mmocr'
    # the datasets of the name, in every loader (derived configs swap them)
    dataset = name[:-len('.py')].rsplit('_', 1)[1]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        data = cfg[loader].dataset
        datasets = data.datasets if data.type == 'ConcatDataset' else [data]
        assert [d.data_root for d in datasets] == [DATA_ROOTS[dataset]], loader
        assert (data.type == 'ConcatDataset') == name.startswith('dbnetpp')
        pipeline = data.pipeline
        assert pipeline, loader
        if dataset == 'totaltext':
            assert 'FixInvalidPolygon' in [t.type for t in pipeline], loader
    # curved text: polygon output
    if dataset != 'icdar2015':
        text_repr = cfg.model.text_repr_type if name.startswith('mask-rcnn') else \
            cfg.model.det_head.postprocessor.text_repr_type
        assert text_repr == 'poly'


def test_backbone_equals_checkpoint(detector, oclip_checkpoint):
    _, state = oclip_checkpoint
    loaded = backbone_of(detector).state_dict()
    assert type(backbone_of(detector)).__name__ == 'OCLIPResNet'
    assert set(loaded) == set(state)  # no missing, no unexpected keys
    for key, value in loaded.items():
        assert torch.equal(value, state[key]), key


def test_predict_on_random_image(detector):
    torch.manual_seed(0)
    data = detector_batch(detector, 128)
    with torch.no_grad():
        out = detector(**data, mode='predict')
    assert len(out) == 1
    assert isinstance(out[0], TextDetDataSample)
    pred = out[0].pred_instances
    assert 'polygons' in pred and 'scores' in pred
    assert len(pred.polygons) == len(pred.scores)


@pytest.mark.parametrize('name', CONFIGS)
def test_depth_101_through_cfg_options(name):
    """`--cfg-options model.backbone.depth=101` (model.cfg.backbone for Mask R-CNN)
    gives an RN101 detector: nothing else in the config ties it to depth 50."""
    cfg = load_config(name)
    key = backbone_key(cfg)
    cfg.merge_from_dict({f'{key}.depth': 101, f'{key}.init_cfg': None})
    model = MODELS.build(cfg.model)
    assert len(backbone_of(model).layer3) == 23
