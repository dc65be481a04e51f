import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmocr_oclip.datasets.preparers.rendering import (SyntheticTextRenderer,
                                                      default_font_files,
                                                      render_dataset)
from helpers import REPO
from helpers.processes import load_tool

# uniform background and no image-level effects: every pixel that differs from
# the background colour belongs to a word (fill, outline or shadow)
CLEAN = dict(backgrounds=('plain', ),
             plate_ratio=0,
             lighting=0,
             blur=0,
             noise=0,
             jpeg_noise=0,
             outline_ratio=0.5,
             shadow_ratio=0.5)
SMALL = dict(img_size=(160, 200), words_per_image=(2, 4), font_size=(12, 40))
GEOMETRIES = {
    'straight': dict(max_rotation=0, perspective=0, curved_ratio=0),
    'rotated': dict(max_rotation=45, perspective=0, curved_ratio=0),
    'perspective': dict(max_rotation=20, perspective=1, curved_ratio=0),
    'curved': dict(max_rotation=30, curved_ratio=1, word_length=(4, 9)),
}


def _polygons(instances):
    return [np.array(inst['polygon']).reshape(-1, 2) for inst in instances]


def _text_mask(img):
    """(H, W) bool mask of pixels differing from the most frequent colour."""
    colors, counts = np.unique(img.reshape(-1, 3), axis=0, return_counts=True)
    return (img != colors[counts.argmax()]).any(-1)


@pytest.mark.parametrize('geometry', list(GEOMETRIES))
def test_polygons_enclose_text(geometry):
    renderer = SyntheticTextRenderer(img_size=(256, 320),
                                     words_per_image=(4, 6),
                                     font_size=(14, 64),
                                     **CLEAN,
                                     **GEOMETRIES[geometry])
    num_points = 2 * renderer.curve_points if geometry == 'curved' else 4
    for seed in range(4):
        img, instances = renderer.render(seed)
        h, w = img.shape[:2]
        assert img.shape == (256, 320, 3) and img.dtype == np.uint8
        assert instances
        text = _text_mask(img)
        union = np.zeros((h, w), np.uint8)
        for inst, poly in zip(instances, _polygons(instances)):
            assert poly.shape == (num_points, 2)
            # clockwise on screen (y points down): positive shoelace area
            x, y = poly.T
            assert (x * np.roll(y, -1) - np.roll(x, -1) * y).sum() > 0
            assert poly.min() >= 0
            assert poly[:, 0].max() <= w - 1 and poly[:, 1].max() <= h - 1
            np.testing.assert_allclose(inst['bbox'], [*poly.min(0), *poly.max(0)],
                                       atol=0.01)
            mask = np.zeros((h, w), np.uint8)
            cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 1, shift=4)
            assert text[mask > 0].sum() > 20, 'polygon without text pixels'
            assert not (union & mask).any(), 'overlapping words'
            union |= mask
        inside = text[union > 0].sum() / text.sum()
        assert inside >= 0.99, f'{geometry}, seed {seed}: {inside:.4f}'


def test_render_scene_defaults():
    renderer = SyntheticTextRenderer(img_size=((100, 140), (150, 210)))
    for seed in range(3):
        img, instances, skipped = renderer.render(np.random.default_rng(seed),
                                                  return_skipped=True)
        assert 100 <= img.shape[0] <= 140 and 150 <= img.shape[1] <= 210
        assert len(instances) + skipped in range(3, 9)
        for inst in instances:
            assert inst['bbox_label'] == 0 and inst['ignore'] is False
            assert inst['text'].isalnum()


def test_render_dataset_deterministic(tmp_path):
    cfg = dict(num_images=3, split='val', **SMALL)

    def files(out_dir):
        return {
            f: (out_dir / f).read_bytes()
            for f in ('textdet_val.json', 'textspotting_val.json',
                      'imgs/val/000000.jpg', 'imgs/val/000002.jpg')
        }

    render_dataset(str(tmp_path / 'a'), seed=3, **cfg)
    render_dataset(str(tmp_path / 'b'), seed=3, **cfg)
    render_dataset(str(tmp_path / 'c'), seed=4, **cfg)
    a, b, c = (files(tmp_path / d) for d in 'abc')
    assert a == b
    assert all(a[f] != c[f] for f in a)


