"""The test suite's shared helpers, imported by the test modules as ``helpers``
(``tests/`` is on ``sys.path``: see ``conftest.py``).

- tiny model configs: :data:`TINY_OCLIP`, :data:`WIDE_OCLIP`,
  :data:`TINY_WECROMCL`, :data:`TINY_DEFORMABLE_ENCODER`
- data samples and batches: :func:`text_sample`, :func:`make_batch`,
  :func:`detector_batch`, :func:`oclip_dataloader`, :func:`render_train_test`
- tools and processes: :func:`load_tool`, :func:`run`, :func:`mim`,
  :func:`latest`, :func:`free_port`, :func:`init_gloo`, :func:`spawn_gloo`, and
  the tiny oCLIP training runs (:func:`write_tiny_config`, :func:`train_env`,
  :func:`train_command`, :func:`read_losses`)
- the authors' checkpoint layouts: oCLIP (:func:`official_state_dict`) and
  WeCromCL (:func:`authors_shapes`, :func:`authors_state_dict`)
- anchor-point models and images: :func:`tiny_wecromcl`, :func:`save_model`,
  :func:`render_anchor_images`
"""
import importlib.util
import json
import math
import os
import os.path as osp
import re
import socket
import subprocess
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample, TextSpottingDataSample

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from mmocr_oclip.datasets.word_hash import word_hash, word_hashes

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MIM = osp.join(osp.dirname(sys.executable), 'mim')

# ------------------------------------------------------------ tiny model configs
# an OCLIP small enough for unit tests: C5 has 128 channels, widths of 16
TINY_OCLIP = dict(type='OCLIP',
                  backbone=dict(type='OCLIPResNet',
                                depth=50,
                                base_channels=4,
                                out_indices=(3, )),
                  neck=dict(type='AttentionPoolNeck',
                            in_channels=128,
                            embed_dim=16,
                            num_heads=4,
                            spatial_size=2),
                  text_encoder=dict(type='CharacterTextEncoder',
                                    width=16,
                                    num_layers=1,
                                    num_heads=2,
                                    embed_dim=16),
                  decoder=dict(type='VisualTextualDecoder',
                               embed_dim=16,
                               num_layers=1,
                               num_heads=2,
                               spatial_size=2),
                  data_preprocessor=dict(type='TextDetDataPreprocessor',
                                         mean=[127.5] * 3,
                                         std=[127.5] * 3,
                                         bgr_to_rgb=True,
                                         pad_size_divisor=32))

# an OCLIP with the full-width ResNet-50 (the backbone a detector loads) and a
# small text side
WIDE_OCLIP = dict(type='OCLIP',
                  backbone=dict(type='OCLIPResNet', depth=50, out_indices=(3, )),
                  neck=dict(type='AttentionPoolNeck', embed_dim=32, num_heads=8),
                  text_encoder=dict(type='CharacterTextEncoder',
                                    width=16,
                                    num_layers=1,
                                    num_heads=2,
                                    embed_dim=32),
                  decoder=dict(type='VisualTextualDecoder',
                               embed_dim=32,
                               num_layers=1,
                               num_heads=2))

