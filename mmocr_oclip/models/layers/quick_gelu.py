"""CLIP's QuickGELU activation."""
import torch
from torch import nn


class QuickGELU(nn.Module):
    """``x * sigmoid(1.702 x)``, the GELU approximation CLIP was trained with."""

    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)
