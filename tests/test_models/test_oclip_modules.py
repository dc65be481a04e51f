import math

import pytest
import torch
import torch.nn.functional as F

from mmocr_oclip.models import (AttentionPoolNeck, CharacterTextEncoder,
                                CharacterTokenizer, ImageTextContrastiveLoss,
                                VisualTextualDecoder)


@pytest.fixture(scope='module')
def tokenizer():
    return CharacterTokenizer(max_len=6)


def test_tokenizer_layout(tokenizer, tmp_path):
    assert tokenizer.num_chars == 94 and tokenizer.vocab_size == 97
    tokens, lengths = tokenizer.encode(['ab', 'A', 'abcdefgh'])
    a = ord('a') - 33 + 1  # english_94 lists chr(33)..chr(126) in order
    assert tokens.tolist() == [[a, a + 1, 96, 0, 0, 0], [ord('A') - 32, 96, 0, 0, 0, 0],
                               [a, a + 1, a + 2, a + 3, a + 4, 96]]
    assert lengths.tolist() == [2, 1, 5]  # truncated to max_len - 1
    assert tokenizer.decode(tokens[2]) == 'abcde'

    chinese = tmp_path / 'zh.txt'
    chinese.write_text('中\n文\n字\n', encoding='utf-8')
    zh = CharacterTokenizer(str(chinese))
    assert zh.vocab_size == 6
    assert zh.encode(['文字'])[0][0, :3].tolist() == [2, 3, 5]


def test_tokenizer_errors(tokenizer):
    with pytest.raises(ValueError, match="character 'é' of word 'café'"):
        tokenizer.encode(['ok', 'café'])
    with pytest.raises(ValueError, match='empty word at index 1'):
        tokenizer.encode(['ok', ''])
    with pytest.raises(FileNotFoundError, match='nowhere.txt'):
        CharacterTokenizer('nowhere.txt')


def test_masking_statistics(tokenizer):
    words = ['abcd'] * 4000 + ['x'] * 100
    tokens, lengths = tokenizer.encode(words)
    torch.manual_seed(0)
    masked, positions, targets = tokenizer.mask(tokens, lengths)
    # exactly one mask token per word, never the end token
    assert ((masked == tokenizer.mask_idx).sum(1) == 1).all()
    assert ((masked == tokenizer.end_idx).sum(1) == 1).all()
    assert (targets == tokens[torch.arange(len(words)), positions]).all()
    # one-character words: their only character is masked
    assert (positions[4000:] == 0).all()
    # uniform over the 4 positions: each within 4 sigma of 1000
    counts = torch.bincount(positions[:4000], minlength=4).float()
    assert ((counts - 1000).abs() < 4 * math.sqrt(4000 * 0.25 * 0.75)).all()
    # reproducible under the global seed
    torch.manual_seed(0)
    assert torch.equal(tokenizer.mask(tokens, lengths)[1], positions)
    # mask_prob leaves words unmasked with target -1
    masked, positions, targets = tokenizer.mask(tokens, lengths, mask_prob=0.5)
    unmasked = targets == -1
    assert 0.4 < unmasked.float().mean() < 0.6
    assert torch.equal(masked[unmasked], tokens[unmasked])


def test_contrastive_loss_hand_computed():
    image = torch.tensor([[1.0, 0.0], [0.0, 2.0]])  # normalised: e1, e2
    text = torch.tensor([[3.0, 4.0], [0.0, 1.0]])  # normalised: (.6, .8), e2
    scale = torch.tensor(2.0)
    # logits = 2 * [[.6, 0], [.8, 1]]
    row0 = -math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(0)))
    row1 = -math.log(math.exp(2) / (math.exp(1.6) + math.exp(2)))
    col0 = -math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(1.6)))
    col1 = -math.log(math.exp(2) / (math.exp(0) + math.exp(2)))
    expected = ((row0 + row1) / 2 + (col0 + col1) / 2) / 2
    loss = ImageTextContrastiveLoss(loss_weight=0.5)(image, text, scale)
    assert loss.item() == pytest.approx(0.5 * expected, rel=1e-6)


