"""outline_words: annotated words drawn over the pictures of both attention
tools (``tools/visualize_attention.py``, ``tools/wecromcl_anchor_points.py``)."""
import numpy as np

from mmocr_oclip.visualization import outline_words


def test_outline_words_draws_each_polygon_at_the_network_scale():
    canvas = np.full((60, 100, 3), 128, np.uint8)
    # image pixels -> network input at half size
    outline_words(canvas, [('dog', [80, 60, 160, 60, 160, 100, 80, 100])],
                  np.array([0.5, 0.5]))
    assert (canvas[30, 40:80] > 200).all()  # the top edge, y = 60 / 2
    assert (canvas[50, 40:80] > 200).all()  # the bottom edge
    assert (canvas[40, 45:75] == 128).all()  # nothing inside the outline
    assert (canvas[:, :, 0] == canvas[:, :, 1]).all()  # white on grey only
