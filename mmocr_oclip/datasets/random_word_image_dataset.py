"""Random images with random words: data for benchmarks and smoke runs."""
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmocr.registry import DATASETS
from mmocr.structures import TextSpottingDataSample
from torch.utils.data import Dataset


@DATASETS.register_module()
class RandomWordImageDataset(Dataset):
    """Noise images, each with random words, packed as ``PackOCLIPInputs`` packs.

    Needs no files: training steps of any pre-training config can be timed on
    a machine without its data (``tools/analysis_tools/benchmark_pretrain.py
    --synthetic``). Sample ``i`` depends on ``seed`` and ``i`` only, so two
    runs (or two data workers) see the same batches.

    Each sample is a dict with

    - inputs (Tensor): (3, H, W) uint8 uniform noise, H, W = ``img_size``.
    - data_samples (TextSpottingDataSample): ``gt_instances.texts``
      (``words_per_image`` words, lengths uniform in ``word_len``, characters
      uniform over ``alphabet``) and the metainfo ``img_shape``, ``ori_shape``
      and ``img_path`` (``'random-<i>'``).

    Args:
        num_samples (int): Dataset length. Defaults to 64.
        img_size (tuple[int, int]): (H, W) of every image. Defaults to
            (512, 512).
        words_per_image (int): Words of each image. Defaults to 32.
        word_len (tuple[int, int]): Inclusive range of the word lengths.
            Defaults to (3, 10).
        alphabet (str): Characters of the words. Defaults to digits and
            lower-case letters, which every packaged dictionary holds.
        seed (int): Seed of the images and words. Defaults to 0.
    """

    def __init__(self,
                 num_samples=64,
                 img_size=(512, 512),
                 words_per_image=32,
                 word_len=(3, 10),
                 alphabet='0123456789abcdefghijklmnopqrstuvwxyz',
                 seed=0):
        if num_samples < 1 or words_per_image < 1:
            raise ValueError(f'{type(self).__name__}: num_samples and '
                             'words_per_image must be >= 1, got '
                             f'{num_samples} and {words_per_image}')
        if not 1 <= word_len[0] <= word_len[1]:
            raise ValueError(f'{type(self).__name__}: word_len must be (min, max) '
                             f'with 1 <= min <= max, got {tuple(word_len)}')
        if not alphabet:
            raise ValueError(f'{type(self).__name__}: alphabet is empty')
        self.num_samples = num_samples
        self.img_size = tuple(img_size)
        self.words_per_image = words_per_image
        self.word_len = tuple(word_len)
        self.alphabet = np.array(list(alphabet))
        self.seed = seed

    def __len__(self):
        return self.num_samples

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, index))
        image = torch.from_numpy(
            rng.integers(0, 256, (3, *self.img_size), dtype=np.uint8))
        lengths = rng.integers(self.word_len[0], self.word_len[1] + 1,
                               self.words_per_image)
        chars = rng.integers(0, len(self.alphabet), lengths.sum())
        bounds = np.cumsum(lengths)[:-1]
        texts = [''.join(w) for w in np.split(self.alphabet[chars], bounds)]
        sample = TextSpottingDataSample(metainfo=dict(img_path=f'random-{index}',
                                                      img_shape=self.img_size,
                                                      ori_shape=self.img_size))
        sample.gt_instances = InstanceData(texts=texts)
        return dict(inputs=image, data_samples=sample)
