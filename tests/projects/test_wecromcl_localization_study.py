"""projects/wecromcl_localization/run_study.py: the configs it trains, the
scores it reads and the report it writes (the runs themselves are the tools'
own, tested elsewhere)."""
import json
import os
import subprocess
import sys

import pytest

from projects.wecromcl_localization import run_study as study
from helpers import REPO


def test_iterations_must_be_a_multiple_of_the_scoring_interval(tmp_path, capsys):
    with pytest.raises(SystemExit):
        study.parse_args([str(tmp_path), '--iters', '500', '--val-every', '200'])
    assert 'multiple of --val-every' in capsys.readouterr().err


def test_variant_config(tmp_path):
    args = study.parse_args([str(tmp_path), '--iters', '600', '--val-every', '200'])
    cfg = study.study_config('in_image', str(tmp_path / 'data'), 3, args)
    assert cfg.model.in_image_loss == dict(type='InImageWordContrastiveLoss')
    collate = cfg.train_dataloader.collate_fn
    assert collate.in_image_words == 4
    assert collate.sampler.vocab_file == str(tmp_path / 'data' / 'vocab.txt')
    assert cfg.train_dataloader.dataset.data_root == str(tmp_path / 'data')
    assert cfg.val_dataloader.dataset.data_root == str(tmp_path / 'data')
    assert (cfg.train_cfg.max_iters, cfg.train_cfg.val_interval) == (600, 200)
    warmup, poly = cfg.param_scheduler
    assert (warmup.end, poly.begin, poly.end) == (20, 20, 600)
    assert cfg.default_hooks.logger.log_metric_by_epoch is False
    assert cfg.randomness.seed == 3
    # the authors' model: no option merged
    paper = study.study_config('paper', str(tmp_path / 'data'), 0, args)
    assert 'in_image_loss' not in paper.model
    assert 'in_image_words' not in paper.train_dataloader.collate_fn


def test_real_image_config(tmp_path):
    args = study.parse_args(
        [str(tmp_path), '--real-iters', '300', '--real-size', '256'])
    cfg = study.real_config('paper', 1, str(tmp_path), '/imgs', args)
    train = cfg.train_dataloader
    assert train.dataset.ann_file == str(tmp_path / 'train.json')
    assert train.dataset.data_prefix == dict(img_path='/imgs')
    assert train.dataset.min_word_len == 3
    assert train.collate_fn.sampler.vocab_file == str(tmp_path / 'vocab.txt')
    resize = [t for t in train.dataset.pipeline if t.type == 'RandomShortSideResize']
    assert resize[0].short_sides == (256, ) and resize[0].max_long_side == 416
    test = cfg.val_dataloader.dataset
    assert test.ann_file == str(tmp_path / 'heldout.json')
    assert [t.scale for t in test.pipeline if t.type == 'Resize'] == [(416, 256)]
    assert cfg.test_dataloader == cfg.val_dataloader
    assert (cfg.train_cfg.max_iters, cfg.train_cfg.val_interval) == (300, 100)


def write_run(work_dir, rows, folder='20260101_000000'):
    os.makedirs(work_dir / folder / 'vis_data')
    with open(work_dir / folder / 'vis_data' / 'scalars.json', 'w') as f:
        for row in rows:
            f.write(json.dumps(row) + '\n')


def test_real_image_learning_rate_names_the_runs(tmp_path):
    """--real-lr sets the fine-tunes' AdamW rate and ends their names; the report
    reads the runs of the rate it is given, and only those."""
    default = study.parse_args([str(tmp_path), '--real-iters', '300'])
    assert study.real_config('paper', 0, str(tmp_path), '/imgs',
                             default).optim_wrapper.optimizer.lr == 1e-3
    args = study.parse_args([
        str(tmp_path), '--variants', 'paper', '--seeds', '0', '--real-iters', '300',
        '--real-lr', '1e-4'
    ])
    assert study.real_config('paper', 0, str(tmp_path), '/imgs',
                             args).optim_wrapper.optimizer.lr == 1e-4
    assert study.real_label('paper', 0, 'random', args) == \
        'real_paper_s0_from_random_lr0.0001'
    assert study.real_label('paper', 0, 'random', default) == \
        'real_paper_s0_from_random'
    runs = tmp_path / 'runs'
    write_run(runs / 'real_paper_s0_from_rendered_lr0.0001',
              [dict(step=300, **scores(0.3, 0.2, 0.4))])
    write_run(runs / 'real_paper_s0_from_rendered',
              [dict(step=300, **scores(0.1, 0.1, 0.1))])
    rows = study.real_results(str(tmp_path), args)
    assert [(row, s['anchor/inside_hmean']) for row, s in rows
            ] == [(('paper', 0, 'fine-tuned from rendered at lr 0.0001'), 0.3)]


