"""Write a rendered dataset: image files and MMOCR 1.x annotation files.

:func:`render_dataset` renders image ``i`` of a split with its own generator
(:func:`image_rng`), in this process or in worker processes, and writes the
images and the ``textspotting`` / ``textdet`` JSON files.
"""
import json
import multiprocessing
import os
import os.path as osp
import time
import zlib
from collections import Counter
from typing import Dict, Tuple

import cv2
import numpy as np

from .renderer import SyntheticTextRenderer


def image_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """Independent generator for image ``index`` of ``split``."""
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index])


def _render_one(renderer: SyntheticTextRenderer, task: Tuple) -> Tuple[Dict, Counter]:
    """Render and save one image; returns its data info and skipped words."""
    out_dir, rel_path, seed, split, index, params = task
    img, instances, skipped = renderer.render_bgr(image_rng(seed, split, index))
    if not cv2.imwrite(osp.join(out_dir, rel_path), img, params):
        raise IOError(f'failed to write {osp.join(out_dir, rel_path)}')
    info = dict(img_path=rel_path,
                height=img.shape[0],
                width=img.shape[1],
                instances=instances)
    return info, skipped


_WORKER: Dict = {}


def _init_worker(renderer_cfg: Dict):
    """Build the renderer of a worker process."""
    cv2.setNumThreads(1)
    _WORKER['renderer'] = SyntheticTextRenderer(**renderer_cfg)


def _worker_render_one(task: Tuple) -> Tuple[Dict, Counter]:
    """:func:`_render_one` with the worker's renderer."""
    return _render_one(_WORKER['renderer'], task)


def render_dataset(out_dir: str,
                   num_images: int,
                   split: str = 'train',
                   seed: int = 0,
                   img_format: str = 'jpg',
                   workers: int = 0,
                   **renderer_cfg) -> Dict:
    """Render a synthetic text dataset with MMOCR 1.x annotations.

    Writes ``out_dir/imgs/{split}/NNNNNN.{img_format}``,
    ``out_dir/textspotting_{split}.json`` and ``out_dir/textdet_{split}.json``
    (``img_path`` relative to ``out_dir``, i.e. use
    ``OCRDataset(data_root=out_dir, data_prefix=dict(img_path=''))``).
    Image ``i`` uses ``image_rng(seed, split, i)``, so the output does not
    depend on ``workers``.

    Args:
        out_dir (str): Output folder.
        num_images (int): Number of images.
        split (str): Split name. Defaults to 'train'.
        seed (int): Base random seed. Defaults to 0.
        img_format (str): 'jpg' (quality 95) or 'png'. Defaults to 'jpg'.
        workers (int): Worker processes; 0 or 1 renders in this process.
        **renderer_cfg: Arguments of :class:`SyntheticTextRenderer`.

    Returns:
        dict: Summary with ``num_images``, ``num_words``, ``num_skipped``
        (sampled words not drawn), ``skipped`` (them by reason, a dict with
        keys of :data:`SKIP_REASONS`, most frequent first), ``max_tries``,
        ``seconds``, ``images_per_sec`` and the annotation file paths.
    """
    if img_format not in ('jpg', 'png'):
        raise ValueError(f"img_format must be 'jpg' or 'png', got {img_format}")
    start = time.perf_counter()
    renderer = SyntheticTextRenderer(**renderer_cfg)  # fail early
    os.makedirs(osp.join(out_dir, 'imgs', split), exist_ok=True)
    params = ([cv2.IMWRITE_JPEG_QUALITY, 95]
              if img_format == 'jpg' else [cv2.IMWRITE_PNG_COMPRESSION, 3])
    tasks = [(out_dir, f'imgs/{split}/{i:06d}.{img_format}', seed, split, i, params)
             for i in range(num_images)]
    if workers > 1:
        # forkserver: workers fork from a clean server process that imported this
        # module once (plain fork hangs when the parent already runs OpenMP
        # threads, e.g. inside a torch program)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context('forkserver' if 'forkserver' in
                                          methods else 'spawn')
        if 'forkserver' in methods:
            ctx.set_forkserver_preload([__name__])
        with ctx.Pool(workers, _init_worker, (renderer_cfg, )) as pool:
            results = pool.map(_worker_render_one, tasks, chunksize=8)
    else:
        results = [_render_one(renderer, t) for t in tasks]
    data_list = [info for info, _ in results]
    ann_files = {}
    for task, dataset_type in (('textspotting', 'TextSpottingDataset'),
                               ('textdet', 'TextDetDataset')):
        ann = dict(metainfo=dict(dataset_type=dataset_type,
                                 task_name=task,
                                 category=[dict(id=0, name='text')]),
                   data_list=data_list)
        ann_files[task] = osp.join(out_dir, f'{task}_{split}.json')
        with open(ann_files[task], 'w', encoding='utf-8') as f:
            json.dump(ann, f, ensure_ascii=False)
    seconds = time.perf_counter() - start
    skipped = sum((s for _, s in results), Counter())
    return dict(num_images=num_images,
                num_words=sum(len(d['instances']) for d in data_list),
                num_skipped=sum(skipped.values()),
                skipped=dict(skipped.most_common()),
                max_tries=renderer.max_tries,
                seconds=seconds,
                images_per_sec=num_images / max(seconds, 1e-9),
                ann_files=ann_files)