@pytest.mark.slow
def test_render_dataset_workers(tmp_path):
    cfg = dict(num_images=4, seed=5, img_format='png', **SMALL)
    render_dataset(str(tmp_path / 'a'), workers=0, **cfg)
    render_dataset(str(tmp_path / 'b'), workers=2, **cfg)
    for f in ('textspotting_train.json', 'imgs/train/000003.png'):
        assert (tmp_path / 'a' / f).read_bytes() == (tmp_path / 'b' / f).read_bytes()


def test_annotation_format(tmp_path):
    summary = render_dataset(str(tmp_path), num_images=2, seed=1, **SMALL)
    assert summary['num_images'] == 2 and summary['images_per_sec'] > 0
    num_words = 0
    for task, dataset_type in (('textspotting', 'TextSpottingDataset'),
                               ('textdet', 'TextDetDataset')):
        with open(tmp_path / f'{task}_train.json') as f:
            ann = json.load(f)
        assert ann['metainfo'] == dict(dataset_type=dataset_type,
                                       task_name=task,
                                       category=[dict(id=0, name='text')])
        assert len(ann['data_list']) == 2
        for i, info in enumerate(ann['data_list']):
            assert info['img_path'] == f'imgs/train/{i:06d}.jpg'
            img = cv2.imread(str(tmp_path / info['img_path']))
            assert img.shape[:2] == (info['height'], info['width'])
            for inst in info['instances']:
                assert set(inst) == {'polygon', 'bbox', 'bbox_label', 'ignore', 'text'}
                assert len(inst['polygon']) % 2 == 0
                assert len(inst['polygon']) >= 8 and len(inst['bbox']) == 4
        num_words = sum(len(d['instances']) for d in ann['data_list'])
    assert summary['num_words'] == num_words > 0


def test_mmocr_ocr_dataset(tmp_path):
    pytest.importorskip('mmocr')
    from mmocr.datasets import OCRDataset
    from mmocr.utils import register_all_modules
    register_all_modules()
    render_dataset(str(tmp_path), num_images=2, seed=2, **SMALL)
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadOCRAnnotations',
             with_bbox=True,
             with_polygon=True,
             with_label=True,
             with_text=True)
    ]
    dataset = OCRDataset(data_root=str(tmp_path),
                         ann_file='textspotting_train.json',
                         data_prefix=dict(img_path=''),
                         pipeline=pipeline)
    assert len(dataset) == 2
    assert dataset.metainfo['task_name'] == 'textspotting'
    for i in range(2):
        assert osp.isfile(dataset.get_data_info(i)['img_path'])
        results = dataset[i]
        assert results['img'].shape == (160, 200, 3)
        assert len(results['gt_polygons']) == len(results['gt_texts'])


def test_word_sources(tmp_path):
    dict_file = tmp_path / 'dict.txt'
    dict_file.write_text('a\nb\nc\nx\n\n7\n \n', encoding='utf-8')
    renderer = SyntheticTextRenderer(dict_file=str(dict_file),
                                     word_length=(3, 5),
                                     **SMALL)
    texts = [inst['text'] for s in range(3) for inst in renderer.render(s)[1]]
    assert texts and set(''.join(texts)) <= set('abcx7')
    assert all(3 <= len(t) <= 5 for t in texts)

    word_file = tmp_path / 'words.txt'
    word_file.write_text('cab\nWORD\n\nxx7\n', encoding='utf-8')
    renderer = SyntheticTextRenderer(words=str(word_file), **SMALL)
    texts = {inst['text'] for s in range(3) for inst in renderer.render(s)[1]}
    assert texts and texts <= {'cab', 'WORD', 'xx7'}
    # words are filtered by the dictionary
    renderer = SyntheticTextRenderer(words=str(word_file),
                                     dict_file=str(dict_file),
                                     **SMALL)
    assert renderer.words == ['cab', 'xx7']


