"""WeCromCL computes the authors' function (Wu et al., ECCV 2024; their code on
GitHub, ZhengyaoFang/WeCromCL).

Each of the five details where a re-implementation silently computes another
function is checked against a hand-written reference computation, then the
whole model of the SynthText config (at a small width) against a reference
forward written from the same facts, reading the weights from a synthetic
checkpoint in the authors' layout (their key names and shapes, built by
``helpers.authors_state_dict``) that tools/convert_official_wecromcl.py
converts. The reference code here is
written independently of the modules it checks: plain tensor operations on
the authors' parameter names; only MMCV's pure-PyTorch deformable sampling
core (``multi_scale_deformable_attn_pytorch``, the same function as the
authors' CUDA op) is shared.
"""
import copy
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch
from mmengine.config import Config
from mmocr.registry import MODELS, TASK_UTILS

from mmocr_oclip.converters.official_wecromcl import convert_official_state_dict
from helpers import REPO
from helpers.authors_wecromcl import (ALPHABET, CONTEXT, FULL, SMALL, SYNTHTEXT,
                                      authors_state_dict, small_cfg_options)
from helpers.data import make_batch

TOLERANCE = 1e-4  # relative to the largest absolute value of the reference


def build_synthtext_model(w=SMALL):
    cfg = Config.fromfile(SYNTHTEXT)
    cfg.merge_from_dict(small_cfg_options(w))
    return MODELS.build(cfg.model)


# -------------------------------------------------------- reference computations
def ref_bn(x, sd, p):
    return F.batch_norm(x, sd[f'{p}.running_mean'], sd[f'{p}.running_var'],
                        sd[f'{p}.weight'], sd[f'{p}.bias'], False, 0., 1e-5)


def ref_conv_bn_relu(x, sd, conv, bn, stride=1, padding=1):
    return F.relu(ref_bn(F.conv2d(x, sd[conv], stride=stride, padding=padding), sd, bn))


def ref_resnet(x, sd):
    """torchvision ResNet-50 (eval): C2..C5."""
    x = ref_conv_bn_relu(x, sd, 'backbone.conv1.weight', 'backbone.bn1', 2, 3)
    x = F.max_pool2d(x, 3, 2, 1)
    outs = []
    for i, blocks in enumerate((3, 4, 6, 3)):
        for j in range(blocks):
            p = f'backbone.layer{i + 1}.{j}'
            stride = 2 if j == 0 and i > 0 else 1
            y = ref_conv_bn_relu(x, sd, f'{p}.conv1.weight', f'{p}.bn1', 1, 0)
            y = ref_conv_bn_relu(y, sd, f'{p}.conv2.weight', f'{p}.bn2', stride, 1)
            y = ref_bn(F.conv2d(y, sd[f'{p}.conv3.weight']), sd, f'{p}.bn3')
            if j == 0:
                x = ref_bn(F.conv2d(x, sd[f'{p}.downsample.0.weight'], stride=stride),
                           sd, f'{p}.downsample.1')
            x = F.relu(x + y)
        outs.append(x)
    return outs


def ref_bifpn_block(feats, sd, p):
    """The authors' BiFPN block: fast normalised fusion, swish, 1x1 conv
    without bias and without norm; nearest x2 up, 3x3/s2 max-pool down."""

    def fuse(name, inputs, conv):
        weights = F.relu(sd[f'{p}.{name}'])
        weights = weights / (weights.sum() + 1e-4)
        x = sum(wi * xi for wi, xi in zip(weights, inputs))
        return F.conv2d(x * torch.sigmoid(x), sd[f'{p}.{conv}.weight'])

    def up(x):
        return F.interpolate(x, scale_factor=2, mode='nearest')

    def down(x):
        return F.max_pool2d(x, kernel_size=3, stride=2, padding=1)

    c2, c3, c4, c5 = feats
    c4_up = fuse('w_4_5', [c4, up(c5)], 'conv4_up')
    c3_up = fuse('w_3_4', [c3, up(c4_up)], 'conv3_up')
    c2_out = fuse('w_2_3', [c2, up(c3_up)], 'conv2_up')
    c3_out = fuse('w_2up_3in_3up', [c3, c3_up, down(c2_out)], 'conv3_out')
    c4_out = fuse('w_3up_4in_4up', [c4, c4_up, down(c3_out)], 'conv4_out')
    c5_out = fuse('w_5in_5up', [c5, down(c4_out)], 'conv5_out')
    return [c2_out, c3_out, c4_out, c5_out]


