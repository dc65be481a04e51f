import pytest
import torch

from mmocr_oclip.datasets import RandomWordImageDataset


def test_samples_are_deterministic_and_shaped():
    ds = RandomWordImageDataset(num_samples=5,
                                img_size=(24, 40),
                                words_per_image=7,
                                word_len=(2, 4),
                                alphabet='ab',
                                seed=3)
    assert len(ds) == 5
    sample = ds[4]
    assert sample['inputs'].shape == (3, 24, 40)
    assert sample['inputs'].dtype == torch.uint8
    texts = sample['data_samples'].gt_instances.texts
    assert len(texts) == 7
    assert all(2 <= len(t) <= 4 and set(t) <= {'a', 'b'} for t in texts)
    assert sample['data_samples'].img_shape == (24, 40)
    again = RandomWordImageDataset(5, (24, 40), 7, (2, 4), 'ab', seed=3)[4]
    assert torch.equal(again['inputs'], sample['inputs'])
    assert again['data_samples'].gt_instances.texts == texts
    other = RandomWordImageDataset(5, (24, 40), 7, (2, 4), 'ab', seed=4)[4]
    assert not torch.equal(other['inputs'], sample['inputs'])
    assert not torch.equal(ds[3]['inputs'], sample['inputs'])


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_samples=0), 'num_samples and words_per_image must be >= 1'),
    (dict(word_len=(3, 2)), r'word_len must be \(min, max\)'),
    (dict(alphabet=''), 'alphabet is empty'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandomWordImageDataset(**kwargs)
