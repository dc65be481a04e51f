"""oCLIP's visual-textual decoder: words query the image, predict the masked
character."""
import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.layers.residual_attention_block import CrossAttentionBlock
from mmocr_oclip.models.utils.pos_embed import masked_grid_pos_embed


@MODELS.register_module()
class VisualTextualDecoder(BaseModule):
    """Cross-attention layers from word embeddings to image tokens.

    Queries are the word embeddings of an image, keys its image tokens plus a
    learned position embedding, values the image tokens; words never attend to
    each other, so padded query slots do not change real ones. A final
    LayerNorm and a linear classifier predict, per word, its masked character.

    Args:
        num_classes (int): Classifier outputs (the tokenizer's vocab_size).
        embed_dim (int): Width E. Defaults to 384.
        num_layers (int): Layers. Defaults to 6.
        num_heads (int): Attention heads. Defaults to 8.
        spatial_size (int): Grid the image position embedding is stored at.
            Defaults to 16.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 num_classes,
                 embed_dim=384,
                 num_layers=6,
                 num_heads=8,
                 spatial_size=16,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.image_pos = nn.Parameter(
            torch.randn(spatial_size**2, embed_dim) * embed_dim**-0.5)
        self.resblocks = nn.ModuleList(
            CrossAttentionBlock(embed_dim, num_heads) for _ in range(num_layers))
        self.ln_final = nn.LayerNorm(embed_dim)
        self.text_class = nn.Linear(embed_dim, num_classes)

    def forward(self, queries, image_tokens, valid):
        """Decode.

        Args:
            queries (Tensor): (B, K, E) word embeddings, K slots per image.
            image_tokens (Tensor): (B, H * W, E).
            valid (Tensor): (B, H, W) bool, False on grid cells that only
                cover padding (they are not attended to).

        Returns:
            tuple[Tensor, Tensor]: character logits (B, K, num_classes) and
            the last layer's attention maps (B, K, H * W).
        """
        keys = image_tokens + masked_grid_pos_embed(self.image_pos, valid).to(
            image_tokens.dtype)
        key_padding_mask = ~valid.flatten(1)
        attn = None
        for i, block in enumerate(self.resblocks):
            last = i == len(self.resblocks) - 1
            queries, attn = block(queries,
                                  keys,
                                  image_tokens,
                                  key_padding_mask=key_padding_mask,
                                  need_weights=last)
        return self.text_class(self.ln_final(queries)), attn
