"""Bad input in the converters and tools: they stop naming the file, place, reason."""
import copy
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmocr.registry import MODELS
from PIL import Image
from scipy.io import savemat

from mmocr_oclip.converters import build_model, convert_official_oclip_checkpoint
from mmocr_oclip.datasets.preparers.converters import GTFormatError, parse_icdar2015
from mmocr_oclip.models.utils.dictionary_check import DictionaryMismatchError
from helpers import REPO
from helpers.authors_oclip import official_state_dict
from helpers.processes import load_tool

NOT_UTF8 = b'{"gt_0": [\n  {"transcription": "caf\xe9"}]}\n'
BAD_JSON = '{"gt_0": [\n  {"transcription": "a"},\n]}\n'


@pytest.mark.parametrize('tool', ['lsvt', 'build_dictionary'])
def test_json_tools_name_file_line_and_reason(tmp_path, tool):
    main = load_tool(f'tools/dataset_converters/{tool}.py').main
    out = str(tmp_path / 'out')
    args = (lambda ann: [ann, out]) if tool == 'lsvt' else (
        lambda ann: [ann, '--out', out])
    bad = tmp_path / 'latin1.json'
    bad.write_bytes(NOT_UTF8)
    with pytest.raises(SystemExit,
                       match=r'latin1\.json, line 2, byte 25 of the line: not UTF-8 '
                       r'text \(byte 0xe9: invalid continuation byte\)'):
        main(args(str(bad)))
    bad = tmp_path / 'trailing_comma.json'
    bad.write_text(BAD_JSON)
    with pytest.raises(SystemExit,
                       match=r'trailing_comma\.json, line 3, column 1: invalid JSON: '
                       'Expecting value'):
        main(args(str(bad)))
    assert not osp.exists(out)


def test_gt_converter_names_non_utf8_line(tmp_path, capsys):
    gt = tmp_path / 'gt' / 'gt_img_1.txt'
    gt.parent.mkdir()
    gt.write_bytes(b'0,0,1,0,1,1,0,1,ok\n0,0,1,0,1,1,0,1,\xff\xfe\n')
    with pytest.raises(GTFormatError,
                       match=r'gt_img_1\.txt, line 2, byte 17 of the line: not UTF-8'):
        parse_icdar2015(str(gt))
    # the converter's command line: the error, not a traceback, on stderr
    (tmp_path / 'imgs').mkdir()
    Image.new('RGB', (8, 8)).save(tmp_path / 'imgs' / 'img_1.jpg')
    main = load_tool('tools/dataset_converters/icdar2015.py').main
    assert main('icdar2015', [
        str(tmp_path / 'imgs'),
        str(gt.parent),
        str(tmp_path / 'out'), '--split', 'train'
    ]) == 1
    assert 'gt_img_1.txt, line 2, byte 17 of the line: not UTF-8' in \
        capsys.readouterr().err


@pytest.mark.parametrize('field', ['imnames', 'wordBB', 'txt'])
def test_synthtext_names_the_missing_field(tmp_path, field):
    mat = dict(imnames=np.array([[np.array(['a.jpg'])]], dtype=object),
               wordBB=np.array([[np.zeros((2, 4))]], dtype=object),
               txt=np.array([[np.array(['word'])]], dtype=object))
    del mat[field]
    savemat(str(tmp_path / 'gt.mat'), mat)
    main = load_tool('tools/dataset_converters/synthtext.py').main
    with pytest.raises(SystemExit, match=rf'gt\.mat: missing field\(s\): {field}$'):
        main([str(tmp_path / 'gt.mat'), str(tmp_path / 'out.json')])
    (tmp_path / 'fake.mat').write_bytes(b'not a MATLAB file' * 20)
    with pytest.raises(SystemExit, match=r'fake\.mat: not a readable MATLAB file'):
        main([str(tmp_path / 'fake.mat'), str(tmp_path / 'out.json')])
    assert not osp.exists(tmp_path / 'out.json')


def test_converted_official_checkpoint_records_its_dictionary(tmp_path, tiny_oclip_cfg):
    """The converter writes the model's dictionary_codes; a model built with
    another dictionary refuses the converted checkpoint, naming both."""
    cfg_file = tmp_path / 'tiny.py'
    cfg_file.write_text("default_scope = 'mmocr'\ncustom_imports = dict(imports=["
                        "'mmocr_oclip'], allow_failed_imports=False)\n"
                        f'model = {tiny_oclip_cfg!r}\n')
    model = build_model(str(cfg_file))
    official = official_state_dict(model)
    assert not [k for k in official if 'dictionary' in k]
    torch.save(dict(state_dict=official), tmp_path / 'theirs.pth')
    convert_official_oclip_checkpoint(str(tmp_path / 'theirs.pth'),
                                      str(tmp_path / 'ours.pth'), str(cfg_file))
    converted = torch.load(tmp_path / 'ours.pth', weights_only=True)['state_dict']
    assert converted['dictionary_codes'].tolist() == list(range(33, 127))
    other_dict = tmp_path / 'lower.txt'
    other_dict.write_text(''.join(f'{chr(c)}\n' for c in range(97, 123)))
    cfg = copy.deepcopy(tiny_oclip_cfg)
    cfg['tokenizer'] = dict(type='CharacterTokenizer', dict_file=str(other_dict))
    with pytest.raises(DictionaryMismatchError,
                       match=r"(?s)checkpoint: 94 characters '!\"#.*model: 26 "
                       r"characters 'abc.*lower\.txt.*only in the checkpoint"):
        MODELS.build(cfg).load_state_dict(converted)


def test_json_error_columns_match_json_module(tmp_path):
    """Located errors agree with json's own positions (a sanity check)."""
    from mmocr_oclip.datasets.annotation_file import load_json_file
    path = tmp_path / 'x.json'
    path.write_text('[1, 2,\n 3 4]')
    with pytest.raises(ValueError) as info:
        load_json_file(str(path))
    try:
        json.loads(path.read_text())
    except json.JSONDecodeError as e:
        assert f'line {e.lineno}, column {e.colno}' in str(info.value)


@pytest.mark.parametrize('loader', ['LoadCheckedImageFromFile', 'LoadImageFromFile'])
def test_visualize_attention_refuses_a_truncated_jpeg(tmp_path, tiny_oclip_cfg,
                                                      monkeypatch, loader):
    """Not decoded into noise: the file and the reason, whatever the config loads
    images with (our configs: LoadCheckedImageFromFile)."""
    from mmengine.config import Config
    tool = load_tool('tools/visualize_attention.py')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py'))
    cfg.model = tiny_oclip_cfg
    cfg.val_dataloader.dataset.pipeline[0].type = loader
    cfg.dump(str(tmp_path / 'oclip.py'))
    ckpt = tmp_path / 'oclip.pth'
    torch.save(dict(state_dict=MODELS.build(tiny_oclip_cfg).state_dict(), meta={}),
               ckpt)
    image = tmp_path / 'photo.jpg'
    Image.fromarray(np.full((64, 96, 3), 200, np.uint8)).save(image)
    image.write_bytes(image.read_bytes()[:-100])
    monkeypatch.setattr('sys.argv', [
        'visualize_attention.py',
        str(tmp_path / 'oclip.py'),
        str(ckpt),
        str(image), '--words', 'cat'
    ])
    with pytest.raises(SystemExit) as error:
        tool.main()
    assert str(error.value) == (f'error: {image}: truncated image: JPEG without '
                                'end-of-image marker 0xFFD9 (truncated file)')
