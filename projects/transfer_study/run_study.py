"""Does pre-training help a detector? A transfer study on real images, one command.

    python -m projects.transfer_study.run_study OUT_DIR \
        --train-ann data/totaltext_train/textspotting_train.json \
        [--test-ann FILE --test-img-root DIR] [--scale cpu|gpu] [--seeds 0 1 2] \
        [--stages render pretrain finetune report] [--pretrain-option KEY=VALUE ...]

Stages (each resumable: a finished stage is skipped, an interrupted training resumes
from its last checkpoint):

1. ``render``: a pre-training set that looks like scene text (many English words per
   image, DejaVu fonts, textured backgrounds, curved/rotated/perspective words) at
   the fine-tuning resolution, with the project's renderer; with ``wecromcl_render``
   (the cpu default) a second set for WeCromCL: a few of a small vocabulary of
   made-up words per image, the set it learns to read at CPU scale;
2. ``pretrain``: oCLIP on the first set (our CLIP ResNet-50 at base width ``width``),
   then its attention on two held-out real images (``attention_*.png``;
   ``*_outlines.png`` draw it over the words' outlines without the image); WeCromCL
   stage 1 on its set (MMDet's ResNet-50 at the same width, the CPU demo's narrow
   neck, encoder and text encoder; negatives drawn from the rendered training words),
   then, with ``wecromcl_english_iters``, on oCLIP's set from that model;
3. ``finetune``: the same PSENet (the pre-training's backbone at the same width +
   MMOCR's FPNC and PSENet head) from each pre-trained backbone and from random
   initialisation of the same backbone (``random``: our CLIP ResNet-50, oCLIP's;
   ``random_resnet``: MMDet's ResNet-50, WeCromCL's), on the first ``num_train``
   training images, one run per seed, the held-out set scored with MMOCR's
   HmeanIOUMetric during training (the learning curve) and after it;
4. ``report``: ``results.md`` / ``results.json`` (mean +- sd per initialisation,
   per-seed rows, each pre-training against the random init of its backbone and 2 sd
   of the seeds, the pre-trainings' own scores on the held-out rendered images),
   ``curves.png`` (held-out hmean and training loss against iteration, one colour
   per initialisation, each seed a thin line and the mean over seeds a thick one,
   titled with the model, the data and the scored split) and ``settings.json``
   (every setting; the exact configs are in ``configs/``).

Without ``--test-ann`` the last ``num_heldout`` images of ``--train-ann`` are held out
(never trained on). ``--scale gpu`` gives a larger setting for GPU machines.
"""
import argparse
import json
import math
import os
import os.path as osp
import statistics
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OCLIP_CFG = osp.join(REPO, 'configs', 'pretrain',
                     'oclip_rn50-w16_1xb16-8e_synthetic.py')
WECROMCL_CFG = osp.join(REPO, 'configs', 'pretrain',
                        'wecromcl_r50-w16_1xb16-400i_synthetic.py')
DET_CFG = osp.join(REPO, 'configs', 'textdet', 'psenet',
                   'psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py')

