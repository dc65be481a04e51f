from .oclip_pretrain_dataset import OCLIPPretrainDataset, packaged_dict_file
from .synthetic_text import SyntheticTextRenderer, render_dataset
from .transforms import PackOCLIPInputs, SampleTextInstances

__all__ = ['SyntheticTextRenderer', 'render_dataset']
__all__ += [
    'OCLIPPretrainDataset', 'packaged_dict_file', 'PackOCLIPInputs',
    'SampleTextInstances'
]
