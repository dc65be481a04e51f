"""WeCromCL's cross-modal head: each word queries the image feature map."""
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn


@MODELS.register_module()
class TextQueryAttentionHead(BaseModule):
    """Single-head attention pooling of image tokens, one query per word.

    ``q = W_q t``, ``k = W_k f``, ``v = W_v f`` (linears with bias),
    ``attn = softmax(q k^T / sqrt(attn_dims))`` over the valid image tokens
    only, ``pooled = W_o (attn v)``. The attention row of a word is its
    activation map over the image. Queries never attend to each other, so
    padded query slots do not change real ones.

    Args:
        text_dims (int): Word embedding size. Defaults to 512.
        image_dims (int): Image token size. Defaults to 512.
        attn_dims (int): Query/key/value size. Defaults to 512.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self, text_dims=512, image_dims=512, attn_dims=512, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.q_proj = nn.Linear(text_dims, attn_dims)
        self.k_proj = nn.Linear(image_dims, attn_dims)
        self.v_proj = nn.Linear(image_dims, attn_dims)
        self.out_proj = nn.Linear(attn_dims, text_dims)

    def forward(self, queries, image_tokens, valid):
        """Attend.

        Args:
            queries (Tensor): (B, Q, text_dims) word embeddings.
            image_tokens (Tensor): (B, N, image_dims).
            valid (Tensor): (B, N) bool, False on padding (never attended).

        Returns:
            tuple[Tensor, Tensor]: ``pooled`` (B, Q, text_dims) and ``attn``
            (B, Q, N), rows summing to 1 over the valid tokens, 0 on padding.
        """
        q = self.q_proj(queries)
        k = self.k_proj(image_tokens)
        v = self.v_proj(image_tokens)
        logits = q @ k.transpose(1, 2) * q.size(-1)**-0.5
        logits = logits.masked_fill(~valid[:, None, :], float('-inf'))
        attn = logits.softmax(-1)
        return self.out_proj(attn @ v), attn
