import string
from itertools import product

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from mmengine.runner import Runner
from mmengine.structures import InstanceData
from mmocr.registry import TASK_UTILS
from mmocr.structures import TextSpottingDataSample

import mmocr_oclip  # noqa: F401  (registers the modules)
from mmocr_oclip.datasets import (NegativeWordSampler, PackOCLIPInputs,
                                  RandomShortSideResize, wecromcl_collate, word_hash,
                                  word_hashes)
from mmocr_oclip.datasets.preparers.rendering import render_dataset
from mmocr_oclip.datasets.wecromcl_collate import _build_sampler
from mmocr_oclip.utils.resources import packaged_dict_file

LOWERCASE_68 = packaged_dict_file('lowercase_68.txt')
VOCAB = [
    'alpha', 'Bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india',
    'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo',
    'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu',
    'ALPHA', 'caf\u00e9', 'dot.com', 'b52s'
]


def char_classes(word):
    return ['L' if c.isalpha() else 'D' if c.isdigit() else 'P' for c in word]


@pytest.fixture
def vocab_file(tmp_path):
    path = tmp_path / 'vocab.txt'
    path.write_text('\n'.join(VOCAB + ['', '  ']) + '\n', encoding='utf-8')
    return str(path)


def test_lowercase_68_dictionary():
    with open(LOWERCASE_68, encoding='utf-8') as f:
        chars = f.read().splitlines()
    assert len(chars) == len(set(chars)) == 68
    assert set(chars) == set(string.ascii_lowercase + string.digits +
                             string.punctuation)


def test_packaged_vocabulary():
    with open(packaged_dict_file('english_vocab.txt'), encoding='utf-8') as f:
        words = f.read().splitlines()
    assert len(words) >= 5000 and len(set(words)) == len(words)
    assert all(w.isalpha() and w.islower() and w.isascii() for w in words)
    assert {len(w) for w in words} <= set(range(3, 13))
    assert {'the', 'file', 'return'} <= set(words)


def test_word_hash_stable_and_case_insensitive():
    # pinned values: the same in every process and run (unlike salted hash())
    assert word_hash('hello') == word_hash('HeLLo') == 9022087748821825191
    assert word_hash('caf\u00e9') == 7194379672080250711
    assert word_hash('hello') != word_hash('hell')
    hashes = word_hashes(['a', 'B', 'b'])
    assert hashes.dtype == torch.long and hashes.shape == (3, )
    assert hashes[1] == hashes[2] != hashes[0] and bool((hashes >= 0).all())
    assert word_hashes([]).shape == (0, )


def test_sampler_vocabulary_filtering(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file,
                                  num_negatives=4,
                                  dict_file='lowercase_68.txt')
    # 'ALPHA' merges into 'alpha'; 'cafe' with an accent is outside the dictionary
    assert len(sampler.words) == len(VOCAB) - 2
    assert 'caf\u00e9' not in set(sampler.words) and 'bravo' in set(sampler.words)
    cased = NegativeWordSampler(vocab_file=vocab_file, num_negatives=4, lowercase=False)
    assert 'Bravo' in set(cased.words) and len(cased.words) == len(VOCAB) - 1
    assert TASK_UTILS.build(dict(type='NegativeWordSampler')).words.size >= 5000


def test_sampler_patterns_never_insert_the_space(vocab_file):
    # the authors' alphabet (wecromcl_69.txt) has the space; a negative's
    # punctuation is never replaced by it
    sampler = NegativeWordSampler(vocab_file=vocab_file,
                                  num_negatives=4,
                                  dict_file='wecromcl_69.txt',
                                  match_char_classes=True)
    assert ' ' not in sampler.alphabets['other']
    assert len(sampler.alphabets['other']) == 32