def scores(inside, own, nearest):
    return {
        'anchor/inside_hmean': inside,
        'anchor/own_word_rate': own,
        'anchor/hmean': nearest
    }


def test_scalars_and_report(tmp_path):
    args = study.parse_args([
        str(tmp_path), '--variants', 'paper', '--seeds', '0', '1', '--iters', '400',
        '--val-every', '200'
    ])
    runs = tmp_path / 'runs'
    for seed, final in ((0, 0.5), (1, 0.7)):
        write_run(runs / f'paper_s{seed}', [
            dict(loss=3.0, iter=10, step=10),
            dict(step=200, **scores(0.2, 0.1, 0.4)),
            dict(step=400, **scores(final, final - 0.1, 0.8)),
        ])
        init = runs / f'paper_s{seed}_random_init' / '20260101_000001'
        os.makedirs(init)
        (init / '20260101_000001.json').write_text(json.dumps(scores(0.05, 0.04, 0.4)))
    # a resumed run writes a second folder; both are read, by step
    write_run(runs / 'paper_s1', [dict(step=400, **scores(0.7, 0.6, 0.8))],
              folder='20260102_000000')
    assert [s for s, _ in study.scalars(runs / 'paper_s1')] == [200, 400]
    study.report_stage(str(tmp_path), args)
    table = (tmp_path / 'results.md').read_text()
    # mean of the seeds' final values, random init in brackets
    assert '| paper | w20_k2_3 | 2 | 0.600 (0.050) | 0.500 (0.040) | 0.800 (0.400) |' \
        in table
    results = json.loads((tmp_path / 'results.json').read_text())
    assert [b['iter'] for b in results['paper']['best']] == [400, 400]
    assert (tmp_path / 'curves.png').stat().st_size > 0


def test_report_picture_titles_legend_and_mean_lines(tmp_path, monkeypatch):
    """curves.png of a report built from synthetic runs: a title naming the
    model, the training data and the held-out split, one colour per variant, a
    thin line per seed and a thick mean line, and a legend naming each variant."""
    args = study.parse_args([
        str(tmp_path), '--variants', 'paper', 'in_image', '--seeds', '0', '1',
        '--iters', '400', '--val-every', '200'
    ])
    runs = tmp_path / 'runs'
    for variant, offset in (('paper', 0.0), ('in_image', 0.1)):
        for seed in (0, 1):
            write_run(runs / f'{variant}_s{seed}', [
                dict(step=200, **scores(0.2 + offset, 0.1, 0.4)),
                dict(step=400, **scores(0.4 + offset + 0.2 * seed, 0.3, 0.8)),
            ])
            init = runs / f'{variant}_s{seed}_random_init' / '20260101_000001'
            os.makedirs(init)
            (init / '20260101_000001.json').write_text(
                json.dumps(scores(0.05, 0.04, 0.4)))
    drawn = []
    curves_figure = study.curves_figure
    monkeypatch.setattr(study, 'curves_figure',
                        lambda *a: drawn.append(curves_figure(*a)) or drawn[-1])
    study.report_stage(str(tmp_path), args)
    assert (tmp_path / 'curves.png').stat().st_size > 0
    fig, = drawn
    title = fig.get_suptitle()
    assert title.startswith('WeCromCL stage 1')
    assert '400 iterations on 640 rendered images' in title
    assert '20 made-up words, 2-3 per 192x192 image' in title
    assert '64 held-out rendered images' in title
    assert 'iteration 0: random initialisation' in title
    ax_inside, ax_own = fig.axes
    assert ax_inside.get_ylabel().startswith('held-out inside-H')
    assert ax_own.get_ylabel().startswith('held-out own-word rate')
    for ax in fig.axes:
        assert ax.get_xlabel() == 'training iteration'
        lines = ax.get_lines()
        assert len(lines) == 2 * (2 + 1)  # per variant: 2 seeds + the mean
        assert sorted(line.get_linewidth() for line in lines) == [0.8] * 4 + [2.5] * 2
        assert len({line.get_color() for line in lines}) == 2
    # the mean line starts at the random init (iteration 0) and averages the seeds
    mean = [line for line in ax_inside.get_lines() if line.get_linewidth() == 2.5][1]
    assert list(mean.get_xdata()) == [0, 200, 400]
    assert list(mean.get_ydata()) == pytest.approx([0.05, 0.3, 0.6])
    legend, = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "paper (the authors' model): mean of 2 seeds (0, 1)",
        "in_image (the authors' model + in-image word loss): mean of 2 seeds (0, 1)",
        'thin lines: one seed each'
    ]
    # a curriculum step starts from the --init-from model: iteration 0 is that
    args.init_from = str(tmp_path / 'reads_20_words.pth')
    assert 'iteration 0: the start model reads_20_words.pth' in study.figure_title(args)
    args.variants = ['paper', 'paper_w100']
    assert "each variant's set (legend)" in study.figure_title(args)


