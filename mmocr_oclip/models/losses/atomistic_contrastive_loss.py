"""WeCromCL's atomistic contrastive loss: images against single words."""
import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.utils.gather import global_targets, text_to_image_logits


@MODELS.register_module()
class AtomisticContrastiveLoss(nn.Module):
    """Contrast each image with one positive word, the other images' positives
    and its own negative words, gathered across ranks.

    Image b of rank r (global index g = r * B + b) scores the G = W * B
    positives of all ranks and its N negatives. Image->text: cross-entropy over
    ``[pos_logits | neg_logits]`` with target g. Text->image: the positive of
    image g against all G images, cross-entropy over column g of the gathered
    (with gradient) ``pos_logits`` (:func:`text_to_image_logits`).
    Loss = (i2t + t2i) / 2. False negatives (column j is the positive of
    another image but also a word of image b) are set to -inf in both
    directions; the target is never masked (see :meth:`false_negatives`,
    which builds the mask from word hashes). As with
    :class:`ImageTextContrastiveLoss` on (B, G) logits, the rank-averaged
    loss and DDP-averaged gradients equal those of the global batch in one
    process.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
    """

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pos_logits, neg_logits, false_negatives):
        """Loss of the B local images.

        Args:
            pos_logits (Tensor): (B, G) local images x global positives.
            neg_logits (Tensor): (B, N) local images x their own negatives.
            false_negatives (Tensor): (B, G) bool, True where column j is
                excluded for image b (ignored at b's own column).

        Returns:
            Tensor: scalar loss.
        """
        targets = global_targets(pos_logits.size(0), pos_logits.device)
        own = F.one_hot(targets, pos_logits.size(1)).bool()
        pos_logits = pos_logits.masked_fill(false_negatives & ~own, float('-inf'))
        loss_i2t = F.cross_entropy(torch.cat([pos_logits, neg_logits], dim=1), targets)
        loss_t2i = F.cross_entropy(text_to_image_logits(pos_logits), targets)
        return self.loss_weight * (loss_i2t + loss_t2i) / 2

    @staticmethod
    def false_negatives(positive_hashes, word_hashes):
        """(B, G) bool: global positive j is excluded for local image b.

        Column j is masked when its hash is one of image b's ``word_hashes``
        or equals b's own positive hash, except at b's own column
        ``rank * B + b``. Positive hashes are gathered across ranks.

        Args:
            positive_hashes (Tensor): (B,) long, the hash of each local
                image's positive word.
            word_hashes (Tensor): (B, K) long, the hashes of each image's
                distinct words, padded with -1.
        """
        all_hash = torch.cat(all_gather(positive_hashes))
        in_image = (all_hash[None, :, None] == word_hashes[:, None, :]).any(-1)
        masked = in_image | (all_hash[None] == positive_hashes[:, None])
        own = global_targets(len(positive_hashes), positive_hashes.device)
        return masked & ~F.one_hot(own, len(all_hash)).bool()
