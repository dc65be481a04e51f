"""The contrastive loss across ranks: two gloo processes on halves of a fixed
global batch. Gathered with gradient, they reproduce the one-process loss and,
after DDP's gradient averaging, its gradients; gathered as the authors (own slice
only), each computes the whole batch's loss and the gradients are 1/W of it."""
import os

import pytest
import torch
import torch.distributed as dist

from mmocr_oclip.models.losses import ImageTextContrastiveLoss
from mmocr_oclip.models.utils.similarity import (global_pairwise_cosine_logits,
                                                 pairwise_cosine_logits)
from helpers.processes import init_gloo, spawn_gloo

WORLD = 2
BATCH = 3  # per rank


def global_batch():
    g = torch.Generator().manual_seed(0)
    return (torch.randn(WORLD * BATCH, 8,
                        generator=g), torch.randn(WORLD * BATCH, 8, generator=g))


def worker(rank, init_file, out_dir):
    init_gloo(rank, init_file, WORLD)
    for with_grad in (True, False):
        run_rank(rank, out_dir, with_grad)
    dist.destroy_process_group()


def run_rank(rank, out_dir, with_grad):
    images, texts = global_batch()
    local = slice(rank * BATCH, (rank + 1) * BATCH)
    image = images[local].clone().requires_grad_()
    text = texts[local].clone().requires_grad_()
    scale = torch.tensor(10.0, requires_grad=True)
    logits = global_pairwise_cosine_logits(image, text, scale, with_grad)
    assert logits.shape == ((BATCH, WORLD * BATCH) if with_grad else
                            (WORLD * BATCH, WORLD * BATCH))
    loss = ImageTextContrastiveLoss()(logits)
    loss.backward()
    torch.save(
        dict(loss=loss.detach(),
             image_grad=image.grad,
             text_grad=text.grad,
             scale_grad=scale.grad), os.path.join(out_dir,
                                                  f'rank{rank}_{with_grad}.pth'))


def single_process():
    images, texts = global_batch()
    images.requires_grad_()
    texts.requires_grad_()
    scale = torch.tensor(10.0, requires_grad=True)
    loss = ImageTextContrastiveLoss()(pairwise_cosine_logits(images, texts, scale))
    loss.backward()
    return loss, images.grad, texts.grad, scale.grad


@pytest.mark.slow
def test_two_process_loss_and_gradients_equal_single_process(tmp_path):
    spawn_gloo(worker, tmp_path, WORLD)
    loss, image_grad, text_grad, _ = single_process()
    ranks = [torch.load(tmp_path / f'rank{r}_True.pth') for r in range(WORLD)]
    # each rank's loss covers its rows/columns against the global batch
    assert torch.stack([r['loss']
                        for r in ranks]).mean().item() == pytest.approx(loss.item(),
                                                                        rel=1e-6)
    # DDP averages gradients over ranks: local gradient / WORLD == global gradient
    for rank, result in enumerate(ranks):
        local = slice(rank * BATCH, (rank + 1) * BATCH)
        assert torch.allclose(result['image_grad'] / WORLD,
                              image_grad[local],
                              atol=1e-6)
        assert torch.allclose(result['text_grad'] / WORLD, text_grad[local], atol=1e-6)
    # the authors' gather: every rank's loss is the global batch's, its gradient
    # that of the global loss for its own rows (1/WORLD of it after averaging)
    ranks = [torch.load(tmp_path / f'rank{r}_False.pth') for r in range(WORLD)]
    _, _, _, scale_grad = single_process()
    for rank, result in enumerate(ranks):
        local = slice(rank * BATCH, (rank + 1) * BATCH)
        assert result['loss'].item() == pytest.approx(loss.item(), rel=1e-6)
        assert torch.allclose(result['image_grad'], image_grad[local], atol=1e-6)
        assert torch.allclose(result['text_grad'], text_grad[local], atol=1e-6)
        assert result['scale_grad'].item() == pytest.approx(scale_grad.item(), rel=1e-5)
