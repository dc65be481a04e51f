"""Time and memory of indexing an annotation file and of one annotation-only pass.

``python tools/analysis_tools/benchmark_dataset_index.py CONFIG_OR_ANN
[--num-workers 8] [--batch-size 64] [--max-instances 32]``

CONFIG_OR_ANN is a config (its ``train_dataloader.dataset``) or an annotation JSON
(read by ``OCLIPPretrainDataset``). The dataset is built with the annotation-only
pipeline ``LoadOCRAnnotations`` + ``SampleTextInstances`` + ``PackOCLIPInputs``
(no image is read), then:

1. indexing (``full_init``): seconds and peak RSS of loading + parsing the
   annotations and of MMEngine's serialisation of the data list into one buffer;
2. one pass over the data infos in this process (``get_data_info``);
3. one epoch of a forked ``DataLoader`` with ``--num-workers`` workers: seconds,
   and each worker's RSS, PSS, private memory (what copy-on-write did not share)
   and peak RSS, read from ``/proc`` (Linux).
"""
import argparse
import contextlib
import copy
import os
import resource
import time
from unittest import mock

from mmengine.config import Config, DictAction
from mmengine.dataset import BaseDataset
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmocr.registry import DATASETS

import mmocr_oclip  # noqa: F401  (registers the modules)
from mmocr_oclip.datasets.lean_annotation_loader import LeanAnnotationLoaderMixin

GIB = 2**30


def max_rss_gib(who=resource.RUSAGE_SELF):
    """Peak resident set size (``ru_maxrss``, KiB on Linux) in GiB."""
    return resource.getrusage(who).ru_maxrss * 1024 / GIB


def memory_of(pid):
    """Memory of a process from ``/proc``, in GiB.

    Args:
        pid (int): the process.

    Returns:
        dict[str, float]: ``rss``, ``pss``, ``private`` (Private_Clean +
        Private_Dirty) and ``peak_rss`` (VmHWM).
    """
    fields = {}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == 'kB':
                fields[parts[0].rstrip(':')] = int(parts[1]) * 1024 / GIB
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                fields['VmHWM'] = int(line.split()[1]) * 1024 / GIB
    return dict(rss=fields['Rss'],
                pss=fields['Pss'],
                private=fields['Private_Clean'] + fields['Private_Dirty'],
                peak_rss=fields['VmHWM'])


def worker_pids(loader_iter):
    """Process ids of a DataLoader iterator's workers (not other children of
    this process, e.g. a forkserver)."""
    return [w.pid for w in getattr(loader_iter, '_workers', [])]


def dataset_cfg_of(source, cfg_options):
    """The dataset config and the ``max_instances`` of its pipeline.

    Args:
        source (str): a config file (``.py``) or an annotation JSON.
        cfg_options (dict, optional): overrides of the config.

    Returns:
        tuple[dict, int | None]: the dataset config (pipeline not yet set) and
        the ``max_instances`` of the config's ``SampleTextInstances``, if any.
    """
    if not source.endswith('.py'):
        init_default_scope('mmocr')
        return dict(type='OCLIPPretrainDataset',
                    ann_file=os.path.abspath(source),
                    data_prefix=dict(img_path='')), None
    cfg = Config.fromfile(source)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    sample = [
        t for t in dataset_cfg.get('pipeline', []) if t['type'] == 'SampleTextInstances'
    ]
    return dataset_cfg, sample[0].get('max_instances') if sample else None


