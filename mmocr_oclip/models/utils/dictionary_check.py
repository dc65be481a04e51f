"""Record a model's character dictionary in its checkpoints; refuse another one."""
import logging
from functools import partial

import torch
from mmengine.logging import print_log

from .model_type_check import register_model_type_check

# name of the buffer holding the dictionary's code points (a top-level key)
DICTIONARY_KEY = 'dictionary_codes'
MAX_SHOWN = 40


class DictionaryMismatchError(ValueError):
    """A checkpoint trained with another character dictionary than the model's."""


def register_dictionary_check(model,
                              tokenizer,
                              embedding_key='text_encoder.token_embedding.weight'):
    """Save ``tokenizer``'s dictionary with ``model`` and check it at load time.

    Registers on ``model`` the persistent buffer ``dictionary_codes``, (N,)
    long: the Unicode code points of the N dictionary characters in token-id
    order (id ``i + 1`` is character ``i``), and a load_state_dict pre-hook
    that raises :class:`DictionaryMismatchError`, naming both dictionaries,
    when a checkpoint's ``dictionary_codes`` differ (other characters, count
    or order) instead of MMEngine's warning about mis-shaped keys. A checkpoint
    without the buffer (saved before it existed) is checked by the size of
    ``embedding_key`` (its first dimension is the vocabulary size
    ``N + num_special``); if the size matches it loads with a warning and the
    model's own codes. Call it in ``__init__`` after the text encoder is built.

    It also registers :func:`register_model_type_check` first: checkpoints
    record the model's class name, and one of another model type (a detector,
    WeCromCL for OCLIP...) is refused naming both types before its dictionary
    is compared.

    Args:
        model (nn.Module): the model (e.g. :class:`OCLIP`).
        tokenizer (CharacterTokenizer): its tokenizer (``dictionary``,
            ``dict_file``).
        embedding_key (str): the token embedding's key, relative to ``model``.
    """
    register_model_type_check(model)
    codes = torch.tensor([ord(c) for c in tokenizer.dictionary.dict], dtype=torch.long)
    model.register_buffer(DICTIONARY_KEY, codes, persistent=True)
    model.register_load_state_dict_pre_hook(
        partial(_check_dictionary,
                dict_file=tokenizer.dict_file,
                embedding_key=embedding_key))


def _preview(codes):
    """The characters of ``codes`` as a repr, cut after :data:`MAX_SHOWN`."""
    chars = ''.join(map(chr, codes))
    return repr(chars[:MAX_SHOWN]) + ('...' if len(chars) > MAX_SHOWN else '')


def describe_dictionary_mismatch(theirs, ours, dict_file):
    """How a checkpoint's dictionary (code points) differs from the model's."""
    theirs, ours = list(theirs), list(ours)
    lines = [
        'the checkpoint was trained with another character dictionary than the '
        "model's:", f'  checkpoint: {len(theirs)} characters {_preview(theirs)}',
        f'  model: {len(ours)} characters {_preview(ours)} from {dict_file}'
    ]
    only_theirs = [c for c in theirs if c not in set(ours)]
    only_ours = [c for c in ours if c not in set(theirs)]
    if only_theirs:
        lines.append(f'  only in the checkpoint: {_preview(only_theirs)}')
    if only_ours:
        lines.append(f'  only in the model: {_preview(only_ours)}')
    if not only_theirs and not only_ours:
        first = next(i for i, (a, b) in enumerate(zip(theirs, ours)) if a != b)
        lines.append(f'  same characters in another order (first difference: '
                     f'token id {first + 1}, {chr(theirs[first])!r} in the '
                     f'checkpoint, {chr(ours[first])!r} in the model)')
    lines.append("set the model's tokenizer dict_file to the checkpoint's "
                 'dictionary')
    return '\n'.join(lines)


def _check_dictionary(module, state_dict, prefix, local_metadata, strict, missing_keys,
                      unexpected_keys, error_msgs, dict_file, embedding_key):
    """Load-state-dict pre-hook of :func:`register_dictionary_check`."""
    ours = getattr(module, DICTIONARY_KEY)
    key = prefix + DICTIONARY_KEY
    theirs = state_dict.get(key)
    if theirs is not None:
        if theirs.shape != ours.shape or not torch.equal(theirs.cpu(), ours.cpu()):
            raise DictionaryMismatchError(
                describe_dictionary_mismatch(theirs.tolist(), ours.tolist(), dict_file))
        return
    embedding = state_dict.get(prefix + embedding_key)
    if embedding is None:
        return  # no text encoder in the checkpoint: nothing to check
    vocab_size = module.get_parameter(embedding_key).shape[0]
    num_special = vocab_size - len(ours)
    if embedding.shape[0] != vocab_size:
        raise DictionaryMismatchError(
            f"the checkpoint's {embedding_key} has {embedding.shape[0]} tokens "
            f'({embedding.shape[0] - num_special} characters + {num_special} '
            f"special), the model's dictionary {dict_file} gives {vocab_size} "
            f'({len(ours)} characters); the checkpoint records no dictionary '
            f"({key}): set the model's tokenizer dict_file to the one it was "
            'trained with')
    print_log(
        f'the checkpoint has no {key} (saved before dictionaries were recorded): '
        f'its vocabulary size ({vocab_size}) matches the dictionary {dict_file} '
        'but its characters cannot be checked',
        logger='current',
        level=logging.WARNING)
    state_dict[key] = ours.detach().clone()
