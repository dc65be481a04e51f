"""Symmetric image-text InfoNCE loss (CLIP), gathered across ranks."""
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.utils.gather import (all_gather_own_grad, all_gather_with_grad,
                                             global_targets)
from mmocr_oclip.models.utils.similarity import pairwise_cosine_logits


@MODELS.register_module()
class ImageTextContrastiveLoss(nn.Module):
    """CLIP's contrastive loss between paired image and text embeddings.

    ``logits = scale * cos(I, T)`` for every image-text pair
    (:func:`pairwise_cosine_logits`, in fp32); the loss is the
    mean of the image->text and text->image cross-entropies whose targets are
    the pairs. One process: the loss of its batch. Distributed training, two
    ways (equal values, gradients W times apart with W ranks):

    - ``gather_with_grad=False`` (the authors' oCLIP, open_clip's default): every
      rank gathers all ranks' embeddings without gradient but for its own,
      and computes the loss of the whole global batch; after DDP's averaging
      the encoders get 1/W of the global batch's gradient (the temperature all
      of it), so the contrastive loss weighs 1/W against a per-rank loss such
      as the masked-character loss.
    - ``gather_with_grad=True``: each rank scores its own images against the
      texts of all ranks and its own texts against all images, gathered with
      gradient, so that (with DDP's averaging) training equals training on the
      global batch in one process.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
        gather_with_grad (bool): see above. Defaults to False.
    """

    def __init__(self, loss_weight=1.0, gather_with_grad=False):
        super().__init__()
        self.loss_weight = loss_weight
        self.gather_with_grad = gather_with_grad

    def forward(self, image_embeds, text_embeds, logit_scale):
        """Loss of B local pairs.

        Args:
            image_embeds (Tensor): (B, E) image embeddings.
            text_embeds (Tensor): (B, E) text embeddings, row i paired with
                image i.
            logit_scale (Tensor): scalar, the (already exponentiated) scale.

        Returns:
            Tensor: scalar loss.
        """
        if self.gather_with_grad:
            all_images = all_gather_with_grad(image_embeds)
            all_texts = all_gather_with_grad(text_embeds)
            targets = global_targets(image_embeds.size(0), image_embeds.device)
            logits_i2t = pairwise_cosine_logits(image_embeds, all_texts, logit_scale)
            logits_t2i = pairwise_cosine_logits(text_embeds, all_images, logit_scale)
        else:
            all_images = all_gather_own_grad(image_embeds)
            all_texts = all_gather_own_grad(text_embeds)
            targets = torch.arange(all_images.size(0), device=image_embeds.device)
            logits_i2t = pairwise_cosine_logits(all_images, all_texts, logit_scale)
            logits_t2i = logits_i2t.t()
        loss_i2t = F.cross_entropy(logits_i2t, targets)
        loss_t2i = F.cross_entropy(logits_t2i, targets)
        return self.loss_weight * (loss_i2t + loss_t2i) / 2
