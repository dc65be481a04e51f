"""CLIP's pre-LN transformer block (self-attention) and the cross-attention block
of oCLIP's visual-textual decoder."""
from collections import OrderedDict

from torch import nn

from .quick_gelu import QuickGELU


def clip_mlp(width, mlp_ratio=4):
    """``c_fc -> QuickGELU -> c_proj``, CLIP's MLP (key names as CLIP's)."""
    hidden = int(width * mlp_ratio)
    return nn.Sequential(
        OrderedDict([('c_fc', nn.Linear(width, hidden)), ('gelu', QuickGELU()),
                     ('c_proj', nn.Linear(hidden, width))]))


class ResidualAttentionBlock(nn.Module):
    """Pre-LN self-attention block: ``x += attn(ln_1(x)); x += mlp(ln_2(x))``.

    Args:
        width (int): Channels C.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP hidden size / C. Defaults to 4.
    """

    def __init__(self, width, num_heads, mlp_ratio=4):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, num_heads, batch_first=True)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = clip_mlp(width, mlp_ratio)
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x, attn_mask=None, key_padding_mask=None):
        """(M, L, C) -> (M, L, C); masks as :class:`nn.MultiheadAttention`'s."""
        y = self.ln_1(x)
        x = x + self.attn(y,
                          y,
                          y,
                          attn_mask=attn_mask,
                          key_padding_mask=key_padding_mask,
                          need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class CrossAttentionBlock(ResidualAttentionBlock):
    """oCLIP decoder block: ``q += ln_1(attn(q, k, v)); q += mlp(ln_2(q))``.

    The layers (and their keys) of :class:`ResidualAttentionBlock`; the layer
    norm ``ln_1`` comes after the attention (post-LN), the keys and values are
    another sequence.

    Args:
        width (int): Channels C.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP hidden size / C. Defaults to 4.
    """

    def forward(self, query, key, value, key_padding_mask=None, need_weights=False):
        """Queries (B, K, C) attend to keys/values (B, N, C).

        Returns:
            tuple[Tensor, Tensor | None]: the queries (B, K, C) and, with
            ``need_weights``, the head-averaged attention (B, K, N).
        """
        out, weights = self.attn(query,
                                 key,
                                 value,
                                 key_padding_mask=key_padding_mask,
                                 need_weights=need_weights)
        query = query + self.ln_1(out)
        return query + self.mlp(self.ln_2(query)), weights
