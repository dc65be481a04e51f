import json
import os.path as osp

import numpy as np
import pytest
from scipy.io import savemat

import mmocr_oclip  # noqa: F401
from mmocr_oclip.datasets import OCLIPPretrainDataset
from mmocr_oclip.datasets.preparers.converters import (convert_lsvt_weak,
                                                       convert_synthtext,
                                                       count_characters, count_words,
                                                       coverage_report,
                                                       select_characters)
from helpers.processes import load_tool


def cells(values):
    array = np.empty((1, len(values)), dtype=object)
    for i, value in enumerate(values):
        array[0, i] = value
    return array


def boxes(num, offset):
    """(2, 4, num) boxes; word k has corners x = offset + k + [0, 1, 2, 3]."""
    x = offset + np.arange(num)[None, :] + np.arange(4)[:, None]
    return np.stack([x, x + 100]).astype(np.float64)


def write_gt_mat(path, images, drop=None, bad_count=False):
    """A SynthText-like gt.mat: images = [(name, txt strings, number of words)]."""
    word_bb = []
    for i, (_, _, num) in enumerate(images):
        num = num - 1 if bad_count and i == 2 else num
        word_bb.append(boxes(num, 10 * i)[:, :, 0] if num == 1 else boxes(num, 10 * i))
    mat = dict(imnames=cells([np.array([name]) for name, _, _ in images]),
               wordBB=cells(word_bb),
               charBB=cells([np.zeros((2, 4, 3)) for _ in images]),
               txt=cells([np.array(txt) for _, txt, _ in images]))
    mat.pop(drop, None)
    savemat(str(path), mat)
    return str(path)


SYNTH_IMAGES = [
    ('8/ballet_0.jpg', ['Lines:\nI lost\nKevin ', 'will', 'line\nand'], 7),
    ('8/one_1.jpg', ['Hello'], 1),
    ('9/two_2.jpg', ['a b'], 2),
]


def test_synthtext_geometry(tmp_path):
    gt = write_gt_mat(tmp_path / 'gt.mat', SYNTH_IMAGES)
    out = str(tmp_path / 'out.json')
    assert convert_synthtext(gt, out) == dict(images=3, instances=10)
    with open(out, encoding='utf-8') as f:
        ann = json.load(f)
    assert ann['metainfo'] == dict(dataset_type='TextSpottingDataset',
                                   task_name='textspotting',
                                   category=[dict(id=0, name='text')])
    data = ann['data_list']
    assert [d['img_path'] for d in data
            ] == ['imgs/8/ballet_0.jpg', 'imgs/8/one_1.jpg', 'imgs/9/two_2.jpg']
    assert [i['text'] for i in data[0]['instances']
            ] == ['Lines:', 'I', 'lost', 'Kevin', 'will', 'line', 'and']
    # word 2 of image 0: x = 2, 3, 4, 5 and y = x + 100
    assert data[0]['instances'][2] == dict(text='lost',
                                           ignore=False,
                                           bbox_label=0,
                                           polygon=[2, 102, 3, 103, 4, 104, 5, 105],
                                           bbox=[2, 102, 5, 105])
    # image 1 has a single word: MATLAB stored its wordBB as 2x4
    assert data[1]['instances'] == [
        dict(text='Hello',
             ignore=False,
             bbox_label=0,
             polygon=[10, 110, 11, 111, 12, 112, 13, 113],
             bbox=[10, 110, 13, 113])
    ]
    dataset = OCLIPPretrainDataset(ann_file=out)
    assert dataset.filter_stats['words_kept'] == 10


def test_synthtext_no_geometry_limit(tmp_path):
    gt = write_gt_mat(tmp_path / 'gt.mat', SYNTH_IMAGES)
    out = str(tmp_path / 'out.json')
    tool = load_tool('tools/dataset_converters/synthtext.py')
    tool.main([gt, out, '--no-geometry', '--limit', '2', '--img-prefix', 'x'])
    with open(out, encoding='utf-8') as f:
        data = json.load(f)['data_list']
    assert [d['img_path'] for d in data] == ['x/8/ballet_0.jpg', 'x/8/one_1.jpg']
    assert data[1]['instances'] == [dict(text='Hello', ignore=False, bbox_label=0)]


