"""Which cells of a feature grid cover the unpadded part of each image."""
import torch


def valid_grid_mask(inputs, grid_size, data_samples=None):
    """Grid cells that overlap the unpadded image.

    An image of ``img_shape`` (h0, w0) padded to (H, W) covers the first
    ``ceil(h0 * h / H)`` rows and ``ceil(w0 * w / W)`` columns of an (h, w) grid.

    Args:
        inputs (Tensor): (B, C, H, W) padded images.
        grid_size (tuple[int, int]): the grid (h, w).
        data_samples (list, optional): with ``img_shape`` metainfo; without
            them (or without ``img_shape``) every cell is valid.

    Returns:
        Tensor: (B, h, w) bool.
    """
    batch, _, height, width = inputs.shape
    h, w = grid_size
    if data_samples is None:
        return inputs.new_ones(batch, h, w, dtype=torch.bool)
    shapes = inputs.new_tensor(
        [s.metainfo.get('img_shape', (height, width))[:2] for s in data_samples])
    rows = (shapes[:, 0] * h / height).ceil()
    cols = (shapes[:, 1] * w / width).ceil()
    row_ok = torch.arange(h, device=inputs.device)[None] < rows[:, None]
    col_ok = torch.arange(w, device=inputs.device)[None] < cols[:, None]
    return row_ok[:, :, None] & col_ok[:, None, :]
