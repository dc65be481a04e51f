"""Draw oCLIP's attention for one image and the words you query it with.

    python tools/visualize_attention.py CONFIG CHECKPOINT IMAGE --words WORD ... \
        [--out FILE] [--seed S]
    python tools/visualize_attention.py CONFIG CHECKPOINT IMAGE --ann ANN.json \
        [--words WORD ...] [--hide-image]

Writes one picture: the global (attention-pooling) token's attention over the
image, and for every word the decoder's character attention, with the masked
character, the prediction and its probability. The image goes through the
config's validation pipeline (``val_dataloader.dataset.pipeline``), loaded by
``LoadCheckedImageFromFile`` whatever the config loads with: a missing,
corrupt or truncated image stops the tool with the file and the reason.

``--ann`` (an MMOCR textdet/textspotting JSON holding the image) outlines and
labels its annotated words, which are also the queries when ``--words`` is not
given. ``--hide-image`` draws the attention over a grey canvas holding only those
outlines and labels: a picture that shows where each word's attention falls
without reproducing an image whose licence forbids redistribution.
"""
import argparse
import os.path as osp
import sys

import cv2
import numpy as np
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.datasets.annotation_file import load_json_file
from mmocr_oclip.datasets.transforms import use_checked_loading
from mmocr_oclip.models.utils.model_type_check import load_typed_checkpoint
from mmocr_oclip.visualization import OCLIPAttentionVisualizer, outline_words


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='oCLIP config file')
    parser.add_argument('checkpoint', help='oCLIP checkpoint')
    parser.add_argument('image', help='image file')
    parser.add_argument('--words',
                        nargs='+',
                        help='query words (default: the words --ann gives the image)')
    parser.add_argument('--ann',
                        help='MMOCR JSON holding IMAGE: its words are outlined '
                        'and labelled')
    parser.add_argument('--hide-image',
                        action='store_true',
                        help='draw over a grey canvas with only the outlines and '
                        'labels of --ann instead of the image')
    parser.add_argument('--out',
                        help='output picture (default: <image name>_attention.png)')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help='seed of the masked positions')
    return parser.parse_args()


def annotated_words(ann_file, image):
    """The ``(text, polygon)`` of the words ``ann_file`` gives ``image`` (found by
    file name; ignored instances left out), polygons in image pixels."""
    ann = load_json_file(ann_file)  # malformed JSON: file, line and column
    if not isinstance(ann, dict) or not isinstance(ann.get('data_list'), list):
        raise ValueError(f'{ann_file}: not an MMOCR annotation (no data_list)')
    data_list = ann['data_list']
    name = osp.basename(image)
    entries = [d for d in data_list if osp.basename(d['img_path']) == name]
    if len(entries) != 1:
        raise ValueError(f'{ann_file}: {len(entries)} entries for an image named '
                         f'{name} (one needed)')
    return [(i['text'], i['polygon']) for i in entries[0]['instances']
            if not i.get('ignore') and i.get('text')]


def attention_picture(cfg,
                      checkpoint,
                      image,
                      words,
                      seed=0,
                      outlines=(),
                      hide_image=False):
    """Predict ``words`` on ``image`` and draw the attention (RGB array), with the
    ``outlines`` (``(text, polygon)`` in image pixels) drawn over the image, or
    over a grey canvas instead of it when ``hide_image``."""
    DefaultScope.get_instance('visualize_attention', scope_name='mmocr')
    model = MODELS.build(cfg.model)
    load_typed_checkpoint(model, checkpoint, strict=True)
    model.eval()
    pipeline = use_checked_loading([
        t for t in cfg.val_dataloader.dataset.pipeline
        if t['type'] != 'SampleTextInstances'
    ])
    instances = [dict(text=w, ignore=False, bbox_label=0) for w in words]
    packed = Compose(pipeline)(dict(img_path=image, instances=instances))
    data = model.data_preprocessor(pseudo_collate([packed]), False)
    sample = model.predict(**data, seed=seed)[0]
    rgb = packed['inputs'].permute(1, 2, 0).numpy()[..., ::-1].copy()
    if hide_image:
        rgb[...] = 128
    scale = np.asarray(packed['data_samples'].metainfo.get('scale_factor', (1, 1)))
    outline_words(rgb, outlines, scale)
    return OCLIPAttentionVisualizer().draw_attention(rgb, sample)


def main():
    args = parse_args()
    if not osp.isfile(args.image):
        sys.exit(f'error: image not found: {args.image}')
    if args.hide_image and not args.ann:
        sys.exit('error: --hide-image needs --ann (the outlines to draw instead)')
    if not (args.words or args.ann):
        sys.exit('error: give the query words (--words) or an annotation (--ann)')
    cfg = Config.fromfile(args.config)
    out = args.out or osp.splitext(osp.basename(args.image))[0] + '_attention.png'
    try:
        outlines = annotated_words(args.ann, args.image) if args.ann else []
        words = args.words or [text for text, _ in outlines]
        if not words:
            raise ValueError(f'{args.ann}: no annotated words for {args.image}')
        picture = attention_picture(cfg, args.checkpoint, args.image, words, args.seed,
                                    outlines, args.hide_image)
    except ValueError as e:  # unknown characters, empty words, bad image/checkpoint
        sys.exit(f'error: {e}')
    cv2.imwrite(out, picture[..., ::-1])
    print(f'attention picture: {out}')


if __name__ == '__main__':
    main()
