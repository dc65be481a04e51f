"""Draw oCLIP's attention for one image and the words you query it with.

    python tools/visualize_attention.py CONFIG CHECKPOINT IMAGE --words WORD ... \
        [--out FILE] [--seed S]

Writes one picture: the global (attention-pooling) token's attention over the
image, and for every word the decoder's character attention, with the masked
character, the prediction and its probability. The image goes through the
config's validation pipeline (``val_dataloader.dataset.pipeline``), loaded by
``LoadCheckedImageFromFile`` whatever the config loads with: a missing,
corrupt or truncated image stops the tool with the file and the reason.
"""
import argparse
import os.path as osp
import sys

from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.datasets.transforms import use_checked_loading
from mmocr_oclip.models.utils.model_type_check import load_typed_checkpoint
from mmocr_oclip.visualization import OCLIPAttentionVisualizer


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='oCLIP config file')
    parser.add_argument('checkpoint', help='oCLIP checkpoint')
    parser.add_argument('image', help='image file')
    parser.add_argument('--words', nargs='+', required=True, help='query words')
    parser.add_argument('--out',
                        help='output picture (default: <image name>_attention.png)')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help='seed of the masked positions')
    return parser.parse_args()


def attention_picture(cfg, checkpoint, image, words, seed=0):
    """Predict ``words`` on ``image`` and draw the attention (RGB array)."""
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
    return OCLIPAttentionVisualizer().draw_attention(rgb, sample)


def main():
    args = parse_args()
    if not osp.isfile(args.image):
        sys.exit(f'error: image not found: {args.image}')
    cfg = Config.fromfile(args.config)
    out = args.out or osp.splitext(osp.basename(args.image))[0] + '_attention.png'
    try:
        picture = attention_picture(cfg, args.checkpoint, args.image, args.words,
                                    args.seed)
    except ValueError as e:  # unknown characters, empty words, bad image/checkpoint
        sys.exit(f'error: {e}')
    import cv2
    cv2.imwrite(out, picture[..., ::-1])
    print(f'attention picture: {out}')


if __name__ == '__main__':
    main()
