"""Anchor-point pseudo labels (tools/wecromcl_anchor_points.py) of tiny WeCromCL
and OCLIP models on rendered images."""
import importlib.util
import json
import os.path as osp
from collections import Counter

import pytest
import torch
from mmengine.config import Config
from mmocr.datasets import OCRDataset
from mmocr.registry import MODELS

from mmocr_oclip.datasets import render_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py')
spec = importlib.util.spec_from_file_location(
    'wecromcl_anchor_points', osp.join(ROOT, 'tools', 'wecromcl_anchor_points.py'))
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

# sizes that are not multiples of the strides: the last grid cells overhang
IMG_SIZE = (70, 100)
WORDS = ['cat', 'Cat', 'dog', 'emu!']


def tiny_wecromcl():
    """The demo config's WeCromCL at widths 16-32, one encoder layer."""
    cfg = Config.fromfile(DEMO)
    cfg.model.backbone.base_channels = 4
    cfg.model.neck = [
        dict(type='BiFPN', in_channels=[16, 32, 64, 128], out_channels=16,
             num_blocks=1),
        dict(type='MultiScaleConcatNeck', in_channels=16, branch_channels=8),
    ]
    cfg.model.encoder.update(in_channels=(24, 24),
                             embed_dims=24,
                             num_layers=1,
                             num_heads=2,
                             feedforward_channels=32,
                             out_channels=32,
                             num_groups=8)
    cfg.model.text_encoder.update(width=32, num_layers=1, num_heads=2, embed_dim=32)
    cfg.model.head.update(text_dims=32, image_dims=32, attn_dims=32)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step.type == 'Resize':
            step.scale = (96, 96)
    return cfg


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp('rendered')
    render_dataset(str(root),
                   3,
                   split='test',
                   seed=5,
                   img_size=IMG_SIZE,
                   words=WORDS,
                   words_per_image=(2, 4),
                   font_size=(12, 24))
    return root


