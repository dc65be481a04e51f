"""Bad input in oCLIP pre-training: skipped and counted, or a clear error."""
import copy
import json
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub, MMLogger
from mmengine.runner import IterBasedTrainLoop, Runner
from mmocr.registry import HOOKS, MODELS, TRANSFORMS
from mmocr.structures import TextSpottingDataSample
from torch import nn

from mmocr_oclip.datasets import OCLIPPretrainDataset
from mmocr_oclip.datasets.annotation_file import AnnotationFileError
from mmocr_oclip.datasets.oclip_pretrain_dataset import BadSampleError
from mmocr_oclip.datasets.preparers.rendering import render_dataset
from mmocr_oclip.datasets.transforms import BadImageError
from mmocr_oclip.models.tokenizers import CharacterTokenizer
from mmocr_oclip.models.utils.dictionary_check import (DICTIONARY_KEY,
                                                       DictionaryMismatchError,
                                                       register_dictionary_check)
from helpers.processes import init_gloo

LOAD = dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation')
ANNOTATIONS = dict(type='LoadOCRAnnotations',
                   with_text=True,
                   with_bbox=False,
                   with_polygon=False,
                   with_label=False)
PIPELINE = [
    LOAD, ANNOTATIONS,
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='PackOCLIPInputs')
]


def noise(height, width, seed=0):
    return np.random.RandomState(seed).randint(0, 256, (height, width, 3), np.uint8)


def jpeg_bytes(img):
    return cv2.imencode('.jpg', img)[1].tobytes()


def write_ann(path, img_names, words=('hello', )):
    data_list = [
        dict(img_path=name, instances=[dict(text=w) for w in words])
        for name in img_names
    ]
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(dict(metainfo={}, data_list=data_list), f)
    return str(path)


def build_dataset(tmp_path, img_names, **kwargs):
    kwargs.setdefault('pipeline', PIPELINE)
    return OCLIPPretrainDataset(ann_file=write_ann(tmp_path / 'ann.json', img_names),
                                data_root=str(tmp_path),
                                data_prefix=dict(img_path=''),
                                **kwargs)


