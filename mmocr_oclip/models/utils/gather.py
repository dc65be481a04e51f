"""The global batch of contrastive losses across ranks: an all-gather that keeps the
gradient, one that keeps it for this rank's slice only, and the global indices of
this rank's samples."""
import torch
import torch.distributed as torch_dist
from mmengine.dist import get_rank, get_world_size


class _AllGatherWithGrad(torch.autograd.Function):
    """Forward: gather every rank's tensor; backward: sum the gradients of all
    ranks (all-reduce) and return this rank's slice."""

    @staticmethod
    def forward(ctx, tensor):
        ctx.size = tensor.size(0)
        gathered = [torch.empty_like(tensor) for _ in range(get_world_size())]
        torch_dist.all_gather(gathered, tensor.contiguous())
        return torch.cat(gathered)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous()
        torch_dist.all_reduce(grad)
        start = get_rank() * ctx.size
        return grad[start:start + ctx.size]


def all_gather_with_grad(tensor):
    """Concatenate ``tensor`` (N, ...) of all ranks in rank order, (W * N, ...).

    Gradients flow back to every rank's input: each rank's loss may depend on
    the features of all ranks. With one process it returns ``tensor``. Every
    rank must pass the same N.
    """
    if get_world_size() == 1:
        return tensor
    return _AllGatherWithGrad.apply(tensor)


def all_gather_own_grad(tensor):
    """Concatenate ``tensor`` (N, ...) of all ranks in rank order, (W * N, ...),
    with gradient to this rank's own slice only (the other ranks' slices are
    constants), as open_clip's gather without ``gather_with_grad``. With one
    process it returns ``tensor``. Every rank must pass the same N.
    """
    if get_world_size() == 1:
        return tensor
    gathered = [torch.empty_like(tensor) for _ in range(get_world_size())]
    torch_dist.all_gather(gathered, tensor.detach().contiguous())
    gathered[get_rank()] = tensor
    return torch.cat(gathered)


def text_to_image_logits(logits):
    """(B, G) logits of this rank's B texts against all G images, from ``logits``
    (B, G) of this rank's B images against all G texts (columns in rank order):
    the rows of all ranks are gathered with gradient and this rank's columns
    transposed. With one process it is ``logits.t()``."""
    targets = global_targets(logits.size(0), logits.device)
    return all_gather_with_grad(logits)[:, targets].t()


def global_targets(num, device=None):
    """(num,) long: the global indices ``rank * num + [0, num)`` of this rank's
    ``num`` samples in a batch gathered with :func:`all_gather_with_grad`."""
    return torch.arange(num, device=device) + get_rank() * num
