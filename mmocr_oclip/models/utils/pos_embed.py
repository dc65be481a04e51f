"""Resizing learned position embeddings to another grid."""
import torch
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


def masked_grid_pos_embed(pos_embed, valid):
    """Position embeddings laid over each image's valid part of a padded grid.

    Each image's valid (top-left) region gets ``pos_embed`` resized to that
    region's size, so an image's embeddings do not depend on how much padding
    its batch adds; padded cells get zeros. Images are grouped by valid size.

    Args:
        pos_embed (Tensor): (S * S, C) embeddings of an S x S grid.
        valid (Tensor): (B, h, w) bool, True on the valid top-left region.

    Returns:
        Tensor: (B, h * w, C).
    """
    batch, h, w = valid.shape
    sizes = torch.stack([valid.any(2).sum(1), valid.any(1).sum(1)], dim=1)
    grid = pos_embed.new_zeros(batch, h, w, pos_embed.size(1))
    for size in torch.unique(sizes, dim=0).tolist():
        same = (sizes == sizes.new_tensor(size)).all(1)
        grid[same, :size[0], :size[1]] = resize_pos_embed(pos_embed, size).reshape(
            size[0], size[1], -1)
    return grid.flatten(1, 2)
