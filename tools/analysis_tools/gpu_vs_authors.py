"""One pre-training step of our models and of the authors' code, side by side.

``python tools/analysis_tools/gpu_vs_authors.py [--method oclip|wecromcl|both]
[--authors-dir work_dirs/authors] [--device cuda] [--batch-size N] [--img-size S]
[--iters 20] [--warmup 5] [--amp | --no-amp] [--loss-tol T] [--amp-check 20]
[--amp-tol 0.02] [--oclip-options K=V ...] [--wecromcl-options K=V ...]
[--no-cudnn-benchmark] [--threads N] [--seed 0] [--out work_dirs/gpu_vs_authors]
[--dry-run]``

For each method, in one process:

1. The authors' model is built from their own sources (``--authors-dir``, made by
   ``bash tools/analysis_tools/export_authors_code.sh``) with their own
   initialisation (seeded), saved in their checkpoint layout (oCLIP: their DDP
   checkpoint, ``{'epoch', 'name', 'state_dict': {'module.*'}}``; WeCromCL: their
   DataParallel ``state_dict``, ``module.*``), converted with OUR converter
   (``tools/convert_official_oclip.py`` / ``tools/convert_official_wecromcl.py``, run
   in-process through their ``main``) and loaded with ``strict=True`` into our model of
   ``configs/pretrain/oclip_rn50_synthtext.py`` /
   ``configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py`` (pretrained
   ``init_cfg`` removed: nothing is downloaded). Identical weights.
2. Identical batches. oCLIP: B random uint8 images, 32 words per image (all their text
   slots full) from ``english_vocab.txt``, one masked character per word; ours gets the
   uint8 images and the words (its data preprocessor normalises, its tokenizer masks
   from the global RNG, seeded); theirs gets exactly that normalised tensor and the
   masked ids
   and targets as their data.py would make them. WeCromCL: B random uint8 images with
   one distinct random lower-case word each (the positive) and 16 negatives drawn by our
   ``wecromcl_collate`` with the config's ``NegativeWordSampler``; theirs gets the same
   normalised pixels and encodes the same positive and negative words with their
   ``StrLabelConverter`` inside its step, as their trainer does.
3. The step each code base runs per iteration:

   - oCLIP, theirs (src/training/train.py:164-209): ``scheduler(step)`` (their
     cosine_lr), ``zero_grad``, inputs to the device, ``get_loss`` and, with AMP, under
     their ``autocast()`` with ``GradScaler`` scale / backward / step inside it and
     ``update`` after it (their AdamW param groups: no decay on bn/ln/bias/logit_scale,
     main.py:111-132).
   - WeCromCL, theirs (utils/trainer.py:24-45): images to the device, ``zero_grad``,
     label encoding, ``encode_text`` of the positives and the negatives, the forward of
     ``torch.nn.DataParallel(net)`` (train.py:42), ``ContrastiveLoss``, backward,
     SGD step, poly ``LambdaLR`` step (train.py:49-66).
   - ours: ``model.train_step(data, optim_wrapper)`` (data preprocessor, loss, backward,
     optimizer step, zero_grad) with the config's ``optim_wrapper``; with AMP an
     MMEngine ``AmpOptimWrapper`` (fp16 autocast of the forward, dynamic loss scale
     starting at 2**16 like their ``GradScaler()``), as
     ``tools/analysis_tools/benchmark_pretrain.py --amp``. Our LR scheduler is an
     MMEngine hook (microseconds) and is not in the timed step.

4. The first step's losses must agree: relative difference <= 1e-4 in fp32 (as the CPU
   side-by-side scripts), <= ``--loss-tol`` (default 1e-2) with AMP: two fp16 autocast
   runs of the same function round differently op by op (fp16 has a 2**-11 relative
   step; the difference between fp32 and AMP of the same code is checked to 2e-2 by
   ``benchmark_pretrain.py --amp-check``). Dropout (WeCromCL's deformable encoder and
   positional encoding, p 0.1, on both sides) is off during that first step only, so
   that the two random streams do not decide the comparison, and TF32 is off during it
   (torch lets cuDNN convolutions use TF32 by default; the timed steps keep torch's
   defaults).
5. Timing: ``--warmup`` then ``--iters`` steps per side, interleaved (theirs, ours;
   ours, theirs; ...), each step between ``torch.cuda.synchronize()`` calls. Reported:
   median s/step, images/s (batch / median), peak GPU memory of each side and the ratio
   authors / ours of s/step (> 1: ours is faster). Both models stay on the GPU, so the
   peak memory of a side is counted as if it were alone: its own weights, gradients,
   buffers and optimizer state plus the peak of ``torch.cuda.max_memory_allocated``
   (reset before each of its steps) above what was allocated before the step.
6. Our fp32 vs AMP loss check:
   ``benchmark_pretrain.py CONFIG --synthetic --amp-check N`` in a subprocess at the
   same batch and image size (``--amp-check 0`` skips it).

``--amp`` / ``--no-amp`` force AMP (fp16 autocast + dynamic loss scale) or fp32 on both
sides; the default is the precision each authors' code base trains with, on both sides:

- oCLIP: AMP. Their ``--precision`` defaults to ``amp``
  (src/training/params.py:140-144); main.py:134 makes ``GradScaler()`` for it and
  train.py:187-199 runs the step under ``torch.cuda.amp.autocast`` (imported at
  train.py:15); the weights stay fp32 for AMP (main.py:79 rounds them to fp16 with
  ``convert_weights``, main.py:85-86 ``convert_models_to_fp32`` casts them back; not
  done here: the same weights on both sides is what counts). Per-GPU batch 64
  (params.py:82-84, ``--batch-size`` "Batch size per GPU"); 512x512 inputs (RN50.json
  ``image_resolution``); 32 word slots of 25 characters per image (data.py:59-60
  ``max_len = 32``, ``word_len = 25``), all filled here. Our config: batch 64.
- WeCromCL: fp32. There is no autocast, GradScaler or ``half()`` in their training code
  (train.py, utils/trainer.py:21-45; ``git grep -i -e amp -e autocast -e scaler``):
  plain ``loss.backward(); optimizer.step()``. Batch 16 on one GPU (configs/Base.yaml:20
  ``trainer.batch_size: 16``, train.py:2 ``CUDA_VISIBLE_DEVICES=0``, train.py:79),
  640x640 (Base.yaml:42-44, ``ResizeMinsizes: [640]``, ``ResizeMaxsize: 640``), 16
  negative words per image (Base.yaml:2 ``false_label_num: 16``), SGD lr 1e-3, momentum
  0.9, weight decay 1e-5 (Base.yaml:19-24, train.py:49). With ``--amp`` their step gets
  oCLIP's AMP recipe, which is not how they train.

(Line numbers: bytedance/oclip 1e3edc4, ZhengyaoFang/WeCromCL b4efb38.)

The WeCromCL authors' deformable attention is a CUDA extension
(``MultiScaleDeformableAttention``, Deformable DETR's). On a GPU the tool imports it
when it can: build it on the GPU machine from the exported sources with

    cd work_dirs/authors/wecromcl/models/ops && python setup.py build_ext --inplace

(needs the CUDA toolkit, ``nvcc``, of torch's CUDA version; their make.sh runs
``python setup.py build install``, which works too). The in-place build is found
through ``<authors-dir>/wecromcl/models/ops`` on ``sys.path``. When it cannot be
imported (or on a CPU) their ``MSDeformAttnFunction`` is replaced by mmcv's pure-PyTorch
``multi_scale_deformable_attn_pytorch`` (the same function: their own debug fallback
``ms_deform_attn_core_pytorch`` is the same computation), as the CPU side-by-side
scripts do; the summary says which one ran. Other run-time patches of their code, none
written to disk: ``resnet50(pretrained=True)`` builds without the ImageNet download
(random init, like ours); on a CPU their ``.cuda()`` calls are no-ops during their step.
Their YAML config is read with omegaconf when installed, else with PyYAML and
OmegaConf's float rule (``1e-3`` is a float).

``--dry-run`` runs the whole path on the CPU at the smallest faithful scale: batch 1,
1 warm-up and 1 timed step, fp32, torch 1 thread, WeCromCL at 320x320 (oCLIP at its
512x512: their attention pool's positional embedding is fixed to it), our oCLIP
backbone not compiled (``model.compile_backbone=False`` unless ``--oclip-options`` is
given: compiling takes ~2 min on one CPU thread; on a GPU the config's compiled backbone
compiles during the warm-up steps); the AMP parts and the fp32 vs AMP check are skipped
and said so. Nothing needs a GPU or the network. ``--oclip-options`` /
``--wecromcl-options`` change our configs as ``--cfg-options`` does (also in the AMP
check), e.g. ``model.compile_backbone=False`` where compiling fails.

Not yet run on a GPU (only ``--dry-run`` on a CPU). Expect on one 80 GB GPU: both
models of a method stay resident; the authors' WeCromCL at batch 16 with the
pure-PyTorch replacement keeps every sampled value for backward (on a CPU their
batch 4 peaked at ~22 GB), so it may run out of memory: a method that fails (out of
memory included) is reported as FAILED and the other still runs; retry it with
``--batch-size 8`` or on a larger GPU. Compile-time and first-use costs (our compiled
oCLIP backbone, cuDNN autotuning) fall into the warm-up steps. A short run for a
tight time budget: ``--iters 10 --warmup 3 --amp-check 10``, or one ``--method`` per
call.

Writes ``--out``/summary.md and summary.json; exit 0 when every check passed, 1 when a
loss check failed or a run failed, 2 on bad arguments.
"""
import argparse
import contextlib
import copy
import gc
import importlib.util
import json
import math
import os
import os.path as osp
import random
import re
import statistics
import string
import subprocess
import sys
import time
import types

