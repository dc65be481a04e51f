"""Speed, memory and FLOPs of pre-training steps of a config.

``python tools/analysis_tools/benchmark_pretrain.py CONFIG [--batch-size N]
[--iters 10] [--warmup 2] [--img-size H W] [--num-workers N] [--data-only]
[--flops-mode loss|tensor] [--cfg-options ...]``

Builds the model, the optimizer wrapper and the train dataloader of CONFIG with
MMEngine, runs ``--warmup`` then ``--iters`` training steps (``model.train_step``:
data preprocessor, forward in ``loss`` mode, backward, optimizer step) and prints
the median seconds per step, images/s, the time spent waiting for the data loader
vs computing, the peak RSS of this process, the model's forward FLOPs per image
and the achieved GFLOP/s, on MMEngine's default device (a GPU if there is one).
``--data-only`` iterates the dataloader only (the loader prefetches 2 batches
per worker during the warm-up: measure many more than that).

FLOPs: PyTorch's ``FlopCounterMode`` (one multiply-add is 2 FLOPs; fvcore and
``mmengine.analysis`` count 1) while ``model(inputs, data_samples, mode)`` runs on
one image of ``--img-size`` (default: the training batch's padded size) with the
words of the first training sample, then, in ``loss`` mode (the default), while
the loss is back-propagated: a training step is forward + backward as counted
(about 3x the forward), ``--flops-mode tensor`` counts the forward of the
features only and takes 3x it. The counting runs eagerly (no tracing), so any
MMEngine ``BaseModel`` works. The optimizer step's FLOPs are not counted.
"""
import argparse
import copy
import resource
import statistics
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.device import get_device
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmocr.registry import MODELS
from torch.utils.flop_counter import FlopCounterMode

import mmocr_oclip  # noqa: F401  (registers the modules)

GIB = 2**30


def count_flops(model, batch, img_size=None, mode='loss'):
    """FLOPs of the model for one image of the first batch, counted as it runs.

    The forward pass ``model(inputs, data_samples, mode)`` and, in ``loss`` mode,
    the backward pass of the summed losses run under PyTorch's
    ``FlopCounterMode`` (one multiply-add is 2 FLOPs). The gradients are cleared.

    Args:
        model (BaseModel): the model (with its data preprocessor).
        batch (dict): a batch of the train dataloader.
        img_size (tuple[int, int], optional): (H, W) of the counted image
            (random pixels); default: the preprocessed batch's size.
        mode (str): ``'loss'`` or ``'tensor'``. Defaults to ``'loss'``.

    Returns:
        tuple[int, int | None, tuple, tuple]: forward FLOPs, backward FLOPs
        (None in ``tensor`` mode), the counted input's shape (1, C, H, W) and
        the preprocessed batch's shape (B, C, H, W).
    """
    with torch.no_grad():
        data = model.data_preprocessor(batch, training=True)
    batch_shape = tuple(data['inputs'].shape)
    inputs = data['inputs'][:1]
    data_samples = copy.deepcopy(data['data_samples'][:1])
    if img_size is not None and tuple(inputs.shape[-2:]) != tuple(img_size):
        inputs = torch.randn(1, inputs.shape[1], *img_size, device=inputs.device)
        data_samples[0].set_metainfo(
            dict(img_shape=tuple(img_size),
                 pad_shape=tuple(img_size),
                 batch_input_shape=tuple(img_size)))
    forward = FlopCounterMode(display=False)
    with forward:
        outputs = model(inputs, data_samples, mode=mode)
    backward_flops = None
    if mode == 'loss':
        loss, _ = model.parse_losses(outputs)
        backward = FlopCounterMode(display=False)
        with backward:
            loss.backward()
        backward_flops = backward.get_total_flops()
        model.zero_grad(set_to_none=True)
    return forward.get_total_flops(), backward_flops, tuple(inputs.shape), batch_shape


def batches(loader):
    """Batches of ``loader`` forever (epoch after epoch)."""
    epoch = 0
    while True:
        if hasattr(loader.sampler, 'set_epoch'):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def batch_size_of(batch):
    """Number of images in a collated batch."""
    return len(batch['data_samples'])


def max_rss_gib():
    """Peak resident set size of this process (``ru_maxrss``) in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB


def build_cfg(args):
    """The config with the command line applied."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    loader = cfg.train_dataloader
    if args.batch_size is not None:
        loader.batch_size = args.batch_size
    if args.num_workers is not None:
        loader.num_workers = args.num_workers
    loader.persistent_workers = loader.get('num_workers', 0) > 0
    return cfg