def test_sampler_never_returns_excluded_words(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file,
                                  num_negatives=16,
                                  dict_file='lowercase_68.txt')
    allowed_total = {w.lower() for w in sampler.words}
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(300):
        # 8 or 12 of the 28 words excluded, in random case, plus the positive
        excluded = rng.choice(sorted(allowed_total), rng.choice([8, 12]), replace=False)
        exclude = {w.upper() if rng.random() < 0.5 else w for w in excluded[1:]}
        negatives = sampler.sample(exclude, positive=excluded[0].title(), rng=rng)
        keys = [w.lower() for w in negatives]
        assert len(negatives) == 16 and len(set(keys)) == 16
        assert not set(keys) & {w.lower() for w in excluded}
        seen.update(keys)
    assert seen == allowed_total
    # exactly num_negatives words left: all of them are returned
    keep = sorted(allowed_total)[:16]
    rest = set(allowed_total) - set(keep)
    assert sorted(sampler.sample(rest, rng=rng)) == keep
    with pytest.raises(ValueError, match='num_negatives=16'):
        sampler.sample(rest | {keep[0].upper()}, rng=rng)
    with pytest.raises(ValueError, match='fewer than num_negatives'):
        NegativeWordSampler(vocab_file=vocab_file, num_negatives=40)


def test_sampler_uniform_and_seeded(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file, num_negatives=2)
    counts = dict.fromkeys((w.lower() for w in sampler.words), 0)
    np.random.seed(3)
    first = [sampler.sample({'alpha'}) for _ in range(50)]
    np.random.seed(3)
    assert first == [sampler.sample({'alpha'}) for _ in range(50)]
    for _ in range(1500):
        for word in sampler.sample({'alpha'}):
            counts[word] += 1
    assert counts.pop('alpha') == 0
    expected = 3000 / len(counts)  # ~107 per word
    assert all(0.6 * expected < n < 1.4 * expected for n in counts.values())


