"""Faults of long runs, injected into tiny oCLIP trainings through tools/train.py:
a preemption signal (mid-epoch, during validation, twice), a data worker killed,
a full disk, a damaged checkpoint. Each run ends with its one line and
``--resume`` reproduces the uninterrupted run's losses. (A run SIGKILLed in
training or validation: test_exact_resume.py; a dead rank:
test_distributed_training.py.)"""
import os
import re
import shutil
import subprocess
import sys

import pytest
import torch

from mmocr_oclip.engine.hooks import PREEMPTED_EXIT_CODE
from helpers import REPO
from helpers.training import (TINY_ITER_LOOP, read_losses, render_tiny_dataset,
                              train_command, train_env, write_tiny_config)

pytestmark = pytest.mark.slow

# test-only faults, switched on by environment variables of the first run
FAULTS = '''
import errno
import os
import signal

from mmcv.transforms import BaseTransform
from mmengine.hooks import Hook
from mmocr.registry import HOOKS, TRANSFORMS
from torch.utils.data import get_worker_info


@HOOKS.register_module()
class SignalSelfHook(Hook):
    """SIGTERMs its own process after training iteration SIGNAL_AFTER_ITER or
    validation iteration SIGNAL_AFTER_VAL_ITER (1-based), and again during
    the save if SIGNAL_DURING_SAVE is set."""
    priority = 'NORMAL'  # before PreemptionCheckpointHook (LOWEST)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == int(os.environ.get('SIGNAL_AFTER_ITER', -1)):
            os.kill(os.getpid(), signal.SIGTERM)

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if batch_idx + 1 == int(os.environ.get('SIGNAL_AFTER_VAL_ITER', -1)):
            os.kill(os.getpid(), signal.SIGTERM)

    def before_save_checkpoint(self, runner, checkpoint):
        if (os.environ.get('SIGNAL_DURING_SAVE') and checkpoint['meta']['iter']
                == int(os.environ.get('SIGNAL_AFTER_ITER', -1))):
            os.kill(os.getpid(), signal.SIGTERM)


@HOOKS.register_module()
class ArmWorkerKillHook(Hook):
    """After training iteration KILL_WORKER_AFTER_ITER, creates the file
    KILL_WORKER_ARM that arms KillWorkerOnce."""

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == int(os.environ.get('KILL_WORKER_AFTER_ITER', -1)):
            open(os.environ['KILL_WORKER_ARM'], 'w').close()


@TRANSFORMS.register_module()
class KillWorkerOnce(BaseTransform):
    """In a data worker started once KILL_WORKER_ARM exists, SIGKILLs the worker
    at its KILL_WORKER_AT-th sample (the OOM killer's way), once."""

    def __init__(self):
        self.count = 0

    def transform(self, results):
        self.count += 1
        arm = os.environ.get('KILL_WORKER_ARM')
        if (get_worker_info() is not None and arm and os.path.exists(arm)
                and self.count == int(os.environ['KILL_WORKER_AT'])):
            os.remove(arm)
            os.kill(os.getpid(), signal.SIGKILL)
        return results


def _fill_disk_on(name):
    """fsync of a temporary file ``.NAME...tmp`` fails with ENOSPC (as a full
    disk reports it on write or, on network file systems, on fsync)."""
    real_fsync = os.fsync

    def fsync(fd):
        if os.path.basename(os.readlink(f'/proc/self/fd/{fd}')).startswith(f'.{name}.'):
            raise OSError(errno.ENOSPC, 'No space left on device')
        real_fsync(fd)

    os.fsync = fsync


if os.environ.get('FULL_DISK_ON'):
    _fill_disk_on(os.environ['FULL_DISK_ON'])
'''
FAULT_CONFIG = """_base_ = ['./tiny.py']
custom_imports = dict(imports=['mmocr_oclip', 'faults'], allow_failed_imports=False)
custom_hooks = [dict(type='RNGStateHook'), dict(type='PreemptionCheckpointHook'),
                dict(type='SignalSelfHook'), dict(type='ArmWorkerKillHook')]
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='KillWorkerOnce'),
    dict(type='LoadOCRAnnotations', with_text=True, with_bbox=False,
         with_polygon=False, with_label=False),
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='TorchVisionWrapper', op='RandomResizedCrop', size=64,
         scale=(0.5, 1.0), interpolation=3),
    dict(type='PackOCLIPInputs'),
]))
"""


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Config, environment and the uninterrupted run's losses (3 epochs of 3
    iterations, validation after epoch 2, one data worker)."""
    root = tmp_path_factory.mktemp('faults')
    render_tiny_dataset(root / 'data')
    write_tiny_config(root / 'tiny.py', root / 'data')
    (root / 'faults.py').write_text(FAULTS)
    (root / 'faulty.py').write_text(FAULT_CONFIG)
    (root / 'iter.py').write_text(TINY_ITER_LOOP.format(base='faulty.py'))
    env = train_env()
    env['PYTHONPATH'] += os.pathsep + str(root)
    config = str(root / 'faulty.py')
    run(config, root / 'whole', env=env, cwd=root, expect=0)
    return config, env, root, read_losses(root / 'whole')


def run(config, work_dir, *args, env, cwd, expect, **faults):
    proc = subprocess.run(train_command(config, work_dir, *args),
                          env=dict(env, **faults),
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == expect, out[-4000:]
    return out


def preempt(config, work, env, cwd, **faults):
    """A run that the test hooks signal ends with status 75; its output."""
    return run(config, work, env=env, cwd=cwd, expect=PREEMPTED_EXIT_CODE, **faults)


def assert_resumes_exactly(config, work, env, cwd, expected, first):
    """``--resume`` continues at iteration ``first`` with the uninterrupted
    run's losses (1e-6)."""
    run(config, work, '--resume', env=env, cwd=cwd, expect=0)
    resumed = read_losses(work)
    assert sorted(resumed) == list(range(first, max(expected) + 1))
    for it in resumed:
        for key in ('loss', 'loss_contrastive', 'loss_mask', 'lr'):
            assert resumed[it][key] == pytest.approx(expected[it][key],
                                                     abs=1e-6), (it, key)


