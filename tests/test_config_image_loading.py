"""Validation/test pipelines of our configs load images with the checked loader:
a corrupt or truncated image raises naming the file, never becomes noise."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmocr.registry import DATASETS, TRANSFORMS

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from mmocr_oclip.datasets.transforms import BadImageError, LoadCheckedImageFromFile

REPO = osp.dirname(osp.abspath(__file__)).rsplit(osp.sep, 1)[0]
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)
DEMOS = [
    'configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py',
    'configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py',
    'configs/textdet/psenet/psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py',
]


def evaluation_pipelines(cfg):
    """The pipelines of the config's validation and test datasets."""
    pipelines = []
    for name in ('val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if not loader:
            continue
        dataset = loader.dataset
        if dataset.get('pipeline'):
            pipelines.append(dataset.pipeline)
        for part in dataset.get('datasets') or []:
            if part.get('pipeline'):
                pipelines.append(part.pipeline)
    return pipelines


@pytest.mark.parametrize('path', CONFIGS)
def test_evaluation_pipelines_load_checked_images(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    pipelines = evaluation_pipelines(cfg)
    assert pipelines or not (cfg.get('val_dataloader') or cfg.get('test_dataloader'))
    for pipeline in pipelines:
        assert pipeline[0].type == 'LoadCheckedImageFromFile'
        assert isinstance(TRANSFORMS.build(pipeline[0]), LoadCheckedImageFromFile)


@pytest.mark.parametrize('path', DEMOS)
def test_truncated_jpeg_raises_naming_the_file(path, tmp_path):
    render_dataset(str(tmp_path),
                   2,
                   split='test',
                   img_size=(64, 64),
                   words=['cat', 'dog'],
                   words_per_image=(2, 2),
                   font_size=(12, 16))
    image = tmp_path / 'imgs' / 'test' / '000001.jpg'
    image.write_bytes(image.read_bytes()[:-200])
    cfg = Config.fromfile(osp.join(REPO, path))
    cfg.test_dataloader.dataset.data_root = str(tmp_path)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    assert dataset[0]  # an intact image loads
    with pytest.raises(BadImageError) as error:
        dataset[1]
    assert str(error.value) == (f'{image}: truncated image: JPEG without '
                                'end-of-image marker 0xFFD9 (truncated file)')
