"""Random subset of an image's text instances (oCLIP encodes at most 32 words)."""
import zlib

import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SampleTextInstances(BaseTransform):
    """Keep at most ``max_instances`` text instances, chosen uniformly at random.

    The kept instances stay in their original order. By default (the authors'
    oCLIP: their converter shuffles each image's words once, offline, and the
    loader takes the first 32 in every epoch) the subset is a random one fixed
    per image: drawn from a generator seeded by ``seed`` and the image path, the
    same in every epoch and on every worker. With ``resample=True`` it is drawn
    with ``np.random`` at every call (a fresh subset every epoch; reproducible
    under MMEngine's seeding of the data loader workers). Images with at most
    ``max_instances`` instances are left unchanged.

    Required Keys:

    - gt_texts (list[str])
    - img_path (str, unless ``resample``)

    Modified Keys (those present):

    - gt_texts, gt_ignored, gt_bboxes, gt_bboxes_labels, gt_polygons

    Args:
        max_instances (int): instances kept per image. Defaults to 32.
        resample (bool): draw a fresh subset at every call instead of one fixed
            per image. Defaults to False.
        seed (int): seed of the fixed subsets. Defaults to 0.
    """

    instance_keys = ('gt_texts', 'gt_ignored', 'gt_bboxes', 'gt_bboxes_labels',
                     'gt_polygons')

    def __init__(self, max_instances=32, resample=False, seed=0):
        if max_instances < 1:
            raise ValueError(f'max_instances must be >= 1, got {max_instances}')
        self.max_instances = max_instances
        self.resample = resample
        self.seed = seed

    def transform(self, results):
        """Subsample the instances of ``results`` in place.

        Args:
            results (dict): result dict with ``gt_texts``.

        Returns:
            dict: the same dict.
        """
        num = len(results['gt_texts'])
        for key in self.instance_keys:
            if key in results and len(results[key]) != num:
                raise ValueError(f'{key} has {len(results[key])} entries but '
                                 f'gt_texts has {num}')
        if num <= self.max_instances:
            return results
        if self.resample:
            keep = np.random.choice(num, self.max_instances, replace=False)
        else:
            path = str(results['img_path']).encode('utf-8')
            rng = np.random.default_rng([self.seed, zlib.crc32(path)])
            keep = rng.choice(num, self.max_instances, replace=False)
        keep = np.sort(keep)
        for key in self.instance_keys:
            if key not in results:
                continue
            value = results[key]
            if isinstance(value, list):
                results[key] = [value[i] for i in keep]
            else:
                results[key] = value[keep]
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(max_instances={self.max_instances}, '
                f'resample={self.resample}, seed={self.seed})')
