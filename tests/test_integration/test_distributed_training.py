"""Two-process CPU (gloo) training of a tiny oCLIP through tools/dist_train.sh:
it finishes, writes a checkpoint with both ranks' generators, and resumes; a rank
SIGKILLed mid-epoch ends the job within seconds, naming the rank, and the resume
from the last checkpoint is exact."""
import os
import os.path as osp
import signal
import subprocess
import time

import pytest
import torch

from helpers import REPO
from helpers.processes import free_port
from helpers.training import (read_losses, render_tiny_dataset, start_until, train_env,
                              write_tiny_config)

pytestmark = pytest.mark.slow

# a test-only hook: rank 1 writes its pid to a file and sleeps after a given
# iteration, for the test to SIGKILL it there
PARK_RANK_HOOK = '''
import os
import signal
import time

from mmengine.hooks import Hook
from mmocr.registry import HOOKS


@HOOKS.register_module()
class ParkRankOneHook(Hook):
    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if (os.environ.get('RANK') == '1'
                and runner.iter + 1 == int(os.environ.get('PARK_AFTER_ITER', -1))):
            with open(os.environ['PARK_MARKER'], 'w') as f:
                f.write(str(os.getpid()))
            time.sleep(600)


@HOOKS.register_module()
class SignalRankOneHook(Hook):
    priority = 'NORMAL'  # before PreemptionCheckpointHook

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if (os.environ.get('RANK') == '1'
                and runner.iter + 1 == int(os.environ.get('SIGNAL_AFTER_ITER', -1))):
            os.kill(os.getpid(), signal.SIGTERM)
'''
PARK_RANK_CONFIG = """_base_ = ['./tiny.py']
custom_imports = dict(imports=['mmocr_oclip', 'park_rank_hook'],
                      allow_failed_imports=False)
custom_hooks = [dict(type='RNGStateHook'), dict(type='PreemptionCheckpointHook'),
                dict(type='ParkRankOneHook'), dict(type='SignalRankOneHook')]
"""


def dist_command(config, work_dir, *args):
    return [
        osp.join(REPO, 'tools', 'dist_train.sh'), config, '2', '--work-dir',
        str(work_dir), *args
    ]


def dist_train(config, work_dir, *args, cwd, **env):
    proc = subprocess.run(dist_command(config, work_dir, *args),
                          env=train_env(PORT=str(free_port()), **env),
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


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory):
    """Config (3 epochs of 2 iterations, the test hooks), environment, the
    uninterrupted 2-process run's losses."""
    root = tmp_path_factory.mktemp('dist_faults')
    render_tiny_dataset(root / 'data')
    write_tiny_config(root / 'tiny.py', root / 'data', max_epochs=3)
    (root / 'park_rank_hook.py').write_text(PARK_RANK_HOOK)
    (root / 'parked.py').write_text(PARK_RANK_CONFIG)
    config = str(root / 'parked.py')
    env = dict(PYTHONPATH=str(root))
    dist_train(config, root / 'whole', cwd=root, **env)
    return config, env, read_losses(root / 'whole')


def assert_same_losses(expected, resumed, first):
    assert sorted(resumed) == list(range(first, max(expected) + 1))
    for it in resumed:
        for key in ('loss', 'loss_contrastive', 'loss_mask', 'lr'):
            assert resumed[it][key] == pytest.approx(expected[it][key],
                                                     abs=1e-6), (it, key)


def test_signal_on_one_rank_stops_both_at_the_same_iteration(uninterrupted, tmp_path):
    config, env, expected = uninterrupted
    work = tmp_path / 'work'
    proc = subprocess.run(dist_command(config, work),
                          env=train_env(PORT=str(free_port()),
                                        SIGNAL_AFTER_ITER='3',
                                        **env),
                          cwd=tmp_path,
                          capture_output=True,
                          text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert 'exitcode: 75' in out, out[-3000:]  # torchrun reports the ranks' status
    assert ('training stopped by a signal on another rank after iteration 3; its '
            f'state is in {work}/preempted_iter_3.pth') in out
    checkpoint = torch.load(work / 'preempted_iter_3.pth', map_location='cpu')
    assert checkpoint['meta']['iter'] == 3
    assert len(checkpoint['rng_state']) == len(checkpoint['rng_state_epoch_start']) == 2
    dist_train(config, work, '--resume', cwd=tmp_path, **env)
    assert_same_losses(expected, read_losses(work), first=4)


def test_dead_rank_ends_the_job_and_resume_is_exact(uninterrupted, tmp_path):
    config, env, expected = uninterrupted

    work, marker = tmp_path / 'work', tmp_path / 'rank1.pid'
    with open(tmp_path / 'dead_rank.log', 'w+') as log:
        proc = start_until(
            marker, dist_command(config, work),
            train_env(PORT=str(free_port()),
                      PARK_AFTER_ITER='3',
                      PARK_MARKER=str(marker),
                      **env), tmp_path, log)
        time.sleep(0.5)  # the pid is written
        rank1 = int(marker.read_text())
        os.kill(rank1, signal.SIGKILL)  # mid-epoch 2: rank 0 waits in a collective
        killed = time.time()
        try:
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        ended_after = time.time() - killed
        log.seek(0)
        out = log.read()
    assert proc.returncode != 0
    print(f'the job ended {ended_after:.1f} s after the kill')
    assert ended_after < 40, (ended_after, out[-3000:])
    # torchrun names the rank and the signal
    assert 'local_rank: 1' in out and 'Signal 9 (SIGKILL)' in out, out[-3000:]
    assert (work / 'last_checkpoint').read_text().endswith('epoch_1.pth')

    dist_train(config, work, '--resume', cwd=tmp_path, **env)
    assert_same_losses(expected, read_losses(work), first=3)
