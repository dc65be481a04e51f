import json
import os.path as osp
import re

import numpy as np
import pytest

from mmocr_oclip.datasets import OCLIPPretrainDataset
from helpers.processes import load_tool

PATH = re.compile(r'^imgs/\d+/[a-z]+_\d+_[0-4]\.jpg$')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/analysis_tools/synthtext_scale_annotations.py',
                     'synthtext_scale')


def write(tool, path, capsys, *options):
    tool.main([str(path), '--num-images', '200', *options])
    out = capsys.readouterr().out
    match = re.search(r': 200 images, (\d+) words, [0-9.]+ MiB, written in [0-9.]+ s$',
                      out.strip())
    assert match, out
    with open(path, encoding='utf-8') as f:
        return json.load(f), int(match.group(1))


def test_words_only_file_loads_with_expected_counts(tool, tmp_path, capsys):
    ann, words = write(tool, tmp_path / 'ann.json', capsys)
    assert ann['metainfo']['task_name'] == 'textspotting'
    data_list = ann['data_list']
    assert len(data_list) == 200
    paths = [entry['img_path'] for entry in data_list]
    assert all(PATH.match(p) for p in paths) and len(set(paths)) == 200
    counts = [len(entry['instances']) for entry in data_list]
    assert sum(counts) == words and min(counts) >= 1
    # 1 + negative binomial of mean 7.2: std of the mean of 200 is ~0.4
    assert 6.7 < np.mean(counts) < 9.7
    texts = [i['text'] for entry in data_list for i in entry['instances']]
    assert all(
        set(i) == {'text', 'ignore', 'bbox_label'} for entry in data_list
        for i in entry['instances'])
    lengths = np.array([len(t) for t in texts])
    assert 1 <= lengths.min() and lengths.max() <= 14 and 4 < lengths.mean() < 9
    assert any(t.isdigit() for t in texts) and any(t.isupper() for t in texts)
    assert len(set(texts)) > 200

    dataset = OCLIPPretrainDataset(ann_file=str(tmp_path / 'ann.json'), pipeline=[])
    assert len(dataset) == 200
    assert dataset.filter_stats['words_kept'] == words
    assert dataset.get_data_info(5)['instances'] == [
        dict(text=i['text'], ignore=False, bbox_label=0)
        for i in data_list[5]['instances']
    ]


def test_geometry_is_a_quadrilateral_and_its_box(tool, tmp_path, capsys):
    ann, words = write(tool, tmp_path / 'geo.json', capsys, '--with-geometry')
    instances = [i for entry in ann['data_list'] for i in entry['instances']]
    assert len(instances) == words
    polygons = np.array([i['polygon'] for i in instances])
    boxes = np.array([i['bbox'] for i in instances])
    assert polygons.shape == (words, 8) and boxes.shape == (words, 4)
    xs, ys = polygons[:, 0::2], polygons[:, 1::2]
    np.testing.assert_array_equal(
        boxes, np.stack([xs.min(1), ys.min(1),
                         xs.max(1), ys.max(1)], 1))
    # SynthText's wordBB is float32
    np.testing.assert_array_equal(polygons, polygons.astype(np.float32))
    # wider for longer words
    lengths = np.array([len(i['text']) for i in instances])
    widths = boxes[:, 2] - boxes[:, 0]
    assert widths[lengths >= 8].mean() > 1.5 * widths[lengths <= 3].mean()

    dataset = OCLIPPretrainDataset(ann_file=str(tmp_path / 'geo.json'), pipeline=[])
    assert len(dataset) == 200 and dataset.filter_stats['words_kept'] == words
    assert set(
        dataset.get_data_info(0)['instances'][0]) == {'text', 'ignore', 'bbox_label'}


def test_seed_makes_the_file(tool, tmp_path, capsys):
    first, _ = write(tool, tmp_path / 'a.json', capsys, '--seed', '3')
    again, _ = write(tool, tmp_path / 'b.json', capsys, '--seed', '3')
    other, _ = write(tool, tmp_path / 'c.json', capsys, '--seed', '4')
    assert first == again and first != other


def test_bad_arguments_are_rejected(tool, tmp_path):
    for option in (['--num-images', '0'], ['--words-per-image-mean', '0.5']):
        with pytest.raises(SystemExit):
            tool.main([str(tmp_path / 'x.json')] + option)
    assert not osp.exists(tmp_path / 'x.json')
