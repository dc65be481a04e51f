"""Words of one image against each other: each word's map must pick its own word."""
import torch
import torch.nn.functional as F
from mmocr.registry import MODELS
from torch import nn


@MODELS.register_module()
class InImageWordContrastiveLoss(nn.Module):
    """Contrast the words of one image with each other (not in the paper).

    Image b is queried with K of its own words w_1..w_K; ``logits[b, i, j]``
    is ``scale * cosine(pooled(b, w_i), t(w_j))``, the visual feature that
    word i's attention pooled against the embedding of word j. Word->word:
    cross-entropy over j with target i; and the transposed direction: over i
    with target j. Loss = the mean of the two over the words of the images
    that carry at least two words.

    The paper's atomistic loss never compares a word with the other words of
    its image (they are neither its negatives nor other images' positives), so
    one map covering all the text of an image minimises it. Here, if every
    word of an image pools the same feature, every row of ``logits[b]`` is the
    same and the loss stays at ``ln K``: it is lowered only by maps that pool
    each word's own region.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
    """

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, logits, valid):
        """Loss of B images.

        Args:
            logits (Tensor): (B, K, K) pooled feature of word i (rows) against
                the embedding of word j (columns), both words of image b.
            valid (Tensor): (B, K) bool, False on the padding slots of images
                with fewer than K words.

        Returns:
            Tensor: scalar loss; 0 (with a graph) when no image has two words.
        """
        num_words = logits.size(1)
        pair = valid[:, :, None] & valid[:, None, :]
        logits = logits.masked_fill(~pair, float('-inf'))
        rows = valid & (valid.sum(1, keepdim=True) >= 2)
        if not rows.any():
            return logits.masked_fill(~pair, 0).sum() * 0
        targets = torch.arange(num_words, device=logits.device).expand_as(rows)
        loss_rows = F.cross_entropy(logits[rows], targets[rows])
        loss_cols = F.cross_entropy(logits.transpose(1, 2)[rows], targets[rows])
        return self.loss_weight * (loss_rows + loss_cols) / 2
