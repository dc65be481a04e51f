"""Import of the authors' WeCromCL stage-1 checkpoints
(tools/convert_official_wecromcl.py), on synthetic checkpoints with their key
names and shapes (tests/helpers/authors_wecromcl.py builds them, as the parity test
reads them)."""
import json
import os.path as osp

import mmocr
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmocr.registry import MODELS

from mmocr_oclip.converters import (build_model, convert_official_wecromcl_checkpoint,
                                    packaged_config)
from mmocr_oclip.converters.official_checkpoint import OfficialCheckpointError
from mmocr_oclip.converters.official_wecromcl import (AUTHORS_ALPHABET, DEFAULT_CONFIG,
                                                      convert_official_state_dict,
                                                      official_key_to_ours, token_rows)
from mmocr_oclip.datasets.preparers.rendering import render_dataset
import helpers.authors_wecromcl
import helpers.processes

tool = helpers.processes.load_tool('tools/convert_official_wecromcl.py',
                                   'convert_official_wecromcl')
anchor_tool = helpers.processes.load_tool('tools/wecromcl_anchor_points.py',
                                          'wecromcl_anchor_points')

# authors' key (module. stripped) -> ours, written out
LITERAL_KEYS = {
    'backbone.conv1.weight': 'backbone.conv1.weight',
    'backbone.layer1.0.downsample.0.weight': 'backbone.layer1.0.downsample.0.weight',
    'backbone.layer4.2.bn3.running_var': 'backbone.layer4.2.bn3.running_var',
    'repeated_bifpn.0.fpn_in2.0.weight': 'neck.0.lateral_convs.0.conv.weight',
    'repeated_bifpn.0.fpn_in5.1.running_mean': 'neck.0.lateral_convs.3.bn.running_mean',
    'repeated_bifpn.0.w_4_5': 'neck.0.blocks.0.td_weights.0',
    'repeated_bifpn.1.w_2_3': 'neck.0.blocks.1.td_weights.2',
    'repeated_bifpn.0.w_2up_3in_3up': 'neck.0.blocks.0.bu_weights.0',
    'repeated_bifpn.1.w_5in_5up': 'neck.0.blocks.1.bu_weights.2',
    'repeated_bifpn.0.conv4_up.weight': 'neck.0.blocks.0.td_convs.0.conv.weight',
    'repeated_bifpn.1.conv2_up.weight': 'neck.0.blocks.1.td_convs.2.conv.weight',
    'repeated_bifpn.1.conv3_out.weight': 'neck.0.blocks.1.bu_convs.0.conv.weight',
    'repeated_bifpn.0.conv5_out.weight': 'neck.0.blocks.0.bu_convs.2.conv.weight',
    'fpn_out4_2.0.0.weight': 'neck.1.branches.0.0.conv.weight',
    'fpn_out3_2.0.1.bias': 'neck.1.branches.0.1.bn.bias',
    'fpn_out2_2.0.weight': 'neck.1.branches.0.2.conv.weight',
    'fpn_out2_2.1.running_var': 'neck.1.branches.0.2.bn.running_var',
    'fpn_out5_3.0.0.weight': 'neck.1.branches.1.0.conv.weight',
    'fpn_out4_3.0.1.weight': 'neck.1.branches.1.1.bn.weight',
    'fpn_out3_3.0.0.weight': 'neck.1.branches.1.2.conv.weight',
    'encoder.input_proj.0.0.bias': 'encoder.input_convs.0.bias',
    'encoder.input_proj.1.1.weight': 'encoder.input_norms.1.weight',
    'encoder.level_embed': 'encoder.level_embed',
    'encoder.encoder.layers.0.self_attn.sampling_offsets.weight':
    'encoder.encoder.layers.0.self_attn.sampling_offsets.weight',
    'encoder.encoder.layers.1.linear1.bias':
    'encoder.encoder.layers.1.ffn.layers.0.0.bias',
    'encoder.encoder.layers.1.linear2.weight':
    'encoder.encoder.layers.1.ffn.layers.1.weight',
    'encoder.encoder.layers.0.norm1.weight': 'encoder.encoder.layers.0.norms.0.weight',
    'encoder.encoder.layers.0.norm2.bias': 'encoder.encoder.layers.0.norms.1.bias',
    'channel_to_512.0.weight': 'encoder.output_proj.weight',
    'text_encoder.resblocks.1.attn.in_proj_weight':
    'text_encoder.resblocks.1.attn.in_proj_weight',
    'text_encoder.resblocks.0.mlp.c_fc.bias': 'text_encoder.resblocks.0.mlp.c_fc.bias',
    'token_embedding.weight': 'text_encoder.token_embedding.weight',
    'positional_embedding': 'text_encoder.positional_embedding',
    'ln_final.bias': 'text_encoder.ln_final.bias',
    'text_projection': 'text_encoder.text_projection',
    'attn_pool.q_proj.weight': 'head.q_proj.weight',
    'attn_pool.v_proj.bias': 'head.v_proj.bias',
    'attn_pool.c_proj.weight': 'head.out_proj.weight',
    'logit_scale': 'logit_scale',
}


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    """The SynthText config at the parity test's small widths, as a file."""
    cfg = Config.fromfile(helpers.authors_wecromcl.SYNTHTEXT)
    cfg.merge_from_dict(helpers.authors_wecromcl.small_cfg_options())
    path = tmp_path_factory.mktemp('cfg') / 'wecromcl_small.py'
    cfg.dump(str(path))
    return str(path)


