"""The atomistic loss gathers logits across ranks with gradient: two gloo
processes, each with half of a fixed global batch, reproduce the one-process
loss and, after DDP's gradient averaging, its gradients."""
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmocr_oclip.models.losses import AtomisticContrastiveLoss

WORLD = 2
BATCH = 3  # per rank
NEGATIVES = 2


def global_batch():
    g = torch.Generator().manual_seed(0)
    num = WORLD * BATCH
    pos = torch.randn(num, num, generator=g) * 3
    neg = torch.randn(num, NEGATIVES, generator=g) * 3
    mask = (torch.rand(num, num, generator=g) < 0.3) & ~torch.eye(num, dtype=torch.bool)
    return pos, neg, mask


def worker(rank, init_file, out_dir):
    dist.init_process_group('gloo',
                            init_method=f'file://{init_file}',
                            rank=rank,
                            world_size=WORLD)
    pos, neg, mask = global_batch()
    local = slice(rank * BATCH, (rank + 1) * BATCH)
    pos = pos[local].clone().requires_grad_()
    neg = neg[local].clone().requires_grad_()
    loss = AtomisticContrastiveLoss()(pos, neg, mask[local])
    loss.backward()
    torch.save(dict(loss=loss.detach(), pos_grad=pos.grad, neg_grad=neg.grad),
               os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_process_loss_and_gradients_equal_single_process(tmp_path):
    mp.spawn(worker,
             args=(str(tmp_path / 'init'), str(tmp_path)),
             nprocs=WORLD,
             join=True)
    pos, neg, mask = global_batch()
    assert mask.any()
    pos.requires_grad_()
    neg.requires_grad_()
    loss = AtomisticContrastiveLoss()(pos, neg, mask)
    loss.backward()
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(WORLD)]
    assert torch.stack([r['loss']
                        for r in ranks]).mean().item() == pytest.approx(loss.item(),
                                                                        rel=1e-6)
    # DDP averages gradients over ranks: local gradient / WORLD == global gradient
    for rank, result in enumerate(ranks):
        local = slice(rank * BATCH, (rank + 1) * BATCH)
        assert torch.allclose(result['pos_grad'] / WORLD, pos.grad[local], atol=1e-6)
        assert torch.allclose(result['neg_grad'] / WORLD, neg.grad[local], atol=1e-6)
