"""The contrastive loss gathers features across ranks with gradient: two gloo
processes on halves of a fixed global batch reproduce the one-process loss and,
after DDP's gradient averaging, its gradients."""
import os

import pytest
import torch
import torch.distributed as dist
from helpers import init_gloo, spawn_gloo

from mmocr_oclip.models.losses import ImageTextContrastiveLoss

WORLD = 2
BATCH = 3  # per rank


def global_batch():
    g = torch.Generator().manual_seed(0)
    return (torch.randn(WORLD * BATCH, 8,
                        generator=g), torch.randn(WORLD * BATCH, 8, generator=g))


def worker(rank, init_file, out_dir):
    init_gloo(rank, init_file, WORLD)
    images, texts = global_batch()
    local = slice(rank * BATCH, (rank + 1) * BATCH)
    image = images[local].clone().requires_grad_()
    text = texts[local].clone().requires_grad_()
    loss = ImageTextContrastiveLoss()(image, text, torch.tensor(10.0))
    loss.backward()
    torch.save(dict(loss=loss.detach(), image_grad=image.grad, text_grad=text.grad),
               os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_process_loss_and_gradients_equal_single_process(tmp_path):
    spawn_gloo(worker, tmp_path, WORLD)
    images, texts = global_batch()
    images.requires_grad_()
    texts.requires_grad_()
    loss = ImageTextContrastiveLoss()(images, texts, torch.tensor(10.0))
    loss.backward()
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(WORLD)]
    # each rank's loss covers its rows/columns against the global batch
    assert torch.stack([r['loss']
                        for r in ranks]).mean().item() == pytest.approx(loss.item(),
                                                                        rel=1e-6)
    # DDP averages gradients over ranks: local gradient / WORLD == global gradient
    for rank, result in enumerate(ranks):
        local = slice(rank * BATCH, (rank + 1) * BATCH)
        assert torch.allclose(result['image_grad'] / WORLD,
                              images.grad[local],
                              atol=1e-6)
        assert torch.allclose(result['text_grad'] / WORLD, texts.grad[local], atol=1e-6)
