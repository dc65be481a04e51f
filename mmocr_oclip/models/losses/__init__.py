from .image_text_contrastive_loss import ImageTextContrastiveLoss

__all__ = ['ImageTextContrastiveLoss']
