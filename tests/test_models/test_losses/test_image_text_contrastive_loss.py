"""oCLIP's losses: the image-text contrastive loss and the masked-character loss,
hand-computed."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmocr_oclip.models import ImageTextContrastiveLoss
from mmocr_oclip.models.utils.similarity import global_pairwise_cosine_logits


def test_contrastive_loss_hand_computed():
    image = torch.tensor([[1.0, 0.0], [0.0, 2.0]])  # normalised: e1, e2
    text = torch.tensor([[3.0, 4.0], [0.0, 1.0]])  # normalised: (.6, .8), e2
    scale = torch.tensor(2.0)
    # logits = 2 * [[.6, 0], [.8, 1]]
    row0 = -math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(0)))
    row1 = -math.log(math.exp(2) / (math.exp(1.6) + math.exp(2)))
    col0 = -math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(1.6)))
    col1 = -math.log(math.exp(2) / (math.exp(0) + math.exp(2)))
    expected = ((row0 + row1) / 2 + (col0 + col1) / 2) / 2
    for with_grad in (False, True):  # one process: the same (2, 2) logits
        logits = global_pairwise_cosine_logits(image, text, scale, with_grad)
        assert torch.allclose(logits, 2 * torch.tensor([[.6, 0], [.8, 1]]))
        loss = ImageTextContrastiveLoss(loss_weight=0.5)(logits)
        assert loss.item() == pytest.approx(0.5 * expected, rel=1e-6)


def test_softmax_ce_matches_masked_character_loss():
    # the masked-character loss is mmdet's CrossEntropyLoss: mean CE of the words
    from mmocr.registry import MODELS
    loss = MODELS.build(dict(type='mmdet.CrossEntropyLoss', loss_weight=2.0))
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    target = torch.tensor([0, 2])
    expected = 2.0 * (-math.log(math.exp(2) /
                                (math.exp(2) + 2)) - math.log(1 / (1 + math.e + 1))) / 2
    assert loss(logits, target).item() == pytest.approx(expected, rel=1e-6)
    assert F.cross_entropy(logits, target).item() == pytest.approx(expected / 2)