@pytest.fixture(scope='module')
def model(config):
    return build_model(config)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp('official') / 'wecromcl_pretrain.pth'
    torch.save(helpers.authors_wecromcl.authors_state_dict(), path)
    return str(path)


def test_literal_official_key_names(model):
    for theirs, ours in LITERAL_KEYS.items():
        assert official_key_to_ours(theirs) == ours, theirs
    keys = set(helpers.authors_wecromcl.authors_shapes())
    assert set(LITERAL_KEYS) <= keys
    for key in ('repeated_bifpn.1.fpn_in2.0.weight', 'repeated_bifpn.0.w_4_5.weight',
                'repeated_bifpn.0.conv4_up', 'fpn_out2_2.0.0.weight',
                'fpn_out3_3.0.weight', 'encoder.encoder.layers.0.linear3.weight',
                'backbone.fc.weight', 'attn_pool.o_proj.weight'):
        assert official_key_to_ours(key) in (None, 'backbone.fc.weight'), key
    # every mapped key exists in the model, none twice
    mapped = [official_key_to_ours(k) for k in keys if not k.startswith('backbone.fc')]
    assert len(set(mapped)) == len(mapped)
    assert set(mapped) <= set(model.state_dict())


def test_authors_alphabet():
    assert len(AUTHORS_ALPHABET) == 69
    assert AUTHORS_ALPHABET == helpers.authors_wecromcl.ALPHABET
    with open(osp.join(helpers.REPO, 'mmocr_oclip', 'resources',
                       'wecromcl_69.txt')) as f:
        assert f.read() == ''.join(c + '\n' for c in AUTHORS_ALPHABET)
    # our ids for a subset dictionary: rows of their table
    assert token_rows('a!', 4).tolist() == [0, 11, 38, 70]


@pytest.mark.parametrize('prefix', ['module.', ''])
def test_round_trip_strict(model, prefix):
    official = helpers.authors_wecromcl.authors_state_dict(prefix=prefix)
    new = convert_official_state_dict(official, model.state_dict())
    model.load_state_dict(new, strict=True)
    assert list(new) == list(model.state_dict())
    for key, value in official.items():
        key = key[len(prefix):]
        if key.startswith('backbone.fc.'):
            assert 'backbone.fc.weight' not in new
            continue
        assert torch.equal(new[official_key_to_ours(key)], value), key
    assert new['dictionary_codes'].tolist() == [ord(c) for c in AUTHORS_ALPHABET]


