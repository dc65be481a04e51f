"""Resizing learned position embeddings to another grid."""
import torch.nn.functional as F


def resize_pos_embed(pos_embed, size):
    """Bicubic resize of a square grid of position embeddings.

    Args:
        pos_embed (Tensor): (S * S, C) embeddings of an S x S grid.
        size (tuple[int, int]): target grid (H, W).

    Returns:
        Tensor: (H * W, C).
    """
    side = int(round(pos_embed.size(0)**0.5))
    if (side, side) == tuple(size):
        return pos_embed
    grid = pos_embed.reshape(1, side, side, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=size, mode='bicubic', align_corners=False)
    return grid.flatten(2)[0].t()
