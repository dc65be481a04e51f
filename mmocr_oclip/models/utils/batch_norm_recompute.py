"""Batch norms whose running statistics a recomputation leaves alone."""
import torch
from torch.nn.modules.batchnorm import _BatchNorm


def _in_backward_pass():
    """Whether autograd's engine is running a backward pass on this thread
    (where checkpointing recomputes its forward)."""
    return torch._C._current_graph_task_id() != -1


def _before_forward(norm, args):
    if norm.training and norm.track_running_stats and _in_backward_pass():
        # momentum 0: running = 1 * running + 0 * batch statistic, unchanged
        norm._state_outside_recomputation = (norm.momentum,
                                             norm.num_batches_tracked.clone())
        norm.momentum = 0.0


def _after_forward(norm, args, output):
    state = norm.__dict__.pop('_state_outside_recomputation', None)
    if state is not None:
        norm.momentum = state[0]
        norm.num_batches_tracked.copy_(state[1])


def keep_running_stats_in_recomputation(module):
    """Make every batch norm inside ``module`` leave its running statistics
    (and ``num_batches_tracked``) unchanged when it runs again in a backward
    pass, as activation checkpointing (e.g. MMDet ResNet's ``with_cp``) runs it:
    one update per training step, as without checkpointing, instead of two.

    The recomputed forward still normalises by the batch's statistics (the
    same outputs and gradients); only the update of the running estimates is
    skipped there.

    Args:
        module (nn.Module): Changed in place (forward hooks on its batch norms).

    Returns:
        int: How many batch norms were hooked.
    """
    count = 0
    for norm in module.modules():
        if isinstance(norm, _BatchNorm):
            norm.register_forward_pre_hook(_before_forward)
            norm.register_forward_hook(_after_forward)
            count += 1
    return count