def test_synthtext_errors(tmp_path):
    out = tmp_path / 'out.json'
    bad = write_gt_mat(tmp_path / 'bad.mat', SYNTH_IMAGES, bad_count=True)
    with pytest.raises(ValueError,
                       match=r'bad\.mat: image 2 \(9/two_2\.jpg\): wordBB has 1 '
                       r'boxes but txt has 2 words'):
        convert_synthtext(bad, str(out))
    assert not out.exists() and not osp.exists(f'{out}.part')
    missing = write_gt_mat(tmp_path / 'missing.mat', SYNTH_IMAGES, drop='txt')
    with pytest.raises(SystemExit, match=r'missing\.mat: missing field\(s\): txt'):
        load_tool('tools/dataset_converters/synthtext.py').main([missing, str(out)])
    assert not out.exists()


def test_lsvt(tmp_path):
    weak = tmp_path / 'train_weak_labels.json'
    weak.write_text(json.dumps(
        {
            'gt_0': [{
                'transcription': '中 国\u3000银行'
            }, {
                'transcription': '好'
            }, {
                'transcription': '###'
            }, {
                'transcription': '人民'
            }],
            'gt_1': [{
                'transcription': 'a'
            }, {
                'transcription': 'bc',
                'illegibility': True
            }],
            'gt_2': [{
                'transcription': ' 上海 '
            }],
        },
        ensure_ascii=False),
                    encoding='utf-8')
    out = str(tmp_path / 'out.json')
    assert convert_lsvt_weak(str(weak), out) == dict(images=3,
                                                     images_without_words=1,
                                                     words=7,
                                                     words_ignored=2,
                                                     words_with_spaces=2,
                                                     words_too_short=2,
                                                     words_kept=3)
    with open(out, encoding='utf-8') as f:
        data = json.load(f)['data_list']
    assert data == [
        dict(img_path='train_weak_images/gt_0.jpg',
             instances=[
                 dict(text='中国银行', ignore=False, bbox_label=0),
                 dict(text='人民', ignore=False, bbox_label=0)
             ]),
        dict(img_path='train_weak_images/gt_2.jpg',
             instances=[dict(text='上海', ignore=False, bbox_label=0)]),
    ]
    weak.write_text(json.dumps({'gt_0': [], 'gt_7': {'transcription': 'x'}}))
    with pytest.raises(SystemExit, match=r'train_weak_labels\.json: "gt_7": expected'):
        load_tool('tools/dataset_converters/lsvt.py').main(
            [str(weak), out, '--min-len', '1'])


def test_build_dictionary(tmp_path, capsys):
    ann = tmp_path / 'ann.json'
    texts = ['中国银行', '中国', '人民', '###', 'a b']
    instances = [dict(text=t) for t in texts] + [dict(text='忽略', ignore=True)]
    ann.write_text(json.dumps(dict(metainfo={},
                                   data_list=[
                                       dict(img_path='a.jpg', instances=instances[:3]),
                                       dict(img_path='b.jpg', instances=instances[3:])
                                   ]),
                              ensure_ascii=False),
                   encoding='utf-8')
    words = count_words([str(ann)])
    assert words == {'中国银行': 1, '中国': 1, '人民': 1, 'a b': 1}
    chars = count_characters(words)
    assert chars['中'] == 2 and chars[' '] == 1 and sum(chars.values()) == 11
    # 中 (U+4E2D) and 国 (U+56FD) twice; then the rest by code point, no space
    assert select_characters(chars) == list('中国ab人民行银')
    assert select_characters(chars, max_chars=4) == list('中国ab')
    assert select_characters(chars, min_count=2) == list('中国')
    with_ascii = select_characters(chars, max_chars=4, include_ascii=True)
    assert len(with_ascii) == 96 and with_ascii[:4] == list('中国ab')
    report = coverage_report(list('中国ab'), chars, words)
    assert report == dict(distinct_chars=9,
                          kept_chars=4,
                          char_coverage=6 / 11,
                          word_coverage=1 / 4,
                          top_dropped=[(' ', 1), ('人', 1), ('民', 1), ('行', 1),
                                       ('银', 1)])

    out = tmp_path / 'dict.txt'
    load_tool('tools/dataset_converters/build_dictionary.py').main(
        [str(ann), '--out', str(out), '--max-chars', '4'])
    assert out.read_text(encoding='utf-8') == '中\n国\na\nb\n'
    printed = capsys.readouterr()
    assert 'whitespace' in printed.err
    assert '4 characters kept of 9 distinct' in printed.out
    assert '54.5455% of character occurrences' in printed.out
    assert '25.0000% of words' in printed.out
    bad = tmp_path / 'bad.json'
    bad.write_text(
        json.dumps(dict(data_list=[dict(img_path='a', instances=[dict(text=None)])])))
    with pytest.raises(SystemExit, match=r'bad\.json: data_list\[0\]'):
        load_tool('tools/dataset_converters/build_dictionary.py').main(
            [str(bad), '--out', str(out)])