def timed(stats, name, func):
    """``func`` recording its seconds and the peak RSS after it in ``stats``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        stats[name] = (time.perf_counter() - start, max_rss_gib())
        return result

    return wrapper


def index(dataset_cfg, stock_json):
    """Build the dataset and time its ``full_init``, stage by stage."""
    dataset = DATASETS.build(dict(dataset_cfg, lazy_init=True))
    stats = {}
    with contextlib.ExitStack() as stack:
        if stock_json:
            stack.enter_context(
                mock.patch.multiple(LeanAnnotationLoaderMixin,
                                    load_data_list=BaseDataset.load_data_list,
                                    _serialize_data=BaseDataset._serialize_data))
        dataset.load_data_list = timed(stats, 'load + parse', dataset.load_data_list)
        dataset._serialize_data = timed(stats, 'serialize', dataset._serialize_data)
        start = time.perf_counter()
        dataset.full_init()
    stats['indexing'] = (time.perf_counter() - start, max_rss_gib())
    return dataset, stats


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', help='config file (.py) or annotation JSON')
    parser.add_argument('--num-workers', type=int, default=8)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--max-instances',
                        type=int,
                        help='words sampled per image (default: the config '
                        "pipeline's SampleTextInstances, else 32)")
    parser.add_argument('--max-batches',
                        type=int,
                        help='stop the data loader pass after this many batches')
    parser.add_argument('--stock-json',
                        action='store_true',
                        help="index with MMEngine's json.load and serialisation "
                        'instead of LeanAnnotationLoaderMixin (for comparison)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    dataset_cfg, max_instances = dataset_cfg_of(args.source, args.cfg_options)
    max_instances = args.max_instances or max_instances or 32
    dataset_cfg['pipeline'] = [
        dict(type='LoadOCRAnnotations',
             with_text=True,
             with_bbox=False,
             with_polygon=False,
             with_label=False),
        dict(type='SampleTextInstances', max_instances=max_instances),
        dict(type='PackOCLIPInputs'),
    ]
    print(f'peak RSS before indexing: {max_rss_gib():.2f} GiB')
    dataset, stats = index(dataset_cfg, args.stock_json)
    loader_name = 'MMEngine json.load' if args.stock_json else 'streaming'
    print(f'indexed {len(dataset)} images ({loader_name} loader)')
    for name, (seconds, peak) in stats.items():
        print(f'{name}: {seconds:.2f} s, peak RSS {peak:.2f} GiB')
    if dataset.serialize_data:
        print(f'serialized data list: {dataset.data_bytes.nbytes / GIB:.3f} GiB')
    print(f'RSS after indexing: {memory_of(os.getpid())["rss"]:.2f} GiB')

    start = time.perf_counter()
    words = sum(len(dataset.get_data_info(i)['instances']) for i in range(len(dataset)))
    print(f'data info pass: {len(dataset)} images, {words} words, '
          f'{time.perf_counter() - start:.2f} s')

    loader = Runner.build_dataloader(dict(
        dataset=dataset,
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_size=args.batch_size,
        num_workers=args.num_workers,
        persistent_workers=False,
        multiprocessing_context='fork' if args.num_workers else None),
                                     seed=0)
    num_batches = len(loader)
    if args.max_batches is not None:
        num_batches = min(num_batches, args.max_batches)
    images = 0
    workers, main_mem = {}, memory_of(os.getpid())
    start = time.perf_counter()
    loader_iter = iter(loader)
    for i, batch in enumerate(loader_iter):
        images += len(batch['data_samples'])
        if i + 1 == num_batches:
            workers = {pid: memory_of(pid) for pid in worker_pids(loader_iter)}
            main_mem = memory_of(os.getpid())
            break
    seconds = time.perf_counter() - start
    del loader_iter, loader
    print(f'data loader pass: {images} images in {num_batches} batches of '
          f'{args.batch_size}, {args.num_workers} workers: {seconds:.2f} s, '
          f'{images / seconds:.0f} images/s')
    for pid, mem in sorted(workers.items()):
        print(f'worker {pid}: ' + ', '.join(f'{k} {v:.3f} GiB' for k, v in mem.items()))
    if workers:
        print(f'workers: max private {max(m["private"] for m in workers.values()):.3f}'
              f' GiB, total private {sum(m["private"] for m in workers.values()):.3f}'
              f' GiB, total PSS {sum(m["pss"] for m in workers.values()):.3f} GiB')
    print(f'main process: peak RSS {max_rss_gib():.2f} GiB; at the last batch: RSS '
          f'{main_mem["rss"]:.2f} GiB, PSS {main_mem["pss"]:.2f} GiB')


if __name__ == '__main__':
    main()