# a WeCromCL small enough for unit tests (C2..C5 = 16, 32, 64, 128 channels),
# with this project's fixes of the authors' defects switched on (padding masked
# in the encoder, head and text encoder, mean over the real characters, false
# negatives masked, clamped temperature) and the 68-character dictionary with
# an end token; test_wecromcl_parity.py checks the authors' defaults
TINY_WECROMCL = dict(type='WeCromCL',
                     backbone=dict(type='mmdet.ResNet',
                                   depth=50,
                                   base_channels=4,
                                   out_indices=(0, 1, 2, 3),
                                   norm_eval=False),
                     neck=[
                         dict(type='BiFPN',
                              in_channels=[16, 32, 64, 128],
                              out_channels=16),
                         dict(type='MultiScaleConcatNeck',
                              in_channels=16,
                              branch_channels=8),
                     ],
                     encoder=dict(type='DeformableEncoder',
                                  in_channels=(24, 24),
                                  embed_dims=24,
                                  num_layers=2,
                                  num_heads=4,
                                  num_points=2,
                                  feedforward_channels=32,
                                  out_channels=16,
                                  num_groups=8),
                     text_encoder=dict(type='CharacterTextEncoder',
                                       width=16,
                                       num_layers=1,
                                       num_heads=2,
                                       embed_dim=16,
                                       causal=False,
                                       pooling='mean',
                                       mask_padding=True),
                     head=dict(type='TextQueryAttentionHead',
                               text_dims=16,
                               image_dims=16,
                               attn_dims=16),
                     tokenizer=dict(type='CharacterTokenizer',
                                    dict_file='lowercase_68.txt',
                                    max_len=26),
                     mask_padding=True,
                     mask_false_negatives=True,
                     max_logit_scale=math.log(100),
                     data_preprocessor=dict(type='TextDetDataPreprocessor',
                                            mean=[123.675, 116.28, 103.53],
                                            std=[58.395, 57.12, 57.375],
                                            bgr_to_rgb=True,
                                            pad_size_divisor=32))

# a DeformableEncoder alone, on two levels of 12 channels, no dropout
TINY_DEFORMABLE_ENCODER = dict(type='DeformableEncoder',
                               in_channels=(12, 12),
                               embed_dims=32,
                               num_layers=2,
                               num_heads=4,
                               num_points=2,
                               feedforward_channels=32,
                               dropout=0.0,
                               out_channels=16,
                               num_groups=8)


# ------------------------------------------------- data samples and batches
def text_sample(texts, img_shape, negatives=None):
    """A TextSpottingDataSample of an ``img_shape`` image with the words
    ``texts``; with ``negatives``, also the fields wecromcl_collate sets."""
    sample = TextSpottingDataSample(metainfo=dict(img_shape=img_shape))
    sample.gt_instances = InstanceData(texts=list(texts))
    if negatives is not None:
        sample.positive_text = texts[0]
        sample.negative_texts = list(negatives)
        sample.word_hashes = word_hashes(texts)
        sample.positive_hash = word_hash(texts[0])
    return sample


def make_batch(model, words, shapes, negatives=None, seed=0, training=True):
    """Random images of ``shapes`` with the words ``words`` (and, with
    ``negatives``, the fields of wecromcl_collate), through the model's data
    preprocessor."""
    g = torch.Generator().manual_seed(seed)
    samples = [
        text_sample(texts, shape, None if negatives is None else negatives[i])
        for i, (texts, shape) in enumerate(zip(words, shapes))
    ]
    inputs = [
        torch.randint(0, 255, (3, ) + s, generator=g, dtype=torch.uint8) for s in shapes
    ]
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples), training)


def detector_batch(detector, size, high=256):
    """One random ``size`` x ``size`` image (values below ``high``) for a text
    detector's ``predict``."""
    sample = TextDetDataSample(metainfo=dict(
        img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0)))
    return detector.data_preprocessor(
        dict(inputs=[torch.randint(0, high, (3, size, size), dtype=torch.uint8)],
             data_samples=[sample]), False)


def oclip_dataloader(data_root, pipeline, shuffle):
    """A train dataloader config of a rendered set (batches of 2, no workers)."""
    return dict(batch_size=2,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=shuffle),
                dataset=dict(type='OCLIPPretrainDataset',
                             data_root=str(data_root),
                             ann_file='textspotting_train.json',
                             data_prefix=dict(img_path=''),
                             pipeline=pipeline))


def render_train_test(root, num_train, num_test, img_size, font_size):
    """Render a train split (seed 0) and a test split (seed 1) of 1-3 words an
    image into ``root``."""
    common = dict(img_size=img_size, words_per_image=(1, 3), font_size=font_size)
    render_dataset(str(root), num_train, split='train', seed=0, **common)
    render_dataset(str(root), num_test, split='test', seed=1, **common)


