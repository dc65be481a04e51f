from .atomistic_contrastive_loss import AtomisticContrastiveLoss
from .image_text_contrastive_loss import ImageTextContrastiveLoss

__all__ = ['AtomisticContrastiveLoss', 'ImageTextContrastiveLoss']
