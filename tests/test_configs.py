"""Every config of ours parses (with its mmocr:: bases) and builds its model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import FUNCTIONS
from mmocr.registry import MODELS, TASK_UTILS

from mmocr_oclip.utils import resolve_resource_file

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds(path, tmp_path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports.imports == ['mmocr_oclip']
    assert cfg.default_scope == 'mmocr'
    model_cfg = cfg.model
    # MMOCR wraps MMDet's Mask R-CNN: its backbone sits one level down
    wrapped = model_cfg.type == 'MMDetWrapper'
    backbone_cfg = model_cfg.cfg.backbone if wrapped else model_cfg.backbone
    backbone_init = backbone_cfg.get('init_cfg')
    if backbone_init and backbone_init.get('type') == 'Pretrained':
        backbone_cfg.init_cfg = None  # no checkpoint here: build only
    dict_file = model_cfg.get('tokenizer', {}).get('dict_file')
    if dict_file and not is_resource(dict_file):  # built by the user (LSVT)
        model_cfg.tokenizer.dict_file = str(tmp_path / 'dict.txt')
        (tmp_path / 'dict.txt').write_text('中\n文\n', encoding='utf-8')
    model = MODELS.build(model_cfg)
    backbone = model.wrapped_model.backbone if wrapped else model.backbone
    expected = 'ResNet' if model_cfg.type == 'WeCromCL' else 'OCLIPResNet'
    assert backbone.__class__.__name__ == expected


def is_resource(path):
    try:
        return bool(resolve_resource_file(path))
    except FileNotFoundError:
        return False


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_pipelines_and_collate_build(path):
    """Every data pipeline and collate function of a config builds."""
    cfg = Config.fromfile(path)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if not loader:
            continue
        Compose(loader.dataset.get('pipeline', []))
        collate = loader.get('collate_fn')
        if collate:
            collate = collate.copy()
            assert FUNCTIONS.get(collate.pop('type')) is not None
            if 'sampler' in collate:
                sampler = collate['sampler']
                if not is_resource(sampler.vocab_file):  # built by the user (demo)
                    sampler.vocab_file = 'english_vocab.txt'
                TASK_UTILS.build(sampler)


def test_keep_ratio_pipeline_differs_only_in_the_resize():
    base = Config.fromfile(osp.join(REPO, 'configs/pretrain/oclip_rn50_synthtext.py'))
    keep = Config.fromfile(
        osp.join(REPO, 'configs/pretrain/oclip_rn50-keepratio_synthtext.py'))
    types = [t.type for t in keep.train_dataloader.dataset.pipeline]
    assert types[3] == 'Resize' and keep.train_dataloader.dataset.pipeline[3].keep_ratio
    assert [t.type for t in base.train_dataloader.dataset.pipeline][3] == \
        'TorchVisionWrapper'
    assert keep.train_dataloader.batch_size == base.train_dataloader.batch_size
