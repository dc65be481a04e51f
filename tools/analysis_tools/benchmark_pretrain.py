"""Speed, memory and FLOPs of pre-training steps of a config.

``python tools/analysis_tools/benchmark_pretrain.py CONFIG [--batch-size N]
[--iters 10] [--warmup 2] [--img-size H W] [--num-workers N] [--data-only]
[--synthetic [--words-per-image 32]] [--amp] [--amp-check N [--amp-tol 0.02]]
[--flops-mode loss|tensor] [--cfg-options ...]``

Builds the model, the optimizer wrapper and the train dataloader of CONFIG with
MMEngine, runs ``--warmup`` then ``--iters`` training steps (``model.train_step``:
data preprocessor, forward in ``loss`` mode, backward, optimizer step) and prints
the median seconds per step, images/s, the time spent waiting for the data loader
vs computing, the peak RSS of this process, the model's forward FLOPs per image
and the achieved GFLOP/s, on MMEngine's default device (a GPU if there is one).
``--data-only`` iterates the dataloader only (the loader prefetches 2 batches
per worker during the warm-up: measure many more than that).

``--synthetic`` replaces the config's training set by
:class:`~mmocr_oclip.datasets.RandomWordImageDataset` (noise images of
``--img-size``, default 512x512, with ``--words-per-image`` random words; the
config's collate function is kept), so any config is timed without its data.
``--amp`` trains with MMEngine's ``AmpOptimWrapper`` (fp16 autocast, dynamic
loss scale; a GPU is required). ``--amp-check N`` trains N steps in fp32, then
N steps with AMP from the same initial weights on the same batches with the
same random seed, prints both losses of every step and fails (exit 1) when a
step's relative difference exceeds ``--amp-tol``.

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
import math
import resource
import statistics
import sys
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
from mmocr_oclip.utils.random_init import drop_pretrained_init

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
    if args.synthetic:
        img_size = tuple(args.img_size or (512, 512))
        loader.dataset = dict(type='RandomWordImageDataset',
                              num_samples=loader.batch_size *
                              (args.warmup + args.iters),
                              img_size=img_size,
                              words_per_image=args.words_per_image,
                              seed=args.seed)
        # a finite set: repeat it as many times as the steps need
        loader.sampler = dict(type='InfiniteSampler', shuffle=False)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
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


def build_model(cfg, seed):
    """The model of ``cfg`` in train mode on MMEngine's default device, with
    its own seeded initialisation (``init_weights``, as the Runner; pretrained
    checkpoints are not loaded), and its optimizer wrapper."""
    model_cfg = copy.deepcopy(cfg.model)
    dropped = drop_pretrained_init(model_cfg)
    if dropped:
        print(f'init: pretrained checkpoints not loaded ({", ".join(dropped)})')
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    model.init_weights()
    model = model.to(get_device())
    model.train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def synchronize():
    """Wait for the GPU's queued work (nothing to wait for on a CPU)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def run_training(cfg, loader, args):
    """Time training steps, then count FLOPs; print the numbers."""
    model, optim_wrapper = build_model(cfg, args.seed)
    stream = batches(loader)
    data_times, compute_times, images, warmup_times = [], [], [], []
    first_batch = None
    for step in range(args.warmup + args.iters):
        start = time.perf_counter()
        batch = next(stream)
        loaded = time.perf_counter()
        model.train_step(batch, optim_wrapper)
        synchronize()
        done = time.perf_counter()
        if first_batch is None:
            first_batch = batch
        if step < args.warmup:
            warmup_times.append(done - start)
        else:
            data_times.append(loaded - start)
            compute_times.append(done - loaded)
            images.append(batch_size_of(batch))
    step_times = [d + c for d, c in zip(data_times, compute_times)]
    step = statistics.median(step_times)
    total = sum(step_times)
    img_per_s = sum(images) / total
    print(f'iterations: {args.iters} after {args.warmup} warm-up, batch size '
          f'{images[0]}, {cfg.train_dataloader.num_workers} workers, '
          f'{"AMP (fp16)" if args.amp else "fp32"}')
    if warmup_times:
        # the first step of an input size includes compilation (compile_backbone)
        # and the kernels' first-use set-up: the cost paid once per run
        print('warm-up steps (s): ' + ', '.join(f'{t:.2f}' for t in warmup_times))
    print(f's/iter (median): {step:.4f}')
    print(f'images/s: {img_per_s:.2f}')
    print(f'data time (median s/iter): {statistics.median(data_times):.4f} '
          f'({100 * sum(data_times) / total:.1f}% of the time)')
    print(f'compute time (median s/iter): {statistics.median(compute_times):.4f}')
    print(f'peak RSS (ru_maxrss): {max_rss_gib():.2f} GiB')
    if torch.cuda.is_available():
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


