"""Import of the authors' oCLIP checkpoints (tools/convert_official_oclip.py)."""
import argparse
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmocr.models.common.backbones import CLIPResNet

from mmocr_oclip.converters import build_model, convert_official_oclip_checkpoint
from mmocr_oclip.converters.official_oclip import (OfficialCheckpointError,
                                                   convert_official_state_dict,
                                                   default_config,
                                                   load_official_checkpoint,
                                                   official_key_to_ours)
from helpers import REPO
from helpers.authors_oclip import official_state_dict
from helpers.processes import load_tool

TOOL = osp.join(REPO, 'tools', 'convert_official_oclip.py')

# authors' key (module. stripped) -> ours, written out so that a wrong mapping
# cannot pass by symmetry with the tests' inverse mapping (helpers.INVERSE_RULES)
LITERAL_KEYS = {
    'visual.conv1.weight': 'backbone.stem.0.weight',
    'visual.bn1.running_var': 'backbone.stem.1.running_var',
    'visual.conv3.weight': 'backbone.stem.6.weight',
    'visual.bn3.bias': 'backbone.stem.7.bias',
    'visual.layer1.0.downsample.0.weight': 'backbone.layer1.0.downsample.1.weight',
    'visual.layer4.0.downsample.1.running_mean':
    'backbone.layer4.0.downsample.2.running_mean',
    'visual.layer3.5.bn3.weight': 'backbone.layer3.5.bn3.weight',
    'visual.attnpool.positional_embedding': 'neck.positional_embedding',
    'visual.attnpool.c_proj.bias': 'neck.c_proj.bias',
    'token_embedding.weight': 'text_encoder.token_embedding.weight',
    'positional_embedding': 'text_encoder.positional_embedding',
    'transformer.resblocks.0.attn.in_proj_weight':
    'text_encoder.resblocks.0.attn.in_proj_weight',
    'ln_final.weight': 'text_encoder.ln_final.weight',
    'text_projection': 'text_encoder.text_projection',
    'logit_scale': 'logit_scale',
    'transformer_decoder.resblocks.0.mlp.c_fc.weight':
    'decoder.resblocks.0.mlp.c_fc.weight',
    'image_pos': 'decoder.image_pos',
    'ln_final_decoder.weight': 'decoder.ln_final.weight',
    'text_class.bias': 'decoder.text_class.bias',
}

tool = load_tool('tools/convert_official_oclip.py', 'convert_official_oclip')


@pytest.fixture(scope='module')
def config(tmp_path_factory, tiny_oclip_template):
    path = tmp_path_factory.mktemp('cfg') / 'tiny_oclip.py'
    path.write_text("default_scope = 'mmocr'\n"
                    "custom_imports = dict(imports=['mmocr_oclip'], "
                    'allow_failed_imports=False)\n'
                    f'model = {tiny_oclip_template!r}\n')
    return str(path)


@pytest.fixture(scope='module')
def model(config):
    return build_model(config)


def test_literal_official_key_names(model):
    for theirs, ours in LITERAL_KEYS.items():
        assert official_key_to_ours(theirs) == ours
    # the synthetic checkpoint really has the authors' names
    keys = set(official_state_dict(model))
    assert {'module.' + theirs for theirs in LITERAL_KEYS} <= keys
    assert official_key_to_ours('visual.layer1.0.downsample.2.weight') is None
    assert official_key_to_ours('visual.conv4.weight') is None


@pytest.mark.parametrize('prefix', ['module.', ''])
def test_converted_loads_strictly_with_the_same_values(model, prefix):
    official = official_state_dict(model, prefix)
    new = convert_official_state_dict(official, model.state_dict())
    model.load_state_dict(new, strict=True)
    assert list(new) == list(model.state_dict())
    for key, value in official.items():
        ours = official_key_to_ours(key[len(prefix):])
        assert torch.equal(new[ours].flatten(), value.flatten()), key
    assert new['decoder.image_pos'].shape == (4, 16)
    nbt = [k for k in new if k.endswith('num_batches_tracked')]
    assert nbt and all(int(new[k]) == 0 for k in nbt)


def test_tool_checkpoint_loads_into_oclip_and_mmocr_clipresnet(model, config, tmp_path):
    official = official_state_dict(model)
    src, dst = str(tmp_path / 'official.pt'), str(tmp_path / 'oclip.pth')
    torch.save(dict(epoch=100, name='oclip', state_dict=official, optimizer={}), src)
    assert convert_official_oclip_checkpoint(src, dst, config) == config
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['meta'] == dict(converted_from=src, config=config)
    model.load_state_dict(ckpt['state_dict'], strict=True)
    backbone = {
        k[len('backbone.'):]: v
        for k, v in ckpt['state_dict'].items() if k.startswith('backbone.')
    }
    clip_resnet = CLIPResNet(base_channels=4)
    clip_resnet.load_state_dict(backbone, strict=True)
    assert torch.equal(clip_resnet.stem[0].weight,
                       official['module.visual.conv1.weight'])
    assert torch.equal(clip_resnet.layer1[0].downsample[1].weight,
                       official['module.visual.layer1.0.downsample.0.weight'])


