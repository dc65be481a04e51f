"""Anchor-point pseudo labels: each ground-truth word's peak(s) in its image.

    python tools/wecromcl_anchor_points.py CONFIG CHECKPOINT ANN_JSON OUT_JSON \
        [--data-root DIR] [--scale W [H]] [--batch-size N] [--nms-kernel K] \
        [--score-thr T] [--eval] [--heatmaps DIR] [--max-heatmaps N] \
        [--hide-image] [--cfg-options KEY=VALUE ...]

The model (WeCromCL or OCLIP, anything with ``localize_words``) queries every
image of ANN_JSON (an MMOCR 1.x text-spotting or text-detection JSON with the
words' ``text``) with its words; a word occurring k times gets k points.
OUT_JSON is an MMOCR 1.x text-spotting JSON of the same images (``img_path``
as in ANN_JSON) with one instance per point: ``text`` (lower case, without the
characters outside the model's dictionary), ``score``, ``polygon`` ``[x, y]``
(a one-vertex polygon: the point), ``bbox`` ``[x, y, x, y]``, ``bbox_label``
0, ``ignore`` false. Points are in original image coordinates, clipped to the
image (a peak in a grid cell overhanging the image edge has its centre outside).

Images go through the config's ``test_dataloader`` pipeline when it ends with
``PackOCLIPInputs`` and loads polygons and texts after any resize; otherwise
(or with ``--scale``) through ``LoadCheckedImageFromFile -> Resize(keep_ratio)
-> LoadOCRAnnotations -> PackOCLIPInputs``, the scale taken from ``--scale`` or
the config's test/val ``Resize`` (no resize if neither). Images are always
loaded by ``LoadCheckedImageFromFile``: a missing, corrupt or truncated image
stops the tool with the file and the reason. ``img_path`` is read relative to
``--data-root`` (default: the folder of ANN_JSON). ANN_JSON's entries follow
the training dataset's rules (``img_path``, ``instances``, each with ``text``)
and need ``polygon`` and ``bbox``; an invalid file stops the tool with the
file, line and column, a malformed entry with the file and ``data_list[i]``.

``--eval`` prints :class:`AnchorPointMetric` against ANN_JSON's polygons;
``--heatmaps DIR`` draws each word's activation map over the network input
with its peaks, one picture per image (the first ``--max-heatmaps``);
``--hide-image`` draws the maps over a grey canvas holding only the outlines and
words of ANN_JSON instead of the image (for images that may not be shown).
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmocr.registry import METRICS, MODELS

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.datasets.annotation_file import load_json_file
from mmocr_oclip.datasets.oclip_pretrain_dataset import entry_problem, instance_problem
from mmocr_oclip.datasets.transforms import use_checked_loading
from mmocr_oclip.models.utils.model_type_check import load_typed_checkpoint
from mmocr_oclip.visualization import outline_words
from mmocr_oclip.visualization.oclip_attention_visualizer import overlay_attention

REQUIRED_KEYS = ('text', 'polygon', 'bbox')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='WeCromCL or OCLIP config file')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('ann_file', help='MMOCR 1.x textspotting/textdet JSON')
    parser.add_argument('out_file', help='output text-spotting JSON of the points')
    parser.add_argument('--data-root',
                        help='folder img_path is relative to (default: the '
                        'folder of ann_file)')
    parser.add_argument('--scale',
                        type=int,
                        nargs='+',
                        help='resize (keep ratio) to fit W H (one value: square); '
                        'overrides the config pipeline')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--nms-kernel', type=int, default=5, help='odd NMS window')
    parser.add_argument('--score-thr',
                        type=float,
                        default=0.,
                        help='drop points scoring lower (also the metric threshold)')
    parser.add_argument('--eval',
                        action='store_true',
                        help='print AnchorPointMetric against ann_file')
    parser.add_argument('--heatmaps', help='folder of activation-map pictures')
    parser.add_argument('--max-heatmaps', type=int, default=20)
    parser.add_argument('--hide-image',
                        action='store_true',
                        help='draw the maps over a grey canvas holding only the '
                        'outlines and words of ANN_JSON instead of the image')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings (key=value)')
    args = parser.parse_args(argv)
    if args.scale is not None and len(args.scale) not in (1, 2):
        parser.error('--scale takes W [H]')
    if args.batch_size < 1:
        parser.error('--batch-size must be >= 1')
    if args.hide_image and not args.heatmaps:
        parser.error('--hide-image needs --heatmaps (it changes the pictures)')
    return args


def load_annotations(ann_file):
    """The ``data_list`` of an MMOCR 1.x JSON, checked for what the tool needs.

    Entries follow the training dataset's rule (:func:`entry_problem`,
    :func:`instance_problem`: ``img_path``, a list ``instances`` of dicts with
    a string ``text``); instances also need ``polygon`` and ``bbox``.

    Raises:
        AnnotationFileError: not UTF-8 or not valid JSON (file, line, column).
        ValueError: not an MMOCR 1.x annotation file, no images, or a
            malformed entry (file and ``data_list[i]``).
    """
    ann = load_json_file(ann_file)
    if not isinstance(ann, dict) or not isinstance(ann.get('data_list'), list):
        raise ValueError(f'{ann_file}: not an MMOCR 1.x annotation file '
                         '(a dict with metainfo and data_list)')
    if not ann['data_list']:
        raise ValueError(f'{ann_file}: data_list is empty, no images to label')
    for index, info in enumerate(ann['data_list']):
        problem = entry_problem(info)
        for i, inst in enumerate([] if problem else info['instances']):
            problem = instance_problem(i, inst)
            missing = [] if problem else [k for k in REQUIRED_KEYS if k not in inst]
            if missing:
                problem = (f'instances[{i}] has no {", ".join(missing)} (the tool '
                           'needs the words and their polygons)')
            if problem:
                break
        if problem:
            raise ValueError(f'{ann_file}: data_list[{index}]: {problem}')
    return ann['data_list']


def _uses(step, name):
    return name in str(step.get('type', ''))


def config_pipeline(cfg):
    """The config's test pipeline if it fits (see the module doc), else None."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline')
    if not pipeline or not _uses(pipeline[-1], 'PackOCLIPInputs'):
        return None
    pipeline = use_checked_loading(pipeline)
    loads = [
        i for i, t in enumerate(pipeline) if _uses(t, 'LoadOCRAnnotations')
        and t.get('with_polygon') and t.get('with_text')
    ]
    resizes = [i for i, t in enumerate(pipeline) if _uses(t, 'Resize')]
    if not loads or (resizes and max(resizes) > loads[0]):
        return None
    return pipeline