def ref_concat(feats, sd):
    """Six conv-BN-ReLU branches, bilinear upsampling with align_corners=True."""
    p2, p3, p4, p5 = feats

    def branch(x, name, scale):
        x = ref_conv_bn_relu(x, sd, f'{name}.0.weight', f'{name}.1')
        if scale > 1:
            x = F.interpolate(x,
                              scale_factor=scale,
                              mode='bilinear',
                              align_corners=True)
        return x

    stride4 = torch.cat([
        branch(p4, 'fpn_out4_2.0', 4),
        branch(p3, 'fpn_out3_2.0', 2),
        branch(p2, 'fpn_out2_2', 1)
    ], 1)
    stride8 = torch.cat([
        branch(p5, 'fpn_out5_3.0', 4),
        branch(p4, 'fpn_out4_3.0', 2),
        branch(p3, 'fpn_out3_3.0', 1)
    ], 1)
    return stride4, stride8


def ref_sine(h, w, num_feats, offset=-0.5):
    """DETR's normalised sine encoding of an unpadded (h, w) map: (2F, h, w),
    y features then x, ``(cumsum - 0.5) / (total + 1e-6) * 2 pi``."""

    def normalised(n):
        cumsum = torch.arange(1, n + 1, dtype=torch.float32)
        return (cumsum + offset) / (n + 1e-6) * 2 * math.pi

    y, x = normalised(h), normalised(w)
    dim_t = 10000**(2 * (torch.arange(num_feats) // 2) / num_feats)
    out = []
    for values in (y[:, None].expand(h, w), x[None].expand(h, w)):
        angles = values[..., None] / dim_t  # h, w, F
        inter = torch.stack([angles[..., 0::2].sin(), angles[..., 1::2].cos()], -1)
        out.append(inter.flatten(2))
    return torch.cat(out, -1).permute(2, 0, 1)


def ref_encoder(feats, sd, w):
    """The authors' deformable encoder (eval) on unpadded maps, then the
    192->512 1x1 projection without bias: F_I."""
    d, heads, points = 3 * w['branch'], w['heads'], w['points']
    batch = feats[0].size(0)
    srcs, poss, shapes, refs = [], [], [], []
    for lvl, feat in enumerate(feats):
        p = f'encoder.input_proj.{lvl}'
        x = F.conv2d(feat, sd[f'{p}.0.weight'], sd[f'{p}.0.bias'])
        x = F.group_norm(x, 8 if d % 32 else 32, sd[f'{p}.1.weight'], sd[f'{p}.1.bias'])
        h, wd = x.shape[-2:]
        pos = ref_sine(h, wd, d // 2) + sd['encoder.level_embed'][lvl][:, None, None]
        srcs.append(x.flatten(2).transpose(1, 2))
        poss.append(pos.flatten(1).t()[None].expand(batch, -1, -1))
        shapes.append((h, wd))
        ys, xs = torch.meshgrid((torch.arange(h) + 0.5) / h,
                                (torch.arange(wd) + 0.5) / wd,
                                indexing='ij')
        refs.append(torch.stack([xs.flatten(), ys.flatten()], -1))
    src, pos = torch.cat(srcs, 1), torch.cat(poss, 1)
    ref = torch.cat(refs, 0)  # N, 2 (x, y), the same for every level
    spatial = torch.tensor(shapes)
    normalizer = torch.tensor([[wd, h] for h, wd in shapes], dtype=torch.float32)
    n = src.size(1)

    def linear(x, name):
        return F.linear(x, sd[f'{name}.weight'], sd[f'{name}.bias'])

    def layer_norm(x, name):
        return F.layer_norm(x, (d, ), sd[f'{name}.weight'], sd[f'{name}.bias'])

    for i in range(w['layers']):
        p = f'encoder.encoder.layers.{i}'
        query = src + pos
        value = linear(src, f'{p}.self_attn.value_proj').view(batch, n, heads, -1)
        offsets = linear(query, f'{p}.self_attn.sampling_offsets').view(
            batch, n, heads, 2, points, 2)
        weights = linear(query, f'{p}.self_attn.attention_weights').view(
            batch, n, heads, 2 * points).softmax(-1).view(batch, n, heads, 2, points)
        locations = (ref[None, :, None, None, None, :] +
                     offsets / normalizer[None, None, None, :, None, :])
        attn = multi_scale_deformable_attn_pytorch(value, spatial, locations, weights)
        src = layer_norm(src + linear(attn, f'{p}.self_attn.output_proj'), f'{p}.norm1')
        ffn = linear(F.relu(linear(src, f'{p}.linear1')), f'{p}.linear2')
        src = layer_norm(src + ffn, f'{p}.norm2')
    h, wd = shapes[1]
    last = src[:, shapes[0][0] * shapes[0][1]:].transpose(1, 2).reshape(batch, d, h, wd)
    return F.conv2d(last, sd['channel_to_512.0.weight'])


def ref_tokens(words):
    """(M, 25) ids: characters 1..69 in the authors' order, 0 after the word."""
    rows = []
    for word in words:
        ids = [ALPHABET.index(c) + 1 for c in word.lower()][:CONTEXT]
        rows.append(ids + [0] * (CONTEXT - len(ids)))
    return torch.tensor(rows)


def ref_text(words, sd, w):
    """CLIP-style text transformer without any mask over all 25 positions,
    ln_final, per-token projection, mean over the 25 positions."""
    tw, heads = w['text_width'], w['text_heads']
    x = sd['token_embedding.weight'][ref_tokens(words)] + sd['positional_embedding']
    m = x.size(0)
    for i in range(w['text_layers']):
        p = f'text_encoder.resblocks.{i}'
        y = F.layer_norm(x, (tw, ), sd[f'{p}.ln_1.weight'], sd[f'{p}.ln_1.bias'])
        q, k, v = F.linear(y, sd[f'{p}.attn.in_proj_weight'],
                           sd[f'{p}.attn.in_proj_bias']).chunk(3, -1)
        q, k, v = (t.view(m, CONTEXT, heads, -1).transpose(1, 2) for t in (q, k, v))
        a = (q @ k.transpose(-1, -2) / math.sqrt(tw // heads)).softmax(-1)
        y = (a @ v).transpose(1, 2).reshape(m, CONTEXT, tw)
        x = x + F.linear(y, sd[f'{p}.attn.out_proj.weight'],
                         sd[f'{p}.attn.out_proj.bias'])
        y = F.layer_norm(x, (tw, ), sd[f'{p}.ln_2.weight'], sd[f'{p}.ln_2.bias'])
        y = F.linear(y, sd[f'{p}.mlp.c_fc.weight'], sd[f'{p}.mlp.c_fc.bias'])
        y = y * torch.sigmoid(1.702 * y)
        x = x + F.linear(y, sd[f'{p}.mlp.c_proj.weight'], sd[f'{p}.mlp.c_proj.bias'])
    x = F.layer_norm(x, (tw, ), sd['ln_final.weight'], sd['ln_final.bias'])
    return (x @ sd['text_projection']).mean(1)


def ref_head(queries, image_feats, sd):
    """Single-head text-as-query attention over all cells: (pooled, attn)."""

    def linear(x, name):
        return F.linear(x, sd[f'attn_pool.{name}.weight'], sd[f'attn_pool.{name}.bias'])

    tokens = image_feats.flatten(2).transpose(1, 2)  # B, N, C
    q, k, v = linear(queries, 'q_proj'), linear(tokens,
                                                'k_proj'), linear(tokens, 'v_proj')
    attn = (q @ k.transpose(1, 2) / math.sqrt(q.size(-1))).softmax(-1)
    return linear(attn @ v, 'c_proj'), attn


def ref_image(images, sd, w):
    feats = ref_resnet(images, sd)
    for block in range(2):
        if block == 0:
            feats = [
                ref_conv_bn_relu(f, sd, f'repeated_bifpn.0.fpn_in{lvl}.0.weight',
                                 f'repeated_bifpn.0.fpn_in{lvl}.1')
                for lvl, f in zip(range(2, 6), feats)
            ]
        feats = ref_bifpn_block(feats, sd, f'repeated_bifpn.{block}')
    return ref_encoder(ref_concat(feats, sd), sd, w)


def ref_loss(logits, num):
    """The authors' loss: image->text over [B positives | own negatives],
    text->image over the B positives, mean of the two."""
    targets = torch.arange(num)
    i2t = F.cross_entropy(logits, targets)
    t2i = F.cross_entropy(logits[:, :num].t(), targets)
    return (i2t + t2i) / 2


def rel_error(ours, ref):
    return ((ours - ref).abs().max() / ref.abs().max()).item()


# --------------------------------------------------------------- the 5 details
def test_a_concat_neck_upsamples_with_align_corners():
    torch.manual_seed(0)
    sd = {k[len('module.'):]: v for k, v in authors_state_dict().items()}
    neck = MODELS.build(
        dict(type='MultiScaleConcatNeck', in_channels=16, branch_channels=8)).eval()
    names = ('fpn_out4_2.0', 'fpn_out3_2.0', 'fpn_out2_2', 'fpn_out5_3.0',
             'fpn_out4_3.0', 'fpn_out3_3.0')
    convs = [c for output in neck.branches for c in output]
    with torch.no_grad():
        for conv, name in zip(convs, names):
            conv.conv.weight.copy_(sd[f'{name}.0.weight'])
            for k in ('weight', 'bias', 'running_mean', 'running_var'):
                getattr(conv.bn, k).copy_(sd[f'{name}.1.{k}'])
    feats = [torch.randn(2, 16, 16 // 2**i, 24 // 2**i) for i in range(4)]
    ours = neck(feats)
    ref = ref_concat(feats, sd)
    for a, b in zip(ours, ref):
        assert rel_error(a, b) < 1e-6
    # the old align_corners=False is another function
    neck.align_corners = False
    assert rel_error(neck(feats)[0], ref[0]) > 1e-2


def test_b_sine_position_encoding_has_detr_offset():
    encoder = MODELS.build(
        dict(type='DeformableEncoder', in_channels=(8, 8), embed_dims=16, num_groups=8))
    mask = torch.zeros(1, 5, 7, dtype=torch.bool)  # unpadded
    ours = encoder.positional_encoding(mask)[0]
    assert rel_error(ours, ref_sine(5, 7, 8)) < 1e-6
    old = MODELS.build(
        dict(type='DeformableEncoder',
             in_channels=(8, 8),
             embed_dims=16,
             num_groups=8,
             pos_offset=0.))
    assert rel_error(old.positional_encoding(mask)[0], ref_sine(5, 7, 8, 0.)) < 1e-6
    assert rel_error(old.positional_encoding(mask)[0], ref_sine(5, 7, 8)) > 1e-2


def test_c_text_side_25_positions_no_end_token_no_mask_mean_of_all():
    tokenizer = TASK_UTILS.build(
        dict(type='CharacterTokenizer',
             dict_file='wecromcl_69.txt',
             max_len=25,
             end_token=False))
    assert tokenizer.vocab_size == 71 and tokenizer.end_idx is None
    assert ''.join(tokenizer.dictionary.dict) == ALPHABET
    words = ['stop', 'a b', '42!', "it's", 'x' * 30, '\\~']
    tokens, lengths = tokenizer.encode(words)
    assert torch.equal(tokens, ref_tokens(words))
    assert lengths.tolist() == [4, 3, 3, 4, 25, 2]
    assert tokens[0, :5].tolist() == [29, 30, 25, 26, 0]  # s t o p
    assert tokens[1, :3].tolist() == [11, 37, 12]  # the space is id 37
    assert tokens[5, :2].tolist() == [44, 69]
    # the text encoder of the SynthText config equals the plain loop
    torch.manual_seed(0)
    model = build_synthtext_model()
    model.eval()
    assert model.text_encoder.depends_on_padding()
    sd = authors_state_dict()
    model.load_state_dict(convert_official_state_dict(sd, model.state_dict()))
    sd = {k[len('module.'):]: v for k, v in sd.items()}
    seen = []
    hook = model.text_encoder.register_forward_hook(
        lambda mod, args, out: seen.append(tuple(args[0].shape)))
    ours = model.encode_words(words)
    hook.remove()
    assert seen == [(len(words), 25)]
    assert rel_error(ours, ref_text(words, sd, SMALL)) < 1e-5
    # our fix (mean over the real characters, padding keys masked) differs
    model.text_encoder.pooling = 'mean'
    model.text_encoder.mask_padding = True
    assert rel_error(model.encode_words(words), ref_text(words, sd, SMALL)) > 1e-2


def test_d_bifpn_fusion_convs_have_no_norm_and_no_bias():
    bifpn = MODELS.build(
        dict(type='BiFPN', in_channels=[16, 32, 64, 128], out_channels=16)).eval()
    fusion = [k for k in bifpn.state_dict() if k.startswith('blocks.')]
    assert fusion and all(
        k.endswith('weights.0') or k.endswith('weights.1') or k.endswith('weights.2')
        or k.endswith('conv.weight') for k in fusion), fusion
    sd = {k[len('module.'):]: v for k, v in authors_state_dict().items()}
    with torch.no_grad():
        for lvl, conv in enumerate(bifpn.lateral_convs):
            conv.conv.weight.copy_(sd[f'repeated_bifpn.0.fpn_in{lvl + 2}.0.weight'])
            for k in ('weight', 'bias', 'running_mean', 'running_var'):
                getattr(conv.bn, k).copy_(sd[f'repeated_bifpn.0.fpn_in{lvl + 2}.1.{k}'])
        for b, block in enumerate(bifpn.blocks):
            p = f'repeated_bifpn.{b}'
            for i, name in enumerate(('w_4_5', 'w_3_4', 'w_2_3')):
                block.td_weights[i].copy_(sd[f'{p}.{name}'])
            for i, name in enumerate(('w_2up_3in_3up', 'w_3up_4in_4up', 'w_5in_5up')):
                block.bu_weights[i].copy_(sd[f'{p}.{name}'])
            for i, name in enumerate(('conv4_up', 'conv3_up', 'conv2_up')):
                block.td_convs[i].conv.weight.copy_(sd[f'{p}.{name}.weight'])
            for i, name in enumerate(('conv3_out', 'conv4_out', 'conv5_out')):
                block.bu_convs[i].conv.weight.copy_(sd[f'{p}.{name}.weight'])
    feats = [torch.randn(2, 16 * 2**i, 16 // 2**i, 24 // 2**i) for i in range(4)]
    ref = [
        ref_conv_bn_relu(f, sd, f'repeated_bifpn.0.fpn_in{lvl}.0.weight',
                         f'repeated_bifpn.0.fpn_in{lvl}.1')
        for lvl, f in zip(range(2, 6), feats)
    ]
    for b in range(2):
        ref = ref_bifpn_block(ref, sd, f'repeated_bifpn.{b}')
    for a, r in zip(bifpn(feats), ref):
        assert rel_error(a, r) < 1e-5
    # this project's earlier layout is still available
    old = MODELS.build(
        dict(type='BiFPN',
             in_channels=[16, 32, 64, 128],
             out_channels=16,
             fusion_norm_cfg=dict(type='BN')))
    assert 'blocks.0.td_convs.0.bn.running_var' in old.state_dict()
    assert 'blocks.0.td_convs.0.conv.bias' not in old.state_dict()


def test_e_output_projection_has_no_bias():
    encoder = MODELS.build(
        dict(type='DeformableEncoder',
             in_channels=(8, 8),
             embed_dims=16,
             num_groups=8,
             out_channels=12))
    assert encoder.output_proj.bias is None
    assert 'output_proj.bias' not in encoder.state_dict()
    biased = MODELS.build(
        dict(type='DeformableEncoder',
             in_channels=(8, 8),
             embed_dims=16,
             num_groups=8,
             output_bias=True))
    assert biased.output_proj.bias is not None


def test_end_pooling_needs_an_end_token():
    cfg = Config.fromfile(SYNTHTEXT)
    cfg.merge_from_dict(small_cfg_options())
    cfg.model.text_encoder.pooling = 'end'
    with pytest.raises(ValueError, match='end_token=True'):
        MODELS.build(cfg.model)


def test_option_defaults_are_the_authors():
    model = build_synthtext_model()
    assert model.mask_padding is False
    assert model.mask_false_negatives is False
    assert model.max_logit_scale is None
    assert model.text_encoder.pooling == 'mean_with_padding'
    assert model.text_encoder.mask_padding is False
    assert model.neck[1].align_corners is True
    assert model.encoder.positional_encoding.offset == -0.5


# ------------------------------------------------------------ the whole model
WORDS = [['hello', 'World', 'hello'], ['exit', '42', 'a-b']]
NEGATIVES = [['cat', 'dog', 'sun'], ['red', 'box', "it's"]]


def batch(model, shape=(64, 96), seed=1, shapes=None):
    """Two images of ``shape`` (or of ``shapes``, padded to the largest),
    with the fields of wecromcl_collate."""
    return make_batch(model,
                      WORDS,
                      shapes or [shape, shape],
                      NEGATIVES,
                      seed,
                      training=False)


def compare_whole_model(model, sd, w, data):
    """Max relative errors of F_I, word embeddings, maps, logits and loss."""
    inputs, samples = data['inputs'], data['data_samples']
    num = len(samples)
    with torch.no_grad():
        ref_feats = ref_image(inputs, sd, w)
        words = [s.positive_text for s in samples]
        words += [n for s in samples for n in s.negative_texts]
        ref_words = ref_text(words, sd, w)
        queries = torch.cat([
            ref_words[:num].expand(num, -1, -1), ref_words[num:].unflatten(
                0, (num, -1))
        ], 1)
        pooled, ref_attn = ref_head(queries, ref_feats, sd)
        ref_logits = sd['logit_scale'].exp() * F.cosine_similarity(pooled, queries, -1)

        feats = model.extract_feat(inputs, samples)
        embeds = model.encode_words(words)
        ours_q = torch.cat(
            [embeds[:num].expand(num, -1, -1), embeds[num:].unflatten(0, (num, -1))], 1)
        ours_pooled, attn = model.attend(ours_q, feats)
        logits = model.scale() * F.cosine_similarity(ours_pooled, ours_q, -1)
        loss = model.loss(inputs, samples)['loss']
    return dict(image_feats=rel_error(feats['image_feats'], ref_feats),
                words=rel_error(embeds, ref_words),
                maps=rel_error(attn, ref_attn),
                logits=rel_error(logits, ref_logits),
                loss=abs(loss.item() - ref_loss(ref_logits, num).item()) /
                ref_loss(ref_logits, num).item())


@pytest.fixture(scope='module')
def converted():
    torch.manual_seed(0)
    model = build_synthtext_model()
    sd = authors_state_dict()
    model.load_state_dict(convert_official_state_dict(sd, model.state_dict()),
                          strict=True)
    return model.eval(), {k[len('module.'):]: v for k, v in sd.items()}


def test_whole_model_equals_the_authors_function(converted):
    model, sd = converted
    errors = compare_whole_model(model, sd, SMALL, batch(model))
    assert all(e < TOLERANCE for e in errors.values()), errors


def test_whole_model_on_a_padded_batch_is_the_authors_too(converted):
    """The authors treat the padded batch as the image (no mask anywhere); so
    does the default model."""
    model, sd = converted
    data = batch(model, shapes=[(64, 96), (40, 70)])
    assert data['inputs'].shape == (2, 3, 64, 96)
    errors = compare_whole_model(model, sd, SMALL, data)
    assert all(e < TOLERANCE for e in errors.values()), errors
    # with our fix the second image's output no longer depends on the padding
    fixed = copy.deepcopy(model)
    fixed.mask_padding = True
    assert compare_whole_model(fixed, sd, SMALL, data)['image_feats'] > 1e-2


def test_whole_model_with_our_fixes_on_unpadded_input(converted):
    """On unpadded input the padding masks change nothing; false-negative
    masking only drops columns that repeat a word of the image (none here);
    the clamp at ln(100) does not bind at ln(1 / 0.07)."""
    model, sd = converted
    data = batch(model)
    fixed = copy.deepcopy(model)
    fixed.mask_padding = True
    fixed.mask_false_negatives = True
    fixed.max_logit_scale = math.log(100)
    errors = compare_whole_model(fixed, sd, SMALL, data)
    assert all(e < TOLERANCE for e in errors.values()), errors
    # the text fix is another function
    fixed.text_encoder.pooling = 'mean'
    assert compare_whole_model(fixed, sd, SMALL, data)['words'] > 1e-2


@pytest.mark.slow
def test_full_width_equals_the_authors_function():
    """The SynthText config at full width (ResNet-50, BiFPN 256, encoder 192,
    text width 512 x 12 layers, 512-d F_I) on two unpadded 128 x 128 images."""
    torch.manual_seed(0)
    model = build_synthtext_model(FULL)
    sd = authors_state_dict(FULL)
    model.load_state_dict(convert_official_state_dict(sd, model.state_dict()),
                          strict=True)
    model.eval()
    sd = {k[len('module.'):]: v for k, v in sd.items()}
    errors = compare_whole_model(model, sd, FULL, batch(model, shape=(128, 128)))
    assert all(e < TOLERANCE for e in errors.values()), errors


@pytest.mark.parametrize('name', [
    'wecromcl_r50_1xb16-200k_synthtext.py', 'wecromcl_r50_1xb4-80k_icdar2013.py',
    'wecromcl_r50_1xb4-80k_icdar2015.py', 'wecromcl_r50_1xb4-80k_totaltext.py',
    'wecromcl_r50-w16_1xb16-400i_synthetic.py'
])
def test_configs_data_dictionary_fits_the_tokenizer(name):
    """Every character the data keeps can be encoded: the model's tokenizer is
    the authors' alphabet, the data's dictionary a subset of it."""
    from mmocr.models.common.dictionary import Dictionary

    from mmocr_oclip.utils.resources import resolve_resource_file
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', name))
    tokenizer = cfg.model.tokenizer
    assert (tokenizer.dict_file, tokenizer.max_len, tokenizer.end_token) == \
        ('wecromcl_69.txt', 25, False)
    data = cfg.train_dataloader.dataset.dict_file
    chars = set(Dictionary(resolve_resource_file(data)).dict)
    assert chars <= set(ALPHABET)
    assert cfg.train_dataloader.dataset.max_text_len - 1 == CONTEXT
