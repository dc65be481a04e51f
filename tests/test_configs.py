"""Every config of ours parses (with its mmocr:: bases) and builds its model."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import FUNCTIONS
from mmocr.registry import MODELS, TASK_UTILS, TRANSFORMS

from mmocr_oclip.utils import load_config, resolve_resource_file

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


@pytest.mark.parametrize('depth', [50, 101])
def test_psenet_totaltext_follows_the_psenet_authors_setting(depth):
    """github.com/whai362/PSENet config/psenet/psenet_r50_tt.py, on MMOCR's PSENet."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'textdet', 'psenet',
                 f'psenet_resnet{depth}-oclip_fpnf_600e_totaltext.py'))
    assert cfg.model.backbone.depth == depth
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_cfg.max_epochs == 600
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum,
            optimizer.weight_decay) == ('SGD', 1e-3, 0.99, 5e-4)
    assert [(s.type, s.milestones, s.gamma)
            for s in cfg.param_scheduler] == [('MultiStepLR', [200, 400], 0.1)]
    train = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert 'TorchVisionWrapper' not in train  # no colour jitter in the reference
    scales = [c[0] for c in train['RandomChoice'].transforms]
    assert [s.ratio_range
            for s in scales] == [(r, r) for r in (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)]
    assert {(s.short_size, s.aspect_ratio_range, s.scale_divisor)
            for s in scales} == {(736, (1.0, 1.0), 32)}
    assert train['RandomFlip'].prob == 0.5 and train['RandomRotate'].max_angle == 10
    assert train['TextDetRandomCrop'].target_size == (736, 736)
    assert train['TextDetRandomCrop'].positive_sample_ratio == 5 / 8
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    resize = test['ShortScaleAspectJitter']
    assert (resize.short_size, resize.ratio_range, resize.aspect_ratio_range,
            resize.scale_divisor) == (736, (1.0, 1.0), (1.0, 1.0), 32)
    post = cfg.model.det_head.postprocessor
    assert (post.text_repr_type, post.score_threshold, post.min_text_area,
            post.min_kernel_confidence
            if 'min_kernel_confidence' in post else 0.5) == ('poly', 0.87, 16, 0.5)


def test_psenet_totaltext_test_resize_rounds_up_to_32():
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'textdet', 'psenet',
                 'psenet_resnet50-oclip_fpnf_600e_totaltext.py'))
    resize = TRANSFORMS.build(cfg.test_dataloader.dataset.pipeline[1])
    out = resize(dict(img=np.zeros((500, 700, 3), np.uint8), img_shape=(500, 700)))
    # short side 500 -> 736, long side 700 * 1.472 = 1030.4 -> 1030 -> 1056
    assert out['img'].shape[:2] == (736, 1056)


# What configs/pretrain/_base_/datasets must keep, resolved: (config, data_root,
# train resize (step type, size or short sides), test Resize scale (None: no
# validation/test), the collate's vocabulary (None: no collate), words per image)
_RSSR = 'RandomShortSideResize'
PRETRAIN_DATA = [
    ('oclip_rn50-w16_1xb16-8e_synthetic.py', 'data/synthetic_text',
     ('TorchVisionWrapper', 256), (256, 256), None, 8),
    ('wecromcl_r50-w16_1xb16-400i_synthetic.py', 'data/wecromcl_text', (_RSSR, (192, )),
     (192, 192), 'data/wecromcl_text/vocab.txt', None),
    ('oclip_rn50_synthtext.py', 'data/synthtext', ('TorchVisionWrapper', 512), None,
     None, 32),
    ('wecromcl_r50_1xb16-200k_synthtext.py', 'data/synthtext', (_RSSR, (640, )), None,
     'english_vocab.txt', None),
    ('wecromcl_r50_1xb4-80k_icdar2013.py', 'data/icdar2013',
     (_RSSR, tuple(range(640, 897, 32))), (1152, 1152), 'english_vocab.txt', None),
    ('wecromcl_r50_1xb4-80k_icdar2015.py', 'data/icdar2015',
     (_RSSR, tuple(range(640, 897, 32))), (1696, 1696), 'english_vocab.txt', None),
    ('wecromcl_r50_1xb4-80k_totaltext.py', 'data/totaltext',
     (_RSSR, tuple(range(640, 897, 32))), (100000, 896), 'english_vocab.txt', None),
]


@pytest.mark.parametrize('loader', ['fromfile', 'load_config'])
@pytest.mark.parametrize('name,data_root,train_resize,test_scale,vocab_file,words',
                         PRETRAIN_DATA,
                         ids=[c[0] for c in PRETRAIN_DATA])
def test_pretrain_dataset_layer(name, data_root, train_resize, test_scale, vocab_file,
                                words, loader):
    """A pre-training config's splits (and the demo's vocabulary) lie under its one
    data_root, and the sizes set on inherited pipelines reach the dataloaders."""
    path = osp.join(REPO, 'configs', 'pretrain', name)
    cfg = Config.fromfile(path) if loader == 'fromfile' else load_config(path)
    assert cfg.data_root == data_root
    train = cfg.train_dataloader.dataset
    assert (train.data_root, train.ann_file) == (data_root, 'textspotting_train.json')
    assert train.pipeline == cfg.train_pipeline  # the top-level one is the one used
    step = next(t for t in train.pipeline if t.type == train_resize[0])
    assert step.get('size', step.get('short_sides')) == train_resize[1]
    if words is not None:
        assert [
            t.max_instances for t in train.pipeline if t.type == 'SampleTextInstances'
        ] == [words]
    collate = cfg.train_dataloader.get('collate_fn')
    assert (collate.sampler.vocab_file if collate else None) == vocab_file
    if test_scale is None:
        assert cfg.val_dataloader is None and cfg.test_dataloader is None
        return
    for loader_name in ('val_dataloader', 'test_dataloader'):
        test = cfg[loader_name].dataset
        assert (test.data_root, test.ann_file,
                test.test_mode) == (data_root, 'textspotting_test.json', True)
        assert test.pipeline == cfg.get('test_pipeline', cfg.get('val_pipeline'))
        assert [t.scale for t in test.pipeline if t.type == 'Resize'] == [test_scale]


def test_model_index_lists_every_config_once():
    """model-index.yml imports one metafile per config folder (MMOCR's layout), whose
    models name existing configs of that folder; every non-base config is listed."""
    import yaml
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    listed = []
    for metafile in index['Import']:
        folder = osp.dirname(metafile)
        meta = yaml.safe_load(open(osp.join(REPO, metafile)))
        collections = {c['Name'] for c in meta['Collections']}
        for model in meta['Models']:
            assert model['In Collection'] in collections, model['Name']
            assert osp.dirname(model['Config']) == folder, model['Config']
            assert osp.isfile(osp.join(REPO, model['Config'])), model['Config']
            assert model['Name'] == osp.basename(model['Config'])[:-len('.py')]
            listed.append(osp.join(REPO, model['Config']))
    assert sorted(listed) == CONFIGS
