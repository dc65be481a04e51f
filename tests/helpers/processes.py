"""Tools as modules, subprocesses and gloo process groups."""
import importlib.util
import os.path as osp
import socket
import subprocess

import torch.distributed as dist
import torch.multiprocessing as mp

from helpers import MIM, REPO


def load_tool(path, name=None):
    """The script ``path`` (relative to the repository) as a module named
    ``name`` (default: ``tool_`` and the file's name)."""
    name = name or 'tool_' + osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args, cwd):
    """Run the command ``args`` from ``cwd``, return its output; fail with the
    output on error."""
    proc = subprocess.run(list(args),
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def mim(*args, cwd):
    """Run mim from ``cwd``, return its output; fail with the output on error."""
    return run(MIM, *args, cwd=cwd)


def latest(work):
    """The newest checkpoint of a work dir (older ones are rotated out)."""
    return (work / 'last_checkpoint').read_text().strip()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def init_gloo(rank, init_file, world_size):
    """Join the CPU (gloo) process group of a multi-process test."""
    dist.init_process_group('gloo',
                            init_method=f'file://{init_file}',
                            rank=rank,
                            world_size=world_size)


def spawn_gloo(worker, tmp_path, nprocs):
    """Run ``worker(rank, init_file, out_dir)`` in ``nprocs`` processes, with
    ``tmp_path`` as their output folder; return when all have finished."""
    mp.spawn(worker,
             args=(str(tmp_path / 'init'), str(tmp_path)),
             nprocs=nprocs,
             join=True)
