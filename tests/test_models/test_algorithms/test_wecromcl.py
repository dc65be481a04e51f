"""WeCromCL: text pooling, the text-as-query head, the algorithm (loss,
false negatives, anchor points)."""
import copy
import math

import pytest
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS

from mmocr_oclip.models import (CharacterTextEncoder, InImageWordContrastiveLoss,
                                TextQueryAttentionHead)
from mmocr_oclip.models.utils.dictionary_check import DictionaryMismatchError
import helpers.data
from helpers.models import TINY_WECROMCL

WORDS = [['stop', 'here', 'stop'], ['go', 'left'], ['exit', 'here', '42']]
SHAPES = [(64, 64), (96, 128), (64, 96)]
NEGATIVES = [['cat', 'dog', 'sun', 'map'], ['red', 'box', 'pen', 'cup'],
             ['tea', 'hat', 'car', 'ink']]


# ---------------------------------------------------------------- text encoder
@pytest.mark.parametrize('pooling', ['end', 'mean', 'mean_with_padding'])
def test_text_pooling(pooling):
    torch.manual_seed(0)
    enc = CharacterTextEncoder(vocab_size=10,
                               max_len=6,
                               width=8,
                               num_layers=1,
                               num_heads=2,
                               embed_dim=4,
                               causal=False,
                               pooling=pooling,
                               mask_padding=True)
    enc.init_weights()
    tokens = torch.tensor([[1, 2, 9, 0, 0, 0], [3, 4, 5, 6, 9, 0]])
    lengths = torch.tensor([2, 4])
    out = enc(tokens, lengths)
    # reference: per-position projected features, pooled by hand
    x = enc.token_embedding(tokens) + enc.positional_embedding
    padding = torch.arange(6)[None] > lengths[:, None]
    for block in enc.resblocks:
        x = block(x, key_padding_mask=padding)
    feats = enc.ln_final(x) @ enc.text_projection
    if pooling == 'end':
        expected = feats[[0, 1], [2, 4]]
    elif pooling == 'mean':
        expected = torch.stack([feats[0, :2].mean(0), feats[1, :4].mean(0)])
    else:
        expected = feats.mean(1)
    assert torch.allclose(out, expected, atol=1e-6)
    if pooling == 'mean':
        # padding beyond the end token changes nothing
        assert torch.allclose(enc(tokens[:, :5], lengths), out, atol=1e-6)


def test_text_pooling_is_validated():
    with pytest.raises(ValueError, match='pooling'):
        CharacterTextEncoder(vocab_size=10, pooling='max')


# ------------------------------------------------------------------------ head
def test_head_matches_per_image_reference_with_padding():
    torch.manual_seed(0)
    head = TextQueryAttentionHead(text_dims=6, image_dims=5, attn_dims=4)
    queries = torch.randn(3, 2, 6)
    tokens = torch.randn(3, 12, 5)
    valid = torch.zeros(3, 12, dtype=torch.bool)
    sizes = [12, 5, 1]
    for b, n in enumerate(sizes):
        valid[b, :n] = True
    tokens_padded = tokens.clone()
    tokens_padded[~valid] = 1e3  # padded tokens must not matter
    pooled, attn = head(queries, tokens_padded, valid)
    for b, n in enumerate(sizes):
        q = head.q_proj(queries[b])
        k = head.k_proj(tokens[b, :n])
        v = head.v_proj(tokens[b, :n])
        a = torch.softmax(q @ k.t() / 2.0, dim=-1)  # sqrt(attn_dims) = 2
        assert torch.allclose(attn[b, :, :n], a, atol=1e-6)
        assert torch.allclose(pooled[b], head.out_proj(a @ v), atol=1e-5)
        assert attn[b, :, n:].abs().sum() == 0
    assert torch.allclose(attn.sum(-1), torch.ones(3, 2))


# ------------------------------------------------------------------- algorithm
def make_batch(model, words=WORDS, shapes=SHAPES, negatives=NEGATIVES, seed=0):
    """The batch above by default, with the fields wecromcl_collate sets."""
    return helpers.data.make_batch(model, words, shapes, negatives, seed)


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    m = MODELS.build(copy.deepcopy(TINY_WECROMCL))
    m.init_weights()
    return m


