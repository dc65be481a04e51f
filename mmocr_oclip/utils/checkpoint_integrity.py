"""Checkpoint checksums, readability checks and the auto-resume fallback.

Every ``*.pth`` that MMEngine writes through its local backend (with
``mmocr_oclip`` imported) gets a ``sha256sum``-format sidecar, ``NAME.pth.sha256``,
written after the checkpoint itself (see :mod:`.atomic_checkpoint`), so that a copy
can be checked with ``sha256sum -c epoch_6.pth.sha256`` and our tools verify it
before loading. A checkpoint without a sidecar (written by plain MMEngine, released
weights, or a process killed between the two writes) is checked with the CRC-32 of
every member of its zip archive instead.
"""
import glob
import hashlib
import os
import os.path as osp
import zipfile

CHECKSUM_SUFFIX = '.sha256'
_CHUNK = 1 << 22


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: the message names the file and why."""


def file_sha256(path):
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_line(data, filepath):
    """The sidecar's content for ``data`` written to ``filepath``
    (``sha256sum`` format: ``<hex>  <file name>``)."""
    return f'{hashlib.sha256(data).hexdigest()}  {osp.basename(filepath)}\n'


def read_checksum(path):
    """The SHA-256 the sidecar of ``path`` records, or None without a sidecar."""
    sidecar = os.fspath(path) + CHECKSUM_SUFFIX
    if not osp.isfile(sidecar):
        return None
    with open(sidecar, encoding='utf-8') as f:
        fields = f.read().split()
    if not fields or len(fields[0]) != 64:
        raise CheckpointError(f'{sidecar}: not a sha256sum line')
    return fields[0].lower()


def verify_checkpoint(path):
    """Check that ``path`` is a complete, unchanged checkpoint, without unpickling it.

    With a sidecar, the file's SHA-256 must equal the recorded one; without, the
    file must be a zip archive (PyTorch's format since 1.6) whose members all pass
    their CRC-32.

    Args:
        path (str | Path): A local checkpoint file.

    Raises:
        CheckpointError: naming ``path`` and the reason (missing, truncated,
            damaged, checksum mismatch).
    """
    path = os.fspath(path)
    if not osp.isfile(path):
        raise CheckpointError(f'{path}: no such file')
    expected = read_checksum(path)
    if expected is not None:
        actual = file_sha256(path)
        if actual != expected:
            raise CheckpointError(
                f'{path}: checksum mismatch (sha256 {actual[:16]}..., its '
                f'{osp.basename(path)}{CHECKSUM_SUFFIX} records {expected[:16]}...): '
                'the file changed after it was written (damaged copy?)')
        return
    size = osp.getsize(path)
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise CheckpointError(
            f'{path}: not a complete PyTorch checkpoint ({size} bytes; {e}): '
            'truncated, or not a checkpoint') from None
    if bad_member is not None:
        raise CheckpointError(f'{path}: damaged, its member {bad_member!r} fails '
                              'its CRC-32 check')


def _latest_named(work_dir):
    """The checkpoint ``work_dir/last_checkpoint`` names, or None."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer, encoding='utf-8') as f:
        name = f.read().strip()
    return name or None


def find_resumable_checkpoint(work_dir, log=print):
    """The newest readable checkpoint of ``work_dir``, for ``--resume``.

    Candidates, in order: the file ``last_checkpoint`` names, then every ``*.pth``
    of ``work_dir`` from the newest (modification time) to the oldest. Each
    unreadable one is reported through ``log`` with its reason before the next
    is tried.

    Args:
        work_dir (str): The run's work directory.
        log (callable): Receives one line per skipped checkpoint and the choice.

    Returns:
        str | None: The checkpoint to resume from; None when ``work_dir`` has no
        checkpoint at all (a first run).

    Raises:
        CheckpointError: There are checkpoints, but none is readable (never
            silently start from scratch).
    """
    candidates = []
    named = _latest_named(work_dir)
    if named is not None:
        candidates.append(named)
    others = sorted(glob.glob(osp.join(glob.escape(work_dir), '*.pth')),
                    key=osp.getmtime,
                    reverse=True)
    candidates += [p for p in others if osp.abspath(p) != osp.abspath(named or '')]
    failures = []
    for path in candidates:
        try:
            verify_checkpoint(path)
        except CheckpointError as e:
            failures.append(str(e))
            log(f'cannot resume from {e}')
            continue
        if failures:
            log(f'resuming from {path} instead, the newest readable checkpoint')
        return path
    if failures:
        raise CheckpointError(f'no readable checkpoint in {work_dir}: ' +
                              '; '.join(failures))
    return None
