"""Scaled cosine similarities, the logits of every contrastive loss here."""
import torch.nn.functional as F


def cosine_logits(visual, text, scale):
    """``scale * cosine(visual, text)`` over the last dimension, broadcast.

    Computed in fp32, also under fp16 autocast (as CUDA's autocast runs the
    losses). Equal to ``scale * F.cosine_similarity(visual, text, dim=-1)``.

    Args:
        visual (Tensor): (..., E) visual features.
        text (Tensor): (..., E) text embeddings, broadcastable to ``visual``.
        scale (Tensor): scalar, the (exponentiated) temperature.

    Returns:
        Tensor: the broadcast shape without E.
    """
    return scale * (F.normalize(visual.float(), dim=-1) *
                    F.normalize(text.float(), dim=-1)).sum(-1)


def pairwise_cosine_logits(visual, text, scale):
    """(N, M) ``scale * cosine`` of every row of ``visual`` (N, E) with every
    row of ``text`` (M, E), one matrix product, in fp32 (see
    :func:`cosine_logits`)."""
    return scale * F.normalize(visual.float(), dim=-1) @ F.normalize(text.float(),
                                                                     dim=-1).t()
