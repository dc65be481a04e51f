"""The authors' oCLIP checkpoint layout."""
import re

import torch

# our key -> the authors', the tests' own inverse of the conversion
INVERSE_RULES = (
    (r'backbone\.stem\.0\.(.+)', r'visual.conv1.\1'),
    (r'backbone\.stem\.1\.(.+)', r'visual.bn1.\1'),
    (r'backbone\.stem\.3\.(.+)', r'visual.conv2.\1'),
    (r'backbone\.stem\.4\.(.+)', r'visual.bn2.\1'),
    (r'backbone\.stem\.6\.(.+)', r'visual.conv3.\1'),
    (r'backbone\.stem\.7\.(.+)', r'visual.bn3.\1'),
    (r'backbone\.(.+)\.downsample\.1\.(.+)', r'visual.\1.downsample.0.\2'),
    (r'backbone\.(.+)\.downsample\.2\.(.+)', r'visual.\1.downsample.1.\2'),
    (r'backbone\.(.+)', r'visual.\1'),
    (r'neck\.(.+)', r'visual.attnpool.\1'),
    (r'text_encoder\.resblocks\.(.+)', r'transformer.resblocks.\1'),
    (r'text_encoder\.(.+)', r'\1'),
    (r'decoder\.resblocks\.(.+)', r'transformer_decoder.resblocks.\1'),
    (r'decoder\.ln_final\.(.+)', r'ln_final_decoder.\1'),
    (r'decoder\.(.+)', r'\1'),
    (r'(logit_scale)', r'\1'),
)


def to_official(key):
    for pattern, theirs in INVERSE_RULES:
        match = re.fullmatch(pattern, key)
        if match:
            return match.expand(theirs)
    raise KeyError(key)


def official_state_dict(model, prefix='module.'):
    """The authors' layout of the OCLIP ``model``: random values, no
    num_batches_tracked nor dictionary_codes, ``image_pos`` with a leading 1."""
    generator = torch.Generator().manual_seed(0)
    state_dict = {}
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked') or key == 'dictionary_codes':
            continue
        value = torch.randn(value.shape, generator=generator)
        if key == 'decoder.image_pos':
            value = value[None]
        state_dict[prefix + to_official(key)] = value
    return state_dict