def test_loss_and_gradients_reach_every_part(model):
    model.train()
    model.zero_grad()
    data = make_batch(model)
    # images of different sizes: the batch is padded to 96 x 128
    assert data['inputs'].shape == (3, 3, 96, 128)
    seen = []
    hook = model.text_encoder.register_forward_hook(
        lambda mod, args, out: seen.append(tuple(args[0].shape)))
    losses = model.loss(**data)
    hook.remove()
    # only real words, one call: 3 positives + 3 x 4 negatives, 4 chars + end
    assert seen == [(15, 5)]
    assert set(losses) == {'loss', 'logit_scale'}
    assert losses['logit_scale'].item() == pytest.approx(1 / 0.07, rel=1e-5)
    assert torch.isfinite(losses['loss'])
    # at initialisation the loss is near chance: ln(3 + 4) for i2t, ln(3) for t2i
    assert 0.5 * (math.log(7) + math.log(3)) / 3 < losses['loss'].item() < 20
    losses['loss'].backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    for prefix in ('backbone.', 'neck.0.', 'neck.1.', 'encoder.', 'text_encoder.',
                   'head.'):
        part = [g for n, g in grads.items() if n.startswith(prefix)]
        assert all(g is not None and torch.isfinite(g).all() for g in part), prefix
        assert any(g.abs().sum() > 0 for g in part), prefix
    # the first layers (the stride-4 level reaches the stride-8 output through
    # the deformable attention) and the temperature
    for name in ('backbone.conv1.weight', 'encoder.input_convs.0.weight',
                 'text_encoder.token_embedding.weight', 'logit_scale'):
        assert grads[name].abs().sum() > 0, name


def test_mean_with_padding_encodes_max_len_tokens():
    cfg = copy.deepcopy(TINY_WECROMCL)
    cfg['text_encoder']['pooling'] = 'mean_with_padding'
    torch.manual_seed(0)
    m = MODELS.build(cfg)
    m.init_weights()
    seen = []
    m.text_encoder.register_forward_hook(
        lambda mod, args, out: seen.append(tuple(args[0].shape)))
    assert torch.isfinite(m.loss(**make_batch(m))['loss'])
    # the authors' mean runs over all max_len positions
    assert seen == [(15, 26)]


def test_false_negatives(model):
    words = [['stop', 'go'], ['go', 'left'], ['stop', 'exit'], ['exit']]
    data = make_batch(model, words, [(32, 32)] * 4, [['cat']] * 4)
    mask = model.false_negatives(data['data_samples'])
    # positives: stop, go, stop, exit
    expected = torch.tensor([
        [False, True, True, False],  # image 0 has 'go'; image 2's positive = its own
        [False, False, False, False],
        [True, False, False, True],  # image 2 has 'exit'; 'stop' = its positive
        [False, False, False, False],
    ])
    assert torch.equal(mask, expected)


def test_missing_collate_fields_are_an_error(model):
    data = make_batch(model)
    del data['data_samples'][1].word_hashes
    data['data_samples'][1].set_metainfo(dict(img_path='img_1.jpg'))
    with pytest.raises(KeyError, match='img_1.jpg.*wecromcl_collate'):
        model.loss(**data)


def test_logit_scale_clamp():
    cfg = copy.deepcopy(TINY_WECROMCL)
    clamped = MODELS.build(cfg)
    cfg['max_logit_scale'] = None
    free = MODELS.build(cfg)
    for m in (clamped, free):
        with torch.no_grad():
            m.logit_scale.fill_(10.0)
    assert clamped.scale().item() == pytest.approx(100.0)
    assert free.scale().item() == pytest.approx(math.exp(10.0), rel=1e-5)


def test_backbone_keys_match_mmdet_resnet(model):
    # what MMOCR's stock ResNet-50 detectors build, loaded with prefix='backbone.'
    resnet = MODELS.build(TINY_WECROMCL['backbone'])
    weights = {
        k[len('backbone.'):]: v
        for k, v in model.state_dict().items() if k.startswith('backbone.')
    }
    assert set(weights) == set(resnet.state_dict())
    resnet.load_state_dict(weights, strict=True)
    assert torch.equal(resnet.conv1.weight, model.backbone.conv1.weight)


def test_localize_words_and_predict(model):
    model.eval()
    data = make_batch(model)
    for sample, factor in zip(data['data_samples'], ((0.5, 0.5), (1.0, 2.0), None)):
        if factor:
            sample.set_metainfo(dict(scale_factor=factor))
    outs = model(**data, mode='predict')
    for sample, texts, shape in zip(outs, WORDS, SHAPES):
        pred = sample.pred_instances
        # one point per occurrence of each word
        assert sorted(pred.texts) == sorted(texts)
        assert pred.points.dtype == torch.float32 and pred.points.shape == (len(texts),
                                                                            2)
        w_scale, h_scale = sample.metainfo.get('scale_factor', (1.0, 1.0))
        # inside the unpadded image, in original coordinates
        assert (pred.points >= 0).all()
        assert (pred.points[:, 0] < shape[1] / w_scale).all()
        assert (pred.points[:, 1] < shape[0] / h_scale).all()
        assert ((pred.scores > 0) & (pred.scores <= 1)).all()
    # the two 'stop' points of image 0 are distinct peaks
    stops = outs[0].pred_instances.points[[
        t == 'stop' for t in outs[0].pred_instances.texts
    ]]
    assert not torch.equal(stops[0], stops[1])


