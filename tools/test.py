"""Evaluate a checkpoint with MMEngine's Runner.

``mim test mmocr_oclip CONFIG --checkpoint CKPT [--work-dir DIR] [--show-dir DIR]``
runs this script; ``python tools/test.py CONFIG CKPT ...`` does the same.
"""
import argparse
import os.path as osp
import sys

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmocr_oclip  # noqa: F401  (registers modules, compat fixes, `mmocr_oclip::`)
from mmocr_oclip.engine.training_faults import is_local_checkpoint
from mmocr_oclip.utils import (CheckpointError, DataPathError, check_data_paths,
                               setup_cpu_distributed, used_dataloaders,
                               verify_checkpoint)
from mmocr_oclip.utils.runner_command import (add_runner_arguments, config_from_args,
                                              parse_runner_args)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where the metrics file goes')
    parser.add_argument(
        '--save-preds',
        action='store_true',
        help='also dump the predictions to a pickle file in the work dir')
    parser.add_argument('--show-dir',
                        help='draw predictions and ground truth into this folder')
    add_runner_arguments(parser, 'test_dataloader.batch_size=1')
    return parse_runner_args(parser)


def build_config(args):
    """The config with the command line applied."""
    cfg = config_from_args(args)
    cfg.load_from = args.checkpoint
    if args.show_dir:
        hook = cfg.default_hooks.get('visualization')
        if hook is None:
            raise ValueError('--show-dir needs default_hooks.visualization in the '
                             'config')
        hook.update(enable=True, draw_gt=True, draw_pred=True)
        cfg.visualizer.save_dir = args.show_dir
        cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    if args.save_preds:
        dump = dict(type='DumpResults',
                    out_file_path=osp.join(
                        cfg.work_dir,
                        f'{osp.basename(args.checkpoint)}_predictions.pkl'))
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = (list(evaluators) if isinstance(evaluators, (list, tuple))
                              else [evaluators]) + [dump]
    return cfg


def main():
    args = parse_args()
    cfg = build_config(args)
    try:
        check_data_paths(cfg, used_dataloaders(cfg, 'test'))
        if is_local_checkpoint(cfg.load_from):
            verify_checkpoint(cfg.load_from)
    except (DataPathError, CheckpointError) as e:
        sys.exit(f'error: {e}')
    setup_cpu_distributed(cfg)  # gloo, no GPU selection, when there is no CUDA
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.test()


if __name__ == '__main__':
    main()
