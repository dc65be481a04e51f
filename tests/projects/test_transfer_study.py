"""projects/transfer_study/run_study.py end to end at toy size: rendered "real" images,
oCLIP and WeCromCL pre-training, PSENet from each and from random init of each one's
backbone over two seeds, the report; a second call finds every stage done."""
import json
import os.path as osp

import pytest

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from projects.transfer_study import run_study as study

TOY = [
    'width=4', 'img_size=64', 'pretrain_images=24', 'pretrain_epochs=1',
    'pretrain_batch=8', 'wecromcl_iters=2', 'wecromcl_batch=4', 'finetune_epochs=2',
    'finetune_batch=2', 'val_every=1', 'workers=0', 'words_per_image=[1,3]',
    'pretrain_seed=3', 'font_size=[12,24]',
    'wecromcl_render={"pseudo_words": 20, "words_per_image": [2, 3], '
    '"font_size": [10, 16], "img_size": 96, "num_images": 24}'
]


@pytest.fixture(scope='module')
def real(tmp_path_factory):
    """Stands in for Total-Text: 10 images in MMOCR text-spotting format."""
    root = tmp_path_factory.mktemp('real')
    render_dataset(str(root),
                   10,
                   split='train',
                   seed=3,
                   img_size=(80, 96),
                   words_per_image=(1, 3),
                   font_size=(14, 30))
    return root


def test_prepare_splits_holds_out_the_last_images(real, tmp_path):
    args = study.parse_args([
        str(tmp_path), '--train-ann',
        str(real / 'textspotting_train.json'), '--num-train', '6', '--num-heldout', '3'
    ])
    train, test = study.prepare_splits(args, str(tmp_path))
    names = [
        i['img_path']
        for i in json.load(open(real / 'textspotting_train.json'))['data_list']
    ]
    assert [i['img_path']
            for i in json.load(open(train['ann_file']))['data_list']] == names[:6]
    assert [i['img_path']
            for i in json.load(open(test['ann_file']))['data_list']] == names[-3:]
    assert train['img_root'] == test['img_root'] == str(real)
    # --test-ann scores another set, as given
    args = study.parse_args([
        str(tmp_path), '--train-ann',
        str(real / 'textspotting_train.json'), '--num-train', '6', '--test-ann',
        str(real / 'textdet_train.json'), '--test-img-root', '/x'
    ])
    _, test = study.prepare_splits(args, str(tmp_path))
    assert test == dict(ann_file=str(real / 'textdet_train.json'), img_root='/x')


def test_unknown_setting_is_named(tmp_path):
    args = study.parse_args([str(tmp_path), '--set', 'epochs=3'])
    with pytest.raises(SystemExit, match="unknown setting 'epochs'"):
        study.settings_of(args)


def test_wecromcl_pretrains_on_its_own_set_or_on_oclips(tmp_path):
    s = study.settings_of(study.parse_args([str(tmp_path), '--set', *TOY]))
    assert s['wecromcl_render']['img_size'] == 96
    assert study.wecromcl_data_root(s, 'out') == osp.join('out', 'wecromcl_data')
    cfg = study.wecromcl_config(s, 'out/wecromcl_data', 0)
    resize, = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'RandomShortSideResize'
    ]
    assert resize['short_sides'] == (96, ) and resize['max_long_side'] == 96
    assert cfg.train_dataloader.collate_fn.sampler.vocab_file == osp.join(
        'out/wecromcl_data', 'vocab.txt')
    # wecromcl_render=null: oCLIP's images at the study's size
    s = study.settings_of(
        study.parse_args([str(tmp_path), '--set', *TOY, 'wecromcl_render=null']))
    assert s['wecromcl_render'] is None
    assert study.wecromcl_data_root(s, 'out') == osp.join('out', 'pretrain_data')
    cfg = study.wecromcl_config(s, 'out/pretrain_data', 0)
    resize, = [t for t in cfg.val_dataloader.dataset.pipeline if t['type'] == 'Resize']
    assert resize['scale'] == (64, 64)
    # an English stage needs a first stage on another set
    with pytest.raises(SystemExit, match='english_iters needs wecromcl_render'):
        study.settings_of(
            study.parse_args([
                str(tmp_path), '--set', *TOY, 'wecromcl_render=null',
                'wecromcl_english_iters=5'
            ]))


