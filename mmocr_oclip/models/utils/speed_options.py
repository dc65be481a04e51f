"""Speed options of the pre-training algorithms: same function, faster steps."""
import warnings

import torch
from torch import nn


def apply_speed_options(model, channels_last=False, compile_backbone=False):
    """Put ``model`` in channels-last layout and/or compile its backbone.

    Neither option changes the function (outputs agree within fp32 rounding)
    nor a state-dict key: the layout is a property of the weights
    (``nn.Module.to(memory_format=...)``; a convolution with channels-last
    weights returns channels-last outputs, so the whole convolutional path
    runs in that layout, which oneDNN and cuDNN run faster), and
    ``nn.Module.compile`` compiles ``model.backbone`` in place (no
    ``_orig_mod.`` prefix).

    Args:
        model (nn.Module): the algorithm, with a ``backbone``.
        channels_last (bool): Convert the 4-D parameters of ``model`` to
            ``torch.channels_last``.
        compile_backbone (bool | dict): Compile ``model.backbone`` with
            ``torch.compile`` (a dict: its keyword arguments, e.g.
            ``dict(mode='max-autotune')``). The first step of each new input
            size compiles (about a minute for a ResNet-50 on 2 CPU cores).
            With a torch older than 2.2 (no ``nn.Module.compile``) the backbone
            runs uncompiled and a warning says so.

    Returns:
        nn.Module: ``model``.
    """
    if channels_last:
        model.to(memory_format=torch.channels_last)
    if compile_backbone:
        if not hasattr(nn.Module, 'compile'):
            warnings.warn(f'compile_backbone: torch {torch.__version__} has no '
                          'nn.Module.compile (torch >= 2.2): the backbone runs '
                          'uncompiled (same function, slower)')
            return model
        kwargs = compile_backbone if isinstance(compile_backbone, dict) else {}
        model.backbone.compile(**kwargs)
    return model


def uncompiled(model_cfg):
    """``model_cfg`` with ``compile_backbone`` off, for a model that runs a few
    forward passes or images of many sizes (compiling would cost more than it
    saves); ``model_cfg`` itself when it does not compile."""
    if model_cfg.get('compile_backbone'):
        return dict(model_cfg, compile_backbone=False)
    return model_cfg
