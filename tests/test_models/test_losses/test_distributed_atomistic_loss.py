"""The atomistic loss gathers logits across ranks with gradient: two gloo
processes, each with half of a fixed global batch, reproduce the one-process
loss and, after DDP's gradient averaging, its gradients -- for fixed logits, and
for the whole tiny WeCromCL (gathered positive embeddings and hashes)."""
import copy
import os

import pytest
import torch
import torch.distributed as dist
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from mmocr_oclip.models.losses import AtomisticContrastiveLoss
from helpers.data import make_batch
from helpers.models import TINY_WECROMCL
from helpers.processes import init_gloo, spawn_gloo

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
    init_gloo(rank, init_file, WORLD)
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
    spawn_gloo(worker, tmp_path, WORLD)
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


# the whole model: each rank has half of a batch of 4 images; image 0 (rank 0)
# contains the positive of image 3 (rank 1), a false negative across ranks
MODEL_WORDS = [['stop', 'exit'], ['go', 'left'], ['here', 'there'], ['exit', 'in']]
MODEL_SHAPES = [(64, 64), (64, 96), (96, 64), (64, 64)]
MODEL_NEGATIVES = [['cat', 'dog'], ['red', 'box'], ['tea', 'hat'], ['sun', 'ink']]


def tiny_model_and_batch(images):
    """The tiny WeCromCL (eval mode: BN statistics and dropout do not depend on
    the split of the batch) and the preprocessed ``images`` of the batch."""
    if DefaultScope.get_current_instance() is None:
        DefaultScope.get_instance('mmocr_oclip_dist_test', scope_name='mmocr')
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(TINY_WECROMCL))
    model.init_weights()
    model.eval()
    data = make_batch(model, MODEL_WORDS, MODEL_SHAPES, MODEL_NEGATIVES)
    data['inputs'] = data['inputs'][images]
    data['data_samples'] = data['data_samples'][images]
    return model, data


def model_worker(rank, init_file, out_dir):
    init_gloo(rank, init_file, WORLD)
    half = len(MODEL_WORDS) // WORLD
    model, data = tiny_model_and_batch(slice(rank * half, (rank + 1) * half))
    assert model.false_negatives(data['data_samples']).sum() == (rank == 0)
    loss = model.loss(**data)['loss']
    loss.backward()
    torch.save(
        dict(loss=loss.detach(),
             grads={
                 n: p.grad
                 for n, p in model.named_parameters() if p.grad is not None
             }), os.path.join(out_dir, f'model_rank{rank}.pth'))
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_process_wecromcl_equals_single_process(tmp_path):
    spawn_gloo(model_worker, tmp_path, WORLD)
    model, data = tiny_model_and_batch(slice(None))
    loss = model.loss(**data)['loss']
    loss.backward()
    ranks = [torch.load(tmp_path / f'model_rank{r}.pth') for r in range(WORLD)]
    assert torch.stack([r['loss']
                        for r in ranks]).mean().item() == pytest.approx(loss.item(),
                                                                        rel=1e-5)
    checked = 0
    for name, param in model.named_parameters():
        if param.grad is None:
            continue
        # DDP's average of the ranks' gradients (k_proj.bias: float noise
        # around its exact zero, softmax being shift-invariant)
        averaged = sum(r['grads'][name] for r in ranks) / WORLD
        scale = param.grad.abs().max().item()
        assert torch.allclose(averaged, param.grad, atol=1e-5 * scale + 1e-7), name
        checked += 1
    assert checked > 50