def test_wecromcl_curriculum_moves_the_reader_on_to_english(tmp_path):
    """wecromcl_english_iters: a second stage on oCLIP's set at the study's size,
    whose checkpoint the fine-tunes start from."""
    s = study.settings_of(
        study.parse_args([str(tmp_path), '--set', *TOY, 'wecromcl_english_iters=5']))
    first, final = study.wecromcl_checkpoints(s, 'out')
    assert first == osp.join('out', 'runs', 'wecromcl', 'iter_2.pth')
    assert final == osp.join('out', 'runs', 'wecromcl_english', 'iter_5.pth')
    cfg = study.wecromcl_config(s, 'out/pretrain_data', 0, english=True)
    assert cfg.train_cfg.max_iters == 5 and cfg.param_scheduler[-1].end == 5
    resize, = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'RandomShortSideResize'
    ]
    assert resize['short_sides'] == (64, )
    assert cfg.train_dataloader.collate_fn.sampler.vocab_file == osp.join(
        'out/pretrain_data', 'vocab.txt')
    # off by default: one stage
    s = study.settings_of(study.parse_args([str(tmp_path), '--set', *TOY]))
    assert study.wecromcl_checkpoints(s, 'out') == (first, first)


@pytest.mark.slow
def test_study_end_to_end_and_resumable(real, tmp_path, capsys):
    out = tmp_path / 'study'
    argv = [
        str(out), '--train-ann',
        str(real / 'textspotting_train.json'), '--num-train', '6', '--num-heldout', '4',
        '--seeds', '0', '1', '--set', *TOY, 'wecromcl_english_iters=2'
    ]
    study.main(argv)
    results = json.load(open(out / 'results.json'))
    for init in ('random', 'oclip', 'random_resnet', 'wecromcl'):
        assert sorted(results[init]['seeds']) == ['0', '1']
        assert 0 <= results[init]['hmean']['mean'] <= 1
    # each pre-training against the random init of its own backbone
    assert set(results['oclip_minus_random']) == {'hmean', 'two_sd'}
    assert set(results['wecromcl_minus_random_resnet']) == {'hmean', 'two_sd'}
    # and its own scores on the held-out rendered images
    assert 0 <= results['wecromcl_pretraining']['anchor/inside_hmean'] <= 1
    assert results['oclip_pretraining']
    table = (out / 'results.md').read_text()
    for init in ('random', 'oclip', 'random_resnet', 'wecromcl'):
        assert f'| {init} | 2 |' in table
    assert 'wecromcl - random_resnet init:' in table
    assert (out / 'curves.png').stat().st_size > 0
    assert (out / 'attention_heldout_0.png').is_file()
    assert (out / 'attention_heldout_0_outlines.png').is_file()
    settings = json.load(open(out / 'settings.json'))
    assert settings['settings']['img_size'] == 64 and settings['seeds'] == [0, 1]
    # the exact configs: each pre-trained run loads its pre-training checkpoint into
    # the backbone that pre-training trained
    config = (out / 'configs' / 'psenet_oclip_s1.py').read_text()
    assert str(out / 'runs' / 'oclip' / 'epoch_1.pth') in config
    assert "type='OCLIPResNet'" in config
    assert "randomness = dict(seed=1)" in config
    # WeCromCL: made-up words, then English words from that model (a curriculum);
    # the fine-tunes start from the English stage
    config = (out / 'configs' / 'psenet_wecromcl_s0.py').read_text()
    assert str(out / 'runs' / 'wecromcl_english' / 'iter_2.pth') in config
    assert "type='mmdet.ResNet'" in config
    config = (out / 'configs' / 'wecromcl_english.py').read_text()
    assert f"load_from = '{out / 'runs' / 'wecromcl' / 'iter_2.pth'}'" in config
    assert str(out / 'pretrain_data' / 'vocab.txt') in config
    # WeCromCL pre-trained on its own rendered set of made-up words; both
    # pre-trainings with pretrain_seed
    config = (out / 'configs' / 'wecromcl_pretrain.py').read_text()
    assert str(out / 'wecromcl_data' / 'vocab.txt') in config
    assert "randomness = dict(seed=3)" in config
    assert "randomness = dict(seed=3)" in (out / 'configs' /
                                           'oclip_pretrain.py').read_text()
    assert len(
        json.load(open(out / 'wecromcl_data' /
                       'textspotting_train.json'))['data_list']) == 24
    config = (out / 'configs' / 'psenet_random_resnet_s0.py').read_text()
    assert "type='mmdet.ResNet'" in config and 'iter_2.pth' not in config
    capsys.readouterr()
    study.main(argv)
    printed = capsys.readouterr().out
    assert 'epoch_1.pth exists, keeping it' in printed
    assert printed.count('iter_2.pth exists, keeping it') == 2
    assert printed.count('finished, keeping it') == 8