@pytest.mark.parametrize('positive', ['b52s', "it's", 'hello', '2023!', 'x', 'delta'])
def test_sampler_matches_char_classes(vocab_file, positive):
    sampler = NegativeWordSampler(vocab_file=vocab_file,
                                  num_negatives=8,
                                  dict_file=LOWERCASE_68,
                                  match_char_classes=True)
    rng = np.random.default_rng(1)
    charset = set(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = {w.lower() for w in sampler.words}
    for _ in range(20):
        negatives = sampler.sample({positive, 'golf'}, positive=positive, rng=rng)
        assert len(set(negatives)) == 8
        assert positive not in negatives and 'golf' not in negatives
        for word in negatives:
            assert char_classes(word) == char_classes(positive)
            assert set(word) <= charset
        # letter runs are vocabulary words of their length while there are
        # enough (8 five-letter words, 'delta' excluded), then random letters
        if positive == 'hello':
            assert set(negatives) <= vocab
        if positive == 'delta':
            assert len(set(negatives) & vocab) == 7
    assert sampler.pattern_fallbacks == 0


def test_sampler_pattern_fallback_and_case(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file,
                                  num_negatives=12,
                                  dict_file=LOWERCASE_68,
                                  match_char_classes=True)
    rng = np.random.default_rng(2)
    negatives = sampler.sample({'7'}, positive='7', rng=rng)
    assert len(set(negatives)) == 12 and '7' not in negatives
    assert sum(w.isdigit() and len(w) == 1 for w in negatives) == 9
    assert sampler.pattern_fallbacks == 1
    cased = NegativeWordSampler(vocab_file=vocab_file,
                                num_negatives=4,
                                lowercase=False,
                                match_char_classes=True)
    for word in cased.sample({'Tango'}, positive='Tango', rng=rng):
        assert len(word) == 5 and word[0].isupper() and word[1:].islower()


def data_sample(words, name):
    sample = TextSpottingDataSample(metainfo=dict(img_path=name))
    sample.gt_instances = InstanceData(texts=list(words))
    return dict(inputs=torch.zeros(3, 4, 4), data_samples=sample)


def max_distinct(image_words):
    return max(len(set(choice)) for choice in product(*image_words))


def test_collate_positives_distinct_when_possible(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file, num_negatives=4)
    rng = np.random.default_rng(0)
    pool = ['Alpha', 'alpha', 'golf', 'Golf', 'kilo', 'mike', 'zulu']
    shared_total = 0
    for trial in range(300):
        batch = [
            data_sample(rng.choice(pool, rng.integers(1, 4)), f'{trial}_{i}.jpg')
            for i in range(rng.integers(2, 6))
        ]
        images = [[t.lower() for t in b['data_samples'].gt_instances.texts]
                  for b in batch]
        out = wecromcl_collate(batch, sampler=sampler)
        samples = out['data_samples']
        # the sampler's batch is kept, in order
        assert [s.img_path
                for s in samples] == [f'{trial}_{i}.jpg' for i in range(len(batch))]
        assert all(a is b['data_samples'] for a, b in zip(samples, batch))
        positives = [s.positive_text for s in samples]
        shared = [s.positive_shared for s in samples]
        assert len(set(positives)) == max_distinct(images)
        assert sum(shared) == len(batch) - max_distinct(images)
        shared_total += sum(shared)
        for sample, words, positive in zip(samples, images, positives):
            distinct = list(dict.fromkeys(words))
            assert positive in distinct
            assert len(sample.negative_texts) == 4
            assert not set(sample.negative_texts) & set(distinct)
            assert torch.equal(sample.word_hashes, word_hashes(distinct))
            assert sample.positive_hash == word_hash(positive)
    assert shared_total > 0


def test_collate_uniform_and_deterministic(vocab_file):
    sampler_cfg = dict(type='NegativeWordSampler',
                       vocab_file=vocab_file,
                       num_negatives=3)
    _build_sampler.cache_clear()
    counts = dict(golf=0, kilo=0, mike=0)
    np.random.seed(0)
    for _ in range(600):
        out = wecromcl_collate([data_sample(['Golf', 'kilo', 'MIKE'], 'a.jpg')],
                               sampler=sampler_cfg)
        counts[out['data_samples'][0].positive_text] += 1
    assert all(150 < n < 250 for n in counts.values())
    assert _build_sampler.cache_info().misses == 1  # built once

    def run():
        np.random.seed(5)
        out = wecromcl_collate([
            data_sample(['golf', 'kilo'], 'a.jpg'),
            data_sample(['kilo', 'mike', 'zulu'], 'b.jpg')
        ],
                               sampler=sampler_cfg)
        return [(s.positive_text, s.negative_texts) for s in out['data_samples']]

    assert run() == run()
    with pytest.raises(ValueError, match='c.jpg: no word'):
        wecromcl_collate([data_sample([], 'c.jpg')], sampler=sampler_cfg)


@pytest.mark.parametrize('shape, short_sides, max_long, expected', [
    ((300, 500), (640, ), 640, [(640, 384)]),
    ((500, 300), (640, ), 640, [(384, 640)]),
    ((100, 1000), (640, 672), 1280, [(1280, 128)]),
    ((300, 500), (64, 96), 1280, [(128, 64), (160, 96)]),
    ((333, 333), (100, ), 1280, [(128, 128)]),
])
def test_random_short_side_resize(shape, short_sides, max_long, expected):
    transform = RandomShortSideResize(short_sides=short_sides,
                                      max_long_side=max_long,
                                      clip_object_border=False)
    h, w = shape
    polygon = np.array([10, 20, 110, 20, 110, 60, 10, 60], dtype=np.float32)
    seen = set()
    for _ in range(30):
        results = transform(
            dict(img=np.zeros((h, w, 3), np.uint8),
                 img_shape=(h, w),
                 gt_polygons=[polygon.copy()],
                 gt_bboxes=np.array([[10, 20, 110, 60]], dtype=np.float32)))
        new_h, new_w = results['img'].shape[:2]
        seen.add((new_w, new_h))
        assert results['img_shape'] == (new_h, new_w)
        assert new_h % 32 == 0 and new_w % 32 == 0 and max(new_h, new_w) <= max_long
        w_scale, h_scale = results['scale_factor']
        assert (w_scale, h_scale) == (new_w / w, new_h / h)
        scale = np.tile([w_scale, h_scale], 4)
        np.testing.assert_allclose(results['gt_polygons'][0],
                                   polygon * scale,
                                   rtol=1e-5)
        np.testing.assert_allclose(results['gt_bboxes'][0],
                                   polygon[[0, 1, 4, 5]] * scale[:4],
                                   rtol=1e-5)
    assert seen == set(expected)
    with pytest.raises(ValueError, match='short_sides'):
        RandomShortSideResize(short_sides=())


@pytest.mark.parametrize(
    'shape, max_long, authors, nearest',
    [
        ((301, 1000), 640, (672, 224), (640, 224)),  # truncation after rounding S up
        ((640, 700), 1280, (700, 640), (704, 640)),  # short side already S: unchanged
        ((300, 500), 640, (640, 384), (640, 384)),
    ])
def test_random_short_side_resize_rounding(shape, max_long, authors, nearest):
    """WeCromCL's RandomResize rounding (the default) against round-to-nearest."""
    h, w = shape
    for rounding, expected in (('authors', authors), ('nearest', nearest)):
        transform = RandomShortSideResize(short_sides=(640, ),
                                          max_long_side=max_long,
                                          rounding=rounding)
        assert transform.target_size(h, w, 640) == expected, rounding
    with pytest.raises(ValueError, match="rounding must be 'authors' or 'nearest'"):
        RandomShortSideResize(rounding='up')


def test_pack_oclip_inputs_polygons_and_ignored():
    polygons = [np.arange(8, dtype=np.float64), np.arange(12)]
    packed = PackOCLIPInputs()(dict(gt_texts=['a', 'b'],
                                    gt_polygons=polygons,
                                    gt_ignored=np.array([False, True])))
    gt = packed['data_samples'].gt_instances
    assert [p.dtype for p in gt.polygons] == [np.float32, np.float32]
    np.testing.assert_array_equal(gt.polygons[1], np.arange(12))
    assert gt.ignored.dtype == torch.bool and gt.ignored.tolist() == [False, True]
    assert set(PackOCLIPInputs()(
        dict(gt_texts=['a']))['data_samples'].gt_instances.keys()) == {'texts'}


def wecromcl_pipeline(short_sides, max_long_side, blur_prob, jitter_prob):
    """The training pipeline of the configs (probabilities settable)."""
    return [
        dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
        dict(type='LoadOCRAnnotations', with_text=True),
        dict(type='RandomRotateOnCanvas', max_angle=10),
        dict(type='RandomShortSideResize',
             short_sides=short_sides,
             max_long_side=max_long_side),
        dict(type='RandomBlur', prob=blur_prob),
        dict(type='RandomApply',
             transforms=[
                 dict(type='TorchVisionWrapper',
                      op='ColorJitter',
                      brightness=0.5,
                      contrast=0.5,
                      saturation=0.5,
                      hue=0.5)
             ],
             prob=jitter_prob),
        dict(type='PackOCLIPInputs'),
    ]


def test_augmentations_keep_bgr_uint8():
    img = np.zeros((40, 60, 3), np.uint8)
    img[..., 0] = 200  # blue
    pipeline = Compose(wecromcl_pipeline((32, ), 64, 1.0, 0.0)[2:])
    np.random.seed(0)
    inputs = pipeline(dict(img=img, img_shape=(40, 60), gt_texts=['a']))['inputs']
    assert inputs.dtype == torch.uint8 and inputs.shape[1] % 32 == 0
    centre = inputs[:, inputs.shape[1] // 2, inputs.shape[2] // 2]
    assert centre.tolist() == [200, 0, 0]  # blurred but still blue in BGR


def test_training_pipeline_and_collate(tmp_path):
    render_dataset(str(tmp_path),
                   4,
                   img_format='png',
                   img_size=(96, 128),
                   font_size=(14, 24),
                   words_per_image=(2, 4),
                   dict_file=LOWERCASE_68)
    dataloader = dict(batch_size=4,
                      num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      collate_fn=dict(type='wecromcl_collate',
                                      sampler=dict(type='NegativeWordSampler',
                                                   vocab_file='english_vocab.txt',
                                                   dict_file='lowercase_68.txt',
                                                   num_negatives=16,
                                                   match_char_classes=True)),
                      dataset=dict(type='OCLIPPretrainDataset',
                                   data_root=str(tmp_path),
                                   ann_file='textspotting_train.json',
                                   data_prefix=dict(img_path=''),
                                   dict_file=LOWERCASE_68,
                                   lowercase=True,
                                   max_text_len=26,
                                   pipeline=wecromcl_pipeline((64, 96), 160, 1.0, 1.0)))
    batch = next(iter(Runner.build_dataloader(dataloader, seed=0)))
    assert len(batch['inputs']) == len(batch['data_samples']) == 4
    assert [s.img_path[-10:]
            for s in batch['data_samples']] == [f'{i:06d}.png' for i in range(4)]
    for inputs, sample in zip(batch['inputs'], batch['data_samples']):
        assert inputs.dtype == torch.uint8 and inputs.shape[0] == 3
        assert inputs.shape[1] % 32 == 0 and inputs.shape[2] % 32 == 0
        assert min(inputs.shape[1:]) in (64, 96) and max(inputs.shape[1:]) <= 160
        assert tuple(inputs.shape[1:]) == sample.img_shape
        words = sample.gt_instances.texts
        assert words and all(w == w.lower() for w in words)
        assert sample.positive_text in words
        assert len(sample.negative_texts) == 16
        assert not set(sample.negative_texts) & set(words)
        assert sample.word_hashes.shape == (len(set(words)), )
    positives = [s.positive_text for s in batch['data_samples']]
    assert len(set(positives)) == 4  # pseudo words rarely repeat across images


def test_collate_in_image_words(vocab_file):
    sampler = NegativeWordSampler(vocab_file=vocab_file, num_negatives=2)
    np.random.seed(0)
    seen = set()
    for trial in range(50):
        batch = [
            data_sample(['Golf', 'kilo', 'mike', 'golf', 'zulu'], 'a.jpg'),
            data_sample(['alpha'], 'b.jpg'),
            data_sample(['echo', 'lima'], 'c.jpg'),
        ]
        samples = wecromcl_collate(batch, sampler=sampler,
                                   in_image_words=3)['data_samples']
        image_words = [['golf', 'kilo', 'mike', 'zulu'], ['alpha'], ['echo', 'lima']]
        for sample, distinct in zip(samples, image_words):
            texts = sample.in_image_texts
            # up to 3 distinct words of the image, the positive among them
            assert len(texts) == min(3, len(distinct)) == len(set(texts))
            assert set(texts) <= set(distinct)
            assert sample.positive_text in texts
        seen.update(samples[0].in_image_texts)
    assert seen == {'golf', 'kilo', 'mike', 'zulu'}
    plain = wecromcl_collate([data_sample(['golf'], 'a.jpg')], sampler=sampler)
    assert 'in_image_texts' not in plain['data_samples'][0]
    with pytest.raises(ValueError, match='in_image_words must be >= 0'):
        wecromcl_collate([data_sample(['golf'], 'a.jpg')],
                         sampler=sampler,
                         in_image_words=-1)


def test_random_rotate_on_canvas_is_the_authors_rotation():
    """Canvas int(w|sin| + h|cos|) x int(h|sin| + w|cos|), the image centred
    with bilinear interpolation, black corners; the angle from np.random."""
    from mmocr_oclip.datasets.transforms import RandomRotateOnCanvas
    rng = np.random.default_rng(0)
    img = rng.integers(1, 256, (40, 60, 3), dtype=np.uint8)
    transform = RandomRotateOnCanvas(max_angle=10)
    np.random.seed(3)
    np.random.random()  # the probability draw
    angle = np.random.uniform(-10, 10)
    np.random.seed(3)
    out = transform(dict(img=img.copy(), img_shape=(40, 60)))
    sin, cos = abs(np.sin(np.radians(angle))), abs(np.cos(np.radians(angle)))
    size = (int(40 * cos + 60 * sin), int(40 * sin + 60 * cos))
    assert out['img'].shape[:2] == size and out['img_shape'] == size
    assert out['img'][0, 0].tolist() == [0, 0, 0]  # a corner outside the image
    matrix = cv2.getRotationMatrix2D((30, 20), angle, 1)
    matrix[:, 2] += ((size[1] - 60) / 2, (size[0] - 40) / 2)
    expected = cv2.warpAffine(img, matrix, size[::-1], borderValue=(0, 0, 0))
    np.testing.assert_array_equal(out['img'], expected)
    # prob 0: unchanged; boxes or polygons: refused
    still = RandomRotateOnCanvas(prob=0.0)(dict(img=img.copy(), img_shape=(40, 60)))
    np.testing.assert_array_equal(still['img'], img)
    with pytest.raises(ValueError,
                       match='rotates the image only; the results carry '
                       'gt_polygons'):
        transform(dict(img=img, img_shape=(40, 60), gt_polygons=[np.zeros(8)]))
