"""CharacterTokenizer: token layout, errors, masking statistics."""
import math

import pytest
import torch

from mmocr_oclip.models import CharacterTokenizer


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
