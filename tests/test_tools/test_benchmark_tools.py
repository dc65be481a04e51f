import re

import pytest
from mmengine.config import Config

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from helpers.data import oclip_dataloader
from helpers.processes import load_tool

NUMBER = r'([0-9.]+)'


def number(pattern, text):
    """The number captured by ``pattern`` (which has one NUMBER group)."""
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f'{pattern!r} not found in:\n{text}'
    return float(match.group(1))


@pytest.fixture(scope='module')
def tiny_config(tmp_path_factory, tiny_oclip_template):
    """A config file of the tiny OCLIP on 6 rendered 64x64 images."""
    root = tmp_path_factory.mktemp('bench')
    render_dataset(str(root / 'data'), 6, img_size=(64, 64), words_per_image=(1, 4))
    pipeline = [
        dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
        dict(type='LoadOCRAnnotations',
             with_text=True,
             with_bbox=False,
             with_polygon=False,
             with_label=False),
        dict(type='SampleTextInstances', max_instances=4),
        dict(type='Resize', scale=(64, 64), keep_ratio=False),
        dict(type='PackOCLIPInputs'),
    ]
    cfg = Config(
        dict(default_scope='mmocr',
             custom_imports=dict(imports=['mmocr_oclip'], allow_failed_imports=False),
             model=tiny_oclip_template,
             train_dataloader=oclip_dataloader(root / 'data', pipeline, shuffle=True),
             optim_wrapper=dict(type='OptimWrapper',
                                optimizer=dict(type='AdamW', lr=1e-4))))
    path = str(root / 'tiny_oclip.py')
    cfg.dump(path)
    return path


