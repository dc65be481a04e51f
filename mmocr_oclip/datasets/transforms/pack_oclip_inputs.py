"""Pack an image and its words for oCLIP pre-training."""
import numpy as np
from mmcv.transforms import BaseTransform, to_tensor
from mmengine.structures import InstanceData
from mmocr.registry import TRANSFORMS
from mmocr.structures import TextSpottingDataSample


@TRANSFORMS.register_module()
class PackOCLIPInputs(BaseTransform):
    """Pack the image tensor and the words of an image.

    The image is handled as in MMOCR's ``PackTextDetInputs`` (HWC array to a
    contiguous CHW tensor, channels and dtype unchanged).

    Required Keys:

    - gt_texts (list[str])
    - img, gt_polygons, gt_ignored (optional), the meta keys (those present)

    Returns a dict with:

    - inputs (Tensor): the (C, H, W) image, if ``img`` is present.
    - data_samples (TextSpottingDataSample): ``gt_instances.texts`` (list[str]),
      when present in the results ``gt_instances.polygons`` (list of float32
      arrays, from ``gt_polygons``) and ``gt_instances.ignored`` ((N, ) bool
      tensor, from ``gt_ignored``), and the metainfo of the ``meta_keys``
      present in the results.

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
            Defaults to ``('img_path', 'ori_shape', 'img_shape', 'scale_factor',
            'pad_shape')``.
    """

    def __init__(self,
                 meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor',
                            'pad_shape')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results):
        """Pack ``results``.

        Args:
            results (dict): result dict of the data pipeline.

        Returns:
            dict: ``inputs`` (when there is an image) and ``data_samples``.
        """
        packed = dict()
        if 'img' in results:
            img = results['img']
            if img.ndim < 3:
                img = np.expand_dims(img, -1)
            # permuting a contiguous tensor is 3-5x faster (mmdetection#9533)
            if img.flags.c_contiguous:
                img = to_tensor(img).permute(2, 0, 1).contiguous()
            else:
                img = to_tensor(np.ascontiguousarray(img.transpose(2, 0, 1)))
            packed['inputs'] = img
        data_sample = TextSpottingDataSample()
        gt_instances = InstanceData(texts=list(results['gt_texts']))
        if 'gt_polygons' in results:
            gt_instances.polygons = [
                np.asarray(p, dtype=np.float32) for p in results['gt_polygons']
            ]
        if 'gt_ignored' in results:
            gt_instances.ignored = to_tensor(
                np.asarray(results['gt_ignored'], dtype=bool))
        data_sample.gt_instances = gt_instances
        data_sample.set_metainfo(
            {key: results[key]
             for key in self.meta_keys if key in results})
        packed['data_samples'] = data_sample
        return packed

    def __repr__(self):
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