# ------------------------------------------------------- tools and processes
def load_tool(path, name=None):
    """The script ``path`` (relative to the repository) as a module named
    ``name`` (default: ``tool_`` and the file's name)."""
    name = name or 'tool_' + osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args, cwd):
    """Run the command ``args`` from ``cwd``, return its output; fail with the
    output on error."""
    proc = subprocess.run(list(args),
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def mim(*args, cwd):
    """Run mim from ``cwd``, return its output; fail with the output on error."""
    return run(MIM, *args, cwd=cwd)


def latest(work):
    """The newest checkpoint of a work dir (older ones are rotated out)."""
    return (work / 'last_checkpoint').read_text().strip()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def init_gloo(rank, init_file, world_size):
    """Join the CPU (gloo) process group of a multi-process test."""
    dist.init_process_group('gloo',
                            init_method=f'file://{init_file}',
                            rank=rank,
                            world_size=world_size)


def spawn_gloo(worker, tmp_path, nprocs):
    """Run ``worker(rank, init_file, out_dir)`` in ``nprocs`` processes, with
    ``tmp_path`` as their output folder; return when all have finished."""
    mp.spawn(worker,
             args=(str(tmp_path / 'init'), str(tmp_path)),
             nprocs=nprocs,
             join=True)


# the tiny oCLIP of the training-process tests, as a config file on rendered
# 64x64 images
OCLIP_DEMO = osp.join(REPO, 'configs', 'pretrain',
                      'oclip_rn50-w16_1xb16-8e_synthetic.py')
TINY_OCLIP_TRAINING = """_base_ = [{base!r}]
img_size = 64
model = dict(backbone=dict(base_channels=4),
             neck=dict(in_channels=128, embed_dim=16, num_heads=4, spatial_size=2),
             text_encoder=dict(width=16, num_layers=1, num_heads=2, embed_dim=16),
             decoder=dict(embed_dim=16, num_layers=1, num_heads=2, spatial_size=2))
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_text=True, with_bbox=False,
         with_polygon=False, with_label=False),
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='TorchVisionWrapper', op='RandomResizedCrop', size=img_size,
         scale=(0.5, 1.0), interpolation=3),
    dict(type='PackOCLIPInputs'),
]
val_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_text=True, with_bbox=False,
         with_polygon=False, with_label=False),
    dict(type='SampleTextInstances', max_instances=2),
    dict(type='PackOCLIPInputs'),
]
train_dataloader = dict(batch_size=4, num_workers={num_workers},
                        persistent_workers=False,
                        dataset=dict(data_root={root!r}, pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, num_workers=0,
                      dataset=dict(data_root={root!r}, pipeline=val_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={max_epochs}, val_interval={val_interval})
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=2),
                     visualization=dict(enable=False))
log_processor = dict(window_size=1)
randomness = dict(seed=0, deterministic=True)
"""


def render_tiny_dataset(root, num_train=12, num_test=4):
    """Render ``num_train`` + ``num_test`` 64x64 images into ``root``."""
    render_train_test(root, num_train, num_test, img_size=(64, 64), font_size=(12, 24))


def write_tiny_config(path, data_root, max_epochs=3, val_interval=2, num_workers=1):
    """Write the tiny oCLIP training config to ``path``, return the path."""
    with open(path, 'w') as f:
        f.write(
            TINY_OCLIP_TRAINING.format(base=OCLIP_DEMO,
                                       root=str(data_root),
                                       max_epochs=max_epochs,
                                       val_interval=val_interval,
                                       num_workers=num_workers))
    return str(path)


def train_env(**extra):
    """The environment of a training subprocess: one thread, the repository
    importable."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', **extra)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO, env.get('PYTHONPATH')) if p)
    env['PATH'] = os.pathsep.join((osp.dirname(sys.executable), env['PATH']))
    return env


def train_command(config, work_dir, *args):
    """``python tools/train.py CONFIG --work-dir WORK_DIR ARGS``."""
    return [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), config, '--work-dir',
        str(work_dir), *args
    ]


# a config over the tiny one (file name BASE) with WeCromCL's kind of loop:
# iterations, an infinite sampler, checkpoints every 3 iterations
TINY_ITER_LOOP = """_base_ = ['./{base}']
train_dataloader = dict(sampler=dict(_delete_=True, type='InfiniteSampler',
                                     shuffle=True))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=8,
                 val_interval=3)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                        begin=0, end=8)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=3))