def test_errors_and_skips(tmp_path):
    missing = str(tmp_path / 'missing.txt')
    for key in ('words', 'dict_file', 'fonts_dir'):
        with pytest.raises(FileNotFoundError, match='missing.txt'):
            SyntheticTextRenderer(**{key: missing})
    with pytest.raises(FileNotFoundError, match='no .ttf'):
        SyntheticTextRenderer(fonts_dir=str(tmp_path))
    (tmp_path / 'empty.txt').write_text('\n \n')
    with pytest.raises(ValueError, match='empty'):
        SyntheticTextRenderer(words=str(tmp_path / 'empty.txt'))
    with pytest.raises(ValueError, match='empty'):
        SyntheticTextRenderer(words=[])
    with pytest.raises(ValueError, match='backgrounds'):
        SyntheticTextRenderer(backgrounds=('sky', ))

    renderer = SyntheticTextRenderer(img_size=(40, 40),
                                     font_size=(30, 30),
                                     words=['extraordinarily'],
                                     words_per_image=(2, 2))
    img, instances, skipped = renderer.render(0, return_skipped=True)
    assert instances == [] and skipped == 2
    # no default font has CJK glyphs
    renderer = SyntheticTextRenderer(words=['\u4e2d\u6587'], **SMALL)
    img, instances, skipped = renderer.render(0, return_skipped=True)
    assert instances == [] and skipped >= 2
    summary = render_dataset(str(tmp_path / 'out'),
                             num_images=2,
                             img_size=(40, 40),
                             font_size=(30, 30),
                             words=['extraordinarily'],
                             words_per_image=(2, 2))
    assert summary['num_words'] == 0 and summary['num_skipped'] == 4


def test_fonts_dir(tmp_path):
    font = default_font_files()[0]
    shutil.copy(font, tmp_path)
    renderer = SyntheticTextRenderer(fonts_dir=str(tmp_path),
                                     use_default_fonts=False,
                                     **SMALL)
    assert renderer.font_files == [str(tmp_path / osp.basename(font))]
    assert renderer.render(0)[1]
    renderer = SyntheticTextRenderer(fonts_dir=str(tmp_path))
    assert len(renderer.font_files) == len(default_font_files()) + 1


@pytest.mark.slow
def test_cli(tmp_path):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [REPO, env.get('PYTHONPATH')]))
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'render_synthetic_text.py'),
        str(tmp_path), '--num-images', '3', '--img-size', '128', '160', '--seed', '1',
        '--curved-ratio', '0.5'
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert 'images/s' in out
    assert sorted(os.listdir(tmp_path / 'imgs' /
                             'train')) == ['000000.jpg', '000001.jpg', '000002.jpg']
    with open(tmp_path / 'textdet_train.json') as f:
        assert len(json.load(f)['data_list']) == 3


def test_cli_says_which_words_were_skipped_and_why(tmp_path):
    tool = load_tool('tools/render_synthetic_text.py', 'render_synthetic_text')
    summary = render_dataset(str(tmp_path / 'long'),
                             num_images=2,
                             img_size=(40, 40),
                             font_size=(30, 30),
                             words=['extraordinarily'],
                             words_per_image=(2, 2))
    assert summary['skipped'] == {'too_long': 4}
    assert tool.describe_skipped(summary) == (
        '4 more sampled words were skipped (not drawn, so not in the annotations): '
        'they were wider than the image even at the smallest font size (a smaller '
        '--font-size MIN or shorter words)')
    crowded = render_dataset(str(tmp_path / 'crowded'),
                             num_images=1,
                             img_size=(64, 64),
                             font_size=(20, 20),
                             words=['ab'],
                             words_per_image=(30, 30),
                             max_rotation=0,
                             plate_ratio=0)
    no_space = crowded['skipped']['no_space']
    assert no_space > 0 and crowded['num_skipped'] == no_space
    assert tool.describe_skipped(crowded) == (
        f'{no_space} more sampled words were skipped (not drawn, so not in the '
        'annotations): they found no free place: all 30 tried positions overlapped '
        'the words already drawn (fewer --words-per-image or a larger --img-size)')
    both = dict(crowded, skipped=dict(no_space=5, too_big=2), num_skipped=7)
    assert tool.describe_skipped(both) == (
        '7 more sampled words were skipped (not drawn, so not in the annotations): 5 '
        'found no free place: all 30 tried positions overlapped the words already '
        'drawn (fewer --words-per-image or a larger --img-size); 2 were larger than '
        'the image once rotated, tilted, curved or on a plate (a smaller --font-size '
        'or --max-rotation)')
