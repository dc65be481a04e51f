"""Saves oCLIP attention pictures during validation and testing."""
from mmengine.hooks import Hook
from mmocr.registry import HOOKS


@HOOKS.register_module()
class OCLIPAttentionVisualizationHook(Hook):
    """Draw the first ``max_images`` images of every ``interval``-th validation
    (and test) batch with :class:`OCLIPAttentionVisualizer` (the runner's
    visualizer), saved through its vis backends (``work_dir/<time>/vis_data``).

    Args:
        interval (int): Draw every ``interval`` batches. Defaults to 50.
        max_images (int): Images drawn per batch. Defaults to 4.
        enable (bool): Draw at all. Defaults to True.
    """

    def __init__(self, interval=50, max_images=4, enable=True):
        self.interval = interval
        self.max_images = max_images
        self.enable = enable

    def _draw(self, runner, batch_idx, data_batch, outputs, mode):
        if not self.enable or batch_idx % self.interval:
            return
        for inputs, sample in list(zip(data_batch['inputs'],
                                       outputs))[:self.max_images]:
            image = inputs.permute(1, 2, 0).numpy()[..., ::-1].copy()  # BGR -> RGB
            name = f'{mode}_{sample.metainfo.get("img_path", batch_idx)}'
            runner.visualizer.add_datasample(name.replace('/', '_'),
                                             image,
                                             sample,
                                             step=runner.epoch)

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self._draw(runner, batch_idx, data_batch, outputs, 'val')

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self._draw(runner, batch_idx, data_batch, outputs, 'test')