log_processor = dict(by_epoch=False)
"""


def start_until(marker, command, env, cwd, log):
    """Start ``command`` in a new session (output to the open file ``log``) and
    return the process once ``marker`` exists or the process has ended (300 s
    at most)."""
    proc = subprocess.Popen(command,
                            env=env,
                            cwd=cwd,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 300
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    return proc


def read_losses(work_dir):
    """``{iteration: record}`` of the training records of the latest run in
    ``work_dir`` (``<timestamp>/vis_data/scalars.json``)."""
    runs = sorted(d for d in os.listdir(work_dir)
                  if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    records = {}
    with open(osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')) as f:
        for line in f:
            record = json.loads(line)
            if 'loss' in record:
                records[record['iter']] = record
    return records


# ------------------------------------------------- the authors' oCLIP layout
# our key -> the authors', the tests' own inverse of the conversion
INVERSE_RULES = (
    (r'backbone\.stem\.0\.(.+)', r'visual.conv1.\1'),
    (r'backbone\.stem\.1\.(.+)', r'visual.bn1.\1'),
    (r'backbone\.stem\.3\.(.+)', r'visual.conv2.\1'),
    (r'backbone\.stem\.4\.(.+)', r'visual.bn2.\1'),
    (r'backbone\.stem\.6\.(.+)', r'visual.conv3.\1'),
    (r'backbone\.stem\.7\.(.+)', r'visual.bn3.\1'),
    (r'backbone\.(.+)\.downsample\.1\.(.+)', r'visual.\1.downsample.0.\2'),
    (r'backbone\.(.+)\.downsample\.2\.(.+)', r'visual.\1.downsample.1.\2'),
    (r'backbone\.(.+)', r'visual.\1'),
    (r'neck\.(.+)', r'visual.attnpool.\1'),
    (r'text_encoder\.resblocks\.(.+)', r'transformer.resblocks.\1'),
    (r'text_encoder\.(.+)', r'\1'),
    (r'decoder\.resblocks\.(.+)', r'transformer_decoder.resblocks.\1'),
    (r'decoder\.ln_final\.(.+)', r'ln_final_decoder.\1'),
    (r'decoder\.(.+)', r'\1'),
    (r'(logit_scale)', r'\1'),
)


def to_official(key):
    for pattern, theirs in INVERSE_RULES:
        match = re.fullmatch(pattern, key)
        if match:
            return match.expand(theirs)
    raise KeyError(key)


def official_state_dict(model, prefix='module.'):
    """The authors' layout of the OCLIP ``model``: random values, no
    num_batches_tracked nor dictionary_codes, ``image_pos`` with a leading 1."""
    generator = torch.Generator().manual_seed(0)
    state_dict = {}
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked') or key == 'dictionary_codes':
            continue
        value = torch.randn(value.shape, generator=generator)
        if key == 'decoder.image_pos':
            value = value[None]
        state_dict[prefix + to_official(key)] = value
    return state_dict


# ---------------------------------------------- the authors' WeCromCL layout
SYNTHTEXT = osp.join(REPO, 'configs', 'pretrain',
                     'wecromcl_r50_1xb16-200k_synthtext.py')

# The authors' alphabet in token-id order (id = index + 1, 0 = padding),
# written out: their YAML string lower-cased, first occurrences kept (the
# backslash of the YAML's \' comes before the quote and the \\ repeats it)
ALPHABET = ('0123456789abcdefghijklmnopqrstuvwxyz !"#$%&\\\'()*+,-./:;<=>?@[]^_`{|}~')
CONTEXT = 25

# small widths of the authors' architecture (theirs: ResNet-50 base 64, BiFPN
# 256, branches 64 (192 concatenated), encoder 192 / FFN 256 / 8 heads / 4
# points / 6 layers, 512 outputs, text width 512 / 12 layers / 8 heads)
SMALL = dict(base=4,
             ndim=16,
             branch=8,
             heads=4,
             points=2,
             layers=2,
             ffn=32,
             out=16,
             text_width=16,
             text_layers=2,
             text_heads=2)
FULL = dict(base=64,
            ndim=256,
            branch=64,
            heads=8,
            points=4,
            layers=6,
            ffn=256,
            out=512,
            text_width=512,
            text_layers=12,
            text_heads=8)


def small_cfg_options(w=SMALL):
    """--cfg-options giving the SynthText config's model the widths ``w``."""
    d = 3 * w['branch']
    c = [w['base'] * 4 * 2**i for i in range(4)]
    return {
        'model.backbone.init_cfg': None,
        'model.backbone.base_channels': w['base'],
        'model.neck.0.in_channels': c,
        'model.neck.0.out_channels': w['ndim'],
        'model.neck.1.in_channels': w['ndim'],
        'model.neck.1.branch_channels': w['branch'],
        'model.encoder.in_channels': (d, d),
        'model.encoder.embed_dims': d,
        'model.encoder.num_heads': w['heads'],
        'model.encoder.num_points': w['points'],
        'model.encoder.num_layers': w['layers'],
        'model.encoder.feedforward_channels': w['ffn'],
        'model.encoder.out_channels': w['out'],
        'model.encoder.num_groups': 8 if d % 32 else 32,
        'model.text_encoder.width': w['text_width'],
        'model.text_encoder.num_layers': w['text_layers'],
        'model.text_encoder.num_heads': w['text_heads'],
        'model.text_encoder.embed_dim': w['out'],
        'model.head.text_dims': w['out'],
        'model.head.image_dims': w['out'],
        'model.head.attn_dims': w['out'],
    }