def config_scale(cfg):
    """The ``scale`` of the config's test (or val) ``Resize``, or None."""
    for loader in ('test_dataloader', 'val_dataloader'):
        pipeline = cfg.get(loader, {}).get('dataset', {}).get('pipeline') or []
        for step in pipeline:
            if step.get('type') == 'Resize' and step.get('scale'):
                return tuple(step['scale'])
    return None


def build_pipeline(cfg, scale=None):
    """The test pipeline of the tool (see the module doc)."""
    pipeline = None if scale else config_pipeline(cfg)
    if pipeline is not None:
        return pipeline
    scale = scale or config_scale(cfg)
    resize = [dict(type='Resize', scale=tuple(scale), keep_ratio=True)] if scale else []
    return [
        dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
        *resize,
        dict(type='LoadOCRAnnotations',
             with_polygon=True,
             with_bbox=True,
             with_text=True),
        dict(type='PackOCLIPInputs'),
    ]


def build_model(cfg, checkpoint):
    """Build ``cfg.model``, check it localizes words, load ``checkpoint``."""
    model = MODELS.build(cfg.model)
    if not callable(getattr(model, 'localize_words', None)):
        raise ValueError(f'{type(model).__name__} (model of the config) has no '
                         'localize_words; use a WeCromCL or OCLIP config')
    load_typed_checkpoint(model, checkpoint, strict=True)
    return model.eval()


