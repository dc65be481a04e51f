import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from mmocr.structures import TextSpottingDataSample

import mmocr_oclip  # noqa: F401  (registers the modules)
from mmocr_oclip.datasets import PackOCLIPInputs, SampleTextInstances


def instance_results(num):
    return dict(gt_texts=[f'w{i}' for i in range(num)],
                gt_ignored=np.zeros(num, dtype=np.bool_),
                gt_bboxes=np.arange(num * 4, dtype=np.float32).reshape(num, 4),
                gt_bboxes_labels=np.arange(num, dtype=np.int64),
                gt_polygons=[np.full(8, i, dtype=np.float32) for i in range(num)])


def kept_indices(results):
    return [int(t[1:]) for t in results['gt_texts']]


def test_sample_text_instances_subset():
    transform = SampleTextInstances(max_instances=4, resample=True)
    draws = [kept_indices(transform(instance_results(10))) for _ in range(200)]
    for kept in draws:
        assert len(kept) == 4 and len(set(kept)) == 4
        assert kept == sorted(kept)
    assert len({tuple(k) for k in draws[:20]}) > 1
    assert set().union(*draws) == set(range(10))
    results = transform(instance_results(10))
    kept = kept_indices(results)
    np.testing.assert_array_equal(results['gt_bboxes_labels'], kept)
    np.testing.assert_array_equal(results['gt_bboxes'][:, 0], np.array(kept) * 4)
    assert [int(p[0]) for p in results['gt_polygons']] == kept
    assert results['gt_ignored'].shape == (4, )


def test_sample_text_instances_seeded_and_small():
    transform = SampleTextInstances(max_instances=3, resample=True)
    np.random.seed(7)
    first = [kept_indices(transform(instance_results(9))) for _ in range(5)]
    np.random.seed(7)
    second = [kept_indices(transform(instance_results(9))) for _ in range(5)]
    assert first == second
    small = dict(gt_texts=['a', 'b', 'c'])
    assert transform(small)['gt_texts'] == ['a', 'b', 'c']
    with pytest.raises(ValueError, match='gt_bboxes has 2 entries'):
        transform(dict(gt_texts=['a', 'b', 'c'], gt_bboxes=np.zeros((2, 4))))
    with pytest.raises(ValueError, match='max_instances'):
        SampleTextInstances(max_instances=0)


def test_sample_text_instances_fixed_per_image_by_default():
    """The authors' rule: one random subset per image, the same every epoch
    (whatever np.random's state), different between images."""
    transform = SampleTextInstances(max_instances=4)

    def draw(path):
        return kept_indices(transform(dict(instance_results(10), img_path=path)))

    first = draw('imgs/a.jpg')
    for seed in range(5):
        np.random.seed(seed)
        assert draw('imgs/a.jpg') == first
    draws = [draw(f'imgs/{i}.jpg') for i in range(200)]
    assert all(len(set(k)) == 4 and k == sorted(k) for k in draws)
    assert len({tuple(k) for k in draws}) > 100
    assert set().union(*draws) == set(range(10))
    other_seed = SampleTextInstances(max_instances=4, seed=1)
    assert any(
        kept_indices(other_seed(dict(instance_results(10), img_path=f'imgs/{i}.jpg')))
        != draws[i] for i in range(10))


@pytest.mark.parametrize('flip', [False, True])
def test_pack_oclip_inputs(flip):
    img = np.random.randint(0, 256, (5, 7, 3), dtype=np.uint8)
    if flip:  # a non-contiguous view, as TorchVisionWrapper returns
        img = img[..., ::-1]
    results = dict(img=img,
                   gt_texts=['ab', 'c'],
                   img_path='x.jpg',
                   img_shape=(5, 7),
                   ori_shape=(10, 14),
                   gt_ignored=np.zeros(2))
    packed = PackOCLIPInputs()(results)
    inputs = packed['inputs']
    assert inputs.dtype == torch.uint8 and inputs.is_contiguous()
    assert torch.equal(inputs, torch.from_numpy(img.transpose(2, 0, 1).copy()))
    sample = packed['data_samples']
    assert isinstance(sample, TextSpottingDataSample)
    assert sample.gt_instances.texts == ['ab', 'c']
    assert set(sample.gt_instances.keys()) == {'texts', 'ignored'}
    assert sample.gt_instances.ignored.tolist() == [False, False]
    assert sample.metainfo == dict(img_path='x.jpg',
                                   img_shape=(5, 7),
                                   ori_shape=(10, 14))


def test_pack_oclip_inputs_gray_and_no_image():
    packed = PackOCLIPInputs(meta_keys=('img_path', ))(dict(img=np.zeros((4, 6),
                                                                         np.uint8),
                                                            gt_texts=['a'],
                                                            img_path='y.jpg'))
    assert tuple(packed['inputs'].shape) == (1, 4, 6)
    packed = PackOCLIPInputs()(dict(gt_texts=[]))
    assert 'inputs' not in packed and packed['data_samples'].gt_instances.texts == []


@pytest.mark.parametrize('crop, shape', [
    (dict(type='TorchVisionWrapper',
          op='RandomResizedCrop',
          size=512,
          scale=(0.95, 1.0),
          interpolation=3), (3, 512, 512)),
    (dict(type='Resize', scale=(64, 64), keep_ratio=True), (3, 40, 64)),
])
def test_crop_in_pipeline(crop, shape):
    init_default_scope('mmocr')
    pipeline = Compose([crop, dict(type='PackOCLIPInputs')])
    img = np.random.randint(0, 256, (50, 80, 3), dtype=np.uint8)
    packed = pipeline(
        dict(img=img, img_shape=(50, 80), ori_shape=(50, 80), gt_texts=['w']))
    assert tuple(packed['inputs'].shape) == shape
    assert packed['data_samples'].img_shape == shape[1:]
