"""CLIP's attention pooling over C5, giving a global embedding and image tokens."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.utils.pos_embed import masked_grid_pos_embed


@MODELS.register_module()
class AttentionPoolNeck(BaseModule):
    """Attention pooling of CLIP's ResNet (``AttentionPool2d``), with masking.

    The mean of the valid C5 positions is prepended as token 0; a learned
    position embedding (``spatial_size`` x ``spatial_size`` + 1, bicubically
    resized to each image's valid grid, so padding changes nothing) is added;
    every token attends to all valid tokens; ``c_proj`` maps to ``embed_dim``.
    Token 0 is the global image embedding, tokens 1..H*W the image tokens of
    the decoder.

    Args:
        in_channels (int): C5 channels. Defaults to 2048.
        embed_dim (int): Output channels E. Defaults to 384.
        num_heads (int): Attention heads. Defaults to 32.
        spatial_size (int): Grid the position embedding is stored at (16 for
            512-pixel inputs). Defaults to 16.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels=2048,
                 embed_dim=384,
                 num_heads=32,
                 spatial_size=16,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_heads = num_heads
        self.positional_embedding = nn.Parameter(
            torch.randn(spatial_size**2 + 1, in_channels) / in_channels**0.5)
        self.q_proj = nn.Linear(in_channels, in_channels)
        self.k_proj = nn.Linear(in_channels, in_channels)
        self.v_proj = nn.Linear(in_channels, in_channels)
        self.c_proj = nn.Linear(in_channels, embed_dim)

    def forward(self, feat, valid_mask=None, need_weights=False):
        """Pool C5.

        Args:
            feat (Tensor | tuple[Tensor]): C5 (N, C, H, W), or the backbone's
                outputs (the last one is used).
            valid_mask (Tensor, optional): (N, H, W) bool, False on positions
                that only cover padding.
            need_weights (bool): Also return token 0's attention.

        Returns:
            tuple[Tensor]: global embeddings (N, E), image tokens (N, H * W, E)
            and, with ``need_weights``, the head-averaged attention of the
            global token over the image tokens (N, H * W).
        """
        if isinstance(feat, (tuple, list)):
            feat = feat[-1]
        n, c, h, w = feat.shape
        x = feat.flatten(2).transpose(1, 2)  # N, HW, C
        if valid_mask is None:
            valid_mask = feat.new_ones(n, h, w, dtype=torch.bool)
        valid = valid_mask.flatten(1)
        weights = valid.to(x.dtype).unsqueeze(-1)
        mean = (x * weights).sum(1, keepdim=True) / weights.sum(1, keepdim=True)
        x = torch.cat([mean, x], dim=1)
        pos = self.positional_embedding.to(x.dtype)
        x = x + torch.cat(
            [pos[:1].expand(n, 1, c),
             masked_grid_pos_embed(pos[1:], valid_mask)],
            dim=1)
        key_padding_mask = torch.cat([valid.new_zeros(n, 1), ~valid], dim=1)
        x = x.transpose(0, 1)  # L, N, C
        x, weights = F.multi_head_attention_forward(query=x,
                                                    key=x,
                                                    value=x,
                                                    embed_dim_to_check=c,
                                                    num_heads=self.num_heads,
                                                    q_proj_weight=self.q_proj.weight,
                                                    k_proj_weight=self.k_proj.weight,
                                                    v_proj_weight=self.v_proj.weight,
                                                    in_proj_weight=None,
                                                    in_proj_bias=torch.cat([
                                                        self.q_proj.bias,
                                                        self.k_proj.bias,
                                                        self.v_proj.bias
                                                    ]),
                                                    bias_k=None,
                                                    bias_v=None,
                                                    add_zero_attn=False,
                                                    dropout_p=0.0,
                                                    out_proj_weight=self.c_proj.weight,
                                                    out_proj_bias=self.c_proj.bias,
                                                    use_separate_proj_weight=True,
                                                    training=self.training,
                                                    key_padding_mask=key_padding_mask,
                                                    need_weights=need_weights)
        x = x.transpose(0, 1)
        if need_weights:
            return x[:, 0], x[:, 1:], weights[:, 0, 1:]
        return x[:, 0], x[:, 1:]
