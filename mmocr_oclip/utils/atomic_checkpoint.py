"""Atomic checkpoint writes: a process killed while saving never leaves a truncated
file where a complete one (or the previous one) should be.

MMEngine 0.10.7 writes files in place (``open(path, 'wb')``): killed during the save
of ``epoch_3.pth``, a run leaves a truncated ``epoch_3.pth``, and ``--resume``
(latest ``*.pth`` without ``last_checkpoint``) fails on it. Its ``CheckpointHook``
also deletes the checkpoint that falls out of ``max_keep_ckpts`` *before* saving
the new one, so a kill at that moment leaves ``last_checkpoint`` naming a deleted
file. :func:`apply_atomic_checkpoint_writes` (run on ``import mmocr_oclip``)
changes two things, for every config that imports ``mmocr_oclip``:

1. ``LocalBackend.put`` / ``put_text`` (through which ``save_checkpoint`` and
   every other mmengine local-file write go) write a hidden temporary file in
   the target's directory, flush and fsync it, then ``os.replace`` it onto the
   target: readers see the old file or the complete new one, never a part.
2. ``CheckpointHook`` writes ``last_checkpoint`` the same way and deletes the
   outdated checkpoint only after the new one and ``last_checkpoint`` are in
   place (so, briefly, ``max_keep_ckpts + 1`` checkpoints are on disk).

3. Every ``*.pth`` gets a ``NAME.pth.sha256`` sidecar, written after the data
   (:mod:`.checkpoint_integrity` verifies it before a resume or a test).
4. A full disk (``ENOSPC``/``EDQUOT``) raises :class:`DiskFullError`, one line
   naming the file, the bytes it needed and the space left.

A SIGKILL during a save leaves a ``.<name>.<pid>.<random>.tmp`` file behind (no
process survives to remove it); it never matches ``*.pth`` and can be deleted.
"""
import errno
import os
import os.path as osp
import shutil
import uuid

from mmengine.dist import is_main_process
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.utils import mkdir_or_exist

from .checkpoint_integrity import CHECKSUM_SUFFIX, checksum_line


class DiskFullError(OSError):
    """A write that found no space: the message names the file and the sizes."""

    def __str__(self):
        return self.strerror


def _size(num_bytes):
    return f'{num_bytes / 2**20:.1f} MiB'


def _fsync_directory(dirname):
    """Make a rename in ``dirname`` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(data, filepath):
    """Write ``data`` to ``filepath`` so that the file is either untouched or
    complete, whatever happens during the call.

    Args:
        data (bytes | str): Content; ``str`` is written UTF-8 encoded.
        filepath (str | Path): Target file. Its directory is created if needed; a
            symbolic link is followed (its target is replaced, as ``open`` would
            write through it).
    """
    filepath = os.fspath(filepath)
    if osp.islink(filepath):
        filepath = osp.realpath(filepath)
    if isinstance(data, str):
        data = data.encode('utf-8')
    dirname = osp.dirname(osp.abspath(filepath))
    mkdir_or_exist(dirname)
    tmp = osp.join(
        dirname, f'.{osp.basename(filepath)}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp')
    try:
        # mode 0o666 under the umask: the permissions `open(path, 'wb')` would give
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException as e:
        if osp.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            free = shutil.disk_usage(dirname).free
            raise DiskFullError(
                e.errno, f'cannot write {filepath}: no space left on device (it '
                f'needs {_size(len(data))}, {_size(free)} free in {dirname}); the '
                'files already there are unchanged') from None
        raise
    _fsync_directory(dirname)


def write_checkpoint_file(data, filepath):
    """:func:`atomic_write` of a checkpoint, then of its ``.sha256`` sidecar.

    A stale sidecar is removed first, so that a process killed between the two
    writes leaves a complete checkpoint without a sidecar (checked by its zip
    CRCs), never one with another file's checksum."""
    sidecar = os.fspath(filepath) + CHECKSUM_SUFFIX
    if osp.lexists(sidecar):
        os.remove(sidecar)
    atomic_write(data, filepath)
    atomic_write(checksum_line(data, filepath), sidecar)


def _atomic_put(self, obj, filepath):
    """``LocalBackend.put`` through :func:`atomic_write`, checkpoints (``*.pth``)
    with their checksum."""
    if os.fspath(filepath).endswith('.pth'):
        write_checkpoint_file(obj, filepath)
    else:
        atomic_write(obj, filepath)


def _atomic_put_text(self, obj, filepath, encoding='utf-8'):
    """``LocalBackend.put_text`` through :func:`atomic_write`."""
    atomic_write(obj.encode(encoding), filepath)


def _save_checkpoint_with_step(self, runner, step, meta):
    """``CheckpointHook._save_checkpoint_with_step`` of mmengine 0.10.7 with the
    outdated checkpoint deleted after, not before, the new one is saved and
    ``last_checkpoint`` is (atomically) updated."""
    outdated = None
    if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

    ckpt_filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)
    runner.save_checkpoint(self.out_dir,
                           ckpt_filename,
                           self.file_client_args,
                           save_optimizer=self.save_optimizer,
                           save_param_scheduler=self.save_param_scheduler,
                           meta=meta,
                           by_epoch=self.by_epoch,
                           backend_args=self.backend_args,
                           **self.args)
    if not is_main_process():
        return
    atomic_write(self.last_ckpt, osp.join(runner.work_dir, 'last_checkpoint'))
    if outdated is not None:
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(outdated))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
            if self.file_backend.isfile(path + CHECKSUM_SUFFIX):
                self.file_backend.remove(path + CHECKSUM_SUFFIX)
        elif self.file_backend.isdir(path):  # checkpoints saved by deepspeed
            self.file_backend.rmtree(path)


def apply_atomic_checkpoint_writes():
    """Make MMEngine's local file writes and ``CheckpointHook`` saves atomic
    (idempotent)."""
    LocalBackend.put = _atomic_put
    LocalBackend.put_text = _atomic_put_text
    CheckpointHook._save_checkpoint_with_step = _save_checkpoint_with_step
