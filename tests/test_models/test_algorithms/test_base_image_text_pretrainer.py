"""The template both algorithms are built by, and the scaled cosine of their logits."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS

from mmocr_oclip.models.algorithms.base_image_text_pretrainer import \
    BaseImageTextPretrainer
from mmocr_oclip.models.utils.similarity import cosine_logits, pairwise_cosine_logits
from helpers.models import TINY_OCLIP, TINY_WECROMCL


@pytest.mark.parametrize('cfg, order', [
    (TINY_OCLIP, [
        'data_preprocessor', 'backbone', 'neck', 'text_encoder', 'decoder', 'loss_mask',
        'loss_contrastive'
    ]),
    (dict(TINY_OCLIP, decoder=None),
     ['data_preprocessor', 'backbone', 'neck', 'text_encoder', 'loss_contrastive']),
    (dict(TINY_WECROMCL, in_image_loss=dict(type='InImageWordContrastiveLoss')), [
        'data_preprocessor', 'backbone', 'neck', 'encoder', 'text_encoder', 'head',
        'loss_contrastive', 'loss_in_image'
    ]),
])
def test_template_builds_the_parts_in_one_order(cfg, order):
    """The backbone first, then the image modules, the text encoder, the heads and
    losses: the order that fixes the random initialisation and the key order."""
    model = MODELS.build(copy.deepcopy(cfg))
    assert [name for name in model._modules if name != 'tokenizer'] == order
    first_module_key = next(k for k in model.state_dict() if '.' in k)
    assert first_module_key.startswith('backbone.')
    assert model.text_encoder.token_embedding.num_embeddings == \
        model.tokenizer.vocab_size
    assert model.text_encoder.max_len == model.tokenizer.max_len
    assert 'dictionary_codes' in dict(model.named_buffers())
    if cfg.get('decoder', True) is None:
        assert model.decoder is None and model.loss_mask is None
    if cfg['type'] == 'OCLIP' and cfg['decoder'] is not None:
        # completed from the tokenizer by OCLIP.complete_head_cfg
        assert model.decoder.text_class.out_features == model.tokenizer.vocab_size


def test_similarity_is_the_scaled_cosine_in_fp32():
    torch.manual_seed(0)
    visual, text = torch.randn(3, 5, 8), torch.randn(3, 5, 8)
    scale = torch.tensor(4.0)
    expected = scale * F.cosine_similarity(visual, text, dim=-1)
    assert torch.allclose(cosine_logits(visual, text, scale), expected, atol=1e-6)
    # broadcast: every row of visual against every row of text, as the matrix
    a, b = visual[0], text[0]
    assert torch.allclose(cosine_logits(a[:, None], b[None], scale),
                          pairwise_cosine_logits(a, b, scale),
                          atol=1e-6)
    assert cosine_logits(a.half(), b.half(), scale).dtype == torch.float32

    model = MODELS.build(copy.deepcopy(TINY_WECROMCL))
    assert torch.allclose(model.similarity(visual, text),
                          model.scale() * F.cosine_similarity(visual, text, dim=-1),
                          atol=1e-6)


def test_the_contract_is_stated():
    """A subclass that builds but implements nothing fails on each entry point."""

    class Bare(BaseImageTextPretrainer):
        pass

    model = Bare(backbone=TINY_OCLIP['backbone'],
                 text_encoder=TINY_OCLIP['text_encoder'],
                 tokenizer=dict(type='CharacterTokenizer'),
                 image_modules={},
                 heads=dict(decoder=None))
    assert model.decoder is None
    inputs = torch.zeros(1, 3, 32, 32)
    for mode in ('tensor', 'loss', 'predict'):
        with pytest.raises(NotImplementedError):
            model(inputs, [], mode=mode)
    with pytest.raises(NotImplementedError):
        model.word_maps(None, None)
    with pytest.raises(RuntimeError, match='invalid mode "train"'):
        model(inputs, [], mode='train')