def test_localize_words_maps(model):
    model.eval()
    data = make_batch(model)
    outs = model.localize_words(**data, return_maps=True)
    assert outs[1].word_texts == ['go', 'left']
    maps = outs[1].word_maps
    assert maps.shape == (2, 12, 16)
    assert torch.allclose(maps.sum((1, 2)), torch.ones(2), atol=1e-5)
    # image 0 (64 x 64 in a 96 x 128 batch): no attention on padding
    assert outs[0].word_maps[:, 8:].abs().sum() == 0
    assert outs[0].word_maps[:, :, 8:].abs().sum() == 0


def test_checkpoint_of_another_dictionary_is_refused(tmp_path):
    model = MODELS.build(copy.deepcopy(TINY_WECROMCL))
    assert 'dictionary_codes' in model.state_dict()
    other_dict = tmp_path / 'other.txt'
    other_dict.write_text('\n'.join('abcdefghijklmnopqrstuvwxyz0123456789') + '\n')
    cfg = copy.deepcopy(TINY_WECROMCL)
    cfg['tokenizer']['dict_file'] = str(other_dict)
    other = MODELS.build(cfg)
    with pytest.raises(DictionaryMismatchError):
        model.load_state_dict(other.state_dict())


# ------------------------------------------------ in-image word loss (option)
@pytest.fixture(scope='module')
def in_image_model():
    cfg = copy.deepcopy(TINY_WECROMCL)
    cfg['in_image_loss'] = dict(type='InImageWordContrastiveLoss', loss_weight=0.5)
    torch.manual_seed(0)
    m = MODELS.build(cfg)
    m.init_weights()
    return m


def with_in_image_texts(data, texts):
    for sample, words in zip(data['data_samples'], texts):
        sample.in_image_texts = list(words)
    return data


def test_model_in_image_loss_matches_reference(in_image_model):
    in_image_model.eval()  # no dropout: two passes compute the same function
    texts = [['stop', 'here'], ['go'], ['exit', '42', 'here']]
    data = with_in_image_texts(make_batch(in_image_model), texts)
    seen = []
    hook = in_image_model.text_encoder.register_forward_hook(
        lambda mod, args, out: seen.append(tuple(args[0].shape)))
    losses = in_image_model.loss(**data)
    hook.remove()
    # one text-encoder call: 3 positives + 3 x 4 negatives + 6 in-image words
    assert seen == [(21, 5)]
    assert set(losses) == {'loss', 'loss_in_image', 'logit_scale'}
    # the atomistic loss is the one of the model without the option
    plain = copy.deepcopy(in_image_model)
    plain.loss_in_image = None
    assert torch.allclose(
        plain.loss(**make_batch(in_image_model))['loss'], losses['loss'])
    # reference: each image queried with its own words, one at a time
    feats = in_image_model.extract_feat(data['inputs'], data['data_samples'])
    logits = torch.zeros(3, 3, 3)
    for b, words in enumerate(texts):
        embeds = in_image_model.encode_words(words)
        one = {k: v[b:b + 1] for k, v in feats.items()}
        pooled, _ = in_image_model.attend(embeds[None], one)
        logits[
            b, :len(words), :len(words)] = in_image_model.scale() * F.cosine_similarity(
                pooled[0, :, None], embeds[None], dim=-1)
    valid = torch.tensor([[True, True, False], [True, False, False], [True] * 3])
    # the loss itself is checked against a hand-written one in
    # test_in_image_word_loss.py
    expected = InImageWordContrastiveLoss(0.5)(logits, valid)
    assert losses['loss_in_image'].item() == pytest.approx(expected.item(), rel=1e-5)


def test_model_in_image_loss_trains_the_image_side(in_image_model):
    in_image_model.train()
    in_image_model.zero_grad()
    data = with_in_image_texts(make_batch(in_image_model),
                               [['stop', 'here'], ['go', 'left'], ['exit', '42']])
    in_image_model.loss(**data)['loss_in_image'].backward()
    for name in ('backbone.conv1.weight', 'encoder.input_convs.0.weight',
                 'head.q_proj.weight', 'text_encoder.token_embedding.weight'):
        assert in_image_model.get_parameter(name).grad.abs().sum() > 0, name


def test_model_in_image_loss_needs_the_collate_field(in_image_model):
    data = make_batch(in_image_model)
    data['data_samples'][0].set_metainfo(dict(img_path='img_0.jpg'))
    with pytest.raises(KeyError,
                       match='img_0.jpg lacks .*in_image_texts.*in_image_words=K'):
        in_image_model.loss(**data)
