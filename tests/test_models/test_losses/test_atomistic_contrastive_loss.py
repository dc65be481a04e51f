"""The atomistic contrastive loss on hand-computed logits (one process)."""
import math

import pytest
import torch

from mmocr_oclip.models.losses import AtomisticContrastiveLoss


def logits_and_mask():
    pos = torch.tensor([[2.0, 1.0], [0.5, 3.0]])
    neg = torch.tensor([[0.0], [1.0]])
    # image 0 also contains the positive of image 1: a false negative
    mask = torch.tensor([[False, True], [False, False]])
    return pos, neg, mask


def test_hand_computed():
    pos, neg, mask = logits_and_mask()
    loss = AtomisticContrastiveLoss()(pos, neg, mask)
    # image->text: image 0 over [2, (masked), 0], image 1 over [0.5, 3, 1]
    i2t = (math.log(1 + math.exp(-2)) +
           -math.log(math.exp(3) / (math.exp(0.5) + math.exp(3) + math.exp(1)))) / 2
    # text->image: text 0 over images [2, 0.5]; text 1 over [(masked), 3]
    t2i = (-math.log(math.exp(2) / (math.exp(2) + math.exp(0.5))) + 0.0) / 2
    assert loss.item() == pytest.approx((i2t + t2i) / 2, rel=1e-6)
    assert AtomisticContrastiveLoss(loss_weight=3.0)(
        pos, neg, mask).item() == pytest.approx(3 * (i2t + t2i) / 2, rel=1e-6)


def test_masked_entries_do_not_matter_and_gradients_are_finite():
    pos, neg, mask = logits_and_mask()
    losses, grads = [], []
    for value in (1.0, 100.0, -7.0):
        p = pos.clone()
        p[0, 1] = value
        p.requires_grad_()
        n = neg.clone().requires_grad_()
        loss = AtomisticContrastiveLoss()(p, n, mask)
        loss.backward()
        assert torch.isfinite(p.grad).all() and torch.isfinite(n.grad).all()
        assert p.grad[0, 1] == 0
        losses.append(loss.item())
        grads.append(p.grad)
    assert losses[0] == losses[1] == losses[2]
    assert torch.equal(grads[0], grads[1])
    # unmasked, the same entry counts
    unmasked = AtomisticContrastiveLoss()(pos, neg, torch.zeros_like(mask))
    assert unmasked.item() > losses[0]


def test_own_positive_is_never_masked():
    pos, neg, mask = logits_and_mask()
    loss = AtomisticContrastiveLoss()(pos, neg, mask)
    assert AtomisticContrastiveLoss()(pos, neg, mask | torch.eye(2, dtype=torch.bool)) \
        .item() == pytest.approx(loss.item())
