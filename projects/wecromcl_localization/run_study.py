"""Do WeCromCL's activation maps find the queried word? A study on rendered images.

    python -m projects.wecromcl_localization.run_study OUT_DIR \
        [--variants paper in_image ...] [--seeds 0 1] [--iters 1600] \
        [--val-every 200] [--init-from CHECKPOINT] [--stages render train report]

Every variant is the CPU-sized WeCromCL of ``make demo``
(``configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py``) trained on one
rendered set (:data:`DATA_SETS`: vocabulary size, words per image, font sizes) with
its own config options (:data:`VARIANTS`), for ``--iters`` iterations, the held-out
rendered images (64, same vocabulary, other seed) scored every ``--val-every``
iterations with :class:`AnchorPointMetric`: ``inside_hmean`` (a word's peak inside
its own polygon), ``own_word_rate`` (on images with >= 2 words: does each word's
top peak fall inside its own polygon, not on the image's other text?) and the
authors' nearest-point ``hmean``. Each run is also scored at its random
initialisation (the same seed), the baseline of every number. ``--init-from
CHECKPOINT`` starts every run from a trained model instead (a curriculum step:
the weights only, a fresh schedule), which is then scored too.

Stages (resumable: a rendered set, a finished run or a random-init score is kept):
``render`` (tools/render_synthetic_text.py + tools/build_vocabulary.py),
``train`` (tools/train.py, then tools/save_random_init.py + tools/test.py),
``real`` (with ``--real-ann``, real images such as Total-Text's in MMOCR's
text-spotting JSON: the first ``--real-num-train`` images fine-tune each variant's
final rendered-data model and, the baseline, the same model from random
initialisation; the last ``--real-num-heldout`` images score both and the
rendered-only model; words shorter than 3 characters and ``###`` are left out, as
the authors do for Total-Text) and ``report`` (``results.md``, ``results.json``,
``curves.png``; configs in ``configs/``, whole logs in ``logs/``).
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE_CFG = osp.join(REPO, 'configs', 'pretrain',
                    'wecromcl_r50-w16_1xb16-400i_synthetic.py')

# rendered sets: made-up pronounceable words, 192x192, 640 training / 64 held-out
DATA_SETS = dict(
    w20_k2_3=dict(pseudo_words=20, words_per_image=(2, 3), font_size=(18, 36)),
    w20_k4_6=dict(pseudo_words=20, words_per_image=(4, 6), font_size=(16, 30)),
    w100_k4_6=dict(pseudo_words=100, words_per_image=(4, 6), font_size=(16, 30)),
    w100_k2_3=dict(pseudo_words=100, words_per_image=(2, 3), font_size=(18, 36)),
)
IN_IMAGE = {
    'model.in_image_loss': dict(type='InImageWordContrastiveLoss'),
    'train_dataloader.collate_fn.in_image_words': 4,
}
OUR_TEXT_MEAN = {
    'model.text_encoder.pooling': 'mean',
    'model.text_encoder.mask_padding': True,
}
# name -> rendered set and config options (the demo config with these merged)
VARIANTS = dict(
    paper=dict(data='w20_k2_3', options={}),
    in_image=dict(data='w20_k2_3', options=IN_IMAGE),
    text_mean=dict(data='w20_k2_3', options=OUR_TEXT_MEAN),
    in_image_text_mean=dict(data='w20_k2_3', options={
        **IN_IMAGE,
        **OUR_TEXT_MEAN
    }),
    paper_k4_6=dict(data='w20_k4_6', options={}),
    paper_w100=dict(data='w100_k2_3', options={}),
    in_image_k4_6=dict(data='w20_k4_6', options=IN_IMAGE),
    in_image_w100_k4_6=dict(data='w100_k4_6', options=IN_IMAGE),
)
METRICS = ('anchor/inside_hmean', 'anchor/own_word_rate', 'anchor/hmean')
STAGES = ('render', 'train', 'real', 'report')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('out_dir', help='everything the study writes goes here')
    parser.add_argument('--variants',
                        nargs='+',
                        choices=sorted(VARIANTS),
                        default=['paper', 'in_image'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--iters', type=int, default=1600)
    parser.add_argument('--val-every', type=int, default=200)
    parser.add_argument('--num-train', type=int, default=640)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--init-from',
                        metavar='CHECKPOINT',
                        help='start every run from this model (a curriculum step, '
                        'e.g. a model that reads 20 words moved on to 100); its '
                        'held-out scores are reported next to the random init\'s')
    parser.add_argument('--real-ann', help='text-spotting JSON of real images')
    parser.add_argument('--real-img-root',
                        help='folder their img_path is relative to (default: the '
                        'folder of --real-ann)')
    parser.add_argument('--real-num-train', type=int, default=1051)
    parser.add_argument('--real-num-heldout', type=int, default=200)
    parser.add_argument('--real-iters', type=int, default=600)
    parser.add_argument('--real-size',
                        type=int,
                        default=320,
                        help='short side of the real images (long side <= 1.6x)')
    parser.add_argument('--real-lr',
                        type=float,
                        help='AdamW learning rate of the real-image fine-tunes '
                        '(default: the rendered-data schedule\'s); given, it ends '
                        'their run names (real_<variant>_s<seed>_from_<start>_lr<LR>)')
    parser.add_argument('--stages',
                        nargs='+',
                        choices=STAGES,
                        default=['render', 'train', 'real', 'report'])
    args = parser.parse_args(argv)
    if args.iters < 1 or args.val_every < 1 or args.iters % args.val_every:
        parser.error(f'--iters ({args.iters}) must be a positive multiple of '
                     f'--val-every ({args.val_every})')
    if args.init_from and not osp.isfile(args.init_from):
        parser.error(f'--init-from: file {args.init_from!r} not found')
    if 'real' in args.stages and args.real_ann and not osp.isfile(args.real_ann):
        parser.error(f'--real-ann: file {args.real_ann!r} not found')
    return args


def run(cmd, logs, label):
    from projects.common.log_progress import run_logged
    run_logged([sys.executable] + cmd, osp.join(logs, f'{label}.log'), label)


def render_stage(name, root, args, logs):
    """The rendered set ``name`` (train + held-out test) and its vocabulary."""
    spec = DATA_SETS[name]
    common = [
        '--img-size', '192', '192', '--pseudo-words',
        str(spec['pseudo_words']), '--words-per-image',
        *map(str, spec['words_per_image']), '--font-size', *map(str, spec['font_size']),
        '--workers',
        str(args.workers)
    ]
    for split, num, seed in (('train', args.num_train, 0), ('test', 64, 1)):
        if osp.isfile(osp.join(root, f'textspotting_{split}.json')):
            continue
        run([
            osp.join(REPO, 'tools', 'render_synthetic_text.py'), root, '--split', split,
            '--num-images',
            str(num), '--seed',
            str(seed)
        ] + common, logs, f'render_{name}_{split}')
    vocab = osp.join(root, 'vocab.txt')
    if not osp.isfile(vocab):
        run([
            osp.join(REPO, 'tools', 'build_vocabulary.py'), '--ann-files',
            osp.join(root, 'textspotting_train.json'), '--out', vocab, '--lowercase',
            '--dict-file', 'lowercase_68.txt', '--min-len', '1'
        ], logs, f'vocabulary_{name}')


def study_config(variant, data_root, seed, args):
    """The demo's WeCromCL on ``data_root`` with the variant's options."""
    from mmocr_oclip.utils import load_config
    cfg = load_config(BASE_CFG, dict(data_root=data_root))
    cfg.merge_from_dict(VARIANTS[variant]['options'])
    iters = args.iters
    cfg.train_cfg.update(max_iters=iters, val_interval=args.val_every)
    warmup = min(cfg.param_scheduler[0].end, iters // 2)  # short smoke runs
    cfg.param_scheduler[0].end = warmup
    cfg.param_scheduler[-1].update(begin=warmup, end=iters)
    cfg.default_hooks.checkpoint.update(interval=args.val_every, max_keep_ckpts=1)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].update(num_workers=args.workers, persistent_workers=args.workers > 0)
    cfg.default_hooks.logger.log_metric_by_epoch = False  # scores at their iteration
    cfg.randomness = dict(seed=seed)
    if args.init_from:
        cfg.load_from = osp.abspath(args.init_from)
    return cfg


def scalars(work_dir, key=METRICS[0]):
    """(step, metrics) of every scoring of a work dir, by step (a resumed run
    writes a new run folder: all are read)."""
    rows = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if key in row:
                    rows[row.get('step', 0)] = {k: row[k] for k in METRICS if k in row}
    return sorted(rows.items())


def train_run(config, work_dir, iters, logs, label):
    """tools/train.py of ``config`` unless ``iter_<iters>.pth`` exists; an
    interrupted run resumes."""
    if osp.isfile(osp.join(work_dir, f'iter_{iters}.pth')):
        return
    cmd = [osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        cmd.append('--resume')
    run(cmd, logs, label)


def train_stage(variant, seed, data_root, out, args, logs):
    """Train one run (resuming), then score its random initialisation and,
    with ``--init-from``, the model it started from."""
    label = f'{variant}_s{seed}'
    work_dir = osp.join(out, 'runs', label)
    config = osp.join(out, 'configs', f'{label}.py')
    cfg = study_config(variant, data_root, seed, args)
    cfg.dump(config)
    train_run(config, work_dir, args.iters, logs, label)
    init_dir = osp.join(out, 'runs', f'{label}_random_init')
    if test_scores(init_dir) is None:
        init = osp.join(init_dir, 'random_init.pth')
        run([
            osp.join(REPO, 'tools', 'save_random_init.py'), config, init, '--seed',
            str(seed)
        ], logs, f'{label}_random_init')
        run([osp.join(REPO, 'tools', 'test.py'), config, init, '--work-dir', init_dir],
            logs, f'{label}_test_random_init')
    # the start model's score depends on the variant (data, options), not the seed
    start_dir = osp.join(out, 'runs', f'{variant}_start')
    if args.init_from and test_scores(start_dir) is None:
        run([
            osp.join(REPO, 'tools', 'test.py'), config, cfg.load_from, '--work-dir',
            start_dir
        ], logs, f'{variant}_test_start')


def test_scores(work_dir):
    """The metrics of a tools/test.py work dir (its run folder's JSON)."""
    for path in sorted(glob.glob(osp.join(work_dir, '*', '*.json'))):
        with open(path) as f:
            row = json.load(f)
        if METRICS[0] in row:
            return {k: row[k] for k in METRICS if k in row}
    return None


def real_splits(args, out, logs):
    """``real/train.json`` (first images), ``real/heldout.json`` (last images) and
    ``real/vocab.txt`` (the training words, the negatives)."""
    from mmocr_oclip.datasets.annotation_file import load_json_file
    root = osp.join(out, 'real')
    os.makedirs(root, exist_ok=True)
    ann = load_json_file(args.real_ann)
    items = ann['data_list']
    if args.real_num_train + args.real_num_heldout > len(items):
        raise SystemExit(f'{args.real_ann} has {len(items)} images, fewer than '
                         f'--real-num-train + --real-num-heldout')
    splits = dict(train=items[:args.real_num_train],
                  heldout=items[-args.real_num_heldout:])
    for name, data_list in splits.items():
        with open(osp.join(root, f'{name}.json'), 'w', encoding='utf-8') as f:
            json.dump(dict(metainfo=ann.get('metainfo', {}), data_list=data_list), f)
    vocab = osp.join(root, 'vocab.txt')
    if not osp.isfile(vocab):
        run([
            osp.join(REPO, 'tools', 'build_vocabulary.py'), '--ann-files',
            osp.join(root, 'train.json'), '--out', vocab, '--lowercase', '--dict-file',
            'lowercase_68.txt', '--min-len', '3'
        ], logs, 'vocabulary_real')
    img_root = args.real_img_root or osp.dirname(osp.abspath(args.real_ann))
    return root, img_root


def real_config(variant, seed, root, img_root, args):
    """The variant's model on the real images (the same schedule as on rendered
    images, ``--real-iters`` long)."""
    cfg = study_config(variant, root, seed, args)
    size = args.real_size
    long_side = (int(1.6 * size) + 31) // 32 * 32
    train = cfg.train_dataloader
    train.dataset.update(data_root='',
                         ann_file=osp.join(root, 'train.json'),
                         data_prefix=dict(img_path=img_root),
                         min_word_len=3)
    train.collate_fn.sampler.vocab_file = osp.join(root, 'vocab.txt')
    for t in train.dataset.pipeline:
        if t['type'] == 'RandomShortSideResize':
            t.update(short_sides=(size, ), max_long_side=long_side)
    train.batch_size = 8
    test = cfg.val_dataloader
    test.dataset.update(data_root='',
                        ann_file=osp.join(root, 'heldout.json'),
                        data_prefix=dict(img_path=img_root))
    for t in test.dataset.pipeline:
        if t['type'] == 'Resize':
            t.update(scale=(long_side, size))
    cfg.test_dataloader = test
    iters = args.real_iters
    cfg.train_cfg.update(max_iters=iters, val_interval=iters // 3)
    cfg.param_scheduler[-1].end = iters
    cfg.default_hooks.checkpoint.interval = iters // 3
    if args.real_lr is not None:
        cfg.optim_wrapper.optimizer.lr = args.real_lr
    return cfg


def real_label(variant, seed, start, args):
    """The name of a real-image fine-tune: ``--real-lr`` ends it when given."""
    lr = '' if args.real_lr is None else f'_lr{args.real_lr:g}'
    return f'real_{variant}_s{seed}_from_{start}{lr}'


def real_stage(variant, seed, out, args, logs):
    """Fine-tune the rendered-data model and a random initialisation on the real
    training images; score the rendered-only model on the held-out ones."""
    root, img_root = real_splits(args, out, logs)
    rendered = osp.join(out, 'runs', f'{variant}_s{seed}', f'iter_{args.iters}.pth')
    if not osp.isfile(rendered):
        raise SystemExit(f'{rendered} not found: run the train stage first')
    for start in ('rendered', 'random'):
        label = real_label(variant, seed, start, args)
        work_dir = osp.join(out, 'runs', label)
        config = osp.join(out, 'configs', f'{label}.py')
        cfg = real_config(variant, seed, root, img_root, args)
        cfg.load_from = rendered if start == 'rendered' else None
        cfg.dump(config)
        train_run(config, work_dir, args.real_iters, logs, label)
    test_dir = osp.join(out, 'runs', f'real_{variant}_s{seed}_rendered_only')
    if test_scores(test_dir) is None:
        run([
            osp.join(REPO, 'tools', 'test.py'), config, rendered, '--work-dir', test_dir
        ], logs, f'real_{variant}_s{seed}_rendered_only')


def real_results(out, args):
    """((variant, seed, start), final scores) of the finished real-image runs."""
    rows = []
    for variant in args.variants:
        for seed in args.seeds:
            prefix = osp.join(out, 'runs', f'real_{variant}_s{seed}')
            lr = '' if args.real_lr is None else f' at lr {args.real_lr:g}'
            for start in ('random', 'rendered'):
                curve = scalars(
                    osp.join(out, 'runs', real_label(variant, seed, start, args)))
                if curve and curve[-1][0] == args.real_iters:
                    rows.append(
                        ((variant, seed, f'fine-tuned from {start}{lr}'), curve[-1][1]))
            only = test_scores(f'{prefix}_rendered_only')
            if only:
                rows.append(((variant, seed, 'rendered only'), only))
    return rows


def describe_data(name):
    """A rendered set in words, e.g. '20 made-up words, 2-3 per 192x192 image'."""
    spec = DATA_SETS[name]
    low, high = spec['words_per_image']
    return f'{spec["pseudo_words"]} made-up words, {low}-{high} per 192x192 image'


def describe_variant(variant):
    """A variant's model in words: the authors' model, or what is added to it."""
    options = VARIANTS[variant]['options']
    added = [
        name for name, opts in (('in-image word loss', IN_IMAGE),
                                ('mean over real characters', OUR_TEXT_MEAN))
        if set(opts) <= set(options)
    ]
    return 'the authors\' model' + ''.join(f' + {a}' for a in added)


def figure_title(args):
    """Model, training data, held-out split and what iteration 0 is, in words:
    the learning-curve picture's title."""
    sets = sorted({VARIANTS[v]['data'] for v in args.variants})
    data = describe_data(sets[0]) if len(sets) == 1 else 'each variant\'s set (legend)'
    start = (f'iteration 0: the start model {osp.basename(args.init_from)}'
             if args.init_from else 'iteration 0: random initialisation')
    return (f'WeCromCL stage 1 (the demo\'s width-16 model), {args.iters:,} '
            f'iterations on {args.num_train:,} rendered images ({data})\n'
            f'scored on 64 held-out rendered images of the same words; {start}')


def curves_figure(curves, title):
    """The learning curves of a report as a matplotlib Figure: held-out
    inside-H (left) and own-word rate (right) against iteration, one colour per
    variant, each seed a thin line and the mean over the seeds a thick one.

    Args:
        curves (dict): ``{(variant, seed): [(iteration, metrics), ...]}``,
            ``metrics`` holding :data:`METRICS`.
        title (str): the picture's title (:func:`figure_title`).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from projects.common.seed_curves import plot_seed_curves, seed_legend_handles
    short = dict(zip(METRICS, ('inside-H', 'own-word rate', 'nearest H')))
    explain = {
        METRICS[0]: 'inside-H (peak inside the word\'s own polygon)',
        METRICS[1]: 'own-word rate (images with >= 2 words)'
    }
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout='constrained')
    variants = list(dict.fromkeys(v for v, _ in curves))
    sets = {VARIANTS[v]['data'] for v in variants}
    entries = []
    for k, variant in enumerate(variants):
        colour = f'C{k % 10}'
        seeds = sorted(seed for v, seed in curves if v == variant)
        for ax, key in zip(axes, METRICS[:2]):
            plot_seed_curves(ax, [[(s, m[key]) for s, m in curves[(variant, seed)]]
                                  for seed in seeds], colour)
        data = (f' on {describe_data(VARIANTS[variant]["data"])}'
                if len(sets) > 1 else '')
        name = f'{variant} ({describe_variant(variant)}){data}'
        entries.append((colour, name, seeds))
    handles = seed_legend_handles(entries)
    for ax, key in zip(axes, METRICS[:2]):
        ax.set(xlabel='training iteration',
               ylabel=f'held-out {explain[key]}',
               title=f'held-out {short[key]}',
               ylim=(0, 1))
        ax.grid(alpha=0.3)
    fig.suptitle(title, fontsize=11)
    fig.legend(handles=handles, loc='outside lower center', ncol=3, fontsize=8)
    return fig


def report_stage(out, args):
    """results.md / results.json / curves.png of the finished runs."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    short = dict(zip(METRICS, ('inside-H', 'own-word rate', 'nearest H')))
    start_note = (f' Every run started from {args.init_from}; "start": its scores.'
                  if args.init_from else '')
    lines = [
        '# WeCromCL localisation study (held-out rendered images)', '',
        f'{args.iters} iterations, batch 16, scored every {args.val_every}; '
        'final value (random init of the same seed in brackets), mean over seeds.' +
        start_note, '', '| variant | data | seeds | ' + ' | '.join(short.values()) +
        ' | best inside-H (iter) |' + (' start |' if args.init_from else ''),
        '| --- ' * (8 if args.init_from else 7) + '|'
    ]
    results, curves = {}, {}
    for variant in args.variants:
        start = test_scores(osp.join(out, 'runs', f'{variant}_start'))
        if args.init_from and start is None:
            continue
        finals, inits, best = [], [], []
        for seed in args.seeds:
            curve = scalars(osp.join(out, 'runs', f'{variant}_s{seed}'))
            init = test_scores(osp.join(out, 'runs', f'{variant}_s{seed}_random_init'))
            if not curve or curve[-1][0] != args.iters or init is None:
                continue
            finals.append(curve[-1][1])
            inits.append(init)
            best.append(max(curve, key=lambda r: r[1][METRICS[0]]))
            # iteration 0: the model every run starts from
            curves[(variant, seed)] = [(0, start if args.init_from else init)] + curve
        if not finals:
            continue
        mean = {k: statistics.fmean(m[k] for m in finals) for k in METRICS}
        mean_init = {k: statistics.fmean(m[k] for m in inits) for k in METRICS}
        results[variant] = dict(data=VARIANTS[variant]['data'],
                                options=VARIANTS[variant]['options'],
                                final=finals,
                                random_init=inits,
                                best=[dict(iter=s, **m) for s, m in best])
        cells = ' | '.join(f'{mean[k]:.3f} ({mean_init[k]:.3f})' for k in METRICS)
        peak = ', '.join(f'{m[METRICS[0]]:.3f} ({s})' for s, m in best)
        row = f'| {variant} | {VARIANTS[variant]["data"]} | {len(finals)} | ' \
              f'{cells} | {peak} |'
        if args.init_from:
            results[variant]['start'] = start
            row += ' ' + ' / '.join(f'{start[k]:.3f}' for k in METRICS) + ' |'
        lines.append(row)
    real_rows = real_results(out, args)
    if real_rows:
        lines += [
            '', f'Real images ({args.real_num_train} fine-tuning, the last '
            f'{args.real_num_heldout} held out, {args.real_iters} iterations):', '',
            '| variant | seed | start | ' + ' | '.join(short.values()) + ' |',
            '| --- ' * 6 + '|'
        ]
        for (variant, seed, start), scores in real_rows:
            lines.append(f'| {variant} | {seed} | {start} | ' +
                         ' | '.join(f'{scores[k]:.3f}' for k in METRICS) + ' |')
            results.setdefault(variant, {}).setdefault('real', []).append(
                dict(seed=seed, start=start, **scores))
    fig = curves_figure(curves, figure_title(args))
    fig.savefig(osp.join(out, 'curves.png'), dpi=100)
    plt.close(fig)
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    print('\n'.join(lines))


def main(argv=None):
    args = parse_args(argv)
    out = osp.abspath(args.out_dir)
    logs = osp.join(out, 'logs')
    for sub in ('logs', 'configs', 'data', 'runs'):
        os.makedirs(osp.join(out, sub), exist_ok=True)
    import mmocr_oclip  # noqa: F401  (registers modules, `mmocr_oclip::` configs)
    for variant in args.variants:
        data = VARIANTS[variant]['data']
        data_root = osp.join(out, 'data', data)
        if 'render' in args.stages:
            render_stage(data, data_root, args, logs)
        if 'train' in args.stages:
            for seed in args.seeds:
                train_stage(variant, seed, data_root, out, args, logs)
        if 'real' in args.stages and args.real_ann:
            for seed in args.seeds:
                real_stage(variant, seed, out, args, logs)
    if 'report' in args.stages:
        report_stage(out, args)


if __name__ == '__main__':
    main()