def write_finetune_run(work_dir, hmeans, losses, epochs):
    """A finished fine-tuning run as the report reads it: ``epoch_<epochs>.pth``
    and one run folder whose scalars.json holds a validation per epoch and the
    logged training losses."""
    folder = work_dir / '20260101_000000' / 'vis_data'
    folder.mkdir(parents=True)
    rows = [dict(loss=v, iter=i) for i, v in losses]
    rows += [{
        'icdar/hmean': h,
        'icdar/precision': h + 0.1,
        'icdar/recall': h - 0.05,
        'step': e
    } for e, h in enumerate(hmeans, 1)]
    (folder / 'scalars.json').write_text('\n'.join(map(json.dumps, rows)) + '\n')
    (work_dir / f'epoch_{epochs}.pth').write_bytes(b'')


def test_report_picture_titles_legend_and_mean_lines(tmp_path, monkeypatch):
    """curves.png of a report built from synthetic runs: a title naming the model,
    the data and the scored split, one colour per initialisation, a thin line
    per seed and a thick mean line, and a legend naming each initialisation."""
    out = tmp_path / 'study'
    args = study.parse_args([
        str(out), '--train-ann', '/data/totaltext_train/textspotting_train.json',
        '--num-train', '100', '--num-heldout', '20', '--seeds', '0', '1', '2',
        '--inits', 'random_resnet', 'wecromcl', '--set', 'finetune_epochs=2',
        'finetune_batch=10'
    ])
    s = study.settings_of(args)
    runs = {}
    for init, offset in (('random_resnet', 0.0), ('wecromcl', 0.02)):
        for seed in args.seeds:
            work_dir = out / 'runs' / f'psenet_{init}_s{seed}'
            hmeans = [0.05 + offset + 0.01 * seed, 0.10 + offset + 0.01 * seed]
            write_finetune_run(work_dir, hmeans, [(5, 0.6), (10, 0.5), (15, 0.4)], 2)
            runs[(init, seed)] = str(work_dir)
    drawn = []

    def keep(*a, **k):
        drawn.append(study_curves_figure(*a, **k))
        return drawn[-1]

    study_curves_figure = study.curves_figure
    monkeypatch.setattr(study, 'curves_figure', keep)
    study.report_stage(args, s, str(out), runs, dict(oclip='none', wecromcl='none'))
    assert (out / 'curves.png').stat().st_size > 0
    fig, = drawn
    title = fig.get_suptitle()
    assert 'PSENet' in title and 'ResNet-50' in title
    assert 'fine-tuned on 100 Total-Text images' in title
    assert 'the last 20 images' in title and 'never trained on' in title
    ax_h, ax_l = fig.axes
    assert ax_h.get_ylabel().startswith('held-out hmean')
    assert ax_l.get_ylabel().startswith('training loss')
    assert ax_h.get_xlabel() == ax_l.get_xlabel() == 'fine-tuning iteration'
    # 3 thin seed lines + 1 thick mean line per initialisation, on both panels
    for ax in (ax_h, ax_l):
        lines = ax.get_lines()
        assert len(lines) == 2 * (3 + 1)
        widths = sorted(line.get_linewidth() for line in lines)
        assert widths[:6] == [0.8] * 6 and widths[6:] == [2.5, 2.5]
        # one colour per initialisation
        assert len({line.get_color() for line in lines}) == 2
    # the thick hmean line is the mean over the seeds, at epoch * iterations
    mean, = [
        line for line in ax_h.get_lines()
        if line.get_linewidth() == 2.5 and line.get_color() == 'tab:orange'
    ]
    assert list(mean.get_xdata()) == [10, 20]
    assert list(mean.get_ydata()) == pytest.approx([0.08, 0.13])
    legend, = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == [
        'random init (MMDet ResNet-50): mean of 3 seeds (0, 1, 2)',
        'WeCromCL pre-training (MMDet ResNet-50): mean of 3 seeds (0, 1, 2)',
        'thin lines: one seed each'
    ]


def test_picture_title_names_another_test_set(tmp_path):
    args = study.parse_args([
        str(tmp_path), '--train-ann', '/data/my_set/train.json', '--test-ann',
        '/data/totaltext_test/textdet_test.json'
    ])
    s = study.settings_of(args)
    assert study.figure_title(args, s) == (
        'PSENet (ResNet-50 backbones at base width 16, 320 px) fine-tuned on 1,051 '
        'my_set images, by backbone initialisation')
    assert study.split_description(args) == 'Total-Text textdet_test.json'
