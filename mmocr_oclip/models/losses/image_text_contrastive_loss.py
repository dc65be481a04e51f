"""Symmetric image-text InfoNCE loss (CLIP) over a global batch's logits."""
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.utils.gather import global_targets, text_to_image_logits


@MODELS.register_module()
class ImageTextContrastiveLoss(nn.Module):
    """CLIP's contrastive loss between paired images and texts.

    The input is the logits ``scale * cos(I, T)`` of the algorithm's global
    batch (:func:`global_pairwise_cosine_logits`, which gathers across ranks);
    the loss is the mean of the image->text and text->image cross-entropies
    whose targets are the pairs. Two shapes, the two ways of gathering:

    - (G, G), every image of the global batch against every text (the
      authors' oCLIP: gathered without gradient but for this rank's slice):
      the loss of the whole global batch, on every rank; after DDP's
      averaging the encoders get 1/W of its gradient with W ranks.
    - (B, G) with B < G, this rank's images against all texts (gathered with
      gradient): the image->text rows of this rank, and its texts against
      all images (:func:`text_to_image_logits`), so that the rank-averaged
      loss and gradients equal those of the global batch in one process.

    One process: (B, B), the loss of its batch.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
    """

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, logits):
        """Loss of the image-text pairs.

        Args:
            logits (Tensor): (G, G) or (B, G) images (rows) against the texts
                of the global batch (columns, rank order); row i's pair is
                column i, or column ``rank * B + i`` for (B, G).

        Returns:
            Tensor: scalar loss.
        """
        num_rows, num_cols = logits.shape
        if num_rows == num_cols:
            targets = torch.arange(num_rows, device=logits.device)
            logits_t2i = logits.t()
        else:
            targets = global_targets(num_rows, logits.device)
            logits_t2i = text_to_image_logits(logits)
        loss_i2t = F.cross_entropy(logits, targets)
        loss_t2i = F.cross_entropy(logits_t2i, targets)
        return self.loss_weight * (loss_i2t + loss_t2i) / 2
