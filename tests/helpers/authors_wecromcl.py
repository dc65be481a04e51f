"""The authors' WeCromCL checkpoint layout."""
import math
import os.path as osp

import torch

from helpers import REPO

SYNTHTEXT = osp.join(REPO, 'configs', 'pretrain',
                     'wecromcl_r50_1xb16-200k_synthtext.py')

# The authors' alphabet in token-id order (id = index + 1, 0 = padding),
# written out: their YAML string lower-cased, first occurrences kept (the
# backslash of the YAML's \' comes before the quote and the \\ repeats it)
ALPHABET = ('0123456789abcdefghijklmnopqrstuvwxyz !"#$%&\\\'()*+,-./:;<=>?@[]^_`{|}~')
CONTEXT = 25

# small widths of the authors' architecture (theirs: ResNet-50 base 64, BiFPN
# 256, branches 64 (192 concatenated), encoder 192 / FFN 256 / 8 heads / 4
# points / 6 layers, 512 outputs, text width 512 / 12 layers / 8 heads)
SMALL = dict(base=4,
             ndim=16,
             branch=8,
             heads=4,
             points=2,
             layers=2,
             ffn=32,
             out=16,
             text_width=16,
             text_layers=2,
             text_heads=2)
FULL = dict(base=64,
            ndim=256,
            branch=64,
            heads=8,
            points=4,
            layers=6,
            ffn=256,
            out=512,
            text_width=512,
            text_layers=12,
            text_heads=8)


def small_cfg_options(w=SMALL):
    """--cfg-options giving the SynthText config's model the widths ``w``."""
    d = 3 * w['branch']
    c = [w['base'] * 4 * 2**i for i in range(4)]
    return {
        'model.backbone.init_cfg': None,
        'model.backbone.base_channels': w['base'],
        'model.neck.0.in_channels': c,
        'model.neck.0.out_channels': w['ndim'],
        'model.neck.1.in_channels': w['ndim'],
        'model.neck.1.branch_channels': w['branch'],
        'model.encoder.in_channels': (d, d),
        'model.encoder.embed_dims': d,
        'model.encoder.num_heads': w['heads'],
        'model.encoder.num_points': w['points'],
        'model.encoder.num_layers': w['layers'],
        'model.encoder.feedforward_channels': w['ffn'],
        'model.encoder.out_channels': w['out'],
        'model.encoder.num_groups': 8 if d % 32 else 32,
        'model.text_encoder.width': w['text_width'],
        'model.text_encoder.num_layers': w['text_layers'],
        'model.text_encoder.num_heads': w['text_heads'],
        'model.text_encoder.embed_dim': w['out'],
        'model.head.text_dims': w['out'],
        'model.head.image_dims': w['out'],
        'model.head.attn_dims': w['out'],
    }