def output_instances(pred, score_thr=0.):
    """MMOCR instances of one image's points scoring at least ``score_thr``."""
    instances = []
    for (x, y), score, text in zip(pred.points.tolist(), pred.scores.tolist(),
                                   pred.texts):
        if score >= score_thr:
            x, y = round(x, 2), round(y, 2)
            instances.append(
                dict(text=text,
                     score=score,
                     polygon=[x, y],
                     bbox=[x, y, x, y],
                     bbox_label=0,
                     ignore=False))
    return instances


HEATMAP_LEGEND = ('colour: the word\'s activation (blue low, red high)',
                  'number: the maximum of the word\'s map',
                  'green outline: the word\'s polygon(s)',
                  'cross: a peak = an anchor point, green inside',
                  'the word\'s own polygon, red outside it')
HIDDEN_IMAGE_LEGEND = ('grey: the image is hidden; white outline and label: each '
                       'word of the image', )


def _put_text(panel, text, origin, scale=0.4):
    """White text with a black outline (readable on any colour)."""
    cv2.putText(panel, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3)
    cv2.putText(panel, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255),
                1)


def heatmap_picture(packed, sample, stride, gt, columns=4, hide_image=False):
    """Each word's map over the network input with its polygons, peaks and name,
    above a legend (RGB). ``gt``: :func:`ground_truth` of the image.
    ``hide_image``: a grey canvas with every word's outline and text instead of
    the image."""
    image = np.ascontiguousarray(packed['inputs'].permute(1, 2, 0).numpy()[..., ::-1])
    scale = np.asarray(sample.metainfo.get('scale_factor', (1., 1.))[:2], np.float64)
    if hide_image:
        image[...] = 128
        outline_words(image, zip(gt['texts'], gt['polygons']), scale)
    pred = sample.pred_instances
    panel = image.copy()
    _put_text(panel, 'input hidden' if hide_image else 'input', (2, 12))
    panels = [panel]
    for word, word_map in zip(sample.word_texts, sample.word_maps.numpy()):
        panel = overlay_attention(image, word_map, stride)
        own = [(p.reshape(-1, 2) * scale).astype(np.float32)
               for p, t in zip(gt['polygons'], gt['texts']) if t.lower() == word]
        for polygon in own:
            cv2.polylines(panel, [polygon.round().astype(np.int32)], True, (0, 255, 0),
                          1)
        for (x, y), text in zip(pred.points.tolist(), pred.texts):
            if text != word:
                continue
            point = (float(x * scale[0]), float(y * scale[1]))
            inside = any(cv2.pointPolygonTest(p, point, False) >= 0 for p in own)
            colour = (0, 255, 0) if inside else (255, 0, 0)
            center = (round(point[0]), round(point[1]))
            cv2.drawMarker(panel, center, (0, 0, 0), cv2.MARKER_CROSS, 11, 3)
            cv2.drawMarker(panel, center, colour, cv2.MARKER_CROSS, 9, 1)
        _put_text(panel, f'{word} {float(word_map.max()):.3f}', (2, 12))
        panels.append(panel)
    columns = min(columns, len(panels))
    panels += [np.full_like(image, 255)] * (-len(panels) % columns)
    grid = np.vstack(
        [np.hstack(panels[i:i + columns]) for i in range(0, len(panels), columns)])
    lines = HEATMAP_LEGEND + (HIDDEN_IMAGE_LEGEND if hide_image else ())
    legend = np.full((6 + 14 * len(lines), grid.shape[1], 3), 255, np.uint8)
    for k, line in enumerate(lines):
        cv2.putText(legend, line, (3, 13 + 14 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                    (0, 0, 0), 1)
    return np.vstack([grid, legend])


def localize(model, pipeline, data_list, data_root, args, on_batch=None):
    """Run ``model.localize_words`` over ``data_list`` in batches.

    Args:
        on_batch (callable, optional): called with (infos, packed, samples,
            inputs) after every batch.

    Returns:
        list[dict]: the OUT_JSON ``data_list``.
    """
    transform = Compose(pipeline)
    out = []
    for start in range(0, len(data_list), args.batch_size):
        infos = data_list[start:start + args.batch_size]
        packed = []
        for info in infos:
            img_path = osp.join(data_root, info['img_path'])
            if not osp.isfile(img_path):
                raise FileNotFoundError(f'image not found: {img_path} (img_path '
                                        f'of {args.ann_file}; see --data-root)')
            packed.append(
                transform(
                    dict(img_path=img_path,
                         instances=copy.deepcopy(info.get('instances', [])))))
        data = model.data_preprocessor(pseudo_collate(packed), False)
        samples = model.localize_words(data['inputs'],
                                       data['data_samples'],
                                       nms_kernel=args.nms_kernel,
                                       return_maps=bool(args.heatmaps))
        for info, sample in zip(infos, samples):
            height, width = sample.metainfo['ori_shape'][:2]
            out.append(
                dict(img_path=info['img_path'],
                     height=int(height),
                     width=int(width),
                     instances=output_instances(sample.pred_instances, args.score_thr)))
        if on_batch is not None:
            on_batch(infos, packed, samples, data['inputs'])
    return out


def ground_truth(info):
    """AnchorPointMetric ``gt_instances`` of an ANN_JSON entry."""
    instances = info.get('instances', [])
    return dict(polygons=[np.asarray(i['polygon'], np.float64) for i in instances],
                texts=[i['text'] for i in instances],
                ignored=np.array([bool(i.get('ignore', False)) for i in instances],
                                 bool))


def main(argv=None):
    args = parse_args(argv)
    for path in (args.config, args.checkpoint, args.ann_file):
        if not osp.isfile(path):
            sys.exit(f'error: file not found: {path}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    scale = None
    if args.scale:
        scale = (args.scale[0], args.scale[-1])
    try:
        data_list = load_annotations(args.ann_file)
        model = build_model(cfg, args.checkpoint)
    except (ValueError, KeyError, RuntimeError) as e:
        sys.exit(f'error: {e}')
    pipeline = build_pipeline(cfg, scale)
    data_root = args.data_root or osp.dirname(osp.abspath(args.ann_file))
    metric = METRICS.build(dict(type='AnchorPointMetric', score_thr=args.score_thr))
    if args.heatmaps:
        os.makedirs(args.heatmaps, exist_ok=True)
    drawn = []

    def on_batch(infos, packed, samples, inputs):
        if args.eval:
            metric.process(None, [
                dict(pred_instances=s.pred_instances.to_dict(),
                     gt_instances=ground_truth(info))
                for info, s in zip(infos, samples)
            ])
        for info, pack, sample in zip(infos, packed, samples):
            if not args.heatmaps or len(drawn) >= args.max_heatmaps:
                break
            if not sample.word_texts:  # no word to query: no picture
                continue
            stride = round(inputs.size(2) / sample.word_maps.size(1))
            name = f'{len(drawn):05d}_' + osp.splitext(osp.basename(
                info['img_path']))[0] + '.png'
            path = osp.join(args.heatmaps, name)
            cv2.imwrite(
                path,
                heatmap_picture(pack,
                                sample,
                                stride,
                                ground_truth(info),
                                hide_image=args.hide_image)[..., ::-1])
            drawn.append(path)

    try:
        with torch.no_grad():
            out = localize(model, pipeline, data_list, data_root, args, on_batch)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        sys.exit(f'error: {e}')
    result = dict(metainfo=dict(dataset_type='TextSpottingDataset',
                                task_name='textspotting',
                                category=[dict(id=0, name='text')]),
                  data_list=out)
    out_dir = osp.dirname(osp.abspath(args.out_file))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out_file, 'w', encoding='utf-8') as f:
        json.dump(result, f, ensure_ascii=False)
    num_points = sum(len(d['instances']) for d in out)
    print(f'{num_points} anchor points in {len(out)} images: {args.out_file}')
    if drawn:
        print(f'{len(drawn)} heatmap pictures in {args.heatmaps}')
    if args.eval:
        metrics = metric.evaluate(len(data_list))
        print(' '.join(f'{k}: {v:.4f}' for k, v in metrics.items()))


if __name__ == '__main__':
    main()
