import math

import pytest
import torch
import torch.nn.functional as F

from mmocr_oclip.models import InImageWordContrastiveLoss


def in_image_reference_loss(logits, counts):
    """Per image, a plain K x K CLIP loss over its real words (>= 2 words)."""
    rows, cols = [], []
    for b, k in enumerate(counts):
        if k < 2:
            continue
        block = logits[b, :k, :k]
        target = torch.arange(k)
        rows.append(F.cross_entropy(block, target, reduction='none'))
        cols.append(F.cross_entropy(block.t(), target, reduction='none'))
    return (torch.cat(rows).mean() + torch.cat(cols).mean()) / 2


def test_loss_matches_per_image_reference():
    torch.manual_seed(0)
    logits = torch.randn(4, 3, 3) * 5
    counts = [3, 1, 2, 0]
    valid = torch.arange(3)[None] < torch.tensor(counts)[:, None]
    loss = InImageWordContrastiveLoss(loss_weight=2.0)(logits, valid)
    assert loss.item() == pytest.approx(2 *
                                        in_image_reference_loss(logits, counts).item(),
                                        rel=1e-6)
    # padding slots never count, whatever their logits
    noisy = logits.masked_fill(~(valid[:, :, None] & valid[:, None]), 1e4)
    assert torch.allclose(InImageWordContrastiveLoss()(noisy, valid), loss / 2)


def test_one_shared_map_cannot_lower_the_loss():
    # every word of an image pools the same feature: rows are equal -> ln K
    torch.manual_seed(0)
    row = torch.randn(2, 1, 4)
    logits = row.expand(2, 4, 4)
    valid = torch.ones(2, 4, dtype=torch.bool)
    rows_only = F.cross_entropy(logits.flatten(0, 1), torch.arange(4).repeat(2))
    loss = InImageWordContrastiveLoss()(logits, valid)
    # the word->word direction alone averages to ln 4 over the 4 targets
    assert rows_only.item() >= math.log(4) - 1e-6
    assert loss.item() >= math.log(4) - 1e-6


def test_no_image_with_two_words_gives_zero_with_graph():
    logits = torch.randn(2, 2, 2, requires_grad=True)
    valid = torch.tensor([[True, False], [False, False]])
    loss = InImageWordContrastiveLoss()(logits, valid)
    assert loss.item() == 0
    loss.backward()
    assert torch.equal(logits.grad, torch.zeros(2, 2, 2))
