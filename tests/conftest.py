import copy
import itertools
import os.path as osp

import pytest
from mmengine.registry import DefaultScope

import mmocr_oclip  # noqa: F401  (registers the modules under test)
# the suite's shared support, the package `helpers` (tests/ is on sys.path:
# setup.cfg's pytest `pythonpath`)
from helpers import REPO
from helpers.models import TINY_OCLIP

SCOPES = itertools.count()
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')


def ensure_mmocr_scope():
    """Make MMOCR's scope current unless it is."""
    current = DefaultScope.get_current_instance()
    if current is None or current.scope_name != 'mmocr':
        DefaultScope.get_instance(f'mmocr_oclip_tests_{next(SCOPES)}',
                                  scope_name='mmocr')


@pytest.fixture(autouse=True, scope='module')
def mmocr_scope_for_module():
    """The scope of :func:`mmocr_scope` for a module's shared fixtures too (a
    module-scoped fixture is built before the first test's own fixtures), so a
    module's tests pass alone as in the whole suite."""
    ensure_mmocr_scope()
    yield


@pytest.fixture(autouse=True)
def mmocr_scope():
    """Build modules in MMOCR's scope, as configs with default_scope='mmocr' do;
    a test that made another scope current (a Runner does) leaves it to that test
    alone."""
    ensure_mmocr_scope()
    yield


@pytest.fixture(scope='session')
def tiny_oclip_template():
    """:data:`helpers.models.TINY_OCLIP`, not to be modified."""
    return TINY_OCLIP


@pytest.fixture
def tiny_oclip_cfg(tiny_oclip_template):
    """A fresh copy of :data:`helpers.models.TINY_OCLIP` (a config dict of OCLIP)."""
    return copy.deepcopy(tiny_oclip_template)
