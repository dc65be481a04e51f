"""Stable, case-insensitive 63-bit hashes of words (equal across processes)."""
import hashlib

import torch


def word_hash(word):
    """Hash of ``word.lower()``, the same in every process and run.

    Python's ``hash`` of a string is salted per process, so it cannot be
    compared across data loader workers or ranks; this is the first 8 bytes of
    the BLAKE2b digest of the UTF-8 lower-cased word, top bit cleared.

    Args:
        word (str): the word.

    Returns:
        int: a non-negative integer below ``2**63`` (fits an int64 tensor).
    """
    digest = hashlib.blake2b(word.lower().encode('utf-8'), digest_size=8).digest()
    return int.from_bytes(digest, 'little') & 0x7FFFFFFFFFFFFFFF


def word_hashes(words):
    """:func:`word_hash` of each word.

    Args:
        words (Sequence[str]): K words.

    Returns:
        torch.LongTensor: (K, ) hashes.
    """
    return torch.tensor([word_hash(w) for w in words], dtype=torch.long)