def authors_shapes(w=SMALL):
    """{key: shape} of the authors' stage-1 model (keys without ``module.``)."""
    shapes = {}

    def bn(prefix, c):
        shapes.update({
            f'{prefix}.weight': (c, ),
            f'{prefix}.bias': (c, ),
            f'{prefix}.running_mean': (c, ),
            f'{prefix}.running_var': (c, ),
            f'{prefix}.num_batches_tracked': ()
        })

    # torchvision ResNet-50
    base = w['base']
    shapes['backbone.conv1.weight'] = (base, 3, 7, 7)
    bn('backbone.bn1', base)
    inplanes = base
    for i, blocks in enumerate((3, 4, 6, 3)):
        planes = base * 2**i
        for j in range(blocks):
            p = f'backbone.layer{i + 1}.{j}'
            shapes[f'{p}.conv1.weight'] = (planes, inplanes, 1, 1)
            bn(f'{p}.bn1', planes)
            shapes[f'{p}.conv2.weight'] = (planes, planes, 3, 3)
            bn(f'{p}.bn2', planes)
            shapes[f'{p}.conv3.weight'] = (planes * 4, planes, 1, 1)
            bn(f'{p}.bn3', planes * 4)
            if j == 0:
                shapes[f'{p}.downsample.0.weight'] = (planes * 4, inplanes, 1, 1)
                bn(f'{p}.downsample.1', planes * 4)
            inplanes = planes * 4
    shapes['backbone.fc.weight'] = (1000, inplanes)
    shapes['backbone.fc.bias'] = (1000, )
    # BiFPN: input projections in the first block only
    ndim = w['ndim']
    for level in range(2, 6):
        p = f'repeated_bifpn.0.fpn_in{level}'
        shapes[f'{p}.0.weight'] = (ndim, base * 4 * 2**(level - 2), 3, 3)
        bn(f'{p}.1', ndim)
    for block in range(2):
        p = f'repeated_bifpn.{block}'
        for name, n in (('w_4_5', 2), ('w_3_4', 2), ('w_2_3', 2), ('w_2up_3in_3up', 3),
                        ('w_3up_4in_4up', 3), ('w_5in_5up', 2)):
            shapes[f'{p}.{name}'] = (n, )
        for name in ('conv4_up', 'conv3_up', 'conv2_up', 'conv3_out', 'conv4_out',
                     'conv5_out'):
            shapes[f'{p}.{name}.weight'] = (ndim, ndim, 1, 1)
    # concat neck
    branch = w['branch']
    for name in ('fpn_out5_3.0', 'fpn_out4_3.0', 'fpn_out3_3.0', 'fpn_out4_2.0',
                 'fpn_out3_2.0', 'fpn_out2_2'):
        shapes[f'{name}.0.weight'] = (branch, ndim, 3, 3)
        bn(f'{name}.1', branch)
    # deformable encoder
    d, heads, points = 3 * branch, w['heads'], w['points']
    for level in range(2):
        shapes[f'encoder.input_proj.{level}.0.weight'] = (d, d, 1, 1)
        shapes[f'encoder.input_proj.{level}.0.bias'] = (d, )
        shapes[f'encoder.input_proj.{level}.1.weight'] = (d, )
        shapes[f'encoder.input_proj.{level}.1.bias'] = (d, )
    shapes['encoder.level_embed'] = (2, d)
    for n in range(w['layers']):
        p = f'encoder.encoder.layers.{n}'
        sizes = dict(sampling_offsets=heads * 2 * points * 2,
                     attention_weights=heads * 2 * points,
                     value_proj=d,
                     output_proj=d)
        for name, rows in sizes.items():
            shapes[f'{p}.self_attn.{name}.weight'] = (rows, d)
            shapes[f'{p}.self_attn.{name}.bias'] = (rows, )
        shapes[f'{p}.linear1.weight'] = (w['ffn'], d)
        shapes[f'{p}.linear1.bias'] = (w['ffn'], )
        shapes[f'{p}.linear2.weight'] = (d, w['ffn'])
        shapes[f'{p}.linear2.bias'] = (d, )
        for norm in ('norm1', 'norm2'):
            shapes[f'{p}.{norm}.weight'] = (d, )
            shapes[f'{p}.{norm}.bias'] = (d, )
    out = w['out']
    shapes['channel_to_512.0.weight'] = (out, d, 1, 1)
    # text side
    tw = w['text_width']
    for n in range(w['text_layers']):
        p = f'text_encoder.resblocks.{n}'
        shapes[f'{p}.attn.in_proj_weight'] = (3 * tw, tw)
        shapes[f'{p}.attn.in_proj_bias'] = (3 * tw, )
        shapes[f'{p}.attn.out_proj.weight'] = (tw, tw)
        shapes[f'{p}.attn.out_proj.bias'] = (tw, )
        shapes[f'{p}.mlp.c_fc.weight'] = (4 * tw, tw)
        shapes[f'{p}.mlp.c_fc.bias'] = (4 * tw, )
        shapes[f'{p}.mlp.c_proj.weight'] = (tw, 4 * tw)
        shapes[f'{p}.mlp.c_proj.bias'] = (tw, )
        for ln in ('ln_1', 'ln_2'):
            shapes[f'{p}.{ln}.weight'] = (tw, )
            shapes[f'{p}.{ln}.bias'] = (tw, )
    shapes['token_embedding.weight'] = (71, tw)
    shapes['positional_embedding'] = (CONTEXT, tw)
    shapes['ln_final.weight'] = (tw, )
    shapes['ln_final.bias'] = (tw, )
    shapes['text_projection'] = (tw, out)
    for name in ('q_proj', 'k_proj', 'v_proj', 'c_proj'):
        shapes[f'attn_pool.{name}.weight'] = (out, out)
        shapes[f'attn_pool.{name}.bias'] = (out, )
    shapes['logit_scale'] = ()
    return shapes