def test_benchmark_pretrain_prints_every_number(tiny_config, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    tool.main([tiny_config, '--iters', '2', '--warmup', '1'])
    out = capsys.readouterr().out
    step = number(rf'^s/iter \(median\): {NUMBER}$', out)
    assert number(rf'^warm-up steps \(s\): {NUMBER}$', out) > 0  # one warm-up step
    img_per_s = number(rf'^images/s: {NUMBER}$', out)
    data = number(rf'^data time \(median s/iter\): {NUMBER} ', out)
    compute = number(rf'^compute time \(median s/iter\): {NUMBER}$', out)
    rss = number(rf'^peak RSS \(ru_maxrss\): {NUMBER} GiB$', out)
    forward = number(
        rf'^forward FLOPs per image \(mode=loss, input 3x64x64\): '
        rf'{NUMBER} GFLOP$', out)
    backward = number(rf'^backward FLOPs per image: {NUMBER} GFLOP$', out)
    step_flops = number(
        rf'^train step FLOPs per image \(forward \+ backward, '
        rf'counted\): {NUMBER} GFLOP$', out)
    achieved = number(rf'^achieved GFLOP/s: {NUMBER}$', out)
    assert step > 0 and compute > 0 and data >= 0 and rss > 0.1
    assert 'batch size 2' in out and 'note:' not in out
    # two steps of two images
    assert img_per_s == pytest.approx(2 / step, rel=0.5)
    assert 0 < forward < 1
    # backward: gradients of activations and of weights, ~2x the forward
    assert 1.2 * forward < backward < 2.5 * forward
    assert step_flops == pytest.approx(forward + backward, abs=2e-4)
    assert achieved == pytest.approx(step_flops * img_per_s, rel=0.02, abs=0.01)


def test_flops_grow_with_image_size_and_loss_costs_more(tiny_config, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    pattern = rf'^forward FLOPs per image \(mode=(\w+), input 3x(\d+)x(\d+)\): {NUMBER}'
    flops = {}
    for mode, size in (('loss', '64'), ('tensor', '64'), ('tensor', '128')):
        tool.main([
            tiny_config, '--iters', '1', '--warmup', '0', '--flops-mode', mode,
            '--img-size', size, size
        ])
        out = capsys.readouterr().out
        match = re.search(pattern, out, re.MULTILINE)
        assert match.groups()[:3] == (mode, size, size)
        flops[mode, size] = float(match.group(4))
        if mode == 'tensor':
            assert number(
                rf'^train step FLOPs per image \(3 x forward\): '
                rf'{NUMBER} GFLOP$', out) == pytest.approx(3 * flops[mode, size],
                                                           abs=2e-4)
        assert ('note: FLOPs counted at 3x128x128, the first training batch is '
                '2x3x64x64' in out) == (size == '128')
    assert flops['loss', '64'] > flops['tensor', '64'] > 0
    # the backbone's convolutions dominate: ~4x for 2x the side
    assert 3.5 < flops['tensor', '128'] / flops['tensor', '64'] < 4.5


def test_benchmark_pretrain_data_only(tiny_config, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    tool.main([
        tiny_config, '--data-only', '--iters', '4', '--warmup', '1', '--num-workers',
        '1'
    ])
    out = capsys.readouterr().out
    assert 'forward FLOPs' not in out
    assert number(r'^data only: (\d+) images', out) == 8
    img_per_s = number(rf'^images/s: {NUMBER}$', out)
    assert number(rf'^images/s per worker: {NUMBER} \(1 workers\)$',
                  out) == pytest.approx(img_per_s, abs=0.01)


def test_benchmark_dataset_index(tmp_path, capsys):
    scale = load_tool('tools/analysis_tools/synthtext_scale_annotations.py')
    ann = str(tmp_path / 'ann.json')
    scale.main([ann, '--num-images', '150', '--with-geometry'])
    words = int(number(r'150 images, (\d+) words', capsys.readouterr().out))
    tool = load_tool('tools/analysis_tools/benchmark_dataset_index.py')
    for extra in ([], ['--stock-json']):
        tool.main([ann, '--num-workers', '2', '--batch-size', '16'] + extra)
        out = capsys.readouterr().out
        assert 'indexed 150 images' in out
        for stage in ('load \\+ parse', 'serialize', 'indexing'):
            assert number(rf'^{stage}: {NUMBER} s, peak RSS [0-9.]+ GiB$', out) >= 0
        assert f'data info pass: 150 images, {words} words' in out
        assert number(r'^data loader pass: (\d+) images in 10 batches', out) == 150
        workers = re.findall(
            r'^worker \d+: rss ([0-9.]+) GiB, pss [0-9.]+ GiB, '
            r'private ([0-9.]+) GiB, peak_rss [0-9.]+ GiB$', out, re.MULTILINE)
        assert len(workers) == 2
        # forked workers share the imported modules and the serialized data list
        assert all(float(private) < float(rss) / 2 for rss, private in workers)


def test_benchmark_pretrain_synthetic_needs_no_data(tiny_config, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    # the config's data root is never read: its annotation file is moved away
    tool.main([
        tiny_config, '--synthetic', '--img-size', '64', '64', '--words-per-image', '3',
        '--batch-size', '3', '--iters', '2', '--warmup', '0', '--cfg-options',
        'train_dataloader.dataset.ann_file=missing.json'
    ])
    out = capsys.readouterr().out
    assert 'batch size 3, 0 workers, fp32' in out
    assert 'input 3x64x64' in out and 'note:' not in out


def test_benchmark_pretrain_amp_needs_a_gpu(tiny_config, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    for flag in (['--amp'], ['--amp-check', '3']):
        with pytest.raises(SystemExit) as exc:
            tool.parse_args([tiny_config] + flag)
        assert exc.value.code == 2
        assert 'need a GPU' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.parse_args([tiny_config, '--amp-check', '0'])
    assert '--amp-check must be >= 1' in capsys.readouterr().err


def test_amp_check_compares_every_step(tiny_config, capsys, monkeypatch):
    """The comparison and its verdict (the steps themselves need a GPU)."""
    tool = load_tool('tools/analysis_tools/benchmark_pretrain.py')
    cfg = tool.build_cfg(tool.parse_args([tiny_config, '--synthetic']))
    runs = {False: ([2.0, 1.5, 1.0], None), True: ([2.0, 1.52, 1.0], 1024.0)}
    monkeypatch.setattr(
        tool, 'step_losses',
        lambda c, batch_list, seed: runs[c.optim_wrapper.type == 'AmpOptimWrapper'])
    args = tool.parse_args([tiny_config, '--amp-tol', '0.02'])
    args.amp_check = 3
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmocr')
    assert tool.run_amp_check(cfg, Runner.build_dataloader(cfg.train_dataloader), args)
    out = capsys.readouterr().out
    assert '   2    1.50000   1.52000  1.33e-02' in out
    assert 'final AMP loss scale: 1024' in out and ': OK' in out
    runs[True] = ([2.0, float('nan'), 1.0], 1024.0)
    assert not tool.run_amp_check(cfg, Runner.build_dataloader(cfg.train_dataloader),
                                  args)
    assert 'FAILED (non-finite losses)' in capsys.readouterr().out
