import os.path as osp

import pytest
from mmengine.registry import DefaultScope

import mmocr_oclip  # noqa: F401  (registers the modules under test)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')


@pytest.fixture(scope='session', autouse=True)
def mmocr_scope():
    """Build modules in MMOCR's scope, as configs with default_scope='mmocr' do."""
    DefaultScope.get_instance('mmocr_oclip_tests', scope_name='mmocr')
    yield
