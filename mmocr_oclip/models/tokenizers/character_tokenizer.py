"""Words to character token ids, on an MMOCR :class:`Dictionary`."""
import numpy as np
import torch
from mmocr.models.common.dictionary import Dictionary
from mmocr.registry import TASK_UTILS

from mmocr_oclip.utils.resources import resolve_resource_file


@TASK_UTILS.register_module()
class CharacterTokenizer:
    """Encode words as fixed-length character token ids.

    oCLIP's layout (``end_token=True``): 0 = padding, ``1..N`` = the N
    characters of the dictionary file in file order, ``N + 1`` = mask,
    ``N + 2`` = end; ``vocab_size = N + 3``. A word keeps at most
    ``max_len - 1`` characters so that the end token always fits.

    WeCromCL's layout (``end_token=False``, the authors'): 0 = padding,
    ``1..N`` = the characters, ``N + 1`` = mask (unused by WeCromCL; it keeps
    the authors' ``N + 2`` rows); no end token, a word keeps at most
    ``max_len`` characters.

    Args:
        dict_file (str, optional): MMOCR dictionary file (one character a line),
            or the name of a packaged one (``'lowercase_68.txt'``). Defaults to
            the 94 printable ASCII characters (vocab 97).
        max_len (int): Tokens per word (including the end token if any).
            Defaults to 25.
        end_token (bool): Append an end token. Defaults to True.
    """

    def __init__(self, dict_file=None, max_len=25, end_token=True):
        self.dict_file = resolve_resource_file(dict_file)
        min_len = 2 if end_token else 1
        if max_len < min_len:
            raise ValueError(f'max_len must be >= {min_len} (a character'
                             f'{" and the end" if end_token else ""}), got {max_len}')
        self.dictionary = Dictionary(self.dict_file)
        self.num_chars = self.dictionary.num_classes
        self.pad_idx = 0
        self.mask_idx = self.num_chars + 1
        self.end_token = end_token
        self.end_idx = self.num_chars + 2 if end_token else None
        self.vocab_size = self.num_chars + (3 if end_token else 2)
        self.max_len = max_len
        self.max_chars = max_len - 1 if end_token else max_len
        codes = np.array([ord(c) for c in self.dictionary.dict], dtype=np.int64)
        order = np.argsort(codes)
        self._sorted_codes = codes[order]
        self._sorted_ids = order + 1

    def encode(self, words):
        """Token ids of ``words``.

        Args:
            words (list[str]): M non-empty words of dictionary characters.

        Returns:
            tuple[Tensor, Tensor]: ``tokens`` (M, max_len) long and ``lengths``
            (M,) long, the number of characters kept per word (the end token,
            if any, sits at index ``lengths``).
        """
        lengths = np.array([len(w) for w in words], dtype=np.int64)
        if (lengths == 0).any():
            raise ValueError(f'empty word at index {int(np.argmin(lengths))}')
        codes = np.frombuffer(''.join(words).encode('utf-32-le'),
                              dtype=np.uint32).astype(np.int64)
        pos = np.searchsorted(self._sorted_codes,
                              codes).clip(max=len(self._sorted_codes) - 1)
        known = self._sorted_codes[pos] == codes
        if not known.all():
            first = int(np.argmin(known))
            word = int(np.searchsorted(np.cumsum(lengths), first, side='right'))
            raise ValueError(f'character {chr(codes[first])!r} of word '
                             f'{words[word]!r} is not in {self.dict_file}')
        rows = np.repeat(np.arange(len(words)), lengths)
        cols = np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep = cols < self.max_chars
        tokens = np.zeros((len(words), self.max_len), dtype=np.int64)
        tokens[rows[keep], cols[keep]] = self._sorted_ids[pos[keep]]
        kept = lengths.clip(max=self.max_chars)
        if self.end_token:
            tokens[np.arange(len(words)), kept] = self.end_idx
        return torch.from_numpy(tokens), torch.from_numpy(kept)

    def decode(self, ids):
        """Characters of token ids (special tokens dropped).

        Args:
            ids (Sequence[int] | Tensor): token ids.

        Returns:
            str: the characters.
        """
        ids = [int(i) for i in ids]
        return ''.join(self.dictionary.dict[i - 1] for i in ids
                       if 1 <= i <= self.num_chars)

    def mask(self, tokens, lengths, mask_prob=1.0, generator=None):
        """Replace one character per word, at a uniform position, by the mask.

        The end token is never masked (positions lie in ``[0, lengths)``); a
        one-character word has its only character masked.

        Args:
            tokens (Tensor): (M, L) ids from :meth:`encode`.
            lengths (Tensor): (M,) characters per word.
            mask_prob (float): probability that a word is masked at all.
            generator (torch.Generator, optional): random source; the global
                one (seeded by MMEngine) by default.

        Returns:
            tuple[Tensor, Tensor, Tensor]: masked tokens (M, L), the masked
            positions (M,) and the original ids there (M,), -1 where a word
            was left unmasked.
        """
        num = tokens.size(0)
        u = torch.rand(num, generator=generator, device=tokens.device)
        # floor(u * n) in [0, n - 1]; the minimum guards float rounding at u ~ 1
        positions = torch.minimum((u * lengths).long(), lengths - 1)
        rows = torch.arange(num, device=tokens.device)
        targets = tokens[rows, positions].clone()
        if mask_prob < 1.0:
            chosen = torch.rand(num, generator=generator,
                                device=tokens.device) < mask_prob
            positions = torch.where(chosen, positions, -1)
            targets = torch.where(chosen, targets, -1)
        masked = tokens.clone()
        hit = positions >= 0
        masked[rows[hit], positions[hit]] = self.mask_idx
        return masked, positions, targets
