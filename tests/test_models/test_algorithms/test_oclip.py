"""OCLIP: the loss, the padded batch, prediction and word localization."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

from mmocr_oclip.models.utils.valid_grid_mask import valid_grid_mask
from helpers.data import make_batch


@pytest.fixture
def model(tiny_oclip_cfg):
    torch.manual_seed(0)
    m = MODELS.build(tiny_oclip_cfg)
    m.init_weights()
    return m


def test_loss_and_gradients(model):
    data = make_batch(model, [['Hello', 'a'], ['World!', 'xy', 'z']], [(64, 64),
                                                                       (64, 32)])
    losses = model.loss(**data)
    assert set(losses) == {'loss_contrastive', 'loss_mask', 'acc_mask', 'logit_scale'}
    assert losses['logit_scale'].item() == pytest.approx(1 / 0.07, rel=1e-5)
    (losses['loss_contrastive'] + losses['loss_mask']).backward()
    for name in ('backbone.stem.0.weight', 'neck.q_proj.weight',
                 'text_encoder.token_embedding.weight', 'decoder.text_class.weight',
                 'logit_scale'):
        assert model.get_parameter(name).grad.abs().sum() > 0, name


def test_logit_scale_clamped_only_when_asked(model):
    with torch.no_grad():
        model.logit_scale.fill_(10.0)
    # the authors' oCLIP: no clamp (theirs is commented out)
    assert model.max_logit_scale is None
    assert model.scale().item() == pytest.approx(math.exp(10.0))
    model.max_logit_scale = math.log(100)
    assert model.scale().item() == pytest.approx(100.0)


def test_only_real_words_are_encoded(model):
    seen = []
    model.text_encoder.register_forward_hook(
        lambda mod, args, out: seen.append(tuple(args[0].shape)))
    data = make_batch(model, [['ab'], ['cdefg', 'h', 'ij']], [(32, 32), (32, 32)])
    model.loss(**data)
    # 4 words, packed to the longest word + end token: never 2 x 32 slots
    assert seen == [(4, 6)]


def test_text_embedding_is_mean_over_real_words(model):
    texts = dict(embeds=torch.tensor([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]]),
                 image_index=torch.tensor([0, 0, 1]),
                 counts=torch.tensor([2, 1]))
    assert model.image_text_embeds(texts).tolist() == [[2.0, 1.0], [5.0, 5.0]]


def test_text_embedding_over_text_slots_counts_empty_words(model):
    """The authors' mean over 32 slots: an image with n words adds 32 - n
    embeddings of the empty word (all padding, pooled at position 0)."""
    model.text_slots = 3
    texts = dict(embeds=torch.tensor([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]]),
                 image_index=torch.tensor([0, 0, 1]),
                 counts=torch.tensor([2, 1]))
    model.encode_tokens = lambda tokens, lengths: (torch.tensor(
        [[7.0, -1.0]]) if tokens.eq(0).all() and lengths.eq(0).all() else None)
    expected = torch.tensor([[11 / 3, 1 / 3], [19 / 3, 1.0]])
    assert torch.allclose(model.image_text_embeds(texts), expected)
    model.text_slots = 1
    with pytest.raises(ValueError,
                       match='an image has 2 words, more than text_slots=1'):
        model.image_text_embeds(texts)


def test_empty_word_embedding_is_the_padding_row(tiny_oclip_cfg):
    """The empty slot's embedding is the encoder's output for a row of padding
    ids pooled at position 0 (the authors' argmax of an all-zero row)."""
    torch.manual_seed(0)
    model = MODELS.build(dict(tiny_oclip_cfg, text_slots=4))
    model.init_weights()
    data = make_batch(model, [['ab', 'cd'], ['efg']], [(32, 32), (32, 32)])
    torch.manual_seed(1)
    texts = model.encode_texts(data['data_samples'])
    zeros = torch.zeros(1, model.tokenizer.max_len, dtype=torch.long)
    empty = model.text_encoder(zeros, torch.zeros(1, dtype=torch.long))
    expected = torch.stack([(texts['embeds'][:2].sum(0) + 2 * empty[0]) / 4,
                            (texts['embeds'][2] + 3 * empty[0]) / 4])
    assert torch.allclose(model.image_text_embeds(texts), expected, atol=1e-6)


def test_masked_character_loss_matches_decoder_logits(model):
    data = make_batch(model, [['Hello', 'a'], ['World!']], [(64, 64), (64, 64)])
    torch.manual_seed(3)
    losses = model.loss(**data)
    torch.manual_seed(3)
    feats = model.extract_feat(**data)
    texts = model.encode_texts(data['data_samples'])
    logits, _ = model.decode(texts, feats['image_tokens'], feats['valid'])
    assert losses['loss_mask'].item() == pytest.approx(F.cross_entropy(
        logits, texts['targets']).item(),
                                                       rel=1e-5)


def test_padded_slots_and_padding_change_nothing(model):
    model.eval()
    alone = make_batch(model, [['Hello', 'a']], [(64, 64)])
    both = make_batch(model, [['Hello', 'a'], ['x', 'yy', 'zzz', 'w']], [(64, 64),
                                                                         (96, 128)])
    # the data preprocessor pads with zeros, as convolutions do at image borders
    assert both['inputs'][0, :, 64:].abs().sum() == 0
    both['inputs'][0, :, :64, :64] = alone['inputs'][0]
    out_alone = model.predict(**alone, seed=1)[0]
    out_both = model.predict(**both, seed=1)[0]
    # the first image's words: same masked positions, predictions and attention,
    # although its batch now pads it (96 x 128) and has 4 query slots
    assert torch.equal(out_alone.pred_instances.masked_positions,
                       out_both.pred_instances.masked_positions)
    # equal up to float32 rounding, which the random-init logits amplify (2e-5 of
    # 0.04 measured with the config's ImageNet normalisation)
    assert torch.allclose(out_alone.pred_instances.pred_scores,
                          out_both.pred_instances.pred_scores,
                          rtol=1e-3,
                          atol=1e-6)
    attn = out_both.pred_instances.attn_maps  # (2, 3, 4)
    assert torch.allclose(attn[:, :2, :2],
                          out_alone.pred_instances.attn_maps,
                          atol=1e-6)
    assert attn[:, 2:].abs().sum() == 0 and attn[:, :, 2:].abs().sum() == 0


def test_predict_and_metric(model):
    from mmocr.registry import METRICS
    model.eval()
    data = make_batch(model, [['Hello', 'a'], ['World!']], [(64, 64), (64, 64)])
    outs = model.predict(**data)
    assert outs[0].pool_attn.shape == (2, 2)
    assert len(outs[0].pred_instances.pred_chars) == 2
    metric = METRICS.build(dict(type='OCLIPPretrainMetric'))
    metric.process({}, [o.to_dict() for o in outs])
    res = metric.compute_metrics(metric.results)
    assert set(res) == {'i2t_recall@1', 't2i_recall@1', 'mask_char_acc'}
    assert all(0 <= v <= 1 for v in res.values())


def test_first_stage_has_no_decoder(tiny_oclip_cfg):
    cfg = tiny_oclip_cfg
    cfg['decoder'] = None
    first = MODELS.build(cfg)
    data = make_batch(first, [['ab'], ['cd']], [(32, 32), (32, 32)])
    assert set(first.loss(**data)) == {'loss_contrastive', 'logit_scale'}
    assert not any(k.startswith('decoder') for k in first.state_dict())


def test_image_without_words_is_an_error(model):
    data = make_batch(model, [['ab'], []], [(32, 32), (32, 32)])
    data['data_samples'][1].set_metainfo(dict(img_path='empty.jpg'))
    with pytest.raises(ValueError, match='empty.jpg'):
        model.loss(**data)


def test_oclip_localize_words(tiny_oclip_cfg):
    torch.manual_seed(0)
    oclip = MODELS.build(tiny_oclip_cfg)
    oclip.init_weights()
    oclip.eval()
    data = make_batch(oclip, [['Stop', 'STOP', 'go'], ['left']], [(64, 64), (96, 128)],
                      [[], []])
    outs = oclip.localize_words(**data, return_maps=True)
    first = outs[0].pred_instances
    # stride 32: the 64 x 64 image covers 2 x 2 cells, within one 5 x 5 NMS
    # window, so 'stop' (twice) gets a single peak
    assert sorted(first.texts) == ['go', 'stop']
    assert outs[0].word_maps.shape == (2, 3, 4)
    assert set(first.points.flatten().tolist()) <= {16.0, 48.0}
    assert outs[1].pred_instances.texts == ['left']
    first = oclip.localize_words(**data, nms_kernel=1)[0].pred_instances
    stops = first.points[[t == 'stop' for t in first.texts]]
    assert len(stops) == 2 and not torch.equal(stops[0], stops[1])
    tiny_oclip_cfg['decoder'] = None
    with pytest.raises(RuntimeError, match='decoder'):
        MODELS.build(tiny_oclip_cfg).localize_words(**data)


def test_valid_mask_hand_computed():
    samples = [
        TextSpottingDataSample(metainfo=dict(img_shape=s))
        for s in ((64, 64), (96, 100))
    ]
    valid = valid_grid_mask(torch.zeros(2, 3, 96, 128), (3, 4), samples)
    expected = torch.zeros(2, 3, 4, dtype=torch.bool)
    expected[0, :2, :2] = True  # ceil(64 / 32) cells each way
    expected[1] = True  # 100 px reach into the 4th column (ceil(3.125))
    assert torch.equal(valid, expected)
