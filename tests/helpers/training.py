"""The tiny oCLIP training runs of the training-process tests (subprocesses)."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

from helpers import REPO
from helpers.data import render_train_test

# the tiny oCLIP of the training-process tests, as a config file on rendered
# 64x64 images
OCLIP_DEMO = osp.join(REPO, 'configs', 'pretrain',
                      'oclip_rn50-w16_1xb16-8e_synthetic.py')
TINY_OCLIP_TRAINING = """_base_ = [{base!r}]
img_size = 64
model = dict(backbone=dict(base_channels=4),
             neck=dict(in_channels=128, embed_dim=16, num_heads=4, spatial_size=2),
             text_encoder=dict(width=16, num_layers=1, num_heads=2, embed_dim=16),
             decoder=dict(embed_dim=16, num_layers=1, num_heads=2, spatial_size=2))
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_text=True, with_bbox=False,
         with_polygon=False, with_label=False),
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='TorchVisionWrapper', op='RandomResizedCrop', size=img_size,
         scale=(0.5, 1.0), interpolation=3),
    dict(type='PackOCLIPInputs'),
]
val_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_text=True, with_bbox=False,
         with_polygon=False, with_label=False),
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='PackOCLIPInputs'),
]
train_dataloader = dict(batch_size=4, num_workers={num_workers},
                        persistent_workers=False,
                        dataset=dict(data_root={root!r}, pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, num_workers=0,
                      dataset=dict(data_root={root!r}, pipeline=val_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={max_epochs}, val_interval={val_interval})
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=2),
                     visualization=dict(enable=False))
log_processor = dict(window_size=1)
randomness = dict(seed=0, deterministic=True)
"""


def render_tiny_dataset(root, num_train=12, num_test=4):
    """Render ``num_train`` + ``num_test`` 64x64 images into ``root``."""
    render_train_test(root, num_train, num_test, img_size=(64, 64), font_size=(12, 24))


def write_tiny_config(path, data_root, max_epochs=3, val_interval=2, num_workers=1):
    """Write the tiny oCLIP training config to ``path``, return the path."""
    with open(path, 'w') as f:
        f.write(
            TINY_OCLIP_TRAINING.format(base=OCLIP_DEMO,
                                       root=str(data_root),
                                       max_epochs=max_epochs,
                                       val_interval=val_interval,
                                       num_workers=num_workers))
    return str(path)


def train_env(**extra):
    """The environment of a training subprocess: one thread, the repository
    importable."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', **extra)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO, env.get('PYTHONPATH')) if p)
    env['PATH'] = os.pathsep.join((osp.dirname(sys.executable), env['PATH']))
    return env


def train_command(config, work_dir, *args):
    """``python tools/train.py CONFIG --work-dir WORK_DIR ARGS``."""
    return [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), config, '--work-dir',
        str(work_dir), *args
    ]


# a config over the tiny one (file name BASE) with WeCromCL's kind of loop:
# iterations, an infinite sampler, checkpoints every 3 iterations
TINY_ITER_LOOP = """_base_ = ['./{base}']
train_dataloader = dict(sampler=dict(_delete_=True, type='InfiniteSampler',
                                     shuffle=True))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=8,
                 val_interval=3)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                        begin=0, end=8)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=3))
log_processor = dict(by_epoch=False)
"""


def start_until(marker, command, env, cwd, log):
    """Start ``command`` in a new session (output to the open file ``log``) and
    return the process once ``marker`` exists or the process has ended (300 s
    at most)."""
    proc = subprocess.Popen(command,
                            env=env,
                            cwd=cwd,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 300
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    return proc


def read_losses(work_dir):
    """``{iteration: record}`` of the training records of the latest run in
    ``work_dir`` (``<timestamp>/vis_data/scalars.json``)."""
    runs = sorted(d for d in os.listdir(work_dir)
                  if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    records = {}
    with open(osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')) as f:
        for line in f:
            record = json.loads(line)
            if 'loss' in record:
                records[record['iter']] = record
    return records
