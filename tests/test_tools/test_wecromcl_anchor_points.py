"""Anchor-point pseudo labels (tools/wecromcl_anchor_points.py) of tiny WeCromCL
and OCLIP models on rendered images."""
import json
import os.path as osp
import shutil
from collections import Counter

import pytest
import torch
from mmengine.config import Config
from mmocr.datasets import OCRDataset
from mmocr.registry import MODELS

from mmocr_oclip.apis import build_labeling_pipeline
from mmocr_oclip.datasets import OCLIPPretrainDataset
from mmocr_oclip.models.utils.model_type_check import (ModelTypeMismatchError,
                                                       infer_model_type)
from helpers import REPO
from helpers.anchor_points import (ANCHOR_IMG_SIZE, render_anchor_images, save_model,
                                   tiny_wecromcl)
from helpers.processes import load_tool

DETECTOR = osp.join(REPO, 'configs/textdet/psenet',
                    'psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py')
tool = load_tool('tools/wecromcl_anchor_points.py', 'wecromcl_anchor_points')

IMG_SIZE = ANCHOR_IMG_SIZE


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    return render_anchor_images(tmp_path_factory.mktemp('rendered'), 3)


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
    # the config's test pipeline, less the annotation loading (words are set by
    # the labeler: no polygon needed)
    types = [t['type'] for t in build_labeling_pipeline(cfg)]
    assert types == ['LoadCheckedImageFromFile', 'Resize', 'PackOCLIPInputs']
    assert build_labeling_pipeline(cfg)[1]['scale'] == (96, 96)
    # --scale: the tool's own pipeline at that scale
    assert build_labeling_pipeline(cfg, (64, 32))[1] == dict(type='Resize',
                                                             scale=(64, 32),
                                                             keep_ratio=True)
    # a test pipeline that does not end with PackOCLIPInputs: the config's scale
    cfg.test_dataloader.dataset.pipeline[-1] = dict(type='PackTextDetInputs')
    assert build_labeling_pipeline(cfg)[1]['scale'] == (96, 96)
    # no pipeline, no scale: no resize (pre-training configs: test_dataloader=None)
    for cfg in (Config(dict(model=dict())),
                Config(dict(model=dict(), test_dataloader=None, val_dataloader=None))):
        assert [t['type'] for t in build_labeling_pipeline(cfg)
                ] == ['LoadCheckedImageFromFile', 'PackOCLIPInputs']


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
    fails([config, ckpt, ann, out, '--data-root',
           str(tmp_path)], 'none of the 3 images could be read')
    resnet = Config(dict(model=dict(type='mmdet.ResNet', depth=18, base_channels=4)))
    resnet.dump(str(tmp_path / 'resnet.py'))
    fails([str(tmp_path / 'resnet.py'), ckpt, ann, out], 'has no localize_words')
    assert not osp.exists(out) and not osp.exists(out + '.partial')


def tool_error(args):
    """The one-line message the tool exits with."""
    with pytest.raises(SystemExit) as error:
        tool.main(args)
    message = str(error.value)
    assert message.startswith('error: ') and '\n' not in message
    return message[len('error: '):]


def test_invalid_json_names_file_line_and_column(wecromcl_files, tmp_path):
    config, ckpt = wecromcl_files
    bad = tmp_path / 'bad.json'
    bad.write_text('{"metainfo": {},\n "data_list": [\n  {"img_path": "a.jpg",}\n]}')
    assert tool_error([
        config, ckpt, str(bad), str(tmp_path / 'out.json')
    ]) == (f'{bad}, line 3, column 24: invalid JSON: Expecting property name enclosed '
           'in double quotes')


def test_entry_without_instances_same_rule_as_training(wecromcl_files, rendered,
                                                       tmp_path):
    config, ckpt = wecromcl_files
    ann = json.load(open(rendered / 'textspotting_test.json'))
    del ann['data_list'][1]['instances']
    no_instances = tmp_path / 'no_instances.json'
    no_instances.write_text(json.dumps(ann))
    expected = (f'{no_instances}: data_list[1]: no "instances" (the list of the '
                'image\'s words; write "instances": [] for an image without words)')
    message = tool_error([config, ckpt, str(no_instances), str(tmp_path / 'o.json')])
    assert message == expected
    with pytest.raises(ValueError) as error:  # training: the same message
        OCLIPPretrainDataset(ann_file=str(no_instances), pipeline=[])
    assert str(error.value) == expected