def run_data_only(loader, num_workers, warmup, iters):
    """Iterate the loader; print images/s overall and per worker."""
    stream = batches(loader)
    for _ in range(warmup):
        next(stream)
    images = 0
    start = time.perf_counter()
    for _ in range(iters):
        images += batch_size_of(next(stream))
    seconds = time.perf_counter() - start
    print(f'data only: {images} images in {seconds:.3f} s')
    print(f'images/s: {images / seconds:.2f}')
    print(f'images/s per worker: {images / seconds / max(num_workers, 1):.2f} '
          f'({num_workers} workers)')


def run_training(cfg, loader, args):
    """Time training steps, then count FLOPs; print the numbers."""
    device = get_device()
    model = MODELS.build(cfg.model).to(device)
    model.train()
    sync = torch.cuda.synchronize if device == 'cuda' else lambda: None
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    stream = batches(loader)
    data_times, compute_times, images = [], [], []
    first_batch = None
    for step in range(args.warmup + args.iters):
        start = time.perf_counter()
        batch = next(stream)
        loaded = time.perf_counter()
        model.train_step(batch, optim_wrapper)
        sync()
        done = time.perf_counter()
        if first_batch is None:
            first_batch = batch
        if step >= args.warmup:
            data_times.append(loaded - start)
            compute_times.append(done - loaded)
            images.append(batch_size_of(batch))
    step_times = [d + c for d, c in zip(data_times, compute_times)]
    step = statistics.median(step_times)
    total = sum(step_times)
    img_per_s = sum(images) / total
    print(f'iterations: {args.iters} after {args.warmup} warm-up, batch size '
          f'{images[0]}, {cfg.train_dataloader.num_workers} workers')
    print(f's/iter (median): {step:.4f}')
    print(f'images/s: {img_per_s:.2f}')
    print(f'data time (median s/iter): {statistics.median(data_times):.4f} '
          f'({100 * sum(data_times) / total:.1f}% of the time)')
    print(f'compute time (median s/iter): {statistics.median(compute_times):.4f}')
    print(f'peak RSS (ru_maxrss): {max_rss_gib():.2f} GiB')
    if device == 'cuda':
        print(f'peak GPU memory: {torch.cuda.max_memory_allocated() / GIB:.2f} GiB')
    forward, backward, shape, batch_shape = count_flops(model, first_batch,
                                                        args.img_size, args.flops_mode)
    size = 'x'.join(map(str, shape[1:]))
    print(f'forward FLOPs per image (mode={args.flops_mode}, input {size}): '
          f'{forward / 1e9:.4f} GFLOP')
    if backward is None:
        step_flops, convention = 3 * forward, '3 x forward'
    else:
        step_flops, convention = forward + backward, 'forward + backward, counted'
        print(f'backward FLOPs per image: {backward / 1e9:.4f} GFLOP')
    print(f'train step FLOPs per image ({convention}): {step_flops / 1e9:.4f} '
          'GFLOP')
    if shape[1:] != batch_shape[1:]:
        print(f'note: FLOPs counted at {size}, the first training batch is '
              f'{"x".join(map(str, batch_shape))}')
    print(f'achieved GFLOP/s: {step_flops * img_per_s / 1e9:.2f}')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='pre-training config file')
    parser.add_argument('--batch-size', type=int, help='default: the config\'s')
    parser.add_argument('--iters', type=int, default=10, help='measured steps')
    parser.add_argument('--warmup', type=int, default=2, help='unmeasured steps')
    parser.add_argument('--img-size',
                        type=int,
                        nargs=2,
                        metavar=('H', 'W'),
                        help='image size of the FLOP count (default: the '
                        'training batch\'s)')
    parser.add_argument('--num-workers', type=int, help='default: the config\'s')
    parser.add_argument('--data-only',
                        action='store_true',
                        help='iterate the train dataloader only')
    parser.add_argument('--flops-mode',
                        choices=('loss', 'tensor'),
                        default='loss',
                        help='forward mode whose FLOPs are counted')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if args.iters < 1 or args.warmup < 0:
        parser.error('--iters must be >= 1 and --warmup >= 0')
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = build_cfg(args)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    torch.manual_seed(args.seed)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    print(f'config: {args.config}')
    if args.data_only:
        run_data_only(loader, cfg.train_dataloader.num_workers, args.warmup, args.iters)
    else:
        run_training(cfg, loader, args)


if __name__ == '__main__':
    main()