# settings by --scale: "cpu" takes about 1 h 40 min on a 2-core CPU (both
# pre-trainings, 3 seeds of 4 initialisations). wecromcl_render: WeCromCL's own
# rendered set (``pseudo_words`` made-up words, ``words_per_image`` of them per
# ``img_size`` image, ``num_images`` training images), the one it learns to read at
# CPU scale; None: WeCromCL pre-trains on oCLIP's set (English words).
# wecromcl_english_iters (with wecromcl_render): then WeCromCL goes on for this many
# iterations on oCLIP's set (English words at the study's size), starting from the
# made-up-word reader (its weights, a fresh schedule): a curriculum; the fine-tunes
# start from this second stage. 0: off.
# pretrain_seed: the seed of both pre-trainings (the fine-tunings take --seeds)
SCALES = dict(
    cpu=dict(width=16,
             img_size=320,
             pretrain_images=2000,
             words_per_image=(4, 12),
             font_size=(12, 56),
             curved_ratio=0.3,
             pretrain_epochs=6,
             pretrain_batch=16,
             pretrain_seed=0,
             wecromcl_render=dict(pseudo_words=20,
                                  words_per_image=(2, 3),
                                  font_size=(18, 36),
                                  img_size=192,
                                  num_images=2000),
             wecromcl_iters=1600,
             wecromcl_english_iters=0,
             wecromcl_batch=16,
             finetune_epochs=5,
             finetune_batch=8,
             val_every=1,
             workers=2),
    gpu=dict(width=64,
             img_size=640,
             pretrain_images=100000,
             words_per_image=(4, 16),
             font_size=(14, 96),
             curved_ratio=0.3,
             pretrain_epochs=40,
             pretrain_batch=64,
             pretrain_seed=0,
             wecromcl_render=None,
             wecromcl_iters=60000,
             wecromcl_english_iters=0,
             wecromcl_batch=16,
             finetune_epochs=300,
             finetune_batch=16,
             val_every=20,
             workers=8),
)
INITS = ('random', 'oclip', 'random_resnet', 'wecromcl')
# pre-training -> the random initialisation of the same backbone it is compared with
BASELINE = dict(oclip='random', wecromcl='random_resnet')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 2)[2])
    parser.add_argument('out_dir', help='everything the study writes goes here')
    parser.add_argument('--train-ann',
                        default='data/totaltext_train/textspotting_train.json',
                        help='MMOCR text-spotting/textdet JSON of the training images')
    parser.add_argument('--train-img-root',
                        help='folder img_path is relative to (default: the folder '
                        'of --train-ann)')
    parser.add_argument('--num-train', type=int, default=1051)
    parser.add_argument('--num-heldout', type=int, default=200)
    parser.add_argument('--test-ann',
                        help='score this set instead of the held-out part')
    parser.add_argument('--test-img-root',
                        help='folder the --test-ann img_path are relative to '
                        '(default: its folder)')
    parser.add_argument('--scale', choices=sorted(SCALES), default='cpu')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--inits', nargs='+', choices=INITS, default=list(INITS))
    parser.add_argument('--stages',
                        nargs='+',
                        choices=('render', 'pretrain', 'finetune', 'report'),
                        default=['render', 'pretrain', 'finetune', 'report'])
    parser.add_argument('--set',
                        nargs='+',
                        default=[],
                        metavar='NAME=VALUE',
                        help='override a setting of --scale, e.g. finetune_epochs=10')
    parser.add_argument('--pretrain-option',
                        nargs='+',
                        default=[],
                        metavar='KEY=VALUE',
                        help='--cfg-options for the oCLIP pre-training config, e.g. '
                        'model.loss_mask.loss_weight=0 (no masked-character loss)')
    return parser.parse_args(argv)


def settings_of(args):
    """The --scale preset with --set applied (values parsed as JSON if they can)."""
    settings = dict(SCALES[args.scale])
    for item in args.set:
        name, _, value = item.partition('=')
        if name not in settings:
            raise SystemExit(f'--set {item}: unknown setting {name!r}; known: '
                             f'{", ".join(sorted(settings))}')
        try:
            settings[name] = json.loads(value)
        except json.JSONDecodeError:
            settings[name] = value
    if settings['wecromcl_english_iters'] and not settings['wecromcl_render']:
        raise SystemExit('--set wecromcl_english_iters needs wecromcl_render: without '
                         'its own set WeCromCL already pre-trains on the English one')
    return settings


def read_json(path):
    from mmocr_oclip.datasets.annotation_file import load_json_file
    return load_json_file(path)


def write_json(path, data):
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(data, f)
    os.replace(tmp, path)


