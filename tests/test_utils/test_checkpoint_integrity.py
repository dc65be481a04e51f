"""Checkpoint checksums, the readability check and the auto-resume fallback."""
import os
import shutil
import subprocess

import pytest
import torch
from mmengine.runner.checkpoint import save_checkpoint

import mmocr_oclip  # noqa: F401  (applies the checksum writes)
from mmocr_oclip.utils import (CheckpointError, atomic_checkpoint, atomic_write,
                               find_resumable_checkpoint, verify_checkpoint)


def save(path, seed=0):
    """A small MMEngine checkpoint saved the way the runner saves one."""
    torch.manual_seed(seed)
    save_checkpoint({'state_dict': {'w': torch.randn(64, 64)}, 'meta': {}}, str(path))
    return path


def truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def flip_byte(path, where=0.5):
    data = bytearray(path.read_bytes())
    data[int(len(data) * where)] ^= 0xFF
    path.write_bytes(bytes(data))


def test_saved_checkpoint_has_sha256sum_sidecar(tmp_path):
    save(tmp_path / 'epoch_1.pth')
    assert sorted(os.listdir(tmp_path)) == ['epoch_1.pth', 'epoch_1.pth.sha256']
    verify_checkpoint(tmp_path / 'epoch_1.pth')
    if shutil.which('sha256sum'):  # the sidecar checks a copy with coreutils
        subprocess.run(['sha256sum', '--check', '--quiet', 'epoch_1.pth.sha256'],
                       cwd=tmp_path,
                       check=True)
    # non-checkpoint writes get none
    atomic_write('x', tmp_path / 'last_checkpoint')
    assert not (tmp_path / 'last_checkpoint.sha256').exists()


@pytest.mark.parametrize('damage', [truncate, flip_byte])
def test_damage_is_a_checksum_mismatch_naming_the_file(tmp_path, damage):
    path = save(tmp_path / 'epoch_1.pth')
    damage(path)
    with pytest.raises(CheckpointError) as e:
        verify_checkpoint(path)
    assert str(e.value).startswith(f'{path}: checksum mismatch (sha256 ')
    assert 'epoch_1.pth.sha256 records' in str(e.value)
    assert 'changed after it was written' in str(e.value)


def test_without_sidecar_truncation_and_flips_fail_the_zip_check(tmp_path):
    path = save(tmp_path / 'epoch_1.pth')
    os.remove(f'{path}.sha256')
    verify_checkpoint(path)  # complete: passes its CRCs
    good = path.read_bytes()
    truncate(path)
    with pytest.raises(CheckpointError, match='not a complete PyTorch checkpoint'):
        verify_checkpoint(path)
    path.write_bytes(good)
    flip_byte(path)  # in the middle: tensor data
    with pytest.raises(CheckpointError, match="member '.*' fails its CRC-32 check"):
        verify_checkpoint(path)
    with pytest.raises(CheckpointError, match='no such file'):
        verify_checkpoint(tmp_path / 'missing.pth')


def test_killed_between_data_and_sidecar_leaves_a_checkable_file(tmp_path, monkeypatch):
    path = save(tmp_path / 'epoch_1.pth')
    real = atomic_checkpoint.atomic_write

    def die_on_sidecar(data, filepath):
        if str(filepath).endswith('.sha256'):
            raise KeyboardInterrupt
        real(data, filepath)

    monkeypatch.setattr(atomic_checkpoint, 'atomic_write', die_on_sidecar)
    with pytest.raises(KeyboardInterrupt):
        save(path, seed=1)  # the same name again: the old sidecar goes first
    assert not (tmp_path / 'epoch_1.pth.sha256').exists()
    verify_checkpoint(path)  # the new data, checked by its zip CRCs
    torch.manual_seed(1)
    assert torch.load(path)['state_dict']['w'].equal(torch.randn(64, 64))


def test_auto_resume_falls_back_to_the_newest_readable(tmp_path):
    lines = []
    assert find_resumable_checkpoint(str(tmp_path), lines.append) is None
    old, new = save(tmp_path / 'epoch_1.pth'), save(tmp_path / 'epoch_2.pth')
    os.utime(old, (1, 1))
    (tmp_path / 'last_checkpoint').write_text(str(new))
    assert find_resumable_checkpoint(str(tmp_path), lines.append) == str(new)
    assert lines == []
    truncate(new)
    assert find_resumable_checkpoint(str(tmp_path), lines.append) == str(old)
    assert lines == [
        f'cannot resume from {new}: checksum mismatch ' +
        lines[0].split('mismatch ')[1],
        f'resuming from {old} instead, the newest readable checkpoint'
    ]
    truncate(old)
    with pytest.raises(CheckpointError) as e:
        find_resumable_checkpoint(str(tmp_path), lines.append)
    assert str(e.value).startswith(f'no readable checkpoint in {tmp_path}: {new}: ')
    assert f'; {old}: checksum mismatch' in str(e.value)