from mmengine.config import DictAction

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GIB = 2**30
CONFIGS = dict(oclip='configs/pretrain/oclip_rn50_synthtext.py',
               wecromcl='configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py')
# the paper's per-GPU setting and the precision each authors' code base trains with
PAPER = dict(oclip=dict(batch=64, img=512, amp=True),
             wecromcl=dict(batch=16, img=640, amp=False))
DRY_RUN_IMG = dict(oclip=512, wecromcl=320)
OCLIP_WORDS = 32
OCLIP_TEXT_LEN = 25
# the files each method reads from --authors-dir
OCLIP_FILES = [
    'src/clip/model.py', 'src/training/train.py', 'src/training/scheduler.py',
    'src/training/model_configs/RN50.json'
]
WECROMCL_FILES = [
    'models/wecromcl.py', 'models/loss.py', 'models/modules/resnet.py',
    'models/modules/components.py', 'models/ops/modules/ms_deform_attn.py',
    'models/ops/functions/ms_deform_attn_func.py', 'utils/str_label_converter.py',
    'utils/trainer.py', 'configs/Base.yaml', 'configs/pretrain/pretrain.yaml'
]
REQUIRED = dict(oclip=OCLIP_FILES, wecromcl=WECROMCL_FILES)
FP32_TOL = 1e-4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--method',
                        choices=('oclip', 'wecromcl', 'both'),
                        default='both')
    parser.add_argument('--authors-dir',
                        default='work_dirs/authors',
                        help='the export of export_authors_code.sh (oclip/, wecromcl/)')
    parser.add_argument('--device', default='cuda', help='cuda, cuda:N or cpu')
    parser.add_argument(
        '--batch-size',
        type=int,
        help='default: the paper\'s per-GPU batch (oCLIP 64, WeCromCL 16)')
    parser.add_argument('--img-size',
                        type=int,
                        help='square image side (default: oCLIP 512, WeCromCL 640)')
    parser.add_argument('--iters', type=int, help='timed steps per side (default 20)')
    parser.add_argument('--warmup', type=int, help='untimed steps per side (default 5)')
    parser.add_argument('--amp',
                        action=argparse.BooleanOptionalAction,
                        default=None,
                        help='fp16 AMP on both sides (default: as the authors train: '
                        'oCLIP AMP, WeCromCL fp32)')
    parser.add_argument(
        '--loss-tol',
        type=float,
        help=f'first-step loss agreement, relative (default: {FP32_TOL:g} '
        'fp32, 1e-2 AMP)')
    parser.add_argument('--amp-check',
                        type=int,
                        default=20,
                        metavar='N',
                        help='steps of our fp32 vs AMP loss check (0: none)')
    parser.add_argument('--amp-tol',
                        type=float,
                        default=0.02,
                        help='tolerance of --amp-check (relative)')
    for method in ('oclip', 'wecromcl'):
        parser.add_argument(f'--{method}-options',
                            nargs='+',
                            action=DictAction,
                            metavar='KEY=VALUE',
                            help=f'--cfg-options of our {method} config, e.g. '
                            'model.compile_backbone=False')
    parser.add_argument('--cudnn-benchmark',
                        action=argparse.BooleanOptionalAction,
                        default=True,
                        help='torch.backends.cudnn.benchmark for both sides (default: '
                        'on, as both authors\' trainers set it)')
    parser.add_argument('--threads',
                        type=int,
                        help='torch CPU threads (default: torch\'s)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default='work_dirs/gpu_vs_authors')
    parser.add_argument('--dry-run',
                        action='store_true',
                        help='the whole path on the CPU, batch 1, 1 + 1 steps, fp32')
    args = parser.parse_args(argv)
    for name in ('batch_size', 'img_size', 'iters', 'threads'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(
                f'--{name.replace("_", "-")} needs a positive integer, got {value}')
    if (args.warmup is not None and args.warmup < 0) or args.amp_check < 0:
        parser.error('--warmup and --amp-check need an integer >= 0')
    if args.img_size is not None and args.img_size % 32:
        parser.error(f'--img-size must be a multiple of 32, got {args.img_size}')
    for name in ('loss_tol', 'amp_tol'):
        value = getattr(args, name)
        if value is not None and not value > 0:
            parser.error(
                f'--{name.replace("_", "-")} needs a positive number, got {value}')
    if not re.fullmatch(r'cpu|cuda(:\d+)?', args.device):
        parser.error(f'--device must be cpu, cuda or cuda:N, got {args.device!r}')
    if args.dry_run:
        if args.amp:
            parser.error('--dry-run runs fp32 on the CPU: drop --amp')
        args.device, args.amp, args.amp_check = 'cpu', False, 0
        args.batch_size = args.batch_size or 1
        args.iters = args.iters or 1
        args.warmup = 1 if args.warmup is None else args.warmup
        args.threads = args.threads or 1
        if args.oclip_options is None:  # compiling takes ~2 min on one CPU thread
            args.oclip_options = {'model.compile_backbone': False}
    elif args.device == 'cpu' and args.amp:
        parser.error('--amp is fp16 CUDA autocast: it needs --device cuda')
    elif args.device == 'cpu':  # AMP and its check need CUDA
        args.amp, args.amp_check = False, 0
    args.iters = args.iters or 20
    args.warmup = 5 if args.warmup is None else args.warmup
    methods = ('oclip', 'wecromcl') if args.method == 'both' else (args.method, )
    for method in methods:
        folder = osp.join(args.authors_dir, method)
        for rel in REQUIRED[method]:
            if not osp.isfile(osp.join(folder, rel)):
                parser.error(
                    f'--authors-dir {args.authors_dir} lacks {method}/{rel} '
                    '(export it: bash tools/analysis_tools/export_authors_code.sh)')
    args.methods = methods
    import torch
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(
            'no CUDA GPU visible to torch (torch.cuda.is_available() is False); '
            '--dry-run runs the whole path on the CPU')
    return args


# ---------------------------------------------------------------- helpers


def load_file(name, path):
    """A Python file of the authors' code as a module named ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def convert(tool, src, dst):
    """Our converter ``tools/<tool>.py`` on ``src``, as its command line runs it."""
    module = load_file(f'gpu_vs_authors_{tool}', osp.join(ROOT, 'tools', f'{tool}.py'))
    try:
        module.main([src, dst])
    except SystemExit as e:
        if e.code:
            raise RuntimeError(f'tools/{tool}.py failed: {e.code}') from None


def ours_on_their_weights(method, official, work, options):
    """Our model of ``method``'s config (``options`` merged, pretrained init
    dropped) with the weights of the authors' checkpoint ``official``, converted
    by our importer and loaded strictly; returns ``(cfg, model)``."""
    import torch
    from mmengine.config import Config
    from mmocr.registry import MODELS

    from mmocr_oclip.utils.random_init import drop_pretrained_init
    converted = osp.join(work, f'{method}_ours.pth')
    convert(f'convert_official_{method}', official, converted)
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[method]))
    if options:
        cfg.merge_from_dict(options)
    drop_pretrained_init(cfg.model)
    model = MODELS.build(cfg.model)
    state = torch.load(converted, map_location='cpu', weights_only=True)
    model.load_state_dict(state.get('state_dict', state), strict=True)
    return cfg, model


def our_optim_wrapper(cfg, model, amp):
    """The config's optimizer wrapper of ``model``; with ``amp`` MMEngine's
    ``AmpOptimWrapper`` (fp16, dynamic loss scale), as ``benchmark_pretrain.py
    --amp``."""
    from mmengine.optim import build_optim_wrapper
    ow_cfg = copy.deepcopy(cfg.optim_wrapper)
    if amp:
        ow_cfg.type = 'AmpOptimWrapper'
        ow_cfg.setdefault('loss_scale', 'dynamic')
    return build_optim_wrapper(model, ow_cfg)


def model_options(cfg, options):
    """Our model's speed options as built, and the command line's changes."""
    keys = ('channels_last', 'compile_backbone')
    text = ', '.join(f'{k}={cfg.model.get(k, False)}' for k in keys)
    if options:
        changes = ' '.join(f'{k}={v}' for k, v in options.items())
        text += f' (changed on the command line: {changes})'
    return text


def commit_of(folder):
    path = osp.join(folder, 'COMMIT')
    return open(path).read().strip()[:10] if osp.isfile(path) else 'unknown'


def synchronize(device):
    import torch
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def resident_bytes(modules, optimizer):
    """Bytes of the tensors a side keeps between steps: parameters, their
    gradients, buffers and optimizer state (each storage once)."""
    import torch
    seen, total = set(), 0

    def add(t):
        nonlocal total
        if isinstance(t, torch.Tensor) and t.device.type == 'cuda':
            key = t.untyped_storage().data_ptr()
            if key not in seen:
                seen.add(key)
                total += t.untyped_storage().nbytes()

    for module in modules:
        for p in module.parameters():
            add(p)
            add(p.grad)
        for b in module.buffers():
            add(b)
    for state in optimizer.state.values():
        for value in state.values():
            add(value)
    return total


@contextlib.contextmanager
def dropout_off(*models):
    """Dropout modules in eval mode inside the block (train mode after it)."""
    import torch
    drops = [
        m for model in models for m in model.modules()
        if isinstance(m, torch.nn.modules.dropout._DropoutNd)
    ]
    for m in drops:
        m.eval()
    try:
        yield len(drops)
    finally:
        for m in drops:
            m.train()


@contextlib.contextmanager
def no_tf32():
    """fp32 convolutions and matmuls in full fp32 inside the block (torch's
    default lets cuDNN use TF32, 10-bit mantissas; the two code bases lay their
    convolutions out differently, so TF32 rounds them differently)."""
    import torch
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


class Side:
    """One code base's model, its step function and its measurements."""

    def __init__(self, name, step, modules, optimizer):
        self.name, self.step = name, step
        self.modules, self.optimizer = modules, optimizer
        self.times, self.peaks, self.losses = [], [], []


def run_step(side, batch, device):
    """One timed step of ``side``; returns its loss."""
    import torch
    cuda = device.type == 'cuda'
    if cuda:
        other = torch.cuda.memory_allocated(device) - resident_bytes(
            side.modules, side.optimizer)
        torch.cuda.reset_peak_memory_stats(device)
    synchronize(device)
    start = time.perf_counter()
    loss = side.step(batch)
    synchronize(device)
    side.times.append(time.perf_counter() - start)
    if cuda:
        side.peaks.append(torch.cuda.max_memory_allocated(device) - other)
    side.losses.append(loss)
    return loss


def time_sides(sides, batches, args, device, log):
    """Warm-up + timed steps, interleaved; the first one with dropout off."""
    total = args.warmup + args.iters
    first = {}
    for i in range(total):
        order = sides if i % 2 == 0 else sides[::-1]
        for side in order:
            batch = batches[i % len(batches)]
            if i == 0:
                with dropout_off(*side.modules), no_tf32():
                    first[side.name] = run_step(side, batch, device)
            else:
                run_step(side, batch, device)
        tag = 'warm-up' if i < args.warmup else 'timed'
        log(f'  [{tag} {i + 1}/{total}] ' +
            ', '.join(f'{s.name} {s.times[-1]:.3f} s (loss {s.losses[-1]:.5f})'
                      for s in order))
        if i == 0:
            theirs, ours = first['authors'], first['ours']
            rel = abs(theirs - ours) / max(abs(theirs), 1e-12)
            log(f'  first-step losses: authors {theirs:.6f}, ours {ours:.6f}, '
                f'relative difference {rel:.2e}')
    timed = {s.name: s.times[args.warmup:] for s in sides}
    peaks = {s.name: (max(s.peaks[args.warmup:]) if s.peaks else None) for s in sides}
    return first, timed, peaks


# ---------------------------------------------------------------- oCLIP


def run_oclip(args, device, work, log):
    import torch
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample

    from mmocr_oclip.utils.resources import resolve_resource_file

    src = osp.join(args.authors_dir, 'oclip')
    am = load_file('oclip_authors_model', osp.join(src, 'src/clip/model.py'))
    at = load_file('oclip_authors_train', osp.join(src, 'src/training/train.py'))
    asch = load_file('oclip_authors_scheduler',
                     osp.join(src, 'src/training/scheduler.py'))
    with open(osp.join(src, 'src/training/model_configs/RN50.json')) as f:
        model_info = json.load(f)
    B, S = args.batch, args.img

    # the authors' model, their init (main.py:78), saved as their DDP checkpoint
    torch.manual_seed(args.seed)
    theirs = am.oCLIP(False, **model_info)
    official = osp.join(work, 'oclip_authors.pt')
    torch.save(
        dict(epoch=0,
             name='gpu_vs_authors',
             state_dict={
                 'module.' + k: v
                 for k, v in theirs.state_dict().items()
             }), official)
    cfg, ours = ours_on_their_weights('oclip', official, work, args.oclip_options)
    log(f'  weights: the authors\' oCLIP (seed {args.seed}) -> their checkpoint -> '
        'tools/convert_official_oclip.py -> ours, strict=True')
    theirs.to(device).train()
    ours.to(device).train()

    opt = cfg.optim_wrapper.optimizer

    def no_decay(name):  # their main.py:111
        return any(key in name for key in ('bn', 'ln', 'bias', 'logit_scale'))

    named = [(n, p) for n, p in theirs.named_parameters() if p.requires_grad]
    groups = [
        dict(params=[p for n, p in named if no_decay(n)], weight_decay=0.),
        dict(params=[p for n, p in named if not no_decay(n)],
             weight_decay=opt.weight_decay)
    ]
    t_opt = torch.optim.AdamW(groups, lr=opt.lr, betas=tuple(opt.betas), eps=opt.eps)
    t_sched = asch.cosine_lr(t_opt, opt.lr, 10000, 100000)
    t_args = types.SimpleNamespace(
        char_loss_weight=1.0,  # their params.py:74-77 default
        distributed=False,
        aggregate=True,
        first=False,
        gpu=torch.cuda.current_device() if device.type == 'cuda' else None)
    ce = torch.nn.CrossEntropyLoss()
    scaler = torch.amp.GradScaler('cuda') if args.amp_on else None
    ow = our_optim_wrapper(cfg, ours, args.amp_on)

    # identical batches
    tok = ours.tokenizer
    known = set(tok.dictionary.dict)
    with open(resolve_resource_file('english_vocab.txt'), encoding='utf-8') as f:
        vocab = [w.strip() for w in f]
    vocab = [w for w in vocab if w and len(w) < OCLIP_TEXT_LEN and set(w) <= known]
    rng = random.Random(args.seed)
    pin = device.type == 'cuda'

    def word():
        w, r = rng.choice(vocab), rng.random()
        return w.upper() if r < 0.2 else w.capitalize() if r < 0.5 else w

    def make_batch(i):
        g = torch.Generator().manual_seed(1000 + i)
        images = [
            torch.randint(0, 256, (3, S, S), generator=g, dtype=torch.uint8)
            for _ in range(B)
        ]
        words = [[word() for _ in range(OCLIP_WORDS)] for _ in range(B)]
        samples = []
        for ws in words:
            s = TextSpottingDataSample(
                metainfo=dict(img_shape=(S, S), ori_shape=(S, S), pad_shape=(S, S)))
            s.gt_instances = InstanceData(texts=ws)
            samples.append(s)
        data = dict(inputs=images, data_samples=samples)
        with torch.no_grad():
            pixels = ours.data_preprocessor(copy.deepcopy(data), True)['inputs']
        pixels = pixels.cpu().contiguous()  # NCHW as their loaders give it
        tokens, lengths = tok.encode([w for ws in words for w in ws])
        seed = 5000 + i
        masked, _, targets = tok.mask(tokens,
                                      lengths,
                                      ours.mask_prob,
                                      generator=torch.Generator().manual_seed(seed))
        assert (targets > 0).all() and tokens.shape[1] == OCLIP_TEXT_LEN
        theirs_in = [
            pixels,
            masked.view(B, OCLIP_WORDS, OCLIP_TEXT_LEN),
            targets.view(B, OCLIP_WORDS),
            torch.zeros(B, S // 32, S // 32, dtype=torch.bool)
        ]
        if pin:
            theirs_in = [t.pin_memory() for t in theirs_in]
            data['inputs'] = [t.pin_memory() for t in images]
        return dict(ours=data, theirs=theirs_in, seed=seed)

    batches = [make_batch(i) for i in range(min(args.warmup + args.iters, 4))]
    iteration = [0]

    def step_theirs(batch):  # their train.py:164-209
        t_sched(iteration[0])
        iteration[0] += 1
        t_opt.zero_grad()
        images, texts, chars, masks = (t.to(device, non_blocking=True)
                                       for t in batch['theirs'])
        if args.amp_on:
            with at.autocast():
                char_loss, clip_loss = at.get_loss(theirs, images, texts, chars, masks,
                                                   ce, ce, ce, t_args)
                total = char_loss + clip_loss
                scaler.scale(total).backward()
                scaler.step(t_opt)
            scaler.update()
        else:
            char_loss, clip_loss = at.get_loss(theirs, images, texts, chars, masks, ce,
                                               ce, ce, t_args)
            total = char_loss + clip_loss
            total.backward()
            t_opt.step()
        return total.item()

    def step_ours(batch):
        data = dict(inputs=list(batch['ours']['inputs']),
                    data_samples=copy.deepcopy(batch['ours']['data_samples']))
        torch.manual_seed(
            batch['seed'])  # ours masks from the global RNG: their masks' seed
        return float(ours.train_step(data, ow)['loss'])

    sides = [
        Side('authors', step_theirs, [theirs], t_opt),
        Side('ours', step_ours, [ours], ow.optimizer)
    ]
    first, timed, peaks = time_sides(sides, batches, args, device, log)
    notes = [
        f'{OCLIP_WORDS} words/image, one masked character each',
        'our model options: ' + model_options(cfg, args.oclip_options),
        f'authors: oCLIP {commit_of(src)}, AdamW, cosine_lr'
    ]
    return first, timed, peaks, notes


# ---------------------------------------------------------------- WeCromCL


def load_wecromcl_config(src):
    """Their config as train.py builds it: pretrain.yaml merged over its _base_."""
    try:
        from omegaconf import OmegaConf
    except ImportError:
        OmegaConf = None
    from mmengine.config import ConfigDict
    pre_path = osp.join(src, 'configs/pretrain/pretrain.yaml')
    if OmegaConf is not None:
        pre = OmegaConf.load(pre_path)
        return OmegaConf.merge(OmegaConf.load(osp.join(src, pre._base_)),
                               pre), 'omegaconf'
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    # YAML 1.2 floats as OmegaConf reads them (PyYAML alone keeps '1e-3' a string)
    Loader.add_implicit_resolver(
        'tag:yaml.org,2002:float',
        re.compile(
            r'^[-+]?(?:\d[\d_]*\.[\d_]*(?:[eE][-+]?\d+)?|\d[\d_]*[eE][-+]?\d+'
            r'|\.\d[\d_]*(?:[eE][-+]?\d+)?|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$'),
        list('-+0123456789.'))

    def read(path):
        with open(path, encoding='utf-8') as f:
            return yaml.load(f, Loader=Loader) or {}

    def merge(a, b):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(
                out.get(k), dict) else v
        return out

    pre = read(pre_path)
    # attribute access at every depth, as their code reads OmegaConf's config
    return ConfigDict(merge(read(osp.join(src, pre['_base_'])),
                            pre)), 'PyYAML (omegaconf absent)'


def import_wecromcl(src, device, amp):
    """Their modules, patched in memory; and which deformable attention runs."""
    import torch
    clash = [
        m for m in ('models', 'utils') if m in sys.modules and not osp.abspath(
            getattr(sys.modules[m], '__file__', None)
            or next(iter(getattr(sys.modules[m], '__path__', [''])), '')).startswith(
                osp.abspath(src))
    ]
    if clash:
        raise RuntimeError(f'modules named {clash} are imported already: the authors\' '
                           'WeCromCL needs these top-level names')
    sys.path.insert(0, osp.join(src, 'models', 'ops'))  # an in-place build of their op
    sys.path.insert(0, src)
    op = None
    if device.type == 'cuda':
        try:
            import MultiScaleDeformableAttention  # noqa: F401
            op = ('the authors\' CUDA op (MultiScaleDeformableAttention from '
                  f'{MultiScaleDeformableAttention.__file__})')
        except (ImportError, OSError) as e:
            reason = f'their CUDA op cannot be imported: {e}'
    else:
        reason = 'CPU'
    if op is None:
        stub = types.ModuleType('MultiScaleDeformableAttention')

        def no_kernel(*a, **k):
            raise RuntimeError('the authors\' CUDA deformable attention is not built')

        stub.ms_deform_attn_forward = stub.ms_deform_attn_backward = no_kernel
        sys.modules['MultiScaleDeformableAttention'] = stub
    import models.modules.resnet as resnet_mod
    import models.ops.modules.ms_deform_attn as msda_mod
    import models.wecromcl as wec
    from models.loss import ContrastiveLoss
    from utils.str_label_converter import StrLabelConverter
    from utils.trainer import NestedTensor
    if op is None:
        from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

        class PyTorchMSDA:
            """Their MSDeformAttnFunction's ``apply`` on mmcv's pure-PyTorch core."""

            @staticmethod
            def apply(value, shapes, level_start_index, sampling_locations,
                      attention_weights, im2col_step):
                return multi_scale_deformable_attn_pytorch(value, shapes,
                                                           sampling_locations,
                                                           attention_weights)

        msda_mod.MSDeformAttnFunction = PyTorchMSDA
        op = (
            'pure PyTorch: mmcv multi_scale_deformable_attn_pytorch in place of their '
            f'CUDA op ({reason})')
    elif amp:
        kernel = msda_mod.MSDeformAttnFunction

        class Float32MSDA:
            """Their kernel dispatches float and double only (AT_DISPATCH_FLOATING_
            TYPES, ms_deform_attn_cuda.cu:64): fp32 inputs under autocast."""

            @staticmethod
            def apply(value, shapes, level_start_index, sampling_locations,
                      attention_weights, im2col_step):
                with torch.autocast('cuda', enabled=False):
                    return kernel.apply(value.float(), shapes, level_start_index,
                                        sampling_locations.float(),
                                        attention_weights.float(), im2col_step)

        msda_mod.MSDeformAttnFunction = Float32MSDA
        op += '; under AMP its inputs are cast to fp32 (it has no fp16 kernel)'

    def no_download(*a, **k):
        raise RuntimeError('download blocked by gpu_vs_authors.py')

    resnet_mod.model_zoo.load_url = no_download
    # their WeCromCL builds eval(cfgs.model.backbone)(pretrained=True) (wecromcl.py:597)
    original = resnet_mod.resnet50
    wec.resnet50 = lambda pretrained=False, **kw: original(pretrained=False, **kw)
    return types.SimpleNamespace(wec=wec,
                                 ContrastiveLoss=ContrastiveLoss,
                                 StrLabelConverter=StrLabelConverter,
                                 NestedTensor=NestedTensor), op


@contextlib.contextmanager
def cuda_calls_on_cpu(active):
    """Their ``.cuda()`` calls as no-ops (CPU runs only)."""
    import torch
    if not active:
        yield
        return
    saved = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *a, **k: self
    try:
        yield
    finally:
        torch.Tensor.cuda = saved


def run_wecromcl(args, device, work, log):
    import numpy as np
    import torch
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample

    from mmocr_oclip.datasets.wecromcl_collate import wecromcl_collate

    src = osp.abspath(osp.join(args.authors_dir, 'wecromcl'))
    their, op = import_wecromcl(src, device, args.amp_on)
    log(f'  authors\' deformable attention: {op}')
    cfgs, cfg_reader = load_wecromcl_config(src)
    B, S = args.batch, args.img
    on_cpu = device.type == 'cpu'

    torch.manual_seed(args.seed)
    net = their.wec.WeCromCL(cfgs)
    official = osp.join(work, 'wecromcl_authors.pth')
    torch.save({'module.' + k: v for k, v in net.state_dict().items()}, official)
    cfg, ours = ours_on_their_weights('wecromcl', official, work, args.wecromcl_options)
    log('  weights: the authors\' WeCromCL (seed '
        f'{args.seed}) -> their DataParallel state_dict -> '
        'tools/convert_official_wecromcl.py -> ours, strict=True')
    net.to(device).train()
    # their train.py:42 (one GPU: train.py:2 sets CUDA_VISIBLE_DEVICES=0)
    dp = torch.nn.DataParallel(net, device_ids=[torch.cuda.current_device()
                                                ]) if (device.type == 'cuda') else net
    ours.to(device).train()

    criterion = their.ContrastiveLoss()
    converter = their.StrLabelConverter(cfgs.data.alphabet, cfgs.data.ignore_case,
                                        cfgs.max_text_length)
    tr = cfgs.trainer
    t_opt = torch.optim.SGD(net.parameters(),
                            lr=tr.learning_rate,
                            momentum=tr.momentum,
                            weight_decay=tr.weight_decay)
    t_sched = torch.optim.lr_scheduler.LambdaLR(
        t_opt, lr_lambda=lambda it: math.pow(1 - (it + tr.start_iter) / tr.niter, 0.9))
    scaler = torch.amp.GradScaler('cuda') if args.amp_on else None
    ow = our_optim_wrapper(cfg, ours, args.amp_on)
    sampler = cfg.train_dataloader.collate_fn.get('sampler')

    # identical batches: one distinct random word per image (its positive)
    np.random.seed(args.seed)
    rng = random.Random(args.seed)
    pin = device.type == 'cuda'

    def make_batch(i):
        g = torch.Generator().manual_seed(2000 + i)
        items, positives = [], set()
        for _ in range(B):
            while True:
                w = ''.join(rng.choices(string.ascii_lowercase, k=rng.randint(7, 12)))
                if w not in positives:
                    break
            positives.add(w)
            s = TextSpottingDataSample(metainfo=dict(img_path='synthetic',
                                                     img_shape=(S, S),
                                                     ori_shape=(S, S),
                                                     pad_shape=(S, S)))
            s.gt_instances = InstanceData(texts=[w])
            items.append(
                dict(inputs=torch.randint(0,
                                          256, (3, S, S),
                                          generator=g,
                                          dtype=torch.uint8),
                     data_samples=s))
        data = wecromcl_collate(items, sampler=sampler)
        with torch.no_grad():
            pixels = ours.data_preprocessor(copy.deepcopy(data), True)['inputs']
        pixels = pixels.cpu().contiguous()  # NCHW as their loaders give it
        samples = data['data_samples']
        words = dict(positives=[s.positive_text for s in samples],
                     negatives=[s.negative_texts for s in samples])
        assert all(len(n) == cfgs.false_label_num for n in words['negatives'])
        if pin:
            pixels = pixels.pin_memory()
            data['inputs'] = [t.pin_memory() for t in data['inputs']]
        return dict(ours=data, theirs=(pixels, words))

    batches = [make_batch(i) for i in range(min(args.warmup + args.iters, 4))]

    def forward_theirs(imgs, words):  # their utils/trainer.py:28-42
        selected = [converter.encode(t)[0] for t in words['positives']]
        false = []
        for negatives in words['negatives']:
            false += [converter.encode(t)[0] for t in negatives]
        selected = torch.tensor(selected).to(device)
        false = torch.tensor(false).to(device)
        selected_features = their.NestedTensor(net.encode_text(selected.long()))
        false_features = net.encode_text(false.long())
        image_features = dp(imgs, selected_features, false_features)
        losses, _ = criterion(net, image_features, selected_features, false_features)
        return sum(losses)

    def step_theirs(batch):
        pixels, words = batch['theirs']
        with cuda_calls_on_cpu(on_cpu):
            imgs = pixels.to(device, non_blocking=True)
            t_opt.zero_grad()
            if args.amp_on:  # oCLIP's recipe (their train.py); WeCromCL trains fp32
                with torch.autocast('cuda', dtype=torch.float16):
                    loss = forward_theirs(imgs, words)
                scaler.scale(loss).backward()
                scaler.step(t_opt)
                scaler.update()
            else:
                loss = forward_theirs(imgs, words)
                loss.backward()
                t_opt.step()
            t_sched.step()
        return loss.item()

    def step_ours(batch):
        data = dict(inputs=list(batch['ours']['inputs']),
                    data_samples=copy.deepcopy(batch['ours']['data_samples']))
        return float(ours.train_step(data, ow)['loss'])

    sides = [
        Side('authors', step_theirs, [net], t_opt),
        Side('ours', step_ours, [ours], ow.optimizer)
    ]
    first, timed, peaks = time_sides(sides, batches, args, device, log)
    sampling = cfg.model.get('encoder', {}).get('sampling', 'auto')
    notes = [
        f'1 positive + {cfgs.false_label_num} negative words/image',
        f'authors\' deformable attention: {op}',
        f'our encoder sampling: {sampling}; our model options: ' +
        model_options(cfg, args.wecromcl_options),
        f'authors: WeCromCL {commit_of(src)}, SGD + poly LambdaLR, '
        f'their config read with {cfg_reader}'
    ]
    return first, timed, peaks, notes


# ---------------------------------------------------------------- our AMP check


def amp_check_command(method, args, steps):
    """Our fp32 vs AMP loss check of ``steps`` steps (benchmark_pretrain.py)."""
    size = str(args.img)
    cmd = [
        sys.executable, 'tools/analysis_tools/benchmark_pretrain.py', CONFIGS[method],
        '--synthetic', '--img-size', size, size, '--batch-size',
        str(args.batch), '--num-workers', '0', '--amp-check',
        str(steps), '--amp-tol',
        str(args.amp_tol)
    ]
    if method == 'oclip':
        cmd += ['--words-per-image', str(OCLIP_WORDS)]
    options = getattr(args, f'{method}_options')
    if options:
        cmd += ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]
    return cmd


def run_amp_check(method, args, log):
    cmd = amp_check_command(method, args, args.amp_check or 20)
    shown = ' '.join(cmd[1:])
    if not args.amp_check:
        reason = ('--dry-run (AMP needs a GPU)'
                  if args.dry_run else '--device cpu (AMP needs a GPU)'
                  if args.device == 'cpu' else '--amp-check 0')
        log(f'  our fp32 vs AMP check: skipped, {reason}; it would run: python {shown}')
        return dict(status='skipped', reason=reason, command=shown)
    log(f'  our fp32 vs AMP check: python {shown}')
    proc = subprocess.run(cmd,
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          env=dict(os.environ,
                                   PYTHONPATH=os.pathsep.join(
                                       filter(None,
                                              [ROOT, os.environ.get('PYTHONPATH')]))))
    lines = (proc.stdout + proc.stderr).splitlines()
    result = next(
        (line for line in lines if line.startswith('largest relative difference')),
        None)
    log(f'    {result or "no result; last lines: " + " | ".join(lines[-5:])}')
    return dict(status='ok' if proc.returncode == 0 else 'failed',
                result=result,
                command=shown,
                returncode=proc.returncode)


# ---------------------------------------------------------------- main


def main(argv=None):
    args = parse_args(argv)
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    import logging

    from mmengine.logging import MMLogger
    from mmocr.utils import register_all_modules

    import mmocr_oclip  # noqa: F401  (registers the modules)
    register_all_modules()
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    os.makedirs(args.out, exist_ok=True)
    work = osp.join(args.out, 'checkpoints')
    os.makedirs(work, exist_ok=True)
    device = torch.device(args.device)
    if device.type == 'cuda':
        if device.index is None:
            device = torch.device('cuda', torch.cuda.current_device())
        torch.cuda.set_device(device)
        # both authors' trainers: oCLIP main.py:176, WeCromCL train.py:76 (ours: the
        # config's env_cfg, MMEngine's default False); one process, one setting
        torch.backends.cudnn.benchmark = args.cudnn_benchmark
        device_name = torch.cuda.get_device_name(device)
    else:
        device_name = f'CPU, {torch.get_num_threads()} torch thread(s)'
    lines = []

    def log(text):
        print(text, flush=True)
        lines.append(text)

    log(f'[gpu_vs_authors] {device_name}; torch {torch.__version__}' +
        ('; DRY RUN: CPU, fp32, AMP skipped' if args.dry_run else ''))
    results, failed = {}, False
    for method in args.methods:
        paper = PAPER[method]
        args.batch = args.batch_size or paper['batch']
        args.img = args.img_size or (DRY_RUN_IMG[method]
                                     if args.dry_run else paper['img'])
        args.amp_on = paper['amp'] if args.amp is None else args.amp
        if args.device == 'cpu':
            args.amp_on = False
        precision = 'AMP (fp16 autocast, dynamic loss scale)' if args.amp_on else 'fp32'
        tol = args.loss_tol or (1e-2 if args.amp_on else FP32_TOL)
        log(f'[{method}] batch {args.batch}, {args.img}x{args.img}, {precision} on '
            'both '
            f'sides (the authors train with {"AMP" if paper["amp"] else "fp32"}' +
            (', skipped on the CPU' if args.device == 'cpu' and paper['amp'] else '') +
            f'), {args.warmup} warm-up + {args.iters} timed steps per side')
        started = time.perf_counter()
        run = run_oclip if method == 'oclip' else run_wecromcl
        try:
            first, timed, peaks, notes = run(args, device, work, log)
        except Exception as e:  # a failed run is reported, the other method still runs
            import traceback
            traceback.print_exc()
            log(f'[{method}] FAILED: {type(e).__name__}: {e}')
            results[method] = dict(status='failed', error=f'{type(e).__name__}: {e}')
            failed = True
            continue
        finally:
            gc.collect()
            if device.type == 'cuda':
                torch.cuda.empty_cache()
        rel = abs(first['authors'] - first['ours']) / max(abs(first['authors']), 1e-12)
        loss_ok = math.isfinite(rel) and rel <= tol
        sides = {}
        for name in ('authors', 'ours'):
            s = statistics.median(timed[name])
            sides[name] = dict(
                s_per_step=s,
                images_per_s=args.batch / s,
                peak_gpu_gib=None if peaks[name] is None else peaks[name] / GIB,
                steps=timed[name],
                first_loss=first[name])
        ratio = sides['authors']['s_per_step'] / sides['ours']['s_per_step']
        amp_check = run_amp_check(method, args, log)
        failed |= not loss_ok or amp_check['status'] == 'failed'
        results[method] = dict(status='ok' if loss_ok else 'loss check failed',
                               batch=args.batch,
                               img_size=args.img,
                               precision='amp' if args.amp_on else 'fp32',
                               authors_precision='amp' if paper['amp'] else 'fp32',
                               warmup=args.warmup,
                               iters=args.iters,
                               first_step_rel_diff=rel,
                               loss_tol=tol,
                               sides=sides,
                               ratio_authors_over_ours=ratio,
                               notes=notes,
                               amp_check=amp_check,
                               seconds=time.perf_counter() - started)
        log(f'[{method}] first-step loss check: {rel:.2e} (tolerance {tol:g}): '
            f'{"OK" if loss_ok else "FAILED"}; s/step authors '
            f'{sides["authors"]["s_per_step"]:.4f}, '
            f'ours {sides["ours"]["s_per_step"]:.4f}, '
            f'ratio authors/ours {ratio:.2f}x; {time.perf_counter() - started:.0f} s')

    summary = dict(device=device_name,
                   torch=torch.__version__,
                   cudnn_benchmark=args.cudnn_benchmark and device.type == 'cuda',
                   dry_run=args.dry_run,
                   argv=sys.argv[1:] if argv is None else list(argv),
                   methods=results)
    with open(osp.join(args.out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    md = write_markdown(summary, args)
    with open(osp.join(args.out, 'summary.md'), 'w') as f:
        f.write(md)
    print(md)
    return 1 if failed else 0


def write_markdown(summary, args):
    out = [
        f'# Side by side with the authors: {summary["device"]}, torch '
        f'{summary["torch"]}' + (' (DRY RUN on the CPU)' if summary['dry_run'] else ''),
        '', f'cudnn.benchmark {summary["cudnn_benchmark"]} (both sides). '
        'ratio = authors\' s/step / ours (> 1: ours is faster). Peak GPU memory '
        'of a side: its weights, gradients, buffers and optimizer state plus its '
        'step\'s peak above what was allocated before it.', ''
    ]
    for method, r in summary['methods'].items():
        out.append(f'## {method}')
        out.append('')
        if r['status'] == 'failed':
            out += [f'FAILED: {r["error"]}', '']
            continue
        out.append(
            f'batch {r["batch"]}, {r["img_size"]}x{r["img_size"]}, '
            f'{r["precision"]} on both sides (the authors train with '
            f'{r["authors_precision"]}), {r["warmup"]} warm-up + {r["iters"]} timed '
            'steps per side, interleaved')
        out.append('')
        out.append('| side | s/step (median) | images/s | peak GPU memory (GiB) | '
                   'first-step loss |')
        out.append('| --- | ---: | ---: | ---: | ---: |')
        for name, s in r['sides'].items():
            mem = '-' if s['peak_gpu_gib'] is None else f'{s["peak_gpu_gib"]:.2f}'
            out.append(f'| {name} | {s["s_per_step"]:.4f} | {s["images_per_s"]:.2f} | '
                       f'{mem} | {s["first_loss"]:.6f} |')
        out.append('')
        out.append(f'- ratio authors/ours: {r["ratio_authors_over_ours"]:.2f}x')
        out.append(
            f'- first-step losses: relative difference {r["first_step_rel_diff"]:.2e}'
            f' (tolerance {r["loss_tol"]:g}): '
            f'{"OK" if r["status"] == "ok" else "FAILED"}')
        amp = r['amp_check']
        if amp['status'] == 'skipped':
            out.append(f'- our fp32 vs AMP check: skipped ({amp["reason"]})')
        else:
            out.append(f'- our fp32 vs AMP check ({amp["status"]}): '
                       f'{amp.get("result") or "no result"}')
        out += [f'- {note}' for note in r['notes']]
        out.append('')
    return '\n'.join(out)


if __name__ == '__main__':
    sys.exit(main())