def prepare_splits(args, out):
    """``data/train.json`` (the first num_train images) and the evaluation set:
    ``--test-ann`` or ``data/heldout.json`` (the last num_heldout images)."""
    if not osp.isfile(args.train_ann):
        raise SystemExit(f'--train-ann: file {args.train_ann!r} not found; point it at '
                         'an MMOCR text-spotting JSON of Total-Text training images')
    ann = read_json(args.train_ann)
    items = ann['data_list']
    if args.num_train + (0 if args.test_ann else args.num_heldout) > len(items):
        raise SystemExit(f'{args.train_ann} has {len(items)} images, fewer than '
                         f'--num-train {args.num_train} + --num-heldout '
                         f'{args.num_heldout}')
    train_root = args.train_img_root or osp.dirname(osp.abspath(args.train_ann))
    train = dict(ann_file=osp.join(out, 'data', 'train.json'), img_root=train_root)
    write_json(train['ann_file'],
               dict(metainfo=ann.get('metainfo', {}), data_list=items[:args.num_train]))
    if args.test_ann:
        if not osp.isfile(args.test_ann):
            raise SystemExit(f'--test-ann: file {args.test_ann!r} not found')
        test = dict(ann_file=osp.abspath(args.test_ann),
                    img_root=args.test_img_root
                    or osp.dirname(osp.abspath(args.test_ann)))
    else:
        test = dict(ann_file=osp.join(out, 'data', 'heldout.json'), img_root=train_root)
        write_json(
            test['ann_file'],
            dict(metainfo=ann.get('metainfo', {}), data_list=items[-args.num_heldout:]))
    return train, test


def set_transform(pipeline, name, **values):
    """Update every transform of type ``name`` in ``pipeline`` (must exist)."""
    found = [t for t in pipeline if t['type'] == name]
    if not found:
        raise KeyError(f'no {name} in the pipeline {[t["type"] for t in pipeline]}')
    for transform in found:
        transform.update(values)


def loaders(cfg, batch_size, workers):
    """Training batch size; data workers of every dataloader."""
    cfg.train_dataloader.batch_size = batch_size
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].update(num_workers=workers, persistent_workers=workers > 0)


