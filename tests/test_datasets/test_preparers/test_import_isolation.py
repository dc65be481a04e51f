"""``import mmocr_oclip`` does not import the offline preparers (renderer,
converters); the renderer's names in ``mmocr_oclip.datasets`` load on first use."""
import os.path as osp
import subprocess
import sys

import pytest

from mmocr_oclip import datasets
from mmocr_oclip.datasets.preparers import rendering

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
PREPARER_MODULES = ('import sys, mmocr_oclip; print([m for m in sys.modules if '
                    "'preparers' in m or 'rendering' in m or 'synthetic_text' in m])")


def test_package_import_leaves_preparers_out():
    result = subprocess.run([sys.executable, '-c', PREPARER_MODULES],
                            cwd=REPO_ROOT,
                            capture_output=True,
                            text=True,
                            check=True)
    assert result.stdout.splitlines()[-1] == '[]'


def test_renderer_names_load_on_first_use():
    assert datasets.render_dataset is rendering.render_dataset
    assert datasets.SyntheticTextRenderer is rendering.SyntheticTextRenderer
    with pytest.raises(AttributeError, match='no attribute'):
        datasets.no_such_name