def save_model(cfg, tmp_path, name):
    """Write ``cfg`` and a checkpoint of its randomly initialised model."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = tmp_path / f'{name}.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    config = tmp_path / f'{name}.py'
    cfg.dump(str(config))
    return str(config), str(ckpt)


@pytest.fixture(scope='module')
def wecromcl_files(tmp_path_factory):
    return save_model(tiny_wecromcl(), tmp_path_factory.mktemp('wecromcl'), 'wecromcl')


@pytest.fixture
def oclip_files(tiny_oclip_cfg, tmp_path):
    cfg = Config(dict(model=tiny_oclip_cfg, default_scope='mmocr'))
    return save_model(cfg, tmp_path, 'oclip')


def expected_points(ann):
    """Per image: Counter of the queried words (lower case, '!' kept)."""
    return [
        Counter(inst['text'].lower() for inst in info['instances']
                if not inst['ignore']) for info in ann['data_list']
    ]


def check_output(out_file, rendered):
    ann = json.load(open(rendered / 'textspotting_test.json'))
    out = json.load(open(out_file))
    assert out['metainfo'] == dict(dataset_type='TextSpottingDataset',
                                   task_name='textspotting',
                                   category=[dict(id=0, name='text')])
    dataset = OCRDataset(ann_file=str(out_file),
                         data_root=str(rendered),
                         data_prefix=dict(img_path=''),
                         pipeline=[])
    assert len(dataset) == len(ann['data_list'])
    for i, (info, counts) in enumerate(zip(ann['data_list'], expected_points(ann))):
        item = dataset[i]
        assert item['img_path'] == osp.join(str(rendered), info['img_path'])
        assert (item['height'], item['width']) == IMG_SIZE
        assert Counter(inst['text'] for inst in item['instances']) == counts
        for inst in item['instances']:
            x, y = inst['polygon']
            assert inst['bbox'] == [x, y, x, y]
            assert 0 <= x < IMG_SIZE[1] and 0 <= y < IMG_SIZE[0]
            assert inst['ignore'] is False and inst['bbox_label'] == 0
            assert isinstance(inst['score'], float)


def test_rendered_words_repeat(rendered):
    """The test needs a word occurring twice in an image (as 'cat'/'Cat')."""
    ann = json.load(open(rendered / 'textspotting_test.json'))
    assert any(max(c.values()) > 1 for c in expected_points(ann))


def test_wecromcl_points_and_heatmaps(wecromcl_files, rendered, tmp_path, capsys):
    config, ckpt = wecromcl_files
    out_file = tmp_path / 'points' / 'anchors.json'
    heatmaps = tmp_path / 'heatmaps'
    tool.main([
        config, ckpt,
        str(rendered / 'textspotting_test.json'),
        str(out_file), '--batch-size', '2', '--nms-kernel', '3', '--eval', '--heatmaps',
        str(heatmaps), '--max-heatmaps', '2'
    ])
    check_output(out_file, rendered)
    printed = capsys.readouterr().out
    assert 'anchor/hmean' in printed and 'anchor/inside_hmean' in printed
    pictures = sorted(heatmaps.iterdir())
    assert len(pictures) == 2
    assert all(p.stat().st_size > 0 for p in pictures)


def test_oclip_points(oclip_files, rendered, tmp_path):
    # a 3x3 stride-32 grid: without NMS every cell may be one of the k peaks
    config, ckpt = oclip_files
    out_file = tmp_path / 'anchors.json'
    tool.main([
        config, ckpt,
        str(rendered / 'textdet_test.json'),
        str(out_file), '--scale', '96', '--data-root',
        str(rendered), '--nms-kernel', '1'
    ])
    check_output(out_file, rendered)


def test_score_threshold_drops_points(wecromcl_files, rendered, tmp_path):
    config, ckpt = wecromcl_files
    out_file = tmp_path / 'anchors.json'
    tool.main([
        config, ckpt,
        str(rendered / 'textspotting_test.json'),
        str(out_file), '--score-thr', '2'
    ])
    out = json.load(open(out_file))
    assert all(not info['instances'] for info in out['data_list'])


def test_pipeline_choice(wecromcl_files):
    cfg = Config.fromfile(wecromcl_files[0])
    # the config's test pipeline loads polygons after the resize: used as is
    assert tool.build_pipeline(cfg) == cfg.test_dataloader.dataset.pipeline
    # annotations loaded before the resize: the standard one, config's scale
    pipeline = cfg.test_dataloader.dataset.pipeline
    pipeline[1], pipeline[2] = pipeline[2], pipeline[1]
    types = [t['type'] for t in tool.build_pipeline(cfg)]
    assert types == [
        'LoadImageFromFile', 'Resize', 'LoadOCRAnnotations', 'PackOCLIPInputs'
    ]
    assert tool.build_pipeline(cfg)[1]['scale'] == (96, 96)
    assert tool.build_pipeline(cfg, (64, 32))[1]['scale'] == (64, 32)
    # no pipeline, no scale: no resize
    types = [t['type'] for t in tool.build_pipeline(Config(dict(model=dict())))]
    assert 'Resize' not in types


def test_errors(wecromcl_files, rendered, tmp_path):
    config, ckpt = wecromcl_files
    ann = str(rendered / 'textspotting_test.json')
    out = str(tmp_path / 'out.json')

    def fails(args, message):
        with pytest.raises(SystemExit, match=message):
            tool.main(args)

    fails([config, str(tmp_path / 'none.pth'), ann, out], 'file not found')
    empty = tmp_path / 'empty.json'
    empty.write_text(json.dumps(dict(metainfo={}, data_list=[])))
    fails([config, ckpt, str(empty), out], 'data_list is empty')
    no_polygon = json.load(open(ann))
    del no_polygon['data_list'][0]['instances'][0]['polygon']
    (tmp_path / 'no_polygon.json').write_text(json.dumps(no_polygon))
    fails([config, ckpt, str(tmp_path / 'no_polygon.json'), out], 'has no polygon')
    fails([config, ckpt, ann, out, '--data-root', str(tmp_path)], 'image not found')
    resnet = Config(dict(model=dict(type='mmdet.ResNet', depth=18, base_channels=4)))
    resnet.dump(str(tmp_path / 'resnet.py'))
    fails([str(tmp_path / 'resnet.py'), ckpt, ann, out], 'has no localize_words')
    assert not osp.exists(out)
