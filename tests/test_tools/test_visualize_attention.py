"""tools/visualize_attention.py: queries from an annotation, outlines, and the
picture that leaves the image out (``--hide-image``)."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmocr.registry import MODELS
from PIL import Image

from helpers import REPO
from helpers.processes import load_tool

POLYGONS = {
    'cat': [8, 8, 40, 8, 40, 24, 8, 24],
    'dog': [60, 40, 90, 40, 90, 56, 60, 56]
}


@pytest.fixture
def setup(tmp_path, tiny_oclip_cfg):
    """A tiny oCLIP config + checkpoint, a noise image and its MMOCR annotation
    (the words cat, dog and an ignored ###)."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py'))
    cfg.model = tiny_oclip_cfg
    cfg.dump(str(tmp_path / 'oclip.py'))
    torch.save(dict(state_dict=MODELS.build(tiny_oclip_cfg).state_dict(), meta={}),
               tmp_path / 'oclip.pth')
    image = tmp_path / 'imgs' / 'photo.jpg'
    image.parent.mkdir()
    noise = np.random.default_rng(0).integers(0, 255, (64, 96, 3), np.uint8)
    Image.fromarray(noise).save(image)
    instances = [dict(text=t, polygon=p, ignore=False) for t, p in POLYGONS.items()]
    instances.append(dict(text='###', polygon=[0, 0, 4, 0, 4, 4, 0, 4], ignore=True))
    ann = tmp_path / 'ann.json'
    ann.write_text(
        json.dumps(
            dict(metainfo={},
                 data_list=[
                     dict(img_path='imgs/other.jpg', instances=[]),
                     dict(img_path='imgs/photo.jpg', instances=instances)
                 ])))
    return tmp_path, image, ann


def run_tool(monkeypatch, *args):
    """Run the tool's main with ``args``; return what it passed to the drawing."""
    tool = load_tool('tools/visualize_attention.py')
    drawn = {}

    def draw_attention(self, image, data_sample):
        drawn.update(image=image.copy(), words=list(data_sample.gt_instances.texts))
        return np.zeros((8, 8, 3), np.uint8)

    monkeypatch.setattr(tool.OCLIPAttentionVisualizer, 'draw_attention', draw_attention)
    monkeypatch.setattr('sys.argv', ['visualize_attention.py', *map(str, args)])
    tool.main()
    return drawn


def test_hide_image_draws_only_the_annotated_outlines(setup, monkeypatch):
    root, image, ann = setup
    out = root / 'picture.png'
    drawn = run_tool(monkeypatch, root / 'oclip.py', root / 'oclip.pth', image, '--ann',
                     ann, '--hide-image', '--out', out)
    assert drawn['words'] == ['cat', 'dog']  # the annotated words, ### left out
    picture = drawn['image']
    # no pixel of the noise image: grey levels only (grey canvas, white outlines)
    assert (picture[..., 0] == picture[..., 1]).all()
    assert (picture[..., 1] == picture[..., 2]).all()
    assert (picture > 200).any() and out.is_file()


def test_ann_outlines_over_the_image_and_words_override(setup, monkeypatch):
    root, image, ann = setup
    drawn = run_tool(monkeypatch, root / 'oclip.py', root / 'oclip.pth', image, '--ann',
                     ann, '--words', 'dog', '--out', root / 'p.png')
    assert drawn['words'] == ['dog']
    picture = drawn['image']
    assert (picture[..., 0] != picture[..., 1]).any()  # the image is there


@pytest.mark.parametrize('args, message', [
    (['--hide-image', '--words', 'cat'], '--hide-image needs --ann'),
    ([], 'give the query words (--words) or an annotation (--ann)'),
])
def test_missing_arguments_are_named(setup, monkeypatch, args, message):
    root, image, _ = setup
    with pytest.raises(SystemExit) as error:
        run_tool(monkeypatch, root / 'oclip.py', root / 'oclip.pth', image, *args)
    assert message in str(error.value)


def test_image_missing_from_the_annotation_is_named(setup, monkeypatch):
    root, _, ann = setup
    image = root / 'imgs' / 'elsewhere.jpg'
    Image.new('RGB', (32, 32)).save(image)
    with pytest.raises(SystemExit) as error:
        run_tool(monkeypatch, root / 'oclip.py', root / 'oclip.pth', image, '--ann',
                 ann)
    assert str(error.value) == (f'error: {ann}: 0 entries for an image named '
                                'elsewhere.jpg (one needed)')


def test_malformed_annotation_is_named(setup, monkeypatch):
    root, image, _ = setup
    ann = root / 'broken.json'
    ann.write_text('{"metainfo": {}}')
    with pytest.raises(SystemExit) as error:
        run_tool(monkeypatch, root / 'oclip.py', root / 'oclip.pth', image, '--ann',
                 ann)
    assert str(error.value) == (f'error: {ann}: not an MMOCR annotation '
                                '(no data_list)')
