"""Pictures of oCLIP's attention: the global token's and each word's."""
import os.path as osp

import cv2
import matplotlib
import numpy as np
from mmengine.visualization import Visualizer
from mmocr.registry import VISUALIZERS
from PIL import Image, ImageDraw, ImageFont

FONT_FILE = osp.join(matplotlib.get_data_path(), 'fonts', 'ttf', 'DejaVuSans.ttf')


def overlay_attention(image, attn, stride=32):
    """Blend an attention map over an image.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB, the network input before
            padding (its top-left corner is the padded input's).
        attn (np.ndarray): (h, w) attention over the stride-``stride`` grid of
            the padded input.
        stride (int): Pixels per grid cell. Defaults to 32.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.
    """
    height, width = image.shape[:2]
    heat = cv2.resize(attn.astype(np.float32),
                      (attn.shape[1] * stride, attn.shape[0] * stride),
                      interpolation=cv2.INTER_LINEAR)[:height, :width]
    heat = (255 * (heat - heat.min()) / max(float(heat.max() - heat.min()), 1e-12))
    heat = cv2.applyColorMap(heat.astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
    return cv2.addWeighted(image, 0.5, heat, 0.5, 0)


@VISUALIZERS.register_module()
class OCLIPAttentionVisualizer(Visualizer):
    """Draws, for one image, the global token's attention and, per word, the
    decoder's character attention with the masked character and its prediction.

    Panels are ``panel_height`` pixels high, ``num_columns`` per row.
    """

    def __init__(self, name='visualizer', panel_height=256, num_columns=4, **kwargs):
        super().__init__(name=name, **kwargs)
        self.panel_height = panel_height
        self.num_columns = num_columns
        self.font = ImageFont.truetype(FONT_FILE, 16)
        self.small_font = ImageFont.truetype(FONT_FILE, 13)

    def _panel(self, picture, caption):
        scale = self.panel_height / picture.shape[0]
        picture = cv2.resize(
            picture, (max(1, round(picture.shape[1] * scale)), self.panel_height))
        width = max(picture.shape[1], round(self.font.getlength(caption)) + 8)
        canvas = Image.new('RGB', (width, self.panel_height + 24), 'white')
        canvas.paste(Image.fromarray(picture), (0, 0))
        ImageDraw.Draw(canvas).text((4, self.panel_height + 2),
                                    caption,
                                    fill='black',
                                    font=self.font)
        return np.asarray(canvas)

    def draw_attention(self, image, data_sample):
        """The picture of one predicted sample, with a legend.

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB network input (unpadded).
            data_sample: an output of :meth:`OCLIP.predict`.

        Returns:
            np.ndarray: the panels in a grid above a legend, uint8 RGB.
        """
        panels = [
            self._panel(overlay_attention(image, data_sample.pool_attn.numpy()),
                        'global token (whole image)')
        ]
        pred = data_sample.pred_instances
        words = data_sample.gt_instances.texts if 'attn_maps' in pred else []
        for i, word in enumerate(words):
            pos = int(pred.masked_positions[i])
            caption = word
            if pos >= 0:
                right = pred.pred_chars[i] == pred.target_chars[i]
                caption = (f'{word[:pos]}[{pred.target_chars[i]}]{word[pos + 1:]} '
                           f'-> {pred.pred_chars[i]} '
                           f'({float(pred.pred_scores[i]):.2f}) '
                           f'{"right" if right else "wrong"}')
            panels.append(
                self._panel(overlay_attention(image, pred.attn_maps[i].numpy()),
                            caption))
        grid = self._grid(panels)
        return np.concatenate([grid, self._legend(grid.shape[1])])

    def _legend(self, width):
        """Two lines that say how to read the panels."""
        lines = ('word panels: the decoder\'s attention while reading the word; '
                 '[x] = the masked character,',
                 '-> the predicted character (probability), right/wrong; '
                 'colours: blue = low, red = high attention')
        canvas = Image.new('RGB', (width, 44), 'white')
        draw = ImageDraw.Draw(canvas)
        for k, line in enumerate(lines):
            draw.text((4, 2 + 20 * k), line, fill='black', font=self.small_font)
        return np.asarray(canvas)

    def _grid(self, panels):
        """Panels in rows of at most ``num_columns``; never a blank column of
        panels when there are fewer panels than columns."""
        columns = min(self.num_columns, len(panels))
        width = max(p.shape[1] for p in panels)
        height = panels[0].shape[0]
        rows = []
        for start in range(0, len(panels), columns):
            row = np.full((height, width * columns, 3), 255, np.uint8)
            for j, panel in enumerate(panels[start:start + columns]):
                row[:, j * width:j * width + panel.shape[1]] = panel
            rows.append(row)
        return np.concatenate(rows)

    def add_datasample(self,
                       name,
                       image,
                       data_sample=None,
                       draw_gt=True,
                       draw_pred=True,
                       show=False,
                       wait_time=0,
                       out_file=None,
                       step=0):
        """Draw ``data_sample`` on ``image`` (RGB); save to the vis backends,
        to ``out_file`` if given, and return the picture."""
        picture = self.draw_attention(image, data_sample)
        if show:
            self.show(picture, win_name=name, wait_time=wait_time)
        if out_file is not None:
            cv2.imwrite(out_file, picture[..., ::-1])
        else:
            self.add_image(name, picture, step)
        return picture
