from .cosine_annealing_after_warmup_lr import CosineAnnealingAfterWarmupLR

__all__ = ['CosineAnnealingAfterWarmupLR']