@pytest.mark.parametrize('during_save', [False, True])
def test_sigterm_mid_epoch_saves_and_resumes_exactly(setup, tmp_path, during_save):
    config, env, root, expected = setup
    work = tmp_path / 'work'
    faults = dict(SIGNAL_AFTER_ITER='5')  # the 2nd of epoch 2's 3 iterations
    if during_save:
        faults['SIGNAL_DURING_SAVE'] = '1'  # a second SIGTERM while saving
    out = preempt(config, work, env, root, **faults)
    saved = work / 'preempted_iter_5.pth'
    assert ('training stopped by SIGTERM' +
            (' (SIGTERM during the save: ignored)' if during_save else '') +
            f' after iteration 5; its state is in {saved}: run the same command '
            'with --resume to continue (exit status 75)') in out
    assert 'Traceback' not in out
    assert (work / 'last_checkpoint').read_text() == str(saved)
    checkpoint = torch.load(saved, map_location='cpu')
    assert checkpoint['meta']['epoch'] == 1 and checkpoint['meta']['iter'] == 5
    assert len(checkpoint['rng_state_epoch_start']) == 1
    assert (work / 'epoch_1.pth').is_file()  # the scheduled checkpoint stays
    assert not list(work.glob('.*.tmp'))
    assert_resumes_exactly(config, work, env, root, expected, first=6)


def test_sigterm_in_an_iteration_loop_saves_and_resumes_exactly(setup, tmp_path):
    _, env, root, _ = setup
    config = str(root / 'iter.py')
    run(config, tmp_path / 'whole', env=env, cwd=root, expect=0)
    expected = read_losses(tmp_path / 'whole')
    work = tmp_path / 'work'
    out = preempt(config, work, env, root, SIGNAL_AFTER_ITER='5')
    assert 'training stopped by SIGTERM after iteration 5' in out
    assert (work / 'last_checkpoint').read_text().endswith('preempted_iter_5.pth')
    assert_resumes_exactly(config, work, env, root, expected, first=6)


def test_sigterm_during_validation_keeps_the_epoch_end_state(setup, tmp_path):
    config, env, root, expected = setup
    work = tmp_path / 'work'
    out = preempt(config, work, env, root, SIGNAL_AFTER_VAL_ITER='1')
    assert 'after iteration 6; its state is in' in out
    checkpoint = torch.load(work / 'preempted_iter_6.pth', map_location='cpu')
    assert checkpoint['meta']['epoch'] == 2 and checkpoint['meta']['iter'] == 6
    assert_resumes_exactly(config, work, env, root, expected, first=7)