def make_bad(tmp_path, case):
    """Write the bad image of ``case``; returns (file name, expected kind)."""
    name = f'{case}.jpg'
    path = tmp_path / name
    if case == 'missing':
        return name, 'missing'
    if case == 'truncated_jpeg':
        data = jpeg_bytes(noise(64, 64))
        path.write_bytes(data[:len(data) * 2 // 3])
        return name, 'truncated'
    if case == 'random_bytes':
        path.write_bytes(np.random.RandomState(1).bytes(2000))
        return name, 'corrupt'
    if case == 'empty_file':
        path.write_bytes(b'')
        return name, 'corrupt'
    if case == 'one_pixel':
        name = 'one_pixel.png'
        cv2.imwrite(str(tmp_path / name), noise(1, 1))
        return name, 'too small'
    if case == 'elongated':
        name = 'elongated.png'
        cv2.imwrite(str(tmp_path / name), noise(20, 10000))
        return name, 'too elongated'
    raise KeyError(case)


BAD_CASES = ('missing', 'truncated_jpeg', 'random_bytes', 'empty_file', 'one_pixel',
             'elongated')


def test_truncated_jpeg_decodes_silently_without_the_check(tmp_path):
    """Why the end-marker check exists: OpenCV returns a grey-filled image."""
    data = jpeg_bytes(noise(64, 64))
    img = cv2.imdecode(np.frombuffer(data[:len(data) * 2 // 3], np.uint8),
                       cv2.IMREAD_COLOR)
    assert img is not None and img.shape == (64, 64, 3)
    (tmp_path / 't.jpg').write_bytes(data[:len(data) * 2 // 3])
    loose = TRANSFORMS.build(dict(LOAD, check_truncation=False))
    assert loose(dict(img_path=str(tmp_path / 't.jpg')))['img'].shape == (64, 64, 3)


@pytest.mark.parametrize('case', BAD_CASES)
def test_bad_image_is_skipped_and_recorded(tmp_path, case):
    name, kind = make_bad(tmp_path, case)
    cv2.imwrite(str(tmp_path / 'good.jpg'), noise(48, 64))
    dataset = build_dataset(tmp_path, [name, 'good.jpg'])
    data = dataset[0]  # the bad one: random other indices until the good one
    assert data['data_samples'].img_path == osp.join(str(tmp_path), 'good.jpg')
    records = data['data_samples'].skipped_samples
    assert len(records) >= 1 and len(set(records)) == 1
    path, got_kind, detail = records[0]
    assert path == osp.join(str(tmp_path), name) and got_kind == kind and detail
    # the records were handed over once
    assert 'skipped_samples' not in dataset[1]['data_samples']


@pytest.mark.parametrize('case', BAD_CASES)
def test_bad_image_raises_naming_the_file(tmp_path, case):
    name, kind = make_bad(tmp_path, case)
    dataset = build_dataset(tmp_path, [name], bad_sample='raise')
    with pytest.raises(BadImageError, match=f'{name}: {kind} image: ') as info:
        dataset[0]
    assert info.value.kind == kind
    # test_mode raises whatever bad_sample says
    dataset = build_dataset(tmp_path, [name], test_mode=True)
    with pytest.raises(BadImageError, match=name):
        dataset[0]


def test_a_failing_transform_is_skipped_or_named(tmp_path):
    """Errors of later transforms too: SampleTextInstances on inconsistent keys."""
    cv2.imwrite(str(tmp_path / 'good.jpg'), noise(48, 64))
    pipeline = [LOAD, ANNOTATIONS, dict(type='SampleTextInstances', max_instances=1)]
    dataset = build_dataset(tmp_path, ['good.jpg'], pipeline=pipeline)
    dataset.pipeline.transforms.insert(2, lambda r: dict(r, gt_bboxes=[]))
    dataset.max_refetch = 3
    with pytest.raises(BadSampleError,
                       match='4 samples in a row failed.*good.jpg: '
                       'ValueError: gt_bboxes has 0 entries'):
        dataset[0]
    assert [r[1] for r in dataset._skipped] == ['ValueError'] * 3
    dataset.bad_sample = 'raise'
    with pytest.raises(BadSampleError, match=r'good\.jpg: ValueError: gt_bboxes'):
        dataset[0]


@pytest.mark.parametrize('kind', ['gray', 'rgba', 'uint16', 'gray16'])
def test_grayscale_rgba_16bit_load_as_bgr_uint8(tmp_path, kind):
    bgr = noise(9, 12)
    if kind == 'gray':
        written = expected = bgr[..., 0]
    elif kind == 'rgba':
        written = np.dstack([bgr, np.full((9, 12), 7, np.uint8)])
        expected = bgr
    else:
        wide = np.random.RandomState(2).randint(0, 65536, (9, 12, 3)).astype(np.uint16)
        wide[0, 0] = 65535
        written = wide[..., 0] if kind == 'gray16' else wide
        expected = (written >> 8).astype(np.uint8)  # scaled, not clipped
    cv2.imwrite(str(tmp_path / 'x.png'), written)
    assert cv2.imread(str(tmp_path / 'x.png'),
                      cv2.IMREAD_UNCHANGED).dtype == written.dtype
    img = TRANSFORMS.build(LOAD)(dict(img_path=str(tmp_path / 'x.png')))['img']
    assert img.dtype == np.uint8 and img.shape == (9, 12, 3)
    if expected.ndim == 2:
        expected = np.repeat(expected[..., None], 3, axis=2)
    np.testing.assert_array_equal(img, expected)
    if kind in ('uint16', 'gray16'):
        assert img.max() == 255 and (img == 255).mean() < 0.1  # clipping: ~all 255


def test_aspect_ratio_and_size_limits_are_options(tmp_path):
    cv2.imwrite(str(tmp_path / 'wide.png'), noise(20, 10000))
    results = dict(img_path=str(tmp_path / 'wide.png'))
    with pytest.raises(BadImageError, match='10000x20 pixels, aspect ratio 500.0'):
        TRANSFORMS.build(LOAD)(dict(results))
    loose = TRANSFORMS.build(dict(LOAD, max_aspect_ratio=None, min_size=20))
    assert loose(dict(results))['img'].shape == (20, 10000, 3)
    with pytest.raises(BadImageError, match='short side below min_size=21'):
        TRANSFORMS.build(dict(LOAD, max_aspect_ratio=None, min_size=21))(results)
    with pytest.raises(ValueError, match='cv2 only'):
        TRANSFORMS.build(dict(LOAD, imdecode_backend='pillow'))
    with pytest.raises(ValueError, match='color_type'):
        TRANSFORMS.build(dict(LOAD, color_type='unchanged'))


def test_word_filters_at_load_time(tmp_path):
    """All-empty / all-unknown images are dropped, long words truncated, many
    words subsampled: counted in filter_stats (never reach the model)."""
    for name in ('empty.jpg', 'unknown.jpg', 'long.jpg', 'many.jpg'):
        cv2.imwrite(str(tmp_path / name), noise(48, 64))
    data_list = [
        dict(img_path='empty.jpg', instances=[dict(text=''),
                                              dict(text=' ')]),
        dict(img_path='unknown.jpg', instances=[dict(text='中文'),
                                                dict(text='é')]),
        dict(img_path='long.jpg', instances=[dict(text='x' * 40)]),
        dict(img_path='many.jpg', instances=[dict(text=f'w{i}') for i in range(50)]),
    ]
    with open(tmp_path / 'ann.json', 'w', encoding='utf-8') as f:
        json.dump(dict(metainfo={}, data_list=data_list), f)
    dataset = OCLIPPretrainDataset(
        ann_file=str(tmp_path / 'ann.json'),
        data_root=str(tmp_path),
        max_text_len=25,
        pipeline=PIPELINE[:2] + [
            dict(type='SampleTextInstances', max_instances=32),
            dict(type='PackOCLIPInputs')
        ])
    stats = dataset.filter_stats
    assert len(dataset) == 2
    assert stats['images_without_words'] == 2
    assert stats['words_too_short'] == 4 and stats['words_with_unknown_chars'] == 3
    assert stats['words_truncated'] == 1
    assert dataset[0]['data_samples'].gt_instances.texts == ['x' * 24]
    texts = dataset[1]['data_samples'].gt_instances.texts
    assert len(texts) == 32 and len(set(texts)) == 32
    assert set(texts) <= {f'w{i}' for i in range(50)}


def test_non_utf8_annotation_file_names_line_and_byte(tmp_path):
    path = tmp_path / 'ann.json'
    path.write_bytes(
        b'{"metainfo": {},\n "data_list": [\n  {"img_path": "caf\xe9.jpg", '
        b'"instances": []}]}\n')
    with pytest.raises(AnnotationFileError,
                       match=r'ann\.json, line 3, byte 20 of the line: not UTF-8 text '
                       r'\(byte 0xe9'):
        OCLIPPretrainDataset(ann_file=str(path), pipeline=[])


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / 'ann.json'
    path.write_text('{"metainfo": {},\n "data_list": [\n  {"img_path": "a.jpg",}\n]}')
    with pytest.raises(ValueError,
                       match=r'ann\.json, line 3, column 24: invalid JSON: Expecting '
                       'property name'):
        OCLIPPretrainDataset(ann_file=str(path), pipeline=[])


def test_bad_sample_option_is_checked(tmp_path):
    with pytest.raises(ValueError, match='bad_sample'):
        build_dataset(tmp_path, ['a.jpg'], bad_sample='ignore')


def test_dictionary_mismatch_fails_loudly(tmp_path, tiny_oclip_cfg):
    ours = MODELS.build(copy.deepcopy(tiny_oclip_cfg))
    assert ''.join(map(chr, ours.dictionary_codes.tolist())) == ''.join(
        chr(c) for c in range(33, 127))
    state = ours.state_dict()
    assert not [k for k in state if k.startswith('backbone.') and 'dictionary' in k]
    # another dictionary: one character more
    other_dict = tmp_path / 'other.txt'
    other_dict.write_text(''.join(f'{chr(c)}\n' for c in range(33, 127)) + 'é\n')
    cfg = copy.deepcopy(tiny_oclip_cfg)
    cfg['tokenizer'] = dict(type='CharacterTokenizer', dict_file=str(other_dict))
    other = MODELS.build(cfg)
    for strict in (True, False):
        with pytest.raises(DictionaryMismatchError,
                           match=r"(?s)checkpoint: 95 characters.*model: 94 "
                           r"characters.*english_94\.txt.*only in the checkpoint: 'é'"):
            ours.load_state_dict(other.state_dict(), strict=strict)
    # the same characters in another order
    swapped = dict(
        state, **{DICTIONARY_KEY: state[DICTIONARY_KEY][[1, 0] + list(range(2, 94))]})
    with pytest.raises(DictionaryMismatchError,
                       match="another order.*token id 1, '\"'"):
        ours.load_state_dict(swapped)
    # through MMEngine's checkpoint loading (which only warns on mis-shaped keys)
    torch.save(dict(state_dict=other.state_dict()), tmp_path / 'other.pth')
    from mmengine.runner import load_checkpoint
    with pytest.raises(DictionaryMismatchError, match='95 characters'):
        load_checkpoint(ours, str(tmp_path / 'other.pth'), strict=False)


def test_old_checkpoint_without_dictionary(tiny_oclip_cfg, tmp_path):
    model = MODELS.build(copy.deepcopy(tiny_oclip_cfg))
    state = {k: v for k, v in model.state_dict().items() if k != DICTIONARY_KEY}
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        model.load_state_dict(state, strict=True)  # loads, with a warning
    finally:
        logger.removeHandler(handler)
    assert any('has no dictionary_codes' in r.getMessage() for r in records)
    assert len(model.dictionary_codes) == 94
    # old checkpoint of another vocabulary size: both sizes named
    other_dict = tmp_path / 'small.txt'
    other_dict.write_text('a\nb\n')
    cfg = copy.deepcopy(tiny_oclip_cfg)
    cfg['tokenizer'] = dict(type='CharacterTokenizer', dict_file=str(other_dict))
    small = {
        k: v
        for k, v in MODELS.build(cfg).state_dict().items() if k != DICTIONARY_KEY
    }
    with pytest.raises(DictionaryMismatchError,
                       match=r'has 5 tokens \(2 characters \+ 3 special\).*gives 97 '
                       r'\(94 characters\)'):
        model.load_state_dict(small, strict=False)
    # a deep copy (EMA) keeps the check
    with pytest.raises(DictionaryMismatchError):
        copy.deepcopy(model).load_state_dict(small, strict=False)


def test_training_skips_bad_images_and_logs_them(tmp_path, tiny_oclip_cfg):
    """A tiny OCLIP run (1 epoch, 1 data worker) with bad images mixed in."""
    root = tmp_path / 'data'
    render_dataset(str(root), 6, img_size=(64, 96), words_per_image=(1, 3))
    ann_file = root / 'textspotting_train.json'
    ann = json.loads(ann_file.read_text())
    bad = {
        'imgs/train/missing.jpg': None,
        'imgs/train/truncated.jpg': jpeg_bytes(noise(64, 96))[:1500],
        'imgs/train/garbage.jpg': b'not an image' * 100,
    }
    for rel, data in bad.items():
        if data is not None:
            (root / rel).write_bytes(data)
        ann['data_list'].append(dict(img_path=rel, instances=[dict(text='bad')]))
    ann_file.write_text(json.dumps(ann))
    pipeline = [
        dict(LOAD, min_size=16), ANNOTATIONS,
        dict(type='SampleTextInstances', max_instances=4),
        dict(type='TorchVisionWrapper',
             op='RandomResizedCrop',
             size=64,
             scale=(0.95, 1.0)),
        dict(type='PackOCLIPInputs')
    ]
    runner = Runner(model=tiny_oclip_cfg,
                    work_dir=str(tmp_path / 'work'),
                    train_dataloader=dict(batch_size=3,
                                          num_workers=1,
                                          persistent_workers=False,
                                          sampler=dict(type='DefaultSampler',
                                                       shuffle=False),
                                          dataset=dict(type='OCLIPPretrainDataset',
                                                       data_root=str(root),
                                                       ann_file=str(ann_file),
                                                       data_prefix=dict(img_path=''),
                                                       pipeline=pipeline)),
                    optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-4)),
                    train_cfg=dict(by_epoch=True, max_epochs=1),
                    custom_hooks=[dict(type='BadSampleLoggerHook', max_listed=2)],
                    default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                                       checkpoint=None),
                    default_scope='mmocr',
                    randomness=dict(seed=0))
    runner.train()
    # each bad image once, and again when a refetch draws it
    info = runner.message_hub.get_info('skipped_samples')
    assert info['count'] >= 3 and info['count'] == len(info['records'])
    assert set(info['kinds']) == {'missing', 'truncated', 'corrupt'}
    assert {osp.basename(r[0])
            for r in info['records']
            } == {'garbage.jpg', 'missing.jpg', 'truncated.jpg'}
    log = next((tmp_path / 'work').glob('*/*.log')).read_text()
    assert info['files'] == 3
    assert 'epoch 1: skipped 3 bad files (' in log
    if info['count'] > 3:
        assert f'; {info["count"]} skips in all, retries counted separately' in log
    assert 'garbage.jpg: corrupt: not a decodable image' in log
    assert 'missing.jpg: missing: no such file' in log
    assert '... and 1 more files' in log
    assert 'skipped_samples: ' in log  # the iteration scalar


class FakeRunner:
    """What BadSampleLoggerHook uses of a Runner."""

    def __init__(self, name, epoch=0, iteration=0):
        self.message_hub = MessageHub.get_instance(name)
        self.epoch, self.iter = epoch, iteration
        self.scalars, self.messages = [], []
        self.visualizer = self
        self.logger = self

    def add_scalars(self, scalars, step):
        self.scalars.append((scalars, step))

    def info(self, message):
        self.messages.append(message)

    warning = info


def batch(*records):
    sample = TextSpottingDataSample()
    if records:
        sample.set_metainfo(dict(skipped_samples=list(records)))
    return dict(data_samples=[sample, TextSpottingDataSample()])


def test_hook_reports_every_interval_for_iteration_schedules():
    hook = HOOKS.build(dict(type='BadSampleLoggerHook', interval=2))
    runner = FakeRunner('bad_iter')
    hook.before_train(runner)
    hook.after_train_iter(runner, 0, batch(('a.jpg', 'missing', 'no such file')))
    assert runner.message_hub.get_scalar('train/skipped_samples').current() == 1
    assert not runner.messages
    runner.iter = 1
    hook.after_train_iter(runner, 1, batch())
    assert runner.messages == [
        'iterations up to 2: skipped 1 bad file (missing: 1):\n'
        '  a.jpg: missing: no such file'
    ]
    assert runner.scalars == [(dict(skipped_samples=1), 2)]
    runner.iter = 3
    hook.after_train_iter(runner, 3, batch())  # iteration 4: an empty report
    runner.iter = 4
    hook.after_train_iter(runner, 4, batch(('b.jpg', 'corrupt', 'x')))
    runner.iter = 5
    hook.after_train(runner)  # the leftover of iteration 5
    assert runner.messages[1] == 'iterations up to 4: no sample skipped'
    assert runner.messages[2].startswith('the last iterations up to 5: skipped 1')
    assert runner.message_hub.get_info('skipped_samples')['records'] == [
        ('b.jpg', 'corrupt', 'x')
    ]


def report_worker(rank, init_file, out_dir):
    init_gloo(rank, init_file, 2)
    import mmocr_oclip  # noqa: F401
    hook = HOOKS.build(dict(type='BadSampleLoggerHook', max_listed=5))
    runner = FakeRunner(f'rank{rank}')
    records = [(f'rank{rank}.jpg', 'missing', 'no such file')] * (rank + 1)
    hook.after_train_iter(runner, 0, batch(*records))
    hook.after_train_epoch(runner)
    with open(osp.join(out_dir, f'{rank}.json'), 'w') as f:
        json.dump(
            dict(info=runner.message_hub.get_info('skipped_samples'),
                 messages=runner.messages), f)
    torch.distributed.destroy_process_group()


def test_hook_gathers_the_ranks(tmp_path):
    """Two gloo processes: every rank reports the records of both."""
    torch.multiprocessing.start_processes(report_worker,
                                          args=(str(tmp_path / 'init'), str(tmp_path)),
                                          nprocs=2,
                                          start_method='fork')
    for rank in range(2):
        out = json.loads((tmp_path / f'{rank}.json').read_text())
        assert out['info']['count'] == 3 and out['info']['files'] == 2
        assert out['info']['kinds'] == {'missing': 2}
        assert out['messages'] == [
            'epoch 1: skipped 2 bad files (missing: 2); 3 skips in all, retries '
            'counted separately (after a bad sample the dataset draws another at '
            'random, which can be a bad file again):\n'
            '  rank0.jpg: missing: no such file\n'
            '  rank1.jpg: missing: no such file (skipped 2 times)'
        ]


def test_hook_counts_files_and_says_retries_are_counted_separately():
    """Two bad files drawn 5 and 3 times: 2 files, 8 skips."""
    hook = HOOKS.build(dict(type='BadSampleLoggerHook'))
    runner = FakeRunner('bad_files')
    hook.before_train(runner)
    hook.after_train_iter(
        runner, 0,
        batch(*[('a.jpg', 'truncated', 'no end marker')] * 5,
              *[('b.jpg', 'missing', 'no such file')] * 3))
    hook.after_train_epoch(runner)
    assert runner.messages == [
        'epoch 1: skipped 2 bad files (truncated: 1, missing: 1); 8 skips in all, '
        'retries counted separately (after a bad sample the dataset draws another '
        'at random, which can be a bad file again):\n'
        '  a.jpg: truncated: no end marker (skipped 5 times)\n'
        '  b.jpg: missing: no such file (skipped 3 times)'
    ]
    info = runner.message_hub.get_info('skipped_samples')
    assert (info['count'], info['files']) == (8, 2)


class TinyTextModel(nn.Module):
    """Another model class adopting the check (as WeCromCL does)."""

    def __init__(self, dict_file=None):
        super().__init__()
        self.tokenizer = CharacterTokenizer(dict_file)
        self.words = nn.ModuleDict(
            dict(embed=nn.Embedding(self.tokenizer.vocab_size, 4)))
        register_dictionary_check(self, self.tokenizer, 'words.embed.weight')


def test_dictionary_check_is_reusable(tmp_path):
    other_dict = tmp_path / 'abc.txt'
    other_dict.write_text('a\nb\nc\n')
    theirs = TinyTextModel(str(other_dict)).state_dict()
    with pytest.raises(DictionaryMismatchError, match='checkpoint: 3 characters'):
        TinyTextModel().load_state_dict(theirs)
    del theirs[DICTIONARY_KEY]
    with pytest.raises(DictionaryMismatchError, match=r'words\.embed\.weight has 6'):
        TinyTextModel().load_state_dict(theirs)
    TinyTextModel(str(other_dict)).load_state_dict(theirs)


def test_hook_reports_by_iterations_under_an_iteration_loop():
    hook = HOOKS.build(dict(type='BadSampleLoggerHook', iter_loop_interval=3))
    runner = FakeRunner('bad_loop')
    runner.train_loop = object.__new__(IterBasedTrainLoop)  # no epochs
    hook.before_train(runner)
    assert hook.interval == 3
