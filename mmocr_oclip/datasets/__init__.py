"""Runtime data of oCLIP / WeCromCL: datasets, transforms, samplers, collate.

Offline data preparation (converters, the synthetic text renderer) lives in
:mod:`mmocr_oclip.datasets.preparers`, which importing this package does not
import: ``render_dataset`` and ``SyntheticTextRenderer`` below load it on
first use.
"""
from ..utils.resources import packaged_dict_file
from .negative_word_sampler import NegativeWordSampler
from .oclip_pretrain_dataset import OCLIPPretrainDataset
from .pseudo_words import pseudo_words
from .random_word_image_dataset import RandomWordImageDataset
from .transforms import PackOCLIPInputs, RandomShortSideResize, SampleTextInstances
from .wecromcl_collate import wecromcl_collate
from .word_hash import word_hash, word_hashes

# the renderer's Python API (docs/en/user_guides/dataset_preparation.md), served from
# the preparers when used
_RENDERING_NAMES = ('SyntheticTextRenderer', 'render_dataset')

__all__ = [
    'NegativeWordSampler', 'RandomShortSideResize', 'wecromcl_collate', 'word_hash',
    'word_hashes', 'OCLIPPretrainDataset', 'PackOCLIPInputs', 'RandomWordImageDataset',
    'SampleTextInstances', 'SyntheticTextRenderer', 'packaged_dict_file',
    'pseudo_words', 'render_dataset'
]


def __getattr__(name):
    """``render_dataset`` / ``SyntheticTextRenderer`` from
    :mod:`.preparers.rendering`, imported on first use (PEP 562)."""
    if name in _RENDERING_NAMES:
        from .preparers import rendering
        return getattr(rendering, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
