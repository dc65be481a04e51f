"""One ``data_root`` per config, bound when the config is loaded, and one clear line
when a dataset path is missing.

MMEngine evaluates a base config's variables before a child config is read, so a child
that sets ``data_root = '/my/data'`` (or ``--cfg-options data_root=/my/data``) would
leave every dataloader on the parent's path. :func:`load_config` closes that gap: every
string in the ``*_dataloader`` entries that is the inherited ``data_root`` or a path
under it (``dataset.data_root``, a vocabulary file in the data folder, ...) moves to the
config's own ``data_root``. :func:`check_data_paths` turns a missing data folder or
annotation file into a :class:`DataPathError` that names the config key, the path as
resolved from the working directory and how to set it.
"""
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence, Set, Tuple

from mmengine.config import Config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


class DataPathError(FileNotFoundError):
    """A dataset path of a config does not exist (message: one line)."""


def _base_data_roots(filename: str) -> Set[str]:
    """The ``data_root`` of each base config of ``filename`` (after its own bases)."""
    roots = set()
    for base in Config._get_base_files(filename):
        path, _ = Config._get_cfg_path(base, filename)
        root = Config.fromfile(path).get('data_root')
        if isinstance(root, str):
            roots.add(root)
    return roots


def _moved(value: str, old_roots: Sequence[str], new_root: str) -> str:
    for old in old_roots:
        if value == old:
            return new_root
        if value.startswith(old.rstrip('/') + '/'):
            return new_root.rstrip('/') + value[len(old.rstrip('/')):]
    return value


def _rebind(node, old_roots: Sequence[str], new_root: str):
    if isinstance(node, str):
        return _moved(node, old_roots, new_root)
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _rebind(value, old_roots, new_root)
    elif isinstance(node, list):
        node[:] = [_rebind(value, old_roots, new_root) for value in node]
    elif isinstance(node, tuple):
        return type(node)(_rebind(value, old_roots, new_root) for value in node)
    return node


def bind_data_root(cfg: Config, old_roots: Sequence[str]) -> Config:
    """Move every path of the dataloaders under one of ``old_roots`` to
    ``cfg.data_root`` (a no-op when the config has no ``data_root``)."""
    new_root = cfg.get('data_root')
    if not isinstance(new_root, str):
        return cfg
    # longest first, so that 'data/a/b' wins over 'data/a'
    old_roots = sorted((r for r in set(old_roots) if r and r != new_root),
                       key=len,
                       reverse=True)
    if old_roots:
        for key in DATALOADERS:
            if cfg.get(key) is not None:
                _rebind(cfg[key], old_roots, new_root)
    return cfg


def load_config(filename: str, cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` + ``--cfg-options``, with ``data_root`` bound late.

    A child config's ``data_root`` (or ``cfg_options['data_root']``) replaces the
    inherited one in every dataloader, so one variable moves all of a config's data.
    """
    cfg = Config.fromfile(filename)
    old_roots = _base_data_roots(filename)
    if cfg_options:
        if isinstance(cfg.get('data_root'), str):
            old_roots.add(cfg.data_root)
        cfg.merge_from_dict(cfg_options)
    return bind_data_root(cfg, old_roots)


def _datasets(node, key: str) -> Iterator[Tuple[str, dict]]:
    """(config key, dataset dict) of a dataloader's dataset and wrapped datasets."""
    if isinstance(node, dict):
        if 'type' in node and ('data_root' in node or 'ann_file' in node):
            yield key, node
        for name in ('dataset', 'datasets'):
            child = node.get(name)
            if isinstance(child, dict):
                yield from _datasets(child, f'{key}.{name}')
            elif isinstance(child, (list, tuple)):
                for i, item in enumerate(child):
                    yield from _datasets(item, f'{key}.{name}.{i}')


def _hint(cfg: Config, key: str, what: str) -> str:
    if isinstance(cfg.get('data_root'), str):
        return ("set data_root = '/path/to/data' in your config or pass "
                '--cfg-options data_root=/path/to/data')
    return f'pass --cfg-options {key}.{what}=/path/to/data'


def check_data_paths(cfg: Config, dataloaders: Sequence[str] = DATALOADERS) -> None:
    """Raise :class:`DataPathError` for the first missing data folder or annotation
    file of the given dataloaders (paths relative to the working directory)."""
    cwd = os.getcwd()
    for loader in dataloaders:
        if cfg.get(loader) is None:
            continue
        for key, dataset in _datasets(cfg[loader].get('dataset'), f'{loader}.dataset'):
            root = dataset.get('data_root') or ''
            if root and not osp.isdir(root):
                raise DataPathError(
                    f"{key}.data_root: folder '{root}' not found (looked in "
                    f"{osp.abspath(root)}, working directory {cwd}); "
                    f'{_hint(cfg, key, "data_root")}')
            ann = dataset.get('ann_file')
            if isinstance(ann, str) and ann:
                path = ann if osp.isabs(ann) or not root else osp.join(root, ann)
                if not osp.isfile(path):
                    raise DataPathError(
                        f"{key}.ann_file: file '{path}' not found (looked in "
                        f'{osp.abspath(path)}, working directory {cwd}); '
                        f'{_hint(cfg, key, "data_root")}')


def used_dataloaders(cfg: Config, mode: str) -> List[str]:
    """The dataloaders a ``train`` or ``test`` run builds."""
    if mode == 'test':
        return ['test_dataloader']
    loaders = ['train_dataloader']
    if cfg.get('val_cfg') is not None and cfg.get('val_dataloader') is not None:
        loaders.append('val_dataloader')
    return loaders
