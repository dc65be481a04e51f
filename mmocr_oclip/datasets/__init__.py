from ..utils.resources import packaged_dict_file
from .negative_word_sampler import NegativeWordSampler
from .oclip_pretrain_dataset import OCLIPPretrainDataset
from .pseudo_words import pseudo_words
from .random_word_image_dataset import RandomWordImageDataset
from .synthetic_text import SyntheticTextRenderer, render_dataset
from .transforms import PackOCLIPInputs, RandomShortSideResize, SampleTextInstances
from .wecromcl_collate import wecromcl_collate
from .word_hash import word_hash, word_hashes

__all__ = [
    'NegativeWordSampler', 'RandomShortSideResize', 'wecromcl_collate', 'word_hash',
    'word_hashes', 'OCLIPPretrainDataset', 'PackOCLIPInputs', 'RandomWordImageDataset',
    'SampleTextInstances', 'SyntheticTextRenderer', 'packaged_dict_file',
    'pseudo_words', 'render_dataset'
]