def test_curriculum_step_starts_from_a_trained_model(tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit):
        study.parse_args([str(tmp_path), '--init-from', str(tmp_path / 'none.pth')])
    assert 'none.pth' in capsys.readouterr().err
    start = tmp_path / 'reads_20_words.pth'
    start.write_bytes(b'')
    args = study.parse_args([
        str(tmp_path), '--variants', 'paper_w100', '--seeds', '0', '1', '--iters',
        '200', '--val-every', '200', '--init-from',
        str(start)
    ])
    cfg = study.study_config('paper_w100', str(tmp_path / 'data'), 0, args)
    assert cfg.load_from == str(start)
    assert study.DATA_SETS[study.VARIANTS['paper_w100']['data']]['pseudo_words'] == 100
    runs = tmp_path / 'runs'

    def score(work_dir, value):
        folder = work_dir / '20260101_000001'
        os.makedirs(folder)
        (folder / '20260101_000001.json').write_text(
            json.dumps(scores(value, value, value)))

    # the start model is scored once per variant, not once per seed; finished
    # runs and scored random inits are kept
    calls = []

    def fake_run(cmd, logs, label):
        calls.append(label)
        if label == 'paper_w100_test_start':
            score(runs / 'paper_w100_start', 0.2)

    monkeypatch.setattr(study, 'run', fake_run)
    os.makedirs(tmp_path / 'configs')
    for seed, final in ((0, 0.4), (1, 0.6)):
        write_run(runs / f'paper_w100_s{seed}',
                  [dict(step=200, **scores(final, final - 0.1, 0.6))])
        (runs / f'paper_w100_s{seed}' / 'iter_200.pth').write_bytes(b'')
        score(runs / f'paper_w100_s{seed}_random_init', 0.05)
        study.train_stage('paper_w100', seed, str(tmp_path / 'data'), str(tmp_path),
                          args, str(tmp_path))
    assert calls == ['paper_w100_test_start']
    study.report_stage(str(tmp_path), args)
    table = (tmp_path / 'results.md').read_text()
    assert f'Every run started from {start}' in table
    assert (
        '| paper_w100 | w100_k2_3 | 2 | 0.500 (0.050) | 0.400 (0.050) | '
        '0.600 (0.050) | 0.400 (200), 0.600 (200) | 0.200 / 0.200 / 0.200 |') in table
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['paper_w100']['start']['anchor/inside_hmean'] == 0.2


def test_real_image_baseline_starts_from_random_weights(tmp_path, monkeypatch):
    """With --init-from, the real-image runs start from the rendered-data model
    and from random weights, never from the --init-from model."""
    from mmengine.config import Config
    start = tmp_path / 'reads_20_words.pth'
    start.write_bytes(b'')
    ann = tmp_path / 'real.json'
    items = [dict(img_path='a.jpg')] * 3
    ann.write_text(json.dumps(dict(metainfo={}, data_list=items)))
    args = study.parse_args([
        str(tmp_path), '--variants', 'paper_w100', '--iters', '200', '--val-every',
        '200', '--init-from',
        str(start), '--real-ann',
        str(ann), '--real-num-train', '2', '--real-num-heldout', '1', '--real-iters',
        '30'
    ])
    calls = []
    monkeypatch.setattr(study, 'run', lambda cmd, logs, label: calls.append(label))
    rendered = tmp_path / 'runs' / 'paper_w100_s0' / 'iter_200.pth'
    os.makedirs(rendered.parent)
    rendered.write_bytes(b'')
    os.makedirs(tmp_path / 'configs')
    study.real_stage('paper_w100', 0, str(tmp_path), args, str(tmp_path))
    configs = tmp_path / 'configs'
    loaded = [
        Config.fromfile(configs / f'real_paper_w100_s0_from_{s}.py').load_from
        for s in ('rendered', 'random')
    ]
    assert loaded == [str(rendered), None]
    assert calls[-3:] == [
        'real_paper_w100_s0_from_rendered', 'real_paper_w100_s0_from_random',
        'real_paper_w100_s0_rendered_only'
    ]


@pytest.mark.parametrize(
    'module',
    ['projects.transfer_study.run_study', 'projects.wecromcl_localization.run_study'])
def test_commands_run_from_the_repository_root(module):
    """The README's commands: `python -m projects.<study>...` from the root."""
    proc = subprocess.run([sys.executable, '-m', module, '--help'],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'usage:' in proc.stdout
