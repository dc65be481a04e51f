"""Pronounceable made-up words: a seeded vocabulary for rendered data."""
import numpy as np

ONSETS = ('b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't',
          'v', 'w', 'z', 'bl', 'br', 'ch', 'cl', 'cr', 'dr', 'fl', 'fr', 'gr', 'pl',
          'pr', 'sh', 'sl', 'sp', 'st', 'str', 'th', 'tr')
VOWELS = ('a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'oa', 'oo', 'ou', 'y')
CODAS = ('', '', '', 'n', 'r', 's', 't', 'l', 'nd', 'nt', 'st', 'ck', 'ng', 'rt', 'x')


def pseudo_words(num_words, seed=0, syllables=(1, 3), case_mix=True):
    """Distinct made-up words built from English-like syllables.

    Args:
        num_words (int): How many words.
        seed (int): Random seed; the same seed gives the same list.
        syllables (tuple[int, int]): Inclusive range of syllables per word.
        case_mix (bool): Also use ``Capitalised`` and ``UPPER`` forms (about a
            quarter each); otherwise all lower case.

    Returns:
        list[str]: ``num_words`` distinct words (case-insensitively distinct).
    """
    rng = np.random.default_rng(seed)
    words, seen = [], set()
    while len(words) < num_words:
        parts = []
        for _ in range(rng.integers(syllables[0], syllables[1] + 1)):
            parts += [
                ONSETS[rng.integers(len(ONSETS))], VOWELS[rng.integers(len(VOWELS))],
                CODAS[rng.integers(len(CODAS))]
            ]
        word = ''.join(parts)
        if word in seen or len(word) < 2:
            continue
        seen.add(word)
        form = rng.random() if case_mix else 1.0
        words.append(word.upper() if form < 0.25 else word.capitalize() if form <
                     0.5 else word)
    return words
