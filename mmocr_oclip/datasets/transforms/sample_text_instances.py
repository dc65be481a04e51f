"""Random subset of an image's text instances (oCLIP encodes at most 32 words)."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SampleTextInstances(BaseTransform):
    """Keep at most ``max_instances`` text instances, chosen uniformly at random.

    The kept instances stay in their original order. The subset is drawn with
    ``np.random`` at every call (a fresh subset every epoch; reproducible under
    MMEngine's seeding of the data loader workers). Images with at most
    ``max_instances`` instances are left unchanged.

    Required Keys:

    - gt_texts (list[str])

    Modified Keys (those present):

    - gt_texts, gt_ignored, gt_bboxes, gt_bboxes_labels, gt_polygons

    Args:
        max_instances (int): instances kept per image. Defaults to 32.
    """

    instance_keys = ('gt_texts', 'gt_ignored', 'gt_bboxes', 'gt_bboxes_labels',
                     'gt_polygons')

    def __init__(self, max_instances=32):
        if max_instances < 1:
            raise ValueError(f'max_instances must be >= 1, got {max_instances}')
        self.max_instances = max_instances

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
        keep = np.sort(np.random.choice(num, self.max_instances, replace=False))
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
        return f'{self.__class__.__name__}(max_instances={self.max_instances})'
