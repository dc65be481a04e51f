"""oCLIP's character-aware text encoder."""
import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.models.layers.residual_attention_block import ResidualAttentionBlock


@MODELS.register_module()
class CharacterTextEncoder(BaseModule):
    """Encode each word, character by character, into one embedding.

    Token embedding + learned position embedding, a CLIP pre-LN transformer
    (causal by default, as oCLIP), final LayerNorm and ``text_projection``,
    pooled into the word's embedding: the end token's feature (``'end'``,
    oCLIP), the mean over the word's characters (``'mean'``, our fix for
    WeCromCL) or the mean over all L positions given, padding included
    (``'mean_with_padding'``, as the WeCromCL authors; pass tokens padded
    to ``max_len`` for it). With ``mask_padding`` the keys after the word
    (and its end token, if any) are masked in attention; without it (the
    authors' CLIP-style blocks, WeCromCL's and oCLIP's) a non-causal
    encoder lets every position attend to the padding, so its output
    depends on how many padding positions are given: pass all ``max_len``
    (see :meth:`depends_on_padding`). Only real words are
    encoded: the caller packs the words of all images into one (M, L) batch.

    Args:
        vocab_size (int): Token ids (see :class:`CharacterTokenizer`).
        max_len (int): Tokens per word. Defaults to 25.
        width (int): Transformer width. Defaults to 64.
        num_layers (int): Transformer blocks. Defaults to 6.
        num_heads (int): Attention heads. Defaults to 8.
        embed_dim (int): Output embedding size. Defaults to 384.
        causal (bool): Causal attention mask. Defaults to True.
        pooling (str): ``'end'``, ``'mean'`` or ``'mean_with_padding'``.
            Defaults to ``'end'``.
        mask_padding (bool): Mask the padding keys in attention. Defaults to
            False (the authors' of oCLIP and WeCromCL).
        init_cfg (dict, optional): MMEngine init config.
    """

    POOLINGS = ('end', 'mean', 'mean_with_padding')

    def __init__(self,
                 vocab_size,
                 max_len=25,
                 width=64,
                 num_layers=6,
                 num_heads=8,
                 embed_dim=384,
                 causal=True,
                 pooling='end',
                 mask_padding=False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if pooling not in self.POOLINGS:
            raise ValueError(f'CharacterTextEncoder: pooling must be one of '
                             f'{self.POOLINGS}, got {pooling!r}')
        self.pooling = pooling
        self.max_len = max_len
        self.causal = causal
        self.mask_padding = mask_padding
        self.token_embedding = nn.Embedding(vocab_size, width)
        # zeros until init_weights (never uninitialised memory)
        self.positional_embedding = nn.Parameter(torch.zeros(max_len, width))
        self.resblocks = nn.ModuleList(
            ResidualAttentionBlock(width, num_heads) for _ in range(num_layers))
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.zeros(width, embed_dim))
        self.register_buffer('causal_mask',
                             torch.ones(max_len, max_len, dtype=torch.bool).triu(1),
                             persistent=False)

    def init_weights(self):
        """CLIP's initialisation of the text transformer."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        width = self.token_embedding.embedding_dim
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        attn_std = width**-0.5
        proj_std = attn_std * (2 * len(self.resblocks))**-0.5
        for block in self.resblocks:
            nn.init.normal_(block.attn.in_proj_weight, std=attn_std)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(block.mlp.c_fc.weight, std=(2 * width)**-0.5)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=attn_std)

    def depends_on_padding(self):
        """Whether the embeddings change with the number of padding tokens.

        True for ``'mean_with_padding'`` and for a non-causal encoder without
        ``mask_padding``: give such an encoder all ``max_len`` tokens.
        """
        return self.pooling == 'mean_with_padding' or not (self.causal
                                                           or self.mask_padding)

    def forward(self, tokens, lengths):
        """Embed words.

        Args:
            tokens (Tensor): (M, L) token ids, L <= max_len, 0 = padding
                (after the word), the end token of word i (if any) at index
                ``lengths[i]``.
            lengths (Tensor): (M,) characters per word.

        Returns:
            Tensor: (M, embed_dim) word embeddings.
        """
        length = tokens.size(1)
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        positions = torch.arange(length, device=tokens.device)
        # keys after the word's characters and end token (if any), or padding
        # ids; only matters when not causal
        padding = None
        if self.mask_padding:
            padding = (positions[None] > lengths[:, None]) | (tokens == 0)
        attn_mask = self.causal_mask[:length, :length] if self.causal else None
        for block in self.resblocks:
            x = block(x, attn_mask=attn_mask, key_padding_mask=padding)
        if self.pooling == 'end':
            x = self.ln_final(x[torch.arange(x.size(0), device=x.device), lengths])
            return x @ self.text_projection
        x = self.ln_final(x) @ self.text_projection
        if self.pooling == 'mean_with_padding':
            return x.mean(1)
        chars = (positions[None] < lengths[:, None]).to(x.dtype)
        return (x * chars[..., None]).sum(1) / lengths[:, None].to(x.dtype)
