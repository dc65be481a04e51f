from .atomistic_contrastive_loss import AtomisticContrastiveLoss
from .image_text_contrastive_loss import ImageTextContrastiveLoss
from .in_image_word_contrastive_loss import InImageWordContrastiveLoss

__all__ = [
    'AtomisticContrastiveLoss', 'ImageTextContrastiveLoss', 'InImageWordContrastiveLoss'
]
