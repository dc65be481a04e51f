"""The project's fused CPU operators are built once, whatever the path or PATH."""
import os
import os.path as osp

import pytest
import torch.utils.cpp_extension as cpp_extension

from mmocr_oclip.models.layers.cpu_ops import cpu_ops


@pytest.fixture
def fake_load(monkeypatch):
    """torch's loader replaced by a recorder of its sources and PATH."""
    seen = dict()

    def load(name, sources, **kwargs):
        seen.update(sources=sources, path=os.environ.get('PATH'))

    monkeypatch.setattr(cpp_extension, 'load', load)
    cpu_ops.cache_clear()
    yield seen
    cpu_ops.cache_clear()


def test_built_from_the_real_source_paths(fake_load):
    # the package is imported through the checkout and through site-packages'
    # link to it: one path string for both, or torch rebuilds the cached operators
    cpu_ops()
    seen = fake_load['sources']
    assert [osp.basename(s) for s in seen
            ] == ['deformable_sampling.cpp', 'seeded_dropout.cpp', 'cpu_ops.cpp']
    assert all(s == osp.realpath(s) and osp.isfile(s) for s in seen)


def test_built_by_this_environments_ninja(fake_load, monkeypatch):
    # an activated environment puts its ninja first, a plain call the system's;
    # two ninja versions rebuild everything at each switch
    from ninja import BIN_DIR
    monkeypatch.setenv('PATH', '/usr/bin:/bin')
    cpu_ops()
    assert fake_load['path'].split(os.pathsep)[0] == BIN_DIR
    assert os.environ['PATH'] == '/usr/bin:/bin'
