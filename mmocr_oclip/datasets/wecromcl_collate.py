"""Collate function of WeCromCL: a positive word and negative words per image."""
import json
from functools import lru_cache

import numpy as np
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS
from mmocr.registry import TASK_UTILS

from .word_hash import word_hash, word_hashes


@lru_cache(maxsize=8)
def _build_sampler(cfg_json):
    """The sampler of a JSON config, built once per process (data worker)."""
    return TASK_UTILS.build(json.loads(cfg_json))


def _augment(image, prefs, owner, visited):
    """Give ``image`` a word, re-assigning owners along an augmenting path.

    Free words are tried first (in the image's random preference order), so
    without conflicts an image gets a uniformly random one of its free words.
    """
    for word in prefs[image]:
        if word not in owner:
            owner[word] = image
            return True
    for word in prefs[image]:
        if word not in visited:
            visited.add(word)
            if _augment(owner[word], prefs, owner, visited):
                owner[word] = image
                return True
    return False


def choose_positives(image_words):
    """One positive word per image, different images different words if possible.

    A maximum bipartite matching of images to their words (Kuhn's augmenting
    paths over random preference orders drawn with ``np.random``); an image
    left unmatched (all its words are needed by other images) gets a uniformly
    random word of its own, shared with another image.

    Args:
        image_words (list[list[str]]): the distinct words of each image.

    Returns:
        tuple[list[str], list[bool]]: the positives, and whether each one is
        shared (the fallback).
    """
    prefs = [[words[i] for i in np.random.permutation(len(words))]
             for words in image_words]
    owner = dict()
    for image in range(len(image_words)):
        _augment(image, prefs, owner, set())
    positives = [None] * len(image_words)
    for word, image in owner.items():
        positives[image] = word
    shared = [p is None for p in positives]
    for image, words in enumerate(image_words):
        if shared[image]:
            positives[image] = words[np.random.randint(len(words))]
    return positives, shared


@FUNCTIONS.register_module()
def wecromcl_collate(data_batch, sampler=None, in_image_words=0):
    """``pseudo_collate`` plus WeCromCL's positive and negative words.

    The batch is kept as the data loader's sampler made it. For each data sample
    (``TextSpottingDataSample`` with ``gt_instances.texts``) the image's words
    are lower-cased and de-duplicated, a positive is chosen by
    :func:`choose_positives` and negatives are drawn with
    ``sampler.sample(exclude=<the image's words>, positive=positive)``. Sets on
    every sample:

    - positive_text (str): the positive, lower case.
    - negative_texts (list[str]): ``num_negatives`` words, none of the image.
    - word_hashes (LongTensor): (K, ) :func:`word_hash` of the K distinct
      words of the image.
    - positive_hash (int): :func:`word_hash` of the positive.
    - metainfo ``positive_shared`` (bool): the positive is another image's
      positive too (every word of the image was needed elsewhere; the model
      masks it through the hashes).
    - in_image_texts (list[str]), only with ``in_image_words``: up to
      ``in_image_words`` distinct words of the image in random order, the
      positive among them (for ``WeCromCL(in_image_loss=...)``).

    Use as ``train_dataloader = dict(..., collate_fn=dict(
    type='wecromcl_collate', sampler=dict(type='NegativeWordSampler', ...)))``.

    Args:
        data_batch (list[dict]): the pipeline outputs (``inputs``,
            ``data_samples``).
        sampler (dict | NegativeWordSampler, optional): the negative sampler
            or its config (built once per process). Defaults to
            ``dict(type='NegativeWordSampler')``.
        in_image_words (int): words per image for the in-image word loss
            (not in the paper). Defaults to 0 (none set).

    Returns:
        dict: ``inputs`` (list of tensors) and ``data_samples`` (list).
    """
    if in_image_words < 0:
        raise ValueError(f'wecromcl_collate: in_image_words must be >= 0, got '
                         f'{in_image_words}')
    if sampler is None or isinstance(sampler, dict):
        sampler = _build_sampler(
            json.dumps(sampler or dict(type='NegativeWordSampler'), sort_keys=True))
    batch = pseudo_collate(data_batch)
    samples = batch['data_samples']
    image_words = []
    for sample in samples:
        words = list(dict.fromkeys(t.lower() for t in sample.gt_instances.texts))
        if not words:
            raise ValueError(f'{sample.metainfo.get("img_path", "an image")}: no '
                             'word to draw a positive from')
        image_words.append(words)
    positives, shared = choose_positives(image_words)
    for sample, words, positive, is_shared in zip(samples, image_words, positives,
                                                  shared):
        sample.positive_text = positive
        sample.negative_texts = sampler.sample(exclude=words, positive=positive)
        sample.word_hashes = word_hashes(words)
        sample.positive_hash = word_hash(positive)
        sample.set_metainfo(dict(positive_shared=is_shared))
        if in_image_words:
            others = [w for w in words if w != positive]
            keep = np.random.permutation(len(others))[:in_image_words - 1]
            texts = [positive] + [others[i] for i in keep]
            sample.in_image_texts = [
                texts[i] for i in np.random.permutation(len(texts))
            ]
    return batch