def test_raw_state_dict_file(model, tmp_path):
    official = official_state_dict(model)
    path = str(tmp_path / 'raw.pt')
    torch.save(official, path)
    loaded = load_official_checkpoint(path)
    assert 'visual.conv1.weight' in loaded and len(loaded) == len(official)


@pytest.mark.parametrize('change, message', [
    (lambda sd: sd.update({'module.visual.attnpool.extra': torch.zeros(1)}),
     'unknown keys in the checkpoint:\n  visual.attnpool.extra'),
    (lambda sd: sd.update(
        {'module.transformer.resblocks.1.ln_1.weight': torch.zeros(16)}),
     'transformer.resblocks.1.ln_1.weight '
     '(-> text_encoder.resblocks.1.ln_1.weight)'),
    (lambda sd: sd.pop('module.ln_final_decoder.bias'),
     'keys missing from the checkpoint:\n  decoder.ln_final.bias'),
    (lambda sd: sd.update({'module.visual.bn1.running_mean': torch.zeros(3)}),
     'backbone.stem.1.running_mean: checkpoint (3,), model (2,)'),
    (lambda sd: sd.update({'module.image_pos': torch.zeros(2, 4, 16)}),
     'decoder.image_pos: checkpoint (2, 4, 16), model (4, 16)'),
])
def test_key_errors(model, change, message):
    official = official_state_dict(model)
    change(official)
    with pytest.raises(OfficialCheckpointError) as e:
        convert_official_state_dict(official, model.state_dict())
    assert message in str(e.value)


def test_vocabulary_mismatch(model, config, tmp_path):
    src, dst = str(tmp_path / 'official.pt'), str(tmp_path / 'oclip.pth')
    torch.save(dict(state_dict=official_state_dict(model)), src)
    dict_file = tmp_path / 'dict.txt'
    dict_file.write_text('\n'.join('abcdefghij') + '\n')
    with pytest.raises(OfficialCheckpointError) as e:
        convert_official_oclip_checkpoint(src, dst, config, dict_file=str(dict_file))
    assert 'text_encoder.token_embedding.weight: checkpoint (97, 16), model (13, 16)'\
        in str(e.value)
    assert ("the checkpoint's vocabulary has 97 tokens, the dictionary gives "
            '10 + 3 = 13; pass --dict-file') in str(e.value)
    assert not osp.exists(dst)

    # a checkpoint of that 13-token vocabulary converts with --dict-file
    small = build_model(config, dict_file=str(dict_file))
    torch.save(dict(state_dict=official_state_dict(small)), src)
    convert_official_oclip_checkpoint(src, dst, config, dict_file=str(dict_file))
    converted = torch.load(dst, weights_only=True)['state_dict']
    assert converted['decoder.text_class.weight'].shape == (13, 16)
    with pytest.raises(OfficialCheckpointError, match='vocabulary has 13 tokens'):
        convert_official_oclip_checkpoint(src, dst, config)


def test_cli_errors(model, config, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        tool.main([str(tmp_path / 'none.pt'), str(tmp_path / 'out.pth')])
    assert e.value.code == f'error: checkpoint not found: {tmp_path / "none.pt"}'
    src = str(tmp_path / 'pickled.pt')
    torch.save(dict(state_dict={}, args=argparse.Namespace(lr=1)), src)
    with pytest.raises(SystemExit) as e:
        tool.main([src, str(tmp_path / 'out.pth'), '--config', config])
    assert e.value.code.startswith('error: cannot load')
    assert 'weights_only=True' in e.value.code
    assert 'argparse.Namespace' in e.value.code


def test_default_config_by_layer3_blocks():
    rn50 = [f'module.visual.layer3.{i}.conv1.weight' for i in range(6)]
    rn101 = [f'visual.layer3.{i}.bn3.bias' for i in range(23)]
    others = ['module.visual.conv1.weight', 'module.visual.layer4.2.conv1.weight']
    assert osp.samefile(
        default_config(rn50 + others),
        osp.join(REPO, 'configs', 'pretrain', 'oclip_rn50_synthtext.py'))
    assert osp.samefile(
        default_config(rn101 + others),
        osp.join(REPO, 'configs', 'pretrain', 'oclip_rn101_synthtext.py'))


@pytest.mark.slow
def test_cli(model, config, tmp_path):
    src, dst = str(tmp_path / 'official.pt'), str(tmp_path / 'oclip.pth')
    torch.save(dict(state_dict=official_state_dict(model)), src)
    command = [
        sys.executable, TOOL, src, dst, '--config', config, '--cfg-options',
        'model.neck.num_heads=2'
    ]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert 'mean [122.771,116.746,104.094]' in proc.stdout
    assert 'std [68.501,66.632,70.323]' in proc.stdout
    model.load_state_dict(torch.load(dst, weights_only=True)['state_dict'], strict=True)