def authors_state_dict(w=SMALL, seed=0, prefix='module.'):
    """A synthetic authors' checkpoint: random weights of sensible scale."""
    g = torch.Generator().manual_seed(seed)
    state_dict = {}
    for key, shape in authors_shapes(w).items():
        if key.endswith('num_batches_tracked'):
            value = torch.tensor(7)
        elif key.endswith('running_var'):
            value = torch.rand(shape, generator=g) + 0.5
        elif key.endswith(('running_mean', '.bias')) and len(shape) == 1:
            value = torch.randn(shape, generator=g) * 0.1
        elif key == 'logit_scale':
            value = torch.tensor(math.log(1 / 0.07))
        elif key.startswith('repeated_bifpn') and len(shape) == 1:
            value = torch.rand(shape, generator=g) + 0.2  # fusion weights
        elif len(shape) == 1 or key.endswith('_embed'):
            # norm weights, level embedding
            value = 1 + torch.randn(shape, generator=g) * 0.1
        else:
            fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
            value = torch.randn(shape, generator=g) / math.sqrt(fan_in)
            if key.endswith(('token_embedding.weight', 'positional_embedding')):
                value = torch.randn(shape, generator=g) * 0.1
            if 'sampling_offsets' in key:
                value = value * 2  # offsets of a few cells
        state_dict[prefix + key] = value
    return state_dict


