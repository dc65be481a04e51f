"""Symmetric image-text InfoNCE loss (CLIP), gathered across ranks."""
import torch.nn.functional as F
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.utils.gather import all_gather_with_grad, global_targets


@MODELS.register_module()
class ImageTextContrastiveLoss(nn.Module):
    """CLIP's contrastive loss between paired image and text embeddings.

    Embeddings are L2-normalised; ``logits = scale * I @ T^T``; the loss is the
    mean of the image->text and text->image cross-entropies whose targets are
    the pairs. In distributed training each rank scores its own images against
    the texts of all ranks and its own texts against all images, gathered with
    gradient, so that (with DDP's gradient averaging) training equals training
    on the global batch in one process.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
    """

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight

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
        # in fp32 also under fp16 autocast (as CUDA's autocast runs it)
        image_embeds = F.normalize(image_embeds.float(), dim=-1)
        text_embeds = F.normalize(text_embeds.float(), dim=-1)
        all_images = all_gather_with_grad(image_embeds)
        all_texts = all_gather_with_grad(text_embeds)
        num = image_embeds.size(0)
        targets = global_targets(num, image_embeds.device)
        loss_i2t = F.cross_entropy(logit_scale * image_embeds @ all_texts.t(), targets)
        loss_t2i = F.cross_entropy(logit_scale * text_embeds @ all_images.t(), targets)
        return self.loss_weight * (loss_i2t + loss_t2i) / 2
