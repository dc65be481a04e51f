import copy
import os.path as osp
import sys

import pytest
from mmengine.registry import DefaultScope

import mmocr_oclip  # noqa: F401  (registers the modules under test)

# helpers.py (the suite's shared helpers), importable from every test module as
# `helpers`; pytest's default import mode puts this folder on sys.path too
TESTS = osp.dirname(osp.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
from helpers import REPO, TINY_OCLIP  # noqa: E402

SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')
# the tools' helper packages (tools/model_converters), importable as the tools
# themselves import them (a script's folder is first on its sys.path)
sys.path.insert(0, osp.join(REPO, 'tools'))


@pytest.fixture(scope='session', autouse=True)
def mmocr_scope():
    """Build modules in MMOCR's scope, as configs with default_scope='mmocr' do."""
    DefaultScope.get_instance('mmocr_oclip_tests', scope_name='mmocr')
    yield


@pytest.fixture(scope='session')
def tiny_oclip_template():
    """:data:`helpers.TINY_OCLIP`, not to be modified."""
    return TINY_OCLIP


@pytest.fixture
def tiny_oclip_cfg(tiny_oclip_template):
    """A fresh copy of :data:`helpers.TINY_OCLIP` (a config dict of OCLIP)."""
    return copy.deepcopy(tiny_oclip_template)