def test_tool_checkpoint(model, config, checkpoint, tmp_path, capsys):
    dst = str(tmp_path / 'out' / 'wecromcl.pth')
    tool.main([checkpoint, dst, '--config', config])
    printed = capsys.readouterr().out
    assert f'config to use: {config}' in printed
    assert 'dictionary to use: wecromcl_69.txt (69 characters' in printed
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['meta'] == dict(converted_from=checkpoint,
                                config=config,
                                model_type='WeCromCL',
                                dict_file='wecromcl_69.txt',
                                dictionary=AUTHORS_ALPHABET)
    assert ckpt['state_dict']._metadata['']['model_type'] == 'WeCromCL'
    fresh = build_model(config)
    load_checkpoint(fresh, dst, map_location='cpu', strict=True)
    for key, value in convert_official_state_dict(
            helpers.authors_wecromcl.authors_state_dict(), fresh.state_dict()).items():
        assert torch.equal(ckpt['state_dict'][key], value), key
    # backbone.* loads into MMOCR's stock ResNet-50 detector backbone
    stock = Config.fromfile(
        osp.join(osp.dirname(mmocr.__file__), '.mim', 'configs', 'textdet', 'dbnet',
                 'dbnet_resnet50_1200e_icdar2015.py'))
    backbone_cfg = dict(stock.model.backbone, base_channels=4, init_cfg=None)
    assert backbone_cfg['type'] == 'mmdet.ResNet' and backbone_cfg['depth'] == 50
    backbone = MODELS.build(backbone_cfg)
    weights = {
        k[len('backbone.'):]: v
        for k, v in ckpt['state_dict'].items() if k.startswith('backbone.')
    }
    backbone.load_state_dict(weights, strict=True)
    official = helpers.authors_wecromcl.authors_state_dict()
    assert torch.equal(backbone.layer2[0].downsample[1].running_var,
                       official['module.backbone.layer2.0.downsample.1.running_var'])


def test_full_resnet50_keys_are_stock_mmdet_names():
    stock = MODELS.build(dict(type='mmdet.ResNet', depth=50, out_indices=(0, 1, 2, 3)))
    theirs = {
        k[len('backbone.'):]
        for k in helpers.authors_wecromcl.authors_shapes(helpers.authors_wecromcl.FULL)
        if k.startswith('backbone.')
    }
    assert theirs - set(stock.state_dict()) == {'fc.weight', 'fc.bias'}
    assert set(stock.state_dict()) <= theirs
    shapes = helpers.authors_wecromcl.authors_shapes(helpers.authors_wecromcl.FULL)
    for key, value in stock.state_dict().items():
        assert tuple(value.shape) == shapes['backbone.' + key], key


def test_lowercase_68_dictionary_reorders_rows(config, tmp_path):
    """Another dictionary (a subset of theirs, in another order) gets the
    authors' rows of its characters."""
    small = build_model(config,
                        cfg_options={'model.tokenizer.dict_file': 'lowercase_68.txt'})
    official = helpers.authors_wecromcl.authors_state_dict()
    new = convert_official_state_dict(official, small.state_dict())
    small.load_state_dict(new, strict=True)
    table = official['module.token_embedding.weight']
    ours = new['text_encoder.token_embedding.weight']
    assert ours.shape[0] == 70
    chars = ''.join(small.tokenizer.dictionary.dict)
    assert ' ' not in chars
    for i, c in enumerate(chars):
        assert torch.equal(ours[i + 1], table[AUTHORS_ALPHABET.index(c) + 1]), c
    assert torch.equal(ours[0], table[0]) and torch.equal(ours[-1], table[70])