def test_text_encoder_padding_and_causality():
    torch.manual_seed(0)
    enc = CharacterTextEncoder(vocab_size=10,
                               max_len=8,
                               width=16,
                               num_layers=2,
                               num_heads=2,
                               embed_dim=12)
    enc.init_weights()
    enc.eval()
    tokens = torch.tensor([[1, 2, 3, 9, 0, 0, 0, 0]])
    out = enc(tokens, torch.tensor([3]))
    assert out.shape == (1, 12)
    # trailing padding columns do not change the embedding
    assert torch.allclose(enc(tokens[:, :4], torch.tensor([3])), out, atol=1e-6)
    # nor do tokens after the end (causal) ...
    other = tokens.clone()
    other[0, 5] = 7
    assert torch.allclose(enc(other, torch.tensor([3])), out, atol=1e-6)
    # ... and without the causal mask they are masked out as padding (with
    # mask_padding, not the authors' default)
    enc.causal = False
    enc.mask_padding = True
    assert torch.allclose(enc(other, torch.tensor([3])),
                          enc(tokens, torch.tensor([3])),
                          atol=1e-6)


def test_neck_and_decoder_ignore_padding():
    torch.manual_seed(0)
    neck = AttentionPoolNeck(in_channels=16, embed_dim=8, num_heads=2, spatial_size=4)
    decoder = VisualTextualDecoder(num_classes=5,
                                   embed_dim=8,
                                   num_layers=2,
                                   num_heads=2,
                                   spatial_size=4)
    neck.eval()
    decoder.eval()
    feat = torch.randn(1, 16, 2, 3)
    glob, tokens = neck(feat)
    queries = torch.randn(1, 2, 8)
    logits, attn = decoder(queries, tokens, torch.ones(1, 2, 3, dtype=torch.bool))
    assert glob.shape == (1, 8) and tokens.shape == (1, 6, 8)
    assert logits.shape == (1, 2, 5) and attn.shape == (1, 2, 6)

    # the same image inside a larger padded canvas, batched with another image,
    # with extra (padded) query slots
    canvas = torch.randn(2, 16, 3, 4)
    canvas[0, :, :2, :3] = feat[0]
    valid = torch.zeros(2, 3, 4, dtype=torch.bool)
    valid[0, :2, :3] = True
    valid[1] = True
    glob2, tokens2 = neck(canvas, valid)
    assert torch.allclose(glob2[0], glob[0], atol=1e-5)
    grid_tokens = tokens2[0].reshape(3, 4, 8)[:2, :3].reshape(6, 8)
    assert torch.allclose(grid_tokens, tokens[0], atol=1e-5)
    padded_queries = torch.randn(2, 5, 8)
    padded_queries[0, :2] = queries[0]
    logits2, attn2 = decoder(padded_queries, tokens2, valid)
    assert torch.allclose(logits2[0, :2], logits[0], atol=1e-5)
    attn_grid = attn2[0, :2].reshape(2, 3, 4)
    assert torch.allclose(attn_grid[:, :2, :3].reshape(2, 6), attn[0], atol=1e-6)
    assert attn_grid[:, 2:].abs().sum() == 0 and attn_grid[:, :, 3:].abs().sum() == 0
    with torch.no_grad():
        _, _, pool_attn = neck(canvas, valid, need_weights=True)
    assert pool_attn.shape == (2, 12)
    # the rest of the global token's attention goes to itself
    assert (pool_attn.sum(1) < 1).all() and (pool_attn.sum(1) > 0.5).all()
    assert pool_attn[0].reshape(3, 4)[~valid[0]].abs().sum() == 0


def test_softmax_ce_matches_masked_character_loss():
    # the masked-character loss is mmdet's CrossEntropyLoss: mean CE of the words
    from mmocr.registry import MODELS
    loss = MODELS.build(dict(type='mmdet.CrossEntropyLoss', loss_weight=2.0))
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    target = torch.tensor([0, 2])
    expected = 2.0 * (-math.log(math.exp(2) /
                                (math.exp(2) + 2)) - math.log(1 / (1 + math.e + 1))) / 2
    assert loss(logits, target).item() == pytest.approx(expected, rel=1e-6)
    assert F.cross_entropy(logits, target).item() == pytest.approx(expected / 2)
