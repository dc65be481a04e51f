"""Negative words of WeCromCL: vocabulary words that an image does not contain."""
import string
from itertools import groupby

import numpy as np
from mmengine.logging import print_log
from mmocr.models.common.dictionary import Dictionary
from mmocr.registry import TASK_UTILS

from mmocr_oclip.utils.resources import resolve_resource_file


def _integers(rng, high, size):
    """``size`` random integers in [0, high) from ``rng`` or ``np.random``."""
    if rng is None:
        return np.random.randint(high, size=size)
    return rng.integers(high, size=size)


def _char_class(char):
    """'letter', 'digit' or 'other' (punctuation and anything else)."""
    return 'letter' if char.isalpha() else 'digit' if char.isdigit() else 'other'


@TASK_UTILS.register_module()
class NegativeWordSampler:
    """Draw negative words for an image from a vocabulary file.

    The vocabulary (one word a line) is lower-cased if ``lowercase``, words with
    characters outside ``dict_file`` are dropped (counted and logged once) and
    duplicates (case-insensitive) are merged. :meth:`sample` returns
    ``num_negatives`` case-insensitively distinct words, none equal
    (case-insensitive) to an excluded word.

    Uniform mode (``match_char_classes=False``): words drawn uniformly without
    replacement by rejection sampling (a few vectorised draws per call; only an
    exclusion set covering most of the vocabulary falls back to one pass over
    it).

    ``match_char_classes=True`` removes the length / digit / punctuation shortcut
    (the authors' negatives are always 4-11 letter words): each negative copies
    the character-class pattern of the positive. Every run of letters becomes a
    vocabulary word of the run's length (uniform among the all-letter words of
    that length; random letters when there is none), every digit a random
    digit, every other character a random non-letter, non-digit character; all
    random characters come from ``dict_file`` (``a-z``, ``0-9`` and
    ``string.punctuation`` without one) and, with ``lowercase=False``, letters
    copy the positive's case. E.g. ``'b52s'`` -> ``'k07e'``-like words,
    ``'hello!'`` -> ``'world?'``. When the vocabulary words of the right lengths
    run out (``max_rounds * num_negatives`` attempts), letter runs become random
    letters; patterns with too few distinct fillers even so (e.g. a single
    digit) are completed with uniform words; such calls are counted in
    :attr:`pattern_fallbacks` and logged once.

    Args:
        vocab_file (str, optional): one word a line: a path or the name of a
            packaged file. Defaults to the packaged ``english_vocab.txt``.
        num_negatives (int): words per call. Defaults to 16.
        dict_file (str, optional): MMOCR dictionary file (a path or the name
            of a packaged one, e.g. ``'lowercase_68.txt'``); words with other
            characters are dropped. Defaults to None (keep all words).
        lowercase (bool): lower-case the vocabulary. Defaults to True.
        match_char_classes (bool): mimic the positive's character classes.
            Defaults to False.
        max_rounds (int): rejection-sampling rounds (each ``2 * num_negatives``
            draws) before the exact fallback. Defaults to 8.
    """

    def __init__(self,
                 vocab_file=None,
                 num_negatives=16,
                 dict_file=None,
                 lowercase=True,
                 match_char_classes=False,
                 max_rounds=8):
        if num_negatives < 1:
            raise ValueError(f'num_negatives must be >= 1, got {num_negatives}')
        self.vocab_file = resolve_resource_file(vocab_file, 'english_vocab.txt')
        self.num_negatives = num_negatives
        self.dict_file = resolve_resource_file(dict_file) if dict_file else None
        self.lowercase = lowercase
        self.match_char_classes = match_char_classes
        self.max_rounds = max_rounds
        self.pattern_fallbacks = 0
        charset = frozenset(Dictionary(self.dict_file).dict) if dict_file else None
        self.charset = charset
        words = self._load_vocabulary(charset)
        if len(words) < num_negatives:
            raise ValueError(f'{self.vocab_file}: {len(words)} usable words, fewer '
                             f'than num_negatives={num_negatives}')
        self.words = np.array(words)
        self.keys = np.array([w.lower() for w in words])
        letters = charset if charset is not None else set(string.ascii_letters)
        others = charset if charset is not None else set(string.punctuation)
        self.alphabets = dict(
            letter=sorted(c for c in letters
                          if c.isalpha() and (not lowercase or c == c.lower())),
            digit=sorted(c for c in (charset or string.digits) if c.isdigit()),
            # no whitespace inside a word (wecromcl_69.txt has the space)
            other=sorted(c for c in others
                         if _char_class(c) == 'other' and not c.isspace()))
        alpha = np.flatnonzero([w.isalpha() for w in words])
        lengths = np.array([len(words[i]) for i in alpha], dtype=np.int64)
        self.words_by_length = {int(n): alpha[lengths == n] for n in np.unique(lengths)}

    def _load_vocabulary(self, charset):
        """Vocabulary words after lower-casing, filtering and de-duplication."""
        try:
            with open(self.vocab_file, encoding='utf-8') as f:
                lines = f.read().splitlines()
        except UnicodeDecodeError as e:
            raise ValueError(f'{self.vocab_file}: not UTF-8 text (offset '
                             f'{e.start})') from e
        words, seen, dropped = [], set(), 0
        for line in lines:
            word = line.strip()
            if self.lowercase:
                word = word.lower()
            if not word:
                continue
            if charset is not None and not charset.issuperset(word):
                dropped += 1
                continue
            if word.lower() not in seen:
                seen.add(word.lower())
                words.append(word)
        if dropped:
            print_log(
                f'{type(self).__name__}: {dropped} words of {self.vocab_file} '
                f'have characters outside {self.dict_file} and were dropped; '
                f'{len(words)} words kept',
                logger='current')
        return words

    def sample(self, exclude, positive=None, rng=None):
        """Draw ``num_negatives`` negative words.

        Args:
            exclude (Iterable[str]): words the negatives must not equal
                (compared case-insensitively), e.g. all words of the image.
            positive (str, optional): the positive word; also excluded, and
                the pattern mimicked with ``match_char_classes``.
            rng (np.random.Generator, optional): random generator. Defaults to
                the global ``np.random`` (seeded by MMEngine per worker).

        Returns:
            list[str]: ``num_negatives`` distinct words.
        """
        exclude = {w.lower() for w in exclude}
        if positive is not None:
            exclude.add(positive.lower())
        chosen = dict()
        if self.match_char_classes and positive:
            self._sample_like(positive, exclude, chosen, rng)
            if len(chosen) < self.num_negatives:
                if not self.pattern_fallbacks:
                    print_log(
                        f'{type(self).__name__}: too few words with the '
                        f'pattern of {positive!r}; completed with uniform '
                        'vocabulary words (counted in pattern_fallbacks)',
                        logger='current')
                self.pattern_fallbacks += 1
        self._sample_uniform(exclude, chosen, rng)
        return list(chosen.values())

    def _accept(self, word, exclude, chosen):
        """Add ``word`` to ``chosen`` (key: lower case) if allowed and new."""
        key = word.lower()
        if key not in exclude and key not in chosen:
            chosen[key] = word

    def _sample_uniform(self, exclude, chosen, rng):
        """Fill ``chosen`` with uniform vocabulary words."""
        num = self.num_negatives
        for _ in range(self.max_rounds):
            if len(chosen) == num:
                return
            for i in _integers(rng, len(self.words), 2 * num):
                self._accept(str(self.words[i]), exclude, chosen)
                if len(chosen) == num:
                    return
        pool = [
            i for i, key in enumerate(self.keys)
            if key not in exclude and key not in chosen
        ]
        need = num - len(chosen)
        if len(pool) < need:
            raise ValueError(
                f'{type(self).__name__}: the vocabulary {self.vocab_file} has '
                f'{len(pool) + len(chosen)} words outside the {len(exclude)} '
                f'excluded ones, num_negatives={num} needed')
        for i in (np.random if rng is None else rng).choice(pool, need, replace=False):
            self._accept(str(self.words[i]), exclude, chosen)

    def _sample_like(self, positive, exclude, chosen, rng):
        """Fill ``chosen`` with words of the positive's class pattern."""
        runs = [(cls, ''.join(chars)) for cls, chars in groupby(positive, _char_class)]
        for from_vocab in (True, False):
            for _ in range(self.max_rounds * self.num_negatives):
                if len(chosen) == self.num_negatives:
                    return
                self._accept(
                    ''.join(self._fill(cls, run, rng, from_vocab) for cls, run in runs),
                    exclude, chosen)

    def _fill(self, cls, run, rng, from_vocab):
        """A random string of the class and length of ``run`` (letter runs: a
        vocabulary word of that length if ``from_vocab`` and there is one)."""
        if cls == 'letter':
            bucket = self.words_by_length.get(len(run)) if from_vocab else None
            if bucket is not None:
                word = str(self.words[bucket[_integers(rng, len(bucket), 1)[0]]])
            else:
                word = self._random_chars(self.alphabets['letter'], run, rng)
            return word if self.lowercase else ''.join(map(self._copy_case, word, run))
        return self._random_chars(self.alphabets[cls], run, rng)

    def _random_chars(self, alphabet, run, rng):
        """``len(run)`` characters from ``alphabet`` (``run``'s own if empty)."""
        alphabet = alphabet or sorted(set(run))
        return ''.join(alphabet[i] for i in _integers(rng, len(alphabet), len(run)))

    def _copy_case(self, char, like):
        """``char`` in the case of ``like`` when that stays in the dictionary."""
        cased = char.upper() if like.isupper() else char.lower()
        return cased if self.charset is None or cased in self.charset else char

    def __repr__(self):
        return (f'{type(self).__name__}(vocab_file={self.vocab_file!r}, '
                f'num_negatives={self.num_negatives}, dict_file={self.dict_file!r}, '
                f'lowercase={self.lowercase}, '
                f'match_char_classes={self.match_char_classes}, '
                f'words={len(self.words)})')