def test_truncated_jpeg_is_a_named_counted_skip(wecromcl_files, rendered, tmp_path,
                                                capsys):
    config, ckpt = wecromcl_files
    shutil.copytree(rendered, tmp_path / 'data')
    ann = json.load(open(rendered / 'textspotting_test.json'))
    image = tmp_path / 'data' / ann['data_list'][1]['img_path']
    image.write_bytes(image.read_bytes()[:len(image.read_bytes()) // 2])
    for scale in ([], ['--scale', '96']):  # the config's pipeline, the tool's own
        out = tmp_path / 'out.json'
        tool.main([
            config, ckpt,
            str(tmp_path / 'data' / 'textspotting_test.json'),
            str(out), *scale
        ])
        printed = capsys.readouterr()
        assert (f'data_list[1]: image skipped: {image}: truncated image: JPEG without '
                'end-of-image marker 0xFFD9 (truncated file)') in printed.err
        assert ('skipped: 1 unreadable image(s), 0 image(s) without a word to query, '
                '0 word(s)') in printed.out
        paths = [d['img_path'] for d in json.load(open(out))['data_list']]
        assert paths == [ann['data_list'][i]['img_path'] for i in (0, 2)]


def tiny_psenet_checkpoint(tmp_path):
    """A PSENet checkpoint as ``mim train`` writes it (meta['cfg'])."""
    cfg = Config.fromfile(DETECTOR)
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.base_channels = 4
    cfg.model.neck.in_channels = [16, 32, 64, 128]
    model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'psenet.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)),
               ckpt)
    return str(ckpt), model.state_dict()


def test_checkpoint_of_another_model_type(wecromcl_files, oclip_files, rendered,
                                          tmp_path):
    wecromcl_config, wecromcl_ckpt = wecromcl_files
    oclip_config, oclip_ckpt = oclip_files
    ann = str(rendered / 'textspotting_test.json')
    out = str(tmp_path / 'out.json')
    # a detector: no wall of size-mismatch lines
    psenet_ckpt, psenet_state = tiny_psenet_checkpoint(tmp_path)
    assert tool_error([
        wecromcl_config, psenet_ckpt, ann, out
    ]) == (f'{psenet_ckpt}: this checkpoint is a text detector (PSENet) checkpoint '
           '(judging by its keys); this config builds WeCromCL: give a WeCromCL '
           'checkpoint (a detector has no text encoder; its backbone came from a '
           'pre-training checkpoint)')
    wecromcl = MODELS.build(Config.fromfile(wecromcl_config).model)
    oclip = MODELS.build(Config.fromfile(oclip_config).model)
    # unrecorded checkpoints of both algorithms are told apart by their keys
    assert infer_model_type(wecromcl.state_dict())[0] == 'WeCromCL'
    assert infer_model_type(oclip.state_dict())[0] == 'OCLIP'
    with pytest.raises(ModelTypeMismatchError,
                       match=r'^this checkpoint is a text detector \(e\.g\. PSENet\) '
                       'checkpoint .*; this config builds WeCromCL'):
        wecromcl.load_state_dict(psenet_state)  # the load pre-hook, before any key
    # oCLIP with a WeCromCL config: not a dictionary error
    assert tool_error([
        wecromcl_config, oclip_ckpt, ann, out
    ]) == (f'{oclip_ckpt}: this checkpoint is an OCLIP checkpoint (recorded in the '
           'checkpoint); this config builds WeCromCL: give a WeCromCL checkpoint, or '
           'use a config that builds OCLIP (configs/pretrain/oclip_*.py)')
    assert tool_error([oclip_config, wecromcl_ckpt, ann, out]) == (
        f'{wecromcl_ckpt}: this checkpoint is a WeCromCL checkpoint (recorded in the '
        'checkpoint); this config builds OCLIP: give an OCLIP checkpoint, or use a '
        'config that builds WeCromCL (configs/pretrain/wecromcl_*.py)')
    # a checkpoint saved before the record: its keys tell
    old = torch.load(oclip_ckpt, map_location='cpu')
    old['state_dict'] = dict(old['state_dict'])  # no _metadata
    old_ckpt = tmp_path / 'old_oclip.pth'
    torch.save(old, old_ckpt)
    with pytest.raises(ModelTypeMismatchError,
                       match=r'an OCLIP checkpoint \(judging by its keys\); this '
                       'config builds WeCromCL'):
        wecromcl.load_state_dict(old['state_dict'])
    assert 'an OCLIP checkpoint (judging by its keys)' in tool_error(
        [wecromcl_config, str(old_ckpt), ann, out])
    assert not osp.exists(out)


def test_hide_image_needs_heatmaps(capsys):
    with pytest.raises(SystemExit):
        tool.parse_args(['c.py', 'm.pth', 'a.json', 'o.json', '--hide-image'])
    assert '--hide-image needs --heatmaps' in capsys.readouterr().err
