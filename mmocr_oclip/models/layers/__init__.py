from .lean_deformable_encoder_layer import LeanEncoderLayerFunction, lean_encoder_layer
from .quick_gelu import QuickGELU
from .residual_attention_block import CrossAttentionBlock, ResidualAttentionBlock
from .seeded_dropout import SeededDropout, use_seeded_dropout

__all__ = [
    'LeanEncoderLayerFunction', 'lean_encoder_layer', 'CrossAttentionBlock',
    'QuickGELU', 'ResidualAttentionBlock', 'SeededDropout', 'use_seeded_dropout'
]