def step_losses(cfg, batch_list, seed):
    """The total loss of each training step on ``batch_list`` from seeded
    initial weights, with the random stream (dropout) seeded the same way, and
    the AMP loss scale at the end (None without AMP)."""
    model, optim_wrapper = build_model(cfg, seed)
    torch.manual_seed(seed)
    losses = []
    for batch in batch_list:
        log_vars = model.train_step(batch, optim_wrapper)
        losses.append(float(log_vars['loss']))
    scaler = getattr(optim_wrapper, 'loss_scaler', None)
    return losses, None if scaler is None else scaler.get_scale()


def run_amp_check(cfg, loader, args):
    """Train ``--amp-check`` steps in fp32 and with AMP; compare the losses.

    Returns:
        bool: whether every step's relative difference is within ``--amp-tol``.
    """
    stream = batches(loader)
    batch_list = [next(stream) for _ in range(args.amp_check)]
    fp32, _ = step_losses(cfg, batch_list, args.seed)
    amp_cfg = copy.deepcopy(cfg)
    amp_cfg.optim_wrapper.type = 'AmpOptimWrapper'
    amp_cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    amp, scale = step_losses(amp_cfg, batch_list, args.seed)
    print(f'AMP check: {args.amp_check} steps, batch size '
          f'{batch_size_of(batch_list[0])}, same initial weights, batches and seed')
    print('step  loss fp32  loss AMP  relative difference')
    rels = []
    for step, (a, b) in enumerate(zip(fp32, amp), 1):
        rels.append(abs(b - a) / max(abs(a), 1e-12))
        print(f'{step:4d}  {a:9.5f}  {b:8.5f}  {rels[-1]:.2e}')
    finite = all(math.isfinite(x) for x in fp32 + amp)
    worst = max(rels)
    ok = finite and worst <= args.amp_tol
    print(f'final AMP loss scale: {scale:g}; mean relative difference: '
          f'{statistics.mean(rels):.2e}')
    print(f'largest relative difference: {worst:.2e} (tolerance {args.amp_tol:g}): '
          f'{"OK" if ok else "FAILED"}' + ('' if finite else ' (non-finite losses)'))
    return ok


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
    parser.add_argument('--synthetic',
                        action='store_true',
                        help='random images of --img-size (default 512 512) '
                        'with random words instead of the config\'s training set')
    parser.add_argument('--words-per-image',
                        type=int,
                        default=32,
                        help='words of each --synthetic image')
    parser.add_argument('--amp',
                        action='store_true',
                        help='AmpOptimWrapper (fp16 autocast); needs a GPU')
    parser.add_argument('--amp-check',
                        type=int,
                        metavar='N',
                        help='compare N fp32 and N AMP training steps; needs a GPU')
    parser.add_argument('--amp-tol',
                        type=float,
                        default=0.02,
                        help='largest relative loss difference of --amp-check')
    parser.add_argument('--flops-mode',
                        choices=('loss', 'tensor'),
                        default='loss',
                        help='forward mode whose FLOPs are counted')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if args.iters < 1 or args.warmup < 0:
        parser.error('--iters must be >= 1 and --warmup >= 0')
    if args.amp_check is not None and args.amp_check < 1:
        parser.error('--amp-check must be >= 1')
    if args.words_per_image < 1:
        parser.error('--words-per-image must be >= 1')
    if (args.amp or args.amp_check) and not torch.cuda.is_available():
        parser.error('--amp and --amp-check need a GPU (MMEngine\'s '
                     'AmpOptimWrapper); none is visible to torch')
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = build_cfg(args)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    print(f'config: {args.config}')
    if args.data_only:
        run_data_only(loader, cfg.train_dataloader.num_workers, args.warmup, args.iters)
    elif args.amp_check:
        if not run_amp_check(cfg, loader, args):
            sys.exit(1)
    else:
        run_training(cfg, loader, args)


if __name__ == '__main__':
    main()
