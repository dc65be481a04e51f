import gc
import io
import json
from unittest import mock

import numpy as np
import pytest
from mmengine.dataset import BaseDataset

from mmocr_oclip.datasets import OCLIPPretrainDataset
from mmocr_oclip.datasets.lean_annotation_loader import (AnnotationJSONError,
                                                         LeanAnnotationLoaderMixin,
                                                         iter_annotation_file)


def document(num=40):
    rng = np.random.default_rng(0)
    return dict(metainfo=dict(task_name='textspotting',
                              scale=[1.5, -2e-3, 1e5],
                              note='a"b\\ é',
                              flag=None),
                data_list=[
                    dict(img_path=f'imgs/{i}/é_{i}.jpg',
                         instances=[
                             dict(text=f'w{j}"é',
                                  polygon=(rng.normal(size=8) *
                                           10.0**rng.integers(-6, 6)).tolist(),
                                  ignore=bool(j % 2)) for j in range(i % 4)
                         ]) for i in range(num)
                ],
                extra=12345678901234567890)


def read(text, chunk_chars):
    items = list(iter_annotation_file(io.StringIO(text), 'ann.json', chunk_chars))
    entries = [value for key, value in items if key == 'data_list']
    others = {key: value for key, value in items if key != 'data_list'}
    return entries, others


@pytest.mark.parametrize('chunk_chars', [1, 2, 3, 7, 64, 1 << 22])
@pytest.mark.parametrize('indent', [None, 2])
def test_stream_equals_json_load(chunk_chars, indent):
    doc = document()
    # data_list before metainfo, non-ASCII or escaped, numbers cut by chunks
    text = json.dumps(dict(data_list=doc['data_list'],
                           metainfo=doc['metainfo'],
                           extra=doc['extra']),
                      indent=indent,
                      ensure_ascii=indent is None)
    entries, others = read(text, chunk_chars)
    assert entries == doc['data_list']
    assert others == dict(metainfo=doc['metainfo'], extra=doc['extra'])


def test_empty_data_list():
    assert read('{"metainfo": {}, "data_list": [ ]}', 2) == ([], dict(metainfo={}))


@pytest.mark.parametrize('text', [
    '{"metainfo": {},\n "data_list": [\n  {"img_path": "a.jpg",}\n]}',
    '{"metainfo": {},\n "data_list": [\n  {"img_path": "a.jpg"} {}\n]}',
    '{"metainfo": {}, "data_list": [1, 2.5e]}',
    '{"metainfo": {}, "data_list": []}\n x',
    '{"metainfo": {}, "data_list": [], }',
    '{"metainfo": {}, "data_list": ["abc',
])
@pytest.mark.parametrize('chunk_chars', [1, 5, 1000])
def test_invalid_json_is_located_as_json_does(text, chunk_chars):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(AnnotationJSONError) as error:
        read(text, chunk_chars)
    e = error.value
    assert str(e).startswith(f'ann.json, line {e.lineno}, column {e.colno}: '
                             'invalid JSON: ')
    assert e.lineno == expected.value.lineno
    # json reports some errors where the bad value starts, we where it breaks
    assert abs(e.pos - expected.value.pos) <= 5


@pytest.mark.parametrize('text, reason', [
    ('[{"a": 1}]', 'not a JSON object'),
    ('{"metainfo": {}, "data_list": {}}', 'data_list must be an array'),
    ('{"metainfo": {}}', 'missing top-level key.*data_list'),
    ('{"data_list": []}', 'missing top-level key.*metainfo'),
])
def test_structure_errors_name_the_file(text, reason):
    with pytest.raises(ValueError, match=f'ann.json: {reason}'):
        read(text, 4)


@pytest.mark.parametrize('serialize_data', [True, False])
def test_dataset_same_as_mmengine_loading(tmp_path, serialize_data):
    path = tmp_path / 'ann.json'
    doc = document(300)
    path.write_text(json.dumps(doc), encoding='utf-8')
    patches = dict(load_data_list=BaseDataset.load_data_list,
                   _serialize_data=BaseDataset._serialize_data)
    with mock.patch.multiple(LeanAnnotationLoaderMixin, **patches):
        stock = OCLIPPretrainDataset(ann_file=str(path),
                                     pipeline=[],
                                     serialize_data=serialize_data)
    assert gc.isenabled()
    lean = OCLIPPretrainDataset(ann_file=str(path),
                                pipeline=[],
                                serialize_data=serialize_data)
    assert gc.isenabled()
    assert lean.filter_stats == stock.filter_stats
    assert len(lean) == len(stock) > 0
    assert lean.metainfo == stock.metainfo
    assert lean.metainfo['scale'] == doc['metainfo']['scale']
    assert [lean.get_data_info(i) for i in range(len(lean))
            ] == [stock.get_data_info(i) for i in range(len(stock))]
    if serialize_data:
        np.testing.assert_array_equal(lean.data_bytes, stock.data_bytes)
        np.testing.assert_array_equal(lean.data_address, stock.data_address)
        assert lean.data_list == []
    subset = lean.get_subset([2, 0])
    assert [subset.get_data_info(i)['img_path']
            for i in range(2)] == [stock.get_data_info(i)['img_path'] for i in (2, 0)]


def test_gc_restored_after_an_error(tmp_path):
    path = tmp_path / 'bad.json'
    path.write_text('{"metainfo": {}, "data_list": [{"img_path": 1}]}')
    with pytest.raises(ValueError, match='img_path'):
        OCLIPPretrainDataset(ann_file=str(path), pipeline=[])
    assert gc.isenabled()
