from ..utils.resources import packaged_dict_file
from .oclip_pretrain_dataset import OCLIPPretrainDataset
from .pseudo_words import pseudo_words
from .synthetic_text import SyntheticTextRenderer, render_dataset
from .transforms import PackOCLIPInputs, SampleTextInstances

__all__ = [
    'OCLIPPretrainDataset', 'PackOCLIPInputs', 'SampleTextInstances',
    'SyntheticTextRenderer', 'packaged_dict_file', 'pseudo_words', 'render_dataset'
]