def authors_shapes(w=SMALL):
    """{key: shape} of the authors' stage-1 model (keys without ``module.``)."""
    shapes = {}

    def bn(prefix, c):
        shapes.update({
            f'{prefix}.weight': (c, ),
            f'{prefix}.bias': (c, ),
            f'{prefix}.running_mean': (c, ),
            f'{prefix}.running_var': (c, ),
            f'{prefix}.num_batches_tracked': ()
        })

    # torchvision ResNet-50
    base = w['base']
    shapes['backbone.conv1.weight'] = (base, 3, 7, 7)
    bn('backbone.bn1', base)
    inplanes = base
    for i, blocks in enumerate((3, 4, 6, 3)):
        planes = base * 2**i
        for j in range(blocks):
            p = f'backbone.layer{i + 1}.{j}'
            shapes[f'{p}.conv1.weight'] = (planes, inplanes, 1, 1)
            bn(f'{p}.bn1', planes)
            shapes[f'{p}.conv2.weight'] = (planes, planes, 3, 3)
            bn(f'{p}.bn2', planes)
            shapes[f'{p}.conv3.weight'] = (planes * 4, planes, 1, 1)
            bn(f'{p}.bn3', planes * 4)
            if j == 0:
                shapes[f'{p}.downsample.0.weight'] = (planes * 4, inplanes, 1, 1)
                bn(f'{p}.downsample.1', planes * 4)
            inplanes = planes * 4
    shapes['backbone.fc.weight'] = (1000, inplanes)
    shapes['backbone.fc.bias'] = (1000, )
    # BiFPN: input projections in the first block only
    ndim = w['ndim']
    for level in range(2, 6):
        p = f'repeated_bifpn.0.fpn_in{level}'
        shapes[f'{p}.0.weight'] = (ndim, base * 4 * 2**(level - 2), 3, 3)
        bn(f'{p}.1', ndim)
    for block in range(2):
        p = f'repeated_bifpn.{block}'
        for name, n in (('w_4_5', 2), ('w_3_4', 2), ('w_2_3', 2), ('w_2up_3in_3up', 3),
                        ('w_3up_4in_4up', 3), ('w_5in_5up', 2)):
            shapes[f'{p}.{name}'] = (n, )
        for name in ('conv4_up', 'conv3_up', 'conv2_up', 'conv3_out', 'conv4_out',
                     'conv5_out'):
            shapes[f'{p}.{name}.weight'] = (ndim, ndim, 1, 1)
    # concat neck
    branch = w['branch']
    for name in ('fpn_out5_3.0', 'fpn_out4_3.0', 'fpn_out3_3.0', 'fpn_out4_2.0',
                 'fpn_out3_2.0', 'fpn_out2_2'):
        shapes[f'{name}.0.weight'] = (branch, ndim, 3, 3)
        bn(f'{name}.1', branch)
    # deformable encoder
    d, heads, points = 3 * branch, w['heads'], w['points']
    for level in range(2):
        shapes[f'encoder.input_proj.{level}.0.weight'] = (d, d, 1, 1)
        shapes[f'encoder.input_proj.{level}.0.bias'] = (d, )
        shapes[f'encoder.input_proj.{level}.1.weight'] = (d, )
        shapes[f'encoder.input_proj.{level}.1.bias'] = (d, )
    shapes['encoder.level_embed'] = (2, d)
    for n in range(w['layers']):
        p = f'encoder.encoder.layers.{n}'
        sizes = dict(sampling_offsets=heads * 2 * points * 2,
                     attention_weights=heads * 2 * points,
                     value_proj=d,
                     output_proj=d)
        for name, rows in sizes.items():
            shapes[f'{p}.self_attn.{name}.weight'] = (rows, d)
            shapes[f'{p}.self_attn.{name}.bias'] = (rows, )
        shapes[f'{p}.linear1.weight'] = (w['ffn'], d)
        shapes[f'{p}.linear1.bias'] = (w['ffn'], )
        shapes[f'{p}.linear2.weight'] = (d, w['ffn'])
        shapes[f'{p}.linear2.bias'] = (d, )
        for norm in ('norm1', 'norm2'):
            shapes[f'{p}.{norm}.weight'] = (d, )
            shapes[f'{p}.{norm}.bias'] = (d, )
    out = w['out']
    shapes['channel_to_512.0.weight'] = (out, d, 1, 1)
    # text side
    tw = w['text_width']
    for n in range(w['text_layers']):
        p = f'text_encoder.resblocks.{n}'
        shapes[f'{p}.attn.in_proj_weight'] = (3 * tw, tw)
        shapes[f'{p}.attn.in_proj_bias'] = (3 * tw, )
        shapes[f'{p}.attn.out_proj.weight'] = (tw, tw)
        shapes[f'{p}.attn.out_proj.bias'] = (tw, )
        shapes[f'{p}.mlp.c_fc.weight'] = (4 * tw, tw)
        shapes[f'{p}.mlp.c_fc.bias'] = (4 * tw, )
        shapes[f'{p}.mlp.c_proj.weight'] = (tw, 4 * tw)
        shapes[f'{p}.mlp.c_proj.bias'] = (tw, )
        for ln in ('ln_1', 'ln_2'):
            shapes[f'{p}.{ln}.weight'] = (tw, )
            shapes[f'{p}.{ln}.bias'] = (tw, )
    shapes['token_embedding.weight'] = (71, tw)
    shapes['positional_embedding'] = (CONTEXT, tw)
    shapes['ln_final.weight'] = (tw, )
    shapes['ln_final.bias'] = (tw, )
    shapes['text_projection'] = (tw, out)
    for name in ('q_proj', 'k_proj', 'v_proj', 'c_proj'):
        shapes[f'attn_pool.{name}.weight'] = (out, out)
        shapes[f'attn_pool.{name}.bias'] = (out, )
    shapes['logit_scale'] = ()
    return shapes


def authors_state_dict(w=SMALL, seed=0, prefix='module.'):
    """A synthetic authors' checkpoint: random weights of sensible scale."""
    g = torch.Generator().manual_seed(seed)
    state_dict = {}
    for key, shape in authors_shapes(w).items():
        if key.endswith('num_batches_tracked'):
            value = torch.tensor(7)
        elif key.endswith('running_var'):
            value = torch.rand(shape, generator=g) + 0.5
        elif key.endswith(('running_mean', '.bias')) and len(shape) == 1:
            value = torch.randn(shape, generator=g) * 0.1
        elif key == 'logit_scale':
            value = torch.tensor(math.log(1 / 0.07))
        elif key.startswith('repeated_bifpn') and len(shape) == 1:
            value = torch.rand(shape, generator=g) + 0.2  # fusion weights
        elif len(shape) == 1 or key.endswith('_embed'):
            # norm weights, level embedding
            value = 1 + torch.randn(shape, generator=g) * 0.1
        else:
            fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
            value = torch.randn(shape, generator=g) / math.sqrt(fan_in)
            if key.endswith(('token_embedding.weight', 'positional_embedding')):
                value = torch.randn(shape, generator=g) * 0.1
            if 'sampling_offsets' in key:
                value = value * 2  # offsets of a few cells
        state_dict[prefix + key] = value
    return state_dict