# ------------------------------------------------------------ anchor-point models
WECROMCL_DEMO = osp.join(REPO,
                         'configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py')


def tiny_wecromcl():
    """The demo config's WeCromCL at widths 16-32, one encoder layer."""
    cfg = Config.fromfile(WECROMCL_DEMO)
    cfg.model.backbone.base_channels = 4
    cfg.model.neck = [
        dict(type='BiFPN', in_channels=[16, 32, 64, 128], out_channels=16,
             num_blocks=1),
        dict(type='MultiScaleConcatNeck', in_channels=16, branch_channels=8),
    ]
    cfg.model.encoder.update(in_channels=(24, 24),
                             embed_dims=24,
                             num_layers=1,
                             num_heads=2,
                             feedforward_channels=32,
                             out_channels=32,
                             num_groups=8)
    cfg.model.text_encoder.update(width=32, num_layers=1, num_heads=2, embed_dim=32)
    cfg.model.head.update(text_dims=32, image_dims=32, attn_dims=32)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step.type == 'Resize':
            step.scale = (96, 96)
    return cfg


def save_model(cfg, tmp_path, name):
    """Write ``cfg`` and a checkpoint of its randomly initialised model."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = tmp_path / f'{name}.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    config = tmp_path / f'{name}.py'
    cfg.dump(str(config))
    return str(config), str(ckpt)


# sizes that are not multiples of the strides: the last grid cells overhang
ANCHOR_IMG_SIZE = (70, 100)
ANCHOR_WORDS = ['cat', 'Cat', 'dog', 'emu!']


def render_anchor_images(root, num_images):
    """``num_images`` rendered test images of :data:`ANCHOR_WORDS` (2-4 each, a
    word may repeat) at :data:`ANCHOR_IMG_SIZE` in ``root``."""
    render_dataset(str(root),
                   num_images,
                   split='test',
                   seed=5,
                   img_size=ANCHOR_IMG_SIZE,
                   words=ANCHOR_WORDS,
                   words_per_image=(2, 4),
                   font_size=(12, 24))
    return root
