"""Checkpoints and ``last_checkpoint`` are replaced atomically: a save that dies
half-way leaves the previous checkpoint complete and named by ``last_checkpoint``."""
import os
import stat

import pytest
import torch
from mmengine.fileio import get_file_backend
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import DataLoader

import mmocr_oclip  # noqa: F401  (applies the patch)
from mmocr_oclip.utils import atomic_write


class Killed(BaseException):
    """Stands for the process dying in the middle of a write."""


@pytest.fixture
def kill_writes(monkeypatch):
    """A function after whose call files opened with ``os.fdopen`` get half of
    their first write, then the writer "dies" (until ``monkeypatch.undo()``)."""
    real_fdopen = os.fdopen

    class HalfWriter:

        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:len(data) // 2])
            self.f.flush()
            raise Killed('killed while writing')

    return lambda: monkeypatch.setattr(
        os, 'fdopen', lambda *args, **kwargs: HalfWriter(real_fdopen(*args, **kwargs)))


def test_atomic_write_complete_file_no_leftovers(tmp_path):
    target = tmp_path / 'sub' / 'ckpt.pth'
    atomic_write(b'x' * 1000, target)
    atomic_write('text', tmp_path / 'last')
    assert target.read_bytes() == b'x' * 1000
    assert (tmp_path / 'last').read_text() == 'text'
    assert sorted(os.listdir(tmp_path)) == ['last', 'sub']
    assert os.listdir(tmp_path / 'sub') == ['ckpt.pth']
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # as open() does


def test_local_backend_put_keeps_old_file_on_death(tmp_path, kill_writes):
    path = tmp_path / 'ckpt.pth'
    path.write_bytes(b'old checkpoint')
    kill_writes()
    backend = get_file_backend(str(path))
    with pytest.raises(Killed):
        backend.put(b'new checkpoint' * 100, str(path))
    with pytest.raises(Killed):
        backend.put_text('new text', str(path))
    assert path.read_bytes() == b'old checkpoint'
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_local_backend_put_follows_symlink(tmp_path):
    (tmp_path / 'real.pth').write_bytes(b'old')
    (tmp_path / 'link.pth').symlink_to(tmp_path / 'real.pth')
    get_file_backend(str(tmp_path)).put(b'new', str(tmp_path / 'link.pth'))
    assert (tmp_path / 'link.pth').is_symlink()
    assert (tmp_path / 'real.pth').read_bytes() == b'new'


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


def toy_runner(work_dir, max_epochs, name):
    loader = DataLoader([torch.ones(2)] * 4,
                        batch_size=2,
                        collate_fn=lambda batch: dict(inputs=batch))
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=loader,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)),
        resume=max_epochs > 2,
        default_scope='mmengine')


def test_runner_killed_while_saving_resumes_from_previous(tmp_path, monkeypatch,
                                                          kill_writes):
    toy_runner(tmp_path, 2, 'atomic_ckpt_a').train()
    assert (tmp_path / 'epoch_2.pth').is_file()

    kill_writes()
    runner = toy_runner(tmp_path, 3, 'atomic_ckpt_b')
    with pytest.raises(Killed):
        runner.train()
    # it died saving epoch 3 (after max_keep_ckpts=1 would have removed epoch 2)
    assert runner.message_hub.get_info('last_ckpt').endswith('epoch_3.pth')
    assert not (tmp_path / 'epoch_3.pth').exists()
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]
    latest = (tmp_path / 'last_checkpoint').read_text()
    assert latest == str(tmp_path / 'epoch_2.pth')
    assert torch.load(latest)['meta']['epoch'] == 2

    monkeypatch.undo()
    runner = toy_runner(tmp_path, 3, 'atomic_ckpt_c')
    runner.train()
    assert runner.epoch == 3
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_3.pth')
    assert not (tmp_path / 'epoch_2.pth').exists()  # max_keep_ckpts, after saving
