"""Two-process CPU (gloo) training of a tiny oCLIP through tools/dist_train.sh:
it finishes, writes a checkpoint with both ranks' generators, and resumes."""
import os.path as osp
import subprocess

import pytest
import torch
from helpers import (REPO, free_port, read_losses, render_tiny_dataset, train_env,
                     write_tiny_config)

pytestmark = pytest.mark.slow


def dist_train(config, work_dir, *args, cwd):
    proc = subprocess.run([
        osp.join(REPO, 'tools', 'dist_train.sh'), config, '2', '--work-dir',
        str(work_dir), *args
    ],
                          env=train_env(PORT=str(free_port())),
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_two_process_gloo_training_checkpoints_and_resumes(tmp_path):
    render_tiny_dataset(tmp_path / 'data')
    config = write_tiny_config(tmp_path / 'tiny.py',
                               tmp_path / 'data',
                               max_epochs=1,
                               val_interval=1)
    work = tmp_path / 'work'
    log = dist_train(config, work, cwd=tmp_path)
    assert 'Distributed training: True' in log
    # 12 images, 4 per rank and step: 2 iterations an epoch
    assert 'Epoch(train) [1][2/2]' in log and 'oclip/i2t_recall@1' in log
    checkpoint = torch.load(work / 'epoch_1.pth', map_location='cpu')
    assert checkpoint['meta']['iter'] == 2
    assert len(checkpoint['rng_state']) == 2  # one per rank

    log = dist_train(config,
                     work,
                     '--resume',
                     '--cfg-options',
                     'train_cfg.max_epochs=2',
                     cwd=tmp_path)
    assert 'resumed epoch: 1, iter: 2' in log
    assert sorted(read_losses(work)) == [3, 4]
    assert (work / 'epoch_2.pth').is_file()
