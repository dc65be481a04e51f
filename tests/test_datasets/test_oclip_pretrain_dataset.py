import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

import mmocr_oclip  # noqa: F401  (registers the modules)
from mmocr_oclip.datasets import OCLIPPretrainDataset, packaged_dict_file

WORD_30 = 'A' * 30


def write_ann(path, data_list):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(dict(metainfo=dict(task_name='textspotting'), data_list=data_list),
                  f,
                  ensure_ascii=False)
    return str(path)


def hand_made_data_list():
    return [
        dict(
            img_path='a.jpg',
            height=20,
            width=30,
            instances=[
                dict(text='Hello',
                     ignore=False,
                     bbox_label=0,
                     bbox=[0, 0, 5, 5],
                     polygon=[0, 0, 5, 0, 5, 5, 0, 5]),  # kept
                dict(text='###', ignore=True),  # ignored (flag)
                dict(text='###'),  # ignored (text)
                dict(text='secret', ignore=True),  # ignored (flag)
                dict(text='café'),  # 'é' removed -> 'caf'
                dict(text='ab cd'),  # ' ' removed -> 'abcd'
                dict(text=WORD_30),  # truncated to 24 characters
                dict(text='中文'),  # nothing left -> dropped
            ]),
        dict(img_path='b.jpg', instances=[dict(text='   '),
                                          dict(text='')]),
        dict(img_path='c.jpg', instances=[]),
        dict(img_path='d.jpg', instances=[dict(text='x'),
                                          dict(text='ok!')]),
    ]


def test_packaged_dictionary():
    with open(packaged_dict_file(), encoding='utf-8') as f:
        chars = f.read().splitlines()
    assert chars == [chr(c) for c in range(33, 127)]


def test_filtering_counts(tmp_path):
    ann = write_ann(tmp_path / 'ann.json', hand_made_data_list())
    dataset = OCLIPPretrainDataset(ann_file=ann,
                                   data_prefix=dict(img_path='imgs'),
                                   pipeline=[])
    assert dataset.filter_stats == dict(images=4,
                                        images_kept=2,
                                        images_without_words=2,
                                        instances=12,
                                        instances_ignored=3,
                                        words_with_unknown_chars=4,
                                        unknown_chars_removed=7,
                                        words_too_short=3,
                                        words_truncated=1,
                                        words_kept=6)
    assert len(dataset) == 2
    first, second = dataset.get_data_info(0), dataset.get_data_info(1)
    assert first['img_path'] == osp.join('imgs', 'a.jpg')
    assert (first['height'], first['width']) == (20, 30)
    assert first['instances'] == [
        dict(text=t, ignore=False, bbox_label=0)
        for t in ['Hello', 'caf', 'abcd', 'A' * 24]
    ]
    assert second['img_path'] == osp.join('imgs', 'd.jpg')
    assert [i['text'] for i in second['instances']] == ['x', 'ok!']
    assert dataset.metainfo['task_name'] == 'textspotting'


def test_min_len_max_len_lowercase(tmp_path):
    dict_file = tmp_path / 'lower.txt'
    dict_file.write_text(''.join(f'{c}\n' for c in 'abcdefghijklmnopqrstuvwxyz'))
    ann = write_ann(tmp_path / 'ann.json', [
        dict(img_path='a.jpg',
             instances=[
                 dict(text='Hello'),
                 dict(text='x'),
                 dict(text='OK!'),
                 dict(text='abcdefgh')
             ])
    ])
    dataset = OCLIPPretrainDataset(ann_file=ann,
                                   dict_file=str(dict_file),
                                   max_text_len=5,
                                   min_word_len=2,
                                   lowercase=True,
                                   serialize_data=False,
                                   pipeline=[])
    texts = [i['text'] for i in dataset.get_data_info(0)['instances']]
    assert texts == ['hell', 'ok', 'abcd']
    assert dataset.filter_stats['words_too_short'] == 1
    assert dataset.filter_stats['words_truncated'] == 2
    assert dataset.filter_stats['words_with_unknown_chars'] == 1
    with pytest.raises(ValueError, match='max_text_len'):
        OCLIPPretrainDataset(ann_file=ann, max_text_len=1)
    with pytest.raises(ValueError, match='min_word_len'):
        OCLIPPretrainDataset(ann_file=ann, min_word_len=0)


@pytest.mark.parametrize('entry, reason', [
    (dict(instances=[dict(text='a')]), 'img_path'),
    (dict(img_path='b.jpg', instances=dict(text='a')), 'instances'),
    (dict(img_path='b.jpg'), 'instances'),
    (dict(img_path='b.jpg', instances=[dict(text='a'), dict(text=None)
                                       ]), r'instances\[1\]: "text"'),
    (dict(img_path='b.jpg', instances=[dict(text=3)]), r'instances\[0\]: "text"'),
    (dict(img_path='b.jpg', instances=['a']), r'instances\[0\] must be a dict'),
])
def test_malformed_entries(tmp_path, entry, reason):
    ann = write_ann(tmp_path / 'bad.json',
                    [dict(img_path='a.jpg', instances=[dict(text='a')]), entry])
    with pytest.raises(ValueError, match=rf'bad\.json: data_list\[1\]: .*{reason}'):
        OCLIPPretrainDataset(ann_file=ann)


def test_pipeline_end_to_end(tmp_path):
    init_default_scope('mmocr')
    (tmp_path / 'imgs').mkdir()
    rng = np.random.default_rng(0)
    for name in ('a.jpg', 'd.jpg'):
        img = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
        cv2.imwrite(str(tmp_path / 'imgs' / name), img)
    write_ann(tmp_path / 'ann.json', hand_made_data_list())
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadOCRAnnotations', with_text=True),
        dict(type='SampleTextInstances', max_instances=3),
        dict(type='TorchVisionWrapper',
             op='RandomResizedCrop',
             size=512,
             scale=(0.95, 1.0),
             interpolation=3),
        dict(type='PackOCLIPInputs')
    ]
    dataset = OCLIPPretrainDataset(data_root=str(tmp_path),
                                   ann_file='ann.json',
                                   data_prefix=dict(img_path='imgs'),
                                   pipeline=pipeline)
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 512, 512)
    texts = sample['data_samples'].gt_instances.texts
    assert len(texts) == 3
    words = ['Hello', 'caf', 'abcd', 'A' * 24]
    assert sorted(texts, key=words.index) == texts
    meta = sample['data_samples'].metainfo
    assert meta['img_path'] == osp.join(str(tmp_path), 'imgs', 'a.jpg')
    assert meta['ori_shape'] == (40, 60) and meta['img_shape'] == (512, 512)
    assert dataset[1]['data_samples'].gt_instances.texts == ['x', 'ok!']