@pytest.mark.parametrize('change, message', [
    (lambda sd: sd.update({'module.repeated_bifpn.1.fpn_in2.0.weight': torch.zeros(1)}),
     'unknown keys in the checkpoint:\n  repeated_bifpn.1.fpn_in2.0.weight'),
    (lambda sd: sd.update(
        {'module.encoder.encoder.layers.2.norm1.weight': torch.zeros(24)}),
     'encoder.encoder.layers.2.norm1.weight '
     '(-> encoder.encoder.layers.2.norms.0.weight)'),
    (lambda sd: sd.pop('module.attn_pool.c_proj.bias'),
     'keys missing from the checkpoint:\n  head.out_proj.bias'),
    (lambda sd: sd.update({'module.encoder.level_embed': torch.zeros(3, 24)}),
     'encoder.level_embed: checkpoint (3, 24), model (2, 24)'),
    (lambda sd: sd.update({'module.token_embedding.weight': torch.zeros(97, 16)}),
     'text_encoder.token_embedding.weight: checkpoint (97, 16), model (71, 16)'),
    (lambda sd: sd.update({'module.channel_to_512.0.bias': torch.zeros(16)}),
     'channel_to_512.0.bias (-> encoder.output_proj.bias)'),
])
def test_key_errors(model, change, message):
    official = helpers.authors_wecromcl.authors_state_dict()
    change(official)
    with pytest.raises(OfficialCheckpointError) as e:
        convert_official_state_dict(official, model.state_dict())
    assert message in str(e.value)


def test_dictionary_errors(config):
    official = helpers.authors_wecromcl.authors_state_dict()
    with_end = build_model(config, cfg_options={'model.tokenizer.end_token': True})
    with pytest.raises(OfficialCheckpointError, match='end_token=False'):
        convert_official_state_dict(official, with_end.state_dict())
    with pytest.raises(OfficialCheckpointError, match="outside the authors' alphabet"):
        token_rows('aé', 4)


def test_cli_errors(config, checkpoint, tmp_path):
    with pytest.raises(SystemExit) as e:
        tool.main([str(tmp_path / 'none.pth'), str(tmp_path / 'out.pth')])
    assert e.value.code == f'error: checkpoint not found: {tmp_path / "none.pth"}'
    with pytest.raises(SystemExit) as e:
        tool.main([checkpoint, str(tmp_path / 'out.pth'), '--config', 'none.py'])
    assert e.value.code == 'error: config not found: none.py'
    bad = tmp_path / 'bad.pth'
    official = helpers.authors_wecromcl.authors_state_dict()
    del official['module.logit_scale']
    torch.save(dict(state_dict=official), bad)
    with pytest.raises(SystemExit) as e:
        tool.main([str(bad), str(tmp_path / 'out.pth'), '--config', config])
    assert 'keys missing from the checkpoint:\n  logit_scale' in e.value.code
    assert not osp.exists(tmp_path / 'out.pth')


def test_default_config_is_the_synthtext_one():
    assert osp.samefile(packaged_config(DEFAULT_CONFIG),
                        helpers.authors_wecromcl.SYNTHTEXT)
    assert tool.parse_args(['a', 'b']).config is None


def test_anchor_points_tool_accepts_the_converted_checkpoint(config, checkpoint,
                                                             tmp_path):
    dst = str(tmp_path / 'wecromcl.pth')
    convert_official_wecromcl_checkpoint(checkpoint, dst, config)
    render_dataset(str(tmp_path / 'data'),
                   2,
                   split='test',
                   seed=3,
                   img_size=(64, 96),
                   words=['cat', 'dog', 'a-b'],
                   words_per_image=(2, 3),
                   font_size=(12, 20))
    ann = tmp_path / 'data' / 'textspotting_test.json'
    out = tmp_path / 'anchors.json'
    anchor_tool.main([config, dst, str(ann), str(out), '--scale', '96'])
    points = json.load(open(out))['data_list']
    words = json.load(open(ann))['data_list']
    assert len(points) == len(words) == 2
    for got, gt in zip(points, words):
        assert sorted(i['text']
                      for i in got['instances']) == sorted(i['text'].lower()
                                                           for i in gt['instances'])