def test_killed_data_worker_is_named_and_resume_is_exact(setup, tmp_path):
    config, env, root, expected = setup
    work = tmp_path / 'work'
    # armed at the end of epoch 1, epoch 2's worker dies at its 5th sample (its
    # 2nd batch; a new worker each epoch)
    out = run(config,
              work,
              env=env,
              cwd=root,
              expect=1,
              KILL_WORKER_ARM=str(tmp_path / 'armed'),
              KILL_WORKER_AFTER_ITER='3',
              KILL_WORKER_AT='5')
    line = re.search(
        r'\nerror: a data loader worker died: pid \d+, killed by SIGKILL '
        r'\(most often the kernel\'s out-of-memory killer, see `dmesg`; '
        r'[^\n]*\); run the same command with --resume to continue from '
        r'the last checkpoint\n', out)
    assert line, out[-3000:]
    assert (work / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    assert_resumes_exactly(config, work, env, root, expected, first=4)


def test_full_disk_names_the_file_keeps_the_previous_checkpoint(setup, tmp_path):
    config, env, root, expected = setup
    work = tmp_path / 'work'
    out = run(config, work, env=env, cwd=root, expect=1, FULL_DISK_ON='epoch_2.pth')
    assert re.search(
        r'error: cannot write \S+/epoch_2\.pth: no space left on device \(it needs '
        r'[\d.]+ MiB, [\d.]+ MiB free in \S+\); the files already there are '
        r'unchanged; free some space, then run the same command with --resume',
        out), out[-3000:]
    assert 'Traceback' not in out
    assert sorted(p.name for p in work.iterdir() if p.is_file()) == [
        'epoch_1.pth', 'epoch_1.pth.sha256', 'faulty.py', 'last_checkpoint'
    ]
    assert (work / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    assert_resumes_exactly(config, work, env, root, expected, first=4)


def copy_work_dir(source, target):
    """A copy of a finished run's work dir, ``last_checkpoint`` pointing into it."""
    shutil.copytree(source, target)
    name = os.path.basename((source / 'last_checkpoint').read_text())
    (target / 'last_checkpoint').write_text(str(target / name))
    return target


def test_damaged_newest_checkpoint_falls_back_and_resumes_exactly(setup, tmp_path):
    config, env, root, expected = setup
    # the finished run keeps epoch_2.pth and epoch_3.pth; a copy damages epoch 3
    work = copy_work_dir(root / 'whole', tmp_path / 'work')
    data = (work / 'epoch_3.pth').read_bytes()
    (work / 'epoch_3.pth').write_bytes(data[:len(data) // 3])

    out = run(config,
              work,
              '--resume',
              str(work / 'epoch_3.pth'),
              env=env,
              cwd=root,
              expect=1)
    assert out.rstrip().splitlines()[-1] == (
        f'error: {work}/epoch_3.pth: checksum mismatch (sha256 ' +
        out.rstrip().splitlines()[-1].split('(sha256 ')[1])
    assert 'records' in out and 'Traceback' not in out

    test = subprocess.run([
        sys.executable,
        os.path.join(REPO, 'tools', 'test.py'), config,
        str(work / 'epoch_3.pth'), '--work-dir',
        str(tmp_path / 'test')
    ],
                          env=env,
                          cwd=root,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert test.returncode == 1
    assert test.stderr.rstrip().splitlines()[-1].startswith(
        f'error: {work}/epoch_3.pth: checksum mismatch')

    out = run(config, work, '--resume', env=env, cwd=root, expect=0)
    assert f'cannot resume from {work}/epoch_3.pth: checksum mismatch' in out
    assert (f'resuming from {work}/epoch_2.pth instead, the newest readable '
            'checkpoint') in out
    resumed = read_losses(work)
    assert sorted(resumed) == [7, 8, 9]
    for it in resumed:
        assert resumed[it]['loss'] == pytest.approx(expected[it]['loss'], abs=1e-6)

    for name in ('epoch_2.pth', 'epoch_3.pth'):  # nothing readable: no fresh start
        (work / name).write_bytes(b'')
    out = run(config, work, '--resume', env=env, cwd=root, expect=1)
    assert out.rstrip().splitlines()[-1].startswith(
        f'error: no readable checkpoint in {work}: ')
