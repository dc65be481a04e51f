"""Save the model of a config at its random initialisation, as a checkpoint.

    python tools/save_random_init.py CONFIG OUT.pth [--seed 0]

The baseline every learned number is compared with: ``mim test`` of this file gives a
metric's value before training (``make demo`` prints both side by side). The model is
built and initialised (``init_weights``) exactly as a training run with ``--seed``
starts it, without any pre-trained weights its config names in ``init_cfg``.
"""
import argparse
import io
import os
import os.path as osp

import torch
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
from mmocr.registry import MODELS

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.utils import atomic_write, load_config
from mmocr_oclip.utils.random_init import drop_pretrained_init


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('out')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    cfg = load_config(args.config)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    set_random_seed(args.seed)
    drop_pretrained_init(cfg.model)
    model = MODELS.build(cfg.model)
    model.init_weights()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    meta = dict(random_init_seed=args.seed, config=osp.basename(args.config))
    buffer = io.BytesIO()
    torch.save(dict(state_dict=model.state_dict(), meta=meta), buffer)
    atomic_write(buffer.getvalue(), args.out)
    print(f'[save_random_init] {type(model).__name__} of {args.config} at random '
          f'initialisation (seed {args.seed}) -> {args.out}')


if __name__ == '__main__':
    main()
