"""Scaled cosine similarities, the logits of every contrastive loss here."""
import torch.nn.functional as F

from .gather import all_gather_own_grad, all_gather_with_grad


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


def global_pairwise_cosine_logits(visual, text, scale, gather_with_grad):
    """Pairwise logits (:func:`pairwise_cosine_logits`) of this rank's rows
    (B, E) against the global batch of all ranks, in one of two ways:

    - ``gather_with_grad=True``: (B, G) this rank's ``visual`` against every
      rank's ``text``, gathered with gradient;
    - ``gather_with_grad=False`` (the authors' oCLIP, open_clip's default):
      (G, G) every rank's ``visual`` against every rank's ``text``, gathered
      with gradient to this rank's slice only.

    With one process both are (B, B).
    """
    if gather_with_grad:
        return pairwise_cosine_logits(visual, all_gather_with_grad(text), scale)
    return pairwise_cosine_logits(all_gather_own_grad(visual),
                                  all_gather_own_grad(text), scale)
