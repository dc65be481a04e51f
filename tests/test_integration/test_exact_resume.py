"""A run SIGKILLed mid-epoch (mid-interval), or during validation, and restarted
with ``--resume`` reproduces the losses of an uninterrupted run, iteration by
iteration."""
import os
import signal
import subprocess

import pytest

from helpers.training import (TINY_ITER_LOOP, read_losses, render_tiny_dataset,
                              start_until, train_command, train_env, write_tiny_config)

pytestmark = pytest.mark.slow

# a test-only hook that parks the training process after a given iteration (read
# from the environment) and says so in a file, for the test to SIGKILL it there
PARK_HOOK = '''
import os
import time

from mmengine.hooks import Hook
from mmocr.registry import HOOKS


@HOOKS.register_module()
class ParkAfterIterHook(Hook):
    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == int(os.environ.get('PARK_AFTER_ITER', -1)):
            self.park()

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        # in the validation that follows training iteration PARK_IN_VAL_AFTER
        if runner.iter == int(os.environ.get('PARK_IN_VAL_AFTER', -1)):
            self.park()

    def park(self):
        open(os.environ['PARK_MARKER'], 'w').close()
        time.sleep(600)
'''
PARK_CONFIG = """_base_ = ['./tiny.py']
custom_imports = dict(imports=['mmocr_oclip', 'park_hook'],
                      allow_failed_imports=False)
default_hooks = dict(park=dict(type='ParkAfterIterHook'))
"""


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('tiny_data')
    render_tiny_dataset(root)
    return root


def run(config, work_dir, *args, env, cwd):
    proc = subprocess.run(train_command(config, work_dir, *args),
                          env=env,
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def kill_after(config, work_dir, iteration, env, cwd, in_validation=False):
    """Start a run, SIGKILL it once it has finished ``iteration`` (1-based), or
    in the validation after it."""
    marker = cwd / f'parked_{iteration}_{in_validation}'
    park = 'PARK_IN_VAL_AFTER' if in_validation else 'PARK_AFTER_ITER'
    with open(cwd / f'killed_{iteration}.log', 'w+') as log:
        proc = start_until(marker, train_command(config, work_dir),
                           dict(env, PARK_MARKER=str(marker), **{park: str(iteration)}),
                           cwd, log)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the trainer and its data workers
        proc.wait()
        log.seek(0)
        assert marker.exists(), 'no kill, the run ended:\n' + log.read()[-3000:]


def assert_same_losses(expected, resumed, iterations):
    for it in iterations:
        for key in ('loss', 'loss_contrastive', 'loss_mask', 'lr'):
            assert resumed[it][key] == pytest.approx(expected[it][key],
                                                     abs=1e-6), (it, key)


@pytest.mark.parametrize('loop', ['epoch', 'iter', 'validation'])
def test_killed_and_resumed_run_reproduces_losses(loop, data_root, tmp_path):
    (tmp_path / 'park_hook.py').write_text(PARK_HOOK)
    write_tiny_config(tmp_path / 'tiny.py', data_root)
    (tmp_path / 'epoch.py').write_text(PARK_CONFIG)
    (tmp_path / 'iter.py').write_text(TINY_ITER_LOOP.format(base='epoch.py'))
    config = str(tmp_path / ('iter.py' if loop == 'iter' else 'epoch.py'))
    env = train_env()
    env['PYTHONPATH'] += os.pathsep + str(tmp_path)

    whole = tmp_path / 'whole'
    run(config, whole, env=env, cwd=tmp_path)
    expected = read_losses(whole)

    # epoch loop: 3 iterations an epoch, checkpoint after 6, killed after 7, or
    # in the validation after 6 (the epoch's checkpoint is saved before it; the
    # resumed run goes on with epoch 3); iteration loop: checkpoint every 3
    # iterations, killed after 5 (resume skips the first 3 batches of the loader)
    killed, checkpoint = dict(epoch=(7, 6), iter=(5, 3), validation=(6, 6))[loop]
    interrupted = tmp_path / 'interrupted'
    kill_after(config, interrupted, killed, env, tmp_path, loop == 'validation')
    latest = (interrupted / 'last_checkpoint').read_text()
    assert latest.endswith('iter_3.pth' if loop == 'iter' else 'epoch_2.pth')
    log = run(config, interrupted, '--resume', env=env, cwd=tmp_path)
    assert f'iter: {checkpoint}' in log
    resumed = read_losses(interrupted)

    assert sorted(resumed) == list(range(checkpoint + 1, max(expected) + 1))
    assert_same_losses(expected, resumed, sorted(resumed))
