"""The project's fused CPU operators (``csrc/``), built once by torch's extension
loader."""
import os
import os.path as osp
import warnings
from contextlib import contextmanager
from functools import lru_cache

CSRC = ('deformable_sampling.cpp', 'seeded_dropout.cpp', 'cpu_ops.cpp')


@lru_cache(maxsize=1)
def cpu_ops():
    """The compiled operators (``sampling_forward``, ``sampling_backward``,
    ``seeded_dropout``; fp32 CPU tensors), or None with one warning when they
    cannot be built.

    Compiled on first use (``make install`` does it) and cached in
    ``TORCH_EXTENSIONS_DIR`` (about 30 s on 2 cores); needs a C++ compiler, as
    MMCV's ops do. Every caller has a PyTorch path computing the same function.
    """
    from torch.utils.cpp_extension import load

    # the real path: the package is reached through the checkout and through
    # site-packages' link to it (MIM's editable install); another path string
    # would make torch rebuild the cached operators (about 30 s) at each switch
    folder = osp.join(osp.dirname(osp.realpath(__file__)), 'csrc')
    sources = [osp.join(folder, name) for name in CSRC]
    try:
        with _this_environments_ninja():
            return load(name='mmocr_oclip_cpu_ops',
                        sources=sources,
                        extra_cflags=['-O3', '-fopenmp', '-ffp-contract=off'],
                        extra_ldflags=['-fopenmp'])
    except Exception as error:  # a missing compiler, headers, ...
        warnings.warn(f'{folder}: the fused CPU operators could not be built '
                      f'({type(error).__name__}: {str(error).splitlines()[0]}); '
                      'using PyTorch instead (same functions, slower)')
        return None


@contextmanager
def _this_environments_ninja():
    """Put the ninja of this Python's environment (the ``ninja`` package, a
    build requirement) first on ``PATH`` while torch's loader runs.

    The loader runs the first ``ninja`` on ``PATH``, and ninja versions keep
    incompatible build logs: alternating between two (the environment's when
    it is activated, the system's otherwise) rebuilds every file each time
    (about a minute on 2 cores).
    """
    try:
        from ninja import BIN_DIR
    except ImportError:  # the system's ninja, or none (torch says so)
        yield
        return
    path = os.environ.get('PATH')
    os.environ['PATH'] = os.pathsep.join(filter(None, [BIN_DIR, path]))
    try:
        yield
    finally:
        if path is None:
            os.environ.pop('PATH', None)
        else:
            os.environ['PATH'] = path
