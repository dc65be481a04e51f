"""End-to-end WeCromCL stage 1: `mim train` of the demo config on rendered data,
iteration-based `--resume`, `mim test` with the anchor-point metric, fine-tuning
through the paper's fine-tuning config, and the pre-trained ResNet-50 loading into
MMOCR's stock ResNet-50 PSENet with no renaming."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmocr.registry import MODELS

from helpers import REPO
from helpers.data import render_train_test
from helpers.processes import latest, mim

pytestmark = pytest.mark.slow
DEMO = 'configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py'
FINETUNE = osp.join(REPO, 'configs/pretrain/wecromcl_r50_1xb4-80k_icdar2015.py')
STOCK_PSENET = 'mmocr::textdet/psenet/psenet_resnet50_fpnf_600e_icdar2015.py'


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    """Rendered train/test sets and a negatives vocabulary of the train words."""
    root = tmp_path_factory.mktemp('rendered')
    render_train_test(root, 24, 4, img_size=(96, 96), font_size=(14, 30))
    subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools/build_vocabulary.py'), '--ann-files',
        str(root / 'textspotting_train.json'), '--out',
        str(root / 'vocab.txt'), '--lowercase', '--dict-file', 'lowercase_68.txt',
        '--min-len', '1'
    ],
                   check=True)
    return root


def small_run_options(root, max_iters):
    return [
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        f'train_dataloader.collate_fn.sampler.vocab_file={root}/vocab.txt',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'val_dataloader.num_workers=0',
        'test_dataloader.num_workers=0', f'train_cfg.max_iters={max_iters}',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1'
    ]


@pytest.fixture(scope='module')
def pretrained(rendered, tmp_path_factory):
    """A 2-iteration run of the demo config launched outside the repository."""
    cwd = tmp_path_factory.mktemp('elsewhere')
    work = cwd / 'wecromcl'
    log = mim('train',
              'mmocr_oclip',
              DEMO,
              '--work-dir',
              str(work),
              '--cfg-options',
              *small_run_options(rendered, 2),
              cwd=str(cwd))
    assert 'anchor/hmean' in log
    return cwd, work


def test_resume_continues_from_the_iteration(pretrained, rendered):
    cwd, work = pretrained
    assert (work / 'iter_2.pth').is_file()
    log = mim('train',
              'mmocr_oclip',
              DEMO,
              '--work-dir',
              str(work),
              '--resume',
              '--cfg-options',
              *small_run_options(rendered, 4),
              cwd=str(cwd))
    assert 'resumed epoch: 0, iter: 2' in log
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [4/4]' in log
    assert 'Iter(train) [1/4]' not in log and 'Iter(train) [2/4]' not in log
    assert (work / 'iter_4.pth').is_file()


def test_mim_test_reports_the_anchor_point_metric(pretrained, rendered):
    cwd, work = pretrained
    log = mim('test',
              'mmocr_oclip',
              DEMO,
              '--checkpoint',
              latest(work),
              '--work-dir',
              str(cwd / 'test'),
              '--cfg-options',
              *small_run_options(rendered, 2),
              cwd=str(cwd))
    for key in ('anchor/precision', 'anchor/recall', 'anchor/hmean',
                'anchor/best_hmean', 'anchor/inside_hmean'):
        assert key in log


def test_finetuning_config_runs_from_the_pretrained_checkpoint(
        pretrained, rendered, tmp_path):
    """The paper's fine-tuning config (schedule, data, metric) with the demo's
    model and a 96-pixel scale, from the pre-training checkpoint."""
    cwd, work = pretrained
    cfg = Config.fromfile(FINETUNE)
    cfg.model = Config.fromfile(osp.join(REPO, DEMO)).model
    pipeline = cfg.train_dataloader.dataset.pipeline
    resize = next(t for t in pipeline if t.type == 'RandomShortSideResize')
    resize.short_sides, resize.max_long_side = (64, 96), 96
    for t in cfg.val_dataloader.dataset.pipeline:
        if t.type == 'Resize':
            t.scale = (96, 96)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.load_from = latest(work)
    path = tmp_path / 'finetune.py'
    cfg.dump(str(path))
    log = mim('train',
              'mmocr_oclip',
              str(path),
              '--work-dir',
              str(tmp_path / 'ft'),
              '--cfg-options',
              *small_run_options(rendered, 2),
              cwd=str(cwd))
    assert 'Load checkpoint from' in log and 'anchor/hmean' in log
    assert (tmp_path / 'ft' / 'iter_2.pth').is_file()


def test_backbone_loads_into_stock_resnet50_psenet_without_renaming(tmp_path):
    """A full-width WeCromCL ResNet-50 -> MMOCR's stock ResNet-50 PSENet through
    init_cfg=dict(type='Pretrained', prefix='backbone.'): every tensor equal."""
    cfg = Config.fromfile(osp.join(REPO, DEMO)).model
    cfg.backbone.base_channels = 64
    cfg.neck[0].in_channels = [256, 512, 1024, 2048]
    model = MODELS.build(cfg)
    model.init_weights()
    ckpt = tmp_path / 'wecromcl.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)

    user_cfg = tmp_path / 'stock_psenet.py'  # inherited as a user's project would
    user_cfg.write_text(f"_base_ = ['{STOCK_PSENET}']\n")
    det_cfg = Config.fromfile(str(user_cfg)).model
    det_cfg.backbone.init_cfg = dict(type='Pretrained',
                                     checkpoint=str(ckpt),
                                     prefix='backbone.')
    detector = MODELS.build(det_cfg)
    detector.init_weights()
    ours = model.backbone.state_dict()
    theirs = detector.backbone.state_dict()
    assert ours.keys() == theirs.keys()
    for key, value in ours.items():
        assert torch.equal(value, theirs[key]), key
    # and the stock detector runs on it
    detector.eval()
    with torch.no_grad():
        out = detector(torch.rand(1, 3, 64, 64), mode='tensor')
    assert out.dim() == 4 and out.shape[0] == 1


def test_synthtext_pretraining_config_runs(rendered, tmp_path):
    """The paper's pre-training config itself (full model, 640 px, SGD, poly,
    iteration loop, English negatives) for one iteration of batch 2."""
    log = mim('train',
              'mmocr_oclip',
              'configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py',
              '--work-dir',
              str(tmp_path / 'synthtext'),
              '--cfg-options',
              f'train_dataloader.dataset.data_root={rendered}',
              'train_dataloader.batch_size=2',
              'train_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False',
              'model.backbone.init_cfg=None',
              'train_cfg.max_iters=1',
              'default_hooks.checkpoint.interval=1',
              'default_hooks.logger.interval=1',
              cwd=str(tmp_path))
    assert 'Iter(train) [1/1]' in log and 'loss:' in log
    assert (tmp_path / 'synthtext' / 'iter_1.pth').is_file()
