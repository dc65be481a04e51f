"""What ``tools/train.py`` and ``tools/test.py`` share: the launcher arguments
and the config with a command line applied."""
import os
import os.path as osp

from mmengine.config import DictAction

from .data_root import load_config


def add_runner_arguments(parser, cfg_options_example):
    """Add ``--cfg-options``, ``--launcher`` and ``--local-rank`` (set by
    torch's launchers) to ``parser``."""
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help=f'override config entries, e.g. {cfg_options_example}')
    parser.add_argument('--launcher',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser):
    """The parsed command line; ``LOCAL_RANK`` defaults to ``--local-rank``."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def config_from_args(args):
    """The config ``args.config`` with ``args.cfg_options``, the launcher and
    the work dir (``args.work_dir``, else the config's, else
    ``work_dirs/<config name>``).

    ``data_root`` is bound late (see :func:`load_config`): a child config's or
    ``--cfg-options``' data_root moves every dataloader path under the
    inherited one.
    """
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
