"""Train a model of mmocr_oclip (or any MMOCR model) with MMEngine's Runner.

``mim train mmocr_oclip CONFIG [--work-dir DIR] [--resume] [--amp] [--cfg-options ...]``
runs this script; ``python tools/train.py CONFIG ...`` does the same. Several
processes: ``tools/dist_train.sh CONFIG GPUS`` or ``mim train mmocr_oclip CONFIG
--launcher pytorch --gpus N`` (CPU-only machines train with gloo),
``tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR`` on Slurm.
"""
import argparse
import logging
import sys

import torch
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmocr_oclip  # noqa: F401  (registers modules, compat fixes, `mmocr_oclip::`)
from mmocr_oclip.engine.hooks import TrainingPreempted
from mmocr_oclip.engine.training_faults import choose_checkpoints, explain_failure
from mmocr_oclip.utils import (CheckpointError, DataPathError, check_data_paths,
                               setup_cpu_distributed, used_dataloaders)
from mmocr_oclip.utils.runner_command import (add_runner_arguments, config_from_args,
                                              parse_runner_args)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        help='resume from the newest readable checkpoint in the work dir (an '
        'unreadable newer one is reported and passed over), or from the '
        'checkpoint given')
    parser.add_argument('--amp',
                        action='store_true',
                        help='automatic mixed precision (GPU)')
    parser.add_argument('--auto-scale-lr',
                        action='store_true',
                        help='scale the learning rate by the total batch size (needs '
                        '`auto_scale_lr.base_batch_size` in the config)')
    add_runner_arguments(parser, 'train_cfg.max_iters=10')
    return parse_runner_args(parser)


def build_config(args):
    """The config with the command line applied."""
    cfg = config_from_args(args)
    if args.amp:
        if cfg.optim_wrapper.type == 'AmpOptimWrapper':
            print_log('AMP is already on in the config', 'current', logging.WARNING)
        elif cfg.optim_wrapper.type != 'OptimWrapper':
            raise ValueError('--amp needs optim_wrapper.type OptimWrapper, got '
                             f'{cfg.optim_wrapper.type}')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ValueError('--auto-scale-lr needs auto_scale_lr.base_batch_size '
                             'in the config')
        cfg.auto_scale_lr.enable = True
    return cfg


def main():
    args = parse_args()
    cfg = build_config(args)
    try:
        check_data_paths(cfg, used_dataloaders(cfg, 'train'))
        choose_checkpoints(cfg, args.resume)
    except (DataPathError, CheckpointError) as e:
        sys.exit(f'error: {e}')
    setup_cpu_distributed(cfg)  # gloo, no GPU selection, when there is no CUDA
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    try:
        runner.train()
    except TrainingPreempted:
        shut_down_process_group(barrier=False)
        raise  # exit status 75, the line saying how to resume is logged
    except Exception as e:  # noqa: B902  (faults of long runs end in one line)
        line = explain_failure(e)
        if line is None:
            raise
        print_log(f'error: {line}', logger='current', level=logging.ERROR)
        sys.exit(f'error: {line}')
    shut_down_process_group(barrier=True)


def shut_down_process_group(barrier):
    """Shut the process group down before exit: a gloo group torn down at
    interpreter exit can abort ("terminate called without an active exception")
    after a finished run (seen 1 run in 10 of the 2-process test)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        if barrier:
            torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