def oclip_config(s, data_root, seed, options):
    """The pre-training config: the CPU demo's oCLIP at the study's width/size."""
    from mmengine.config import DictAction

    from mmocr_oclip.utils import load_config
    cfg = load_config(OCLIP_CFG, dict(data_root=data_root))
    w, size, epochs = s['width'], s['img_size'], s['pretrain_epochs']
    cfg.model.backbone.base_channels = w
    cfg.model.neck.update(in_channels=32 * w, spatial_size=size // 32)
    cfg.model.decoder.spatial_size = size // 32
    set_transform(cfg.train_dataloader.dataset.pipeline,
                  'TorchVisionWrapper',
                  size=size)
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        set_transform(loader.dataset.pipeline, 'Resize', scale=(size, size))
    loaders(cfg, s['pretrain_batch'], s['workers'])
    cfg.train_cfg.update(max_epochs=epochs, val_interval=epochs)
    cosine = cfg.param_scheduler[-1]
    cosine.update(end=epochs, T_max=epochs)
    cfg.default_hooks.checkpoint.update(interval=1, max_keep_ckpts=1)
    cfg.randomness = dict(seed=seed)
    if options:
        parsed = argparse.Namespace()
        DictAction(option_strings=[], dest='o')(None, parsed, options)
        cfg.merge_from_dict(parsed.o)
    return cfg


def wecromcl_config(s, data_root, seed, english=False):
    """The pre-training config: the CPU demo's WeCromCL at the study's width and
    its images' size, its negatives drawn from ``data_root/vocab.txt``;
    ``english``: the second stage of ``wecromcl_english_iters`` (oCLIP's images)."""
    from mmocr_oclip.utils import load_config
    cfg = load_config(WECROMCL_CFG, dict(data_root=data_root))
    w = s['width']
    iters = s['wecromcl_english_iters'] if english else s['wecromcl_iters']
    own = s['wecromcl_render'] and not english
    size = s['wecromcl_render']['img_size'] if own else s['img_size']
    cfg.model.backbone.base_channels = w
    cfg.model.neck[0].in_channels = [4 * w, 8 * w, 16 * w, 32 * w]
    set_transform(cfg.train_dataloader.dataset.pipeline,
                  'RandomShortSideResize',
                  short_sides=(size, ),
                  max_long_side=size)
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        set_transform(loader.dataset.pipeline, 'Resize', scale=(size, size))
    cfg.train_dataloader.collate_fn.sampler.vocab_file = osp.join(
        data_root, 'vocab.txt')
    loaders(cfg, s['wecromcl_batch'], s['workers'])
    cfg.train_cfg.update(max_iters=iters, val_interval=iters)
    warmup = min(cfg.param_scheduler[0].end, iters // 2)  # short smoke runs
    cfg.param_scheduler[0].end = warmup
    cfg.param_scheduler[-1].update(begin=warmup, end=iters)
    cfg.default_hooks.checkpoint.update(interval=max(iters // 5, 1), max_keep_ckpts=1)
    cfg.default_hooks.logger.log_metric_by_epoch = False
    cfg.randomness = dict(seed=seed)
    return cfg


def psenet_config(s, train, test, init, init_checkpoint, seed):
    """The fine-tuning config: the demo's PSENet at the study's width/size, with
    the backbone of the pre-training ``init`` is (or is the baseline of)."""
    from mmocr_oclip.utils import load_config
    cfg = load_config(DET_CFG)
    w, size, epochs = s['width'], s['img_size'], s['finetune_epochs']
    if init in ('wecromcl', BASELINE['wecromcl']):
        cfg.model.backbone = load_config(WECROMCL_CFG).model.backbone
    cfg.model.backbone.base_channels = w
    cfg.model.backbone.init_cfg = (None if init_checkpoint is None else dict(
        type='Pretrained', checkpoint=init_checkpoint, prefix='backbone.'))
    cfg.model.neck.in_channels = [4 * w, 8 * w, 16 * w, 32 * w]
    pipeline = cfg.train_dataloader.dataset.pipeline
    set_transform(pipeline, 'Resize', scale=(size, size))
    set_transform(pipeline, 'TextDetRandomCrop', target_size=(size, size))
    set_transform(pipeline, 'Pad', size=(size, size))
    cfg.train_dataloader.dataset.update(data_root='',
                                        ann_file=train['ann_file'],
                                        data_prefix=dict(img_path=train['img_root']))
    loaders(cfg, s['finetune_batch'], s['workers'])
    set_transform(cfg.val_dataloader.dataset.pipeline, 'Resize', scale=(size, size))
    cfg.val_dataloader.dataset.update(data_root='',
                                      ann_file=test['ann_file'],
                                      data_prefix=dict(img_path=test['img_root']))
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.update(max_epochs=epochs, val_interval=s['val_every'])
    cfg.param_scheduler = [dict(type='PolyLR', power=0.9, end=epochs)]
    cfg.default_hooks.checkpoint.update(interval=1, max_keep_ckpts=1)
    cfg.default_hooks.logger.interval = 20
    cfg.randomness = dict(seed=seed)
    return cfg


def finished(work_dir, epochs):
    return osp.isfile(osp.join(work_dir, f'epoch_{epochs}.pth'))


def build_vocabulary(data_root, logs):
    """``data_root/vocab.txt``: the rendered training words, WeCromCL's negatives."""
    from projects.common.log_progress import run_logged
    vocab = osp.join(data_root, 'vocab.txt')
    if not osp.isfile(vocab):
        run_logged([
            sys.executable,
            osp.join(REPO, 'tools', 'build_vocabulary.py'), '--ann-files',
            osp.join(data_root, 'textspotting_train.json'), '--out', vocab,
            '--lowercase', '--dict-file', 'lowercase_68.txt', '--min-len', '1'
        ], osp.join(logs, f'vocabulary_{osp.basename(data_root)}.log'), 'vocabulary')


def train(cfg, config_file, work_dir, label, logs):
    """``tools/train.py`` (what ``mim train`` runs), resuming an interrupted run."""
    from projects.common.log_progress import run_logged
    cfg.dump(config_file)
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), config_file, '--work-dir', work_dir
    ]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        cmd.append('--resume')
    run_logged(cmd, osp.join(logs, f'{label}.log'), label)


def wecromcl_data_root(s, out):
    """Where WeCromCL's pre-training images are: its own set or oCLIP's."""
    return osp.join(out, 'wecromcl_data' if s['wecromcl_render'] else 'pretrain_data')


def wecromcl_checkpoints(s, out):
    """(the first stage's checkpoint, the one the fine-tunes start from): the
    same unless ``wecromcl_english_iters`` adds the English stage."""
    first = osp.join(out, 'runs', 'wecromcl', f'iter_{s["wecromcl_iters"]}.pth')
    english = s['wecromcl_english_iters']
    return first, (osp.join(out, 'runs', 'wecromcl_english', f'iter_{english}.pth')
                   if english else first)


def render_set(root, num_train, workers, **renderer_cfg):
    """``num_train`` training and 64 held-out rendered images in ``root``."""
    from mmocr_oclip.datasets.preparers.rendering import render_dataset
    for split, num, seed in (('train', num_train, 0), ('test', 64, 1)):
        if osp.isfile(osp.join(root, f'textspotting_{split}.json')):
            print(f'[study] {root} {split} exists, keeping it')
            continue
        summary = render_dataset(root,
                                 num,
                                 split=split,
                                 seed=seed,
                                 workers=workers,
                                 **renderer_cfg)
        print(f'[study] rendered {summary["num_images"]} {split} images with '
              f'{summary["num_words"]} words into {root} '
              f'({summary["images_per_sec"]:.1f} images/s)')


def render_stage(s, out, inits):
    """oCLIP's pre-training set (scene-text-like, English words, at the
    fine-tuning size) and WeCromCL's own set if ``wecromcl_render`` asks for one."""
    from mmocr_oclip.datasets.pseudo_words import pseudo_words
    from mmocr_oclip.utils import resolve_resource_file
    spec = s['wecromcl_render']
    english = not spec or s['wecromcl_english_iters']
    if 'oclip' in inits or ('wecromcl' in inits and english):
        render_set(osp.join(out, 'pretrain_data'),
                   s['pretrain_images'],
                   s['workers'],
                   img_size=(s['img_size'], s['img_size']),
                   words=resolve_resource_file('english_vocab.txt'),
                   words_per_image=tuple(s['words_per_image']),
                   font_size=tuple(s['font_size']),
                   curved_ratio=s['curved_ratio'])
    if 'wecromcl' in inits and spec:
        render_set(wecromcl_data_root(s, out),
                   spec['num_images'],
                   s['workers'],
                   img_size=(spec['img_size'], spec['img_size']),
                   words=pseudo_words(spec['pseudo_words'], seed=0),
                   words_per_image=tuple(spec['words_per_image']),
                   font_size=tuple(spec['font_size']))


def attention_pictures(out, cfg_file, checkpoint, test, logs, count=2):
    """oCLIP's decoder attention on the first held-out real images, queried with
    their first five annotated words, outlined: over the image
    (``attention_heldout_K.png``) and over a grey canvas without it
    (``..._outlines.png``, for images that may not be redistributed)."""
    from projects.common.log_progress import run_logged
    items = read_json(test['ann_file'])['data_list'][:count]
    for k, item in enumerate(items):
        words = [i['text'] for i in item['instances'] if not i.get('ignore')][:5]
        if not words:
            continue
        for suffix, extra in (('', []), ('_outlines', ['--hide-image'])):
            run_logged([
                sys.executable,
                osp.join(REPO, 'tools', 'visualize_attention.py'), cfg_file, checkpoint,
                osp.join(test['img_root'], item['img_path']), '--words', *words,
                '--ann', test['ann_file'], *extra, '--out',
                osp.join(out, f'attention_heldout_{k}{suffix}.png')
            ], osp.join(logs, f'attention_{k}{suffix}.log'), 'attention')


def scalar_rows(work_dir):
    """The rows of the scalars.json of every run folder of ``work_dir``, in run
    order (a resumed run continues in a new folder)."""
    for run in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        if osp.isfile(path):
            with open(path) as f:
                yield from map(json.loads, f)


def val_rows(work_dir):
    """(epoch, metrics) of each validation and (iter, loss) of each training log
    line of a run."""
    val, loss = {}, {}
    for row in scalar_rows(work_dir):
        if 'icdar/hmean' in row:
            val[row['step']] = {k: v for k, v in row.items() if '/' in k}
        elif 'loss' in row and 'iter' in row:
            loss[row['iter']] = row['loss']
    return sorted(val.items()), sorted(loss.items())


def summarise(values):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else float('nan')
    return mean, sd


def pooled_sd(summary, init, baseline):
    """The pooled seed sd of two initialisations' hmeans."""
    return math.sqrt(
        (summary[init]['hmean']['sd']**2 + summary[baseline]['hmean']['sd']**2) / 2)


def pretrain_scores(checkpoint):
    """The last validation scores of the run that wrote ``checkpoint`` (held-out
    rendered images), or None."""
    if not osp.isfile(checkpoint):
        return None
    scores = None
    for row in scalar_rows(osp.dirname(checkpoint)):
        metrics = {k: v for k, v in row.items() if '/' in k}
        if metrics and 'loss' not in row:
            scores = metrics
    return scores


# the legend's name of each initialisation (the backbone it initialises) and its colour
INIT_LABELS = dict(random='random init (CLIP ResNet-50)',
                   oclip='oCLIP pre-training (CLIP ResNet-50)',
                   random_resnet='random init (MMDet ResNet-50)',
                   wecromcl='WeCromCL pre-training (MMDet ResNet-50)')
INIT_COLOURS = dict(random='tab:gray',
                    oclip='tab:blue',
                    random_resnet='black',
                    wecromcl='tab:orange')
# path fragments -> the public benchmark's name, for the pictures' titles
KNOWN_DATA = (('totaltext', 'Total-Text'), ('total_text', 'Total-Text'),
              ('icdar2015', 'ICDAR 2015'), ('ctw1500', 'CTW1500'))


def data_name(ann_file):
    """The name of the set ``ann_file`` belongs to, for a picture's title: a
    known benchmark's name where its path says so, else its folder's name."""
    path = osp.abspath(ann_file).lower()
    for fragment, name in KNOWN_DATA:
        if fragment in path:
            return name
    return osp.basename(osp.dirname(osp.abspath(ann_file)))


def figure_title(args, s):
    """Model, data and what is compared, in words: the first line of the
    learning-curve picture's title."""
    return (f'PSENet (ResNet-50 backbones at base width {s["width"]}, '
            f'{s["img_size"]} px) fine-tuned on {args.num_train:,} '
            f'{data_name(args.train_ann)} images, by backbone initialisation')


def split_description(args):
    """What the hmean is scored on, in words."""
    if args.test_ann:
        return (f'{data_name(args.test_ann)} '
                f'{osp.basename(args.test_ann)}')
    return (f'the last {args.num_heldout:,} images of the {data_name(args.train_ann)} '
            'annotation, never trained on')


def curves_figure(curves, iters_per_epoch, title, split):
    """The learning curves of a report as a matplotlib Figure: held-out hmean
    (left) and training loss (right) against fine-tuning iteration, one colour
    per initialisation, each seed a thin line and the mean over the seeds a
    thick one; the title names the model and data (``title``) and the scored
    split (``split``).

    Args:
        curves (dict): ``{(init, seed): (val, loss)}`` as :func:`val_rows`
            reads them: ``val`` a list of ``(epoch, metrics)``, ``loss`` a list
            of ``(iteration, loss)``.
        iters_per_epoch (int): iterations of one fine-tuning epoch (the
            validations are drawn at ``epoch * iters_per_epoch``).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from projects.common.seed_curves import plot_seed_curves, seed_legend_handles
    fig, (ax_h, ax_l) = plt.subplots(1, 2, figsize=(12, 5.2), layout='constrained')
    entries = []
    for init in [i for i in INITS if any(k[0] == i for k in curves)]:
        seeds = sorted(seed for i, seed in curves if i == init)
        colour = INIT_COLOURS[init]
        hmeans = [[(e * iters_per_epoch, m['icdar/hmean'])
                   for e, m in curves[(init, seed)][0]] for seed in seeds]
        losses = [curves[(init, seed)][1] for seed in seeds]
        plot_seed_curves(ax_h, hmeans, colour)
        plot_seed_curves(ax_l, losses, colour, mean_style='-')
        entries.append((colour, INIT_LABELS[init], seeds))
    handles = seed_legend_handles(entries)
    ax_h.set(xlabel='fine-tuning iteration',
             ylabel='held-out hmean (HmeanIOUMetric, IoU 0.5)',
             title='held-out hmean')
    ax_l.set(xlabel='fine-tuning iteration',
             ylabel='training loss (PSENet)',
             title='training loss')
    for ax in (ax_h, ax_l):
        ax.grid(alpha=0.3)
    fig.suptitle(f'{title}\nheld-out hmean scored on {split}', fontsize=11)
    fig.legend(handles=handles, loc='outside lower center', ncol=3, fontsize=8)
    return fig


def report_stage(args, s, out, runs, checkpoints):
    """results.md / results.json / curves.png from the finished runs."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    iters_per_epoch = math.ceil(args.num_train / s['finetune_batch'])
    results, curves = {}, {}
    for (init, seed), work_dir in runs.items():
        if not finished(work_dir, s['finetune_epochs']):
            continue
        val, loss = val_rows(work_dir)
        results.setdefault(init, {})[seed] = val[-1][1]
        curves[(init, seed)] = (val, loss)
    scored_on = (args.test_ann
                 or f'the held-out {args.num_heldout} images of {args.train_ann}')
    lines = [
        '# Transfer study: PSENet on real images, by backbone initialisation', '',
        f'Fine-tuned on {args.num_train} training images, scored on '
        f'{scored_on}'
        ' (MMOCR HmeanIOUMetric, IoU 0.5); settings: settings.json.', '',
        '| initialisation | seeds | hmean (mean +- sd) | precision | recall '
        '| per seed |', '| --- | --- | --- | --- | --- | --- |'
    ]
    summary = {}
    for init in args.inits:
        per_seed = results.get(init, {})
        if not per_seed:
            continue
        stats = {
            key: summarise([m[f'icdar/{key}'] for m in per_seed.values()])
            for key in ('hmean', 'precision', 'recall')
        }
        summary[init] = dict(seeds={
            str(k): v
            for k, v in per_seed.items()
        },
                             **{
                                 k: dict(mean=m, sd=sd)
                                 for k, (m, sd) in stats.items()
                             })
        seeds = ', '.join(f's{k} {m["icdar/hmean"]:.3f}' for k, m in per_seed.items())
        lines.append(f'| {init} | {len(per_seed)} | {stats["hmean"][0]:.3f} +- '
                     f'{stats["hmean"][1]:.3f} | {stats["precision"][0]:.3f} | '
                     f'{stats["recall"][0]:.3f} | {seeds} |')
    lines.append('')
    for init, baseline in BASELINE.items():
        if init not in summary or baseline not in summary:
            continue
        diff = summary[init]['hmean']['mean'] - summary[baseline]['hmean']['mean']
        two_sd = 2 * pooled_sd(summary, init, baseline)
        verdict = 'a gain beyond seed noise' if diff > two_sd else 'within seed noise'
        summary[f'{init}_minus_{baseline}'] = dict(hmean=diff, two_sd=two_sd)
        lines.append(f'{init} - {baseline} init: {100 * diff:+.1f} hmean points; 2 sd '
                     f'of the seeds (pooled): {100 * two_sd:.1f} points -> {verdict}.')
    for init in BASELINE:
        scores = pretrain_scores(checkpoints[init]) if init in args.inits else None
        if scores:
            summary[f'{init}_pretraining'] = scores
            lines.append(f'{init} pre-training, scored on the held-out rendered '
                         'images: ' + ', '.join(f'{k} {v:.3f}'
                                                for k, v in sorted(scores.items())))
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    write_json(osp.join(out, 'results.json'), summary)
    fig = curves_figure(curves, iters_per_epoch, figure_title(args, s),
                        split_description(args))
    fig.savefig(osp.join(out, 'curves.png'), dpi=100)
    plt.close(fig)
    print('\n'.join(lines))
    print(f'[study] {osp.join(out, "results.md")}, {osp.join(out, "curves.png")}')


def main(argv=None):
    args = parse_args(argv)
    s = settings_of(args)
    out = osp.abspath(args.out_dir)
    logs, configs = osp.join(out, 'logs'), osp.join(out, 'configs')
    os.makedirs(logs, exist_ok=True)
    os.makedirs(configs, exist_ok=True)
    import mmocr_oclip  # noqa: F401  (registers modules, `mmocr_oclip::` configs)
    train_set, test_set = prepare_splits(args, out)
    write_json(
        osp.join(out, 'settings.json'),
        dict(scale=args.scale,
             settings=s,
             seeds=args.seeds,
             inits=args.inits,
             pretrain_options=args.pretrain_option,
             train=dict(train_set, num_images=args.num_train),
             test=test_set))
    pretrain_dir = osp.join(out, 'runs', 'oclip')
    pretrain_cfg = osp.join(configs, 'oclip_pretrain.py')
    wecromcl_first, wecromcl_final = wecromcl_checkpoints(s, out)
    checkpoints = dict(oclip=osp.join(pretrain_dir,
                                      f'epoch_{s["pretrain_epochs"]}.pth'),
                       wecromcl=wecromcl_final)
    data_root = osp.join(out, 'pretrain_data')
    if 'render' in args.stages:
        render_stage(s, out, args.inits)
    if 'pretrain' in args.stages and 'oclip' in args.inits:
        if osp.isfile(checkpoints['oclip']):
            print(f'[study] {checkpoints["oclip"]} exists, keeping it')
        else:
            cfg = oclip_config(s, data_root, s['pretrain_seed'], args.pretrain_option)
            train(cfg, pretrain_cfg, pretrain_dir, 'oclip_pretrain', logs)
        attention_pictures(out, pretrain_cfg, checkpoints['oclip'], test_set, logs)
    if 'pretrain' in args.stages and 'wecromcl' in args.inits:
        if osp.isfile(wecromcl_first):
            print(f'[study] {wecromcl_first} exists, keeping it')
        else:
            wecromcl_root = wecromcl_data_root(s, out)
            build_vocabulary(wecromcl_root, logs)
            train(wecromcl_config(s, wecromcl_root, s['pretrain_seed']),
                  osp.join(configs, 'wecromcl_pretrain.py'),
                  osp.dirname(wecromcl_first), 'wecromcl_pretrain', logs)
        if wecromcl_final != wecromcl_first:  # the English stage
            if osp.isfile(wecromcl_final):
                print(f'[study] {wecromcl_final} exists, keeping it')
            else:
                build_vocabulary(data_root, logs)
                cfg = wecromcl_config(s, data_root, s['pretrain_seed'], english=True)
                cfg.load_from = wecromcl_first
                train(cfg, osp.join(configs, 'wecromcl_english.py'),
                      osp.dirname(wecromcl_final), 'wecromcl_english', logs)
    runs = {
        (init, seed): osp.join(out, 'runs', f'psenet_{init}_s{seed}')
        for init in args.inits
        for seed in args.seeds
    }
    if 'finetune' in args.stages:
        for (init, seed), work_dir in runs.items():
            if finished(work_dir, s['finetune_epochs']):
                print(f'[study] {work_dir} finished, keeping it')
                continue
            checkpoint = checkpoints.get(init)
            if checkpoint is not None and not osp.isfile(checkpoint):
                raise SystemExit(
                    f'{checkpoint} not found: run the pretrain stage first')
            cfg = psenet_config(s, train_set, test_set, init, checkpoint, seed)
            train(cfg, osp.join(configs, f'psenet_{init}_s{seed}.py'), work_dir,
                  f'psenet_{init}_s{seed}', logs)
    if 'report' in args.stages:
        report_stage(args, s, out, runs, checkpoints)


if __name__ == '__main__':
    main()
