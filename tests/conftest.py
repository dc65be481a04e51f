import copy
import os.path as osp
import sys

import pytest
from mmengine.registry import DefaultScope

import mmocr_oclip  # noqa: F401  (registers the modules under test)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')
# the tools' helper packages (tools/model_converters), importable as the tools
# themselves import them (a script's folder is first on its sys.path)
sys.path.insert(0, osp.join(REPO, 'tools'))

# an OCLIP small enough for unit tests: C5 has 128 channels, widths of 16
TINY_OCLIP = dict(type='OCLIP',
                  backbone=dict(type='OCLIPResNet',
                                depth=50,
                                base_channels=4,
                                out_indices=(3, )),
                  neck=dict(type='AttentionPoolNeck',
                            in_channels=128,
                            embed_dim=16,
                            num_heads=4,
                            spatial_size=2),
                  text_encoder=dict(type='CharacterTextEncoder',
                                    width=16,
                                    num_layers=1,
                                    num_heads=2,
                                    embed_dim=16),
                  decoder=dict(type='VisualTextualDecoder',
                               embed_dim=16,
                               num_layers=1,
                               num_heads=2,
                               spatial_size=2),
                  data_preprocessor=dict(type='TextDetDataPreprocessor',
                                         mean=[127.5] * 3,
                                         std=[127.5] * 3,
                                         bgr_to_rgb=True,
                                         pad_size_divisor=32))


@pytest.fixture(scope='session', autouse=True)
def mmocr_scope():
    """Build modules in MMOCR's scope, as configs with default_scope='mmocr' do."""
    DefaultScope.get_instance('mmocr_oclip_tests', scope_name='mmocr')
    yield


@pytest.fixture(scope='session')
def tiny_oclip_template():
    """:data:`TINY_OCLIP`, not to be modified."""
    return TINY_OCLIP


@pytest.fixture
def tiny_oclip_cfg(tiny_oclip_template):
    """A fresh copy of :data:`TINY_OCLIP` (a config dict of OCLIP)."""
    return copy.deepcopy(tiny_oclip_template)
