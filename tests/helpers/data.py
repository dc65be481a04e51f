"""Data samples, batches and rendered sets."""
import torch
from mmengine.structures import InstanceData
from mmocr.structures import TextDetDataSample, TextSpottingDataSample

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from mmocr_oclip.datasets.word_hash import word_hash, word_hashes


def text_sample(texts, img_shape, negatives=None):
    """A TextSpottingDataSample of an ``img_shape`` image with the words
    ``texts``; with ``negatives``, also the fields wecromcl_collate sets."""
    sample = TextSpottingDataSample(metainfo=dict(img_shape=img_shape))
    sample.gt_instances = InstanceData(texts=list(texts))
    if negatives is not None:
        sample.positive_text = texts[0]
        sample.negative_texts = list(negatives)
        sample.word_hashes = word_hashes(texts)
        sample.positive_hash = word_hash(texts[0])
    return sample


def make_batch(model, words, shapes, negatives=None, seed=0, training=True):
    """Random images of ``shapes`` with the words ``words`` (and, with
    ``negatives``, the fields of wecromcl_collate), through the model's data
    preprocessor."""
    g = torch.Generator().manual_seed(seed)
    samples = [
        text_sample(texts, shape, None if negatives is None else negatives[i])
        for i, (texts, shape) in enumerate(zip(words, shapes))
    ]
    inputs = [
        torch.randint(0, 255, (3, ) + s, generator=g, dtype=torch.uint8) for s in shapes
    ]
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples), training)


def detector_batch(detector, size, high=256):
    """One random ``size`` x ``size`` image (values below ``high``) for a text
    detector's ``predict``."""
    sample = TextDetDataSample(metainfo=dict(
        img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0)))
    return detector.data_preprocessor(
        dict(inputs=[torch.randint(0, high, (3, size, size), dtype=torch.uint8)],
             data_samples=[sample]), False)


def oclip_dataloader(data_root, pipeline, shuffle):
    """A train dataloader config of a rendered set (batches of 2, no workers)."""
    return dict(batch_size=2,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=shuffle),
                dataset=dict(type='OCLIPPretrainDataset',
                             data_root=str(data_root),
                             ann_file='textspotting_train.json',
                             data_prefix=dict(img_path=''),
                             pipeline=pipeline))


def render_train_test(root, num_train, num_test, img_size, font_size):
    """Render a train split (seed 0) and a test split (seed 1) of 1-3 words an
    image into ``root``."""
    common = dict(img_size=img_size, words_per_image=(1, 3), font_size=font_size)
    render_dataset(str(root), num_train, split='train', seed=0, **common)
    render_dataset(str(root), num_test, split='test', seed=1, **common)
