"""heatmap_picture: each word's map with its polygons, peaks and a legend."""
import torch
from mmengine.structures import InstanceData
from mmocr.structures import TextSpottingDataSample

from mmocr_oclip.apis.anchor_point_results import ground_truth
from mmocr_oclip.visualization import (HEATMAP_LEGEND, HIDDEN_IMAGE_LEGEND,
                                       heatmap_picture)


def test_heatmap_picture_legend_and_peak_colours():
    """Two panels (input, one word) side by side, no blank panel; a peak inside the
    word's own polygon is green, one outside red; a legend below."""
    image = torch.full((3, 64, 96), 128, dtype=torch.uint8)
    sample = TextSpottingDataSample(metainfo=dict(scale_factor=(2.0, 2.0)))
    sample.pred_instances = InstanceData(points=torch.tensor([[20., 20.], [44., 28.]]),
                                         scores=torch.tensor([0.5, 0.4]),
                                         texts=['ab', 'ab'])
    sample.word_texts = ['ab']
    sample.word_maps = torch.rand(1, 8, 12)
    gt = ground_truth(
        dict(instances=[dict(polygon=[0, 0, 30, 0, 30, 30, 0, 30], text='AB')]))
    picture = heatmap_picture(dict(inputs=image), sample, 8, gt)
    assert picture.shape == (64 + 6 + 14 * len(HEATMAP_LEGEND), 2 * 96, 3)
    # points are in original coordinates: x2 on the network input
    assert picture[40, 96 + 40].tolist() == [0, 255, 0]  # inside its polygon
    assert picture[56, 96 + 88].tolist() == [255, 0, 0]  # outside
    assert (picture[64:] < 128).any()  # legend text


def test_heatmap_picture_hides_the_image():
    """--hide-image: a grey canvas with every word's white outline instead of the
    image's pixels, one more legend line."""
    image = torch.full((3, 64, 96), 7, dtype=torch.uint8)
    sample = TextSpottingDataSample(metainfo=dict(scale_factor=(2.0, 2.0)))
    sample.pred_instances = InstanceData(points=torch.zeros(0, 2),
                                         scores=torch.zeros(0),
                                         texts=[])
    sample.word_texts = ['ab']
    sample.word_maps = torch.rand(1, 8, 12)
    gt = ground_truth(
        dict(instances=[
            dict(polygon=[0, 0, 30, 0, 30, 30, 0, 30], text='AB'),
            dict(polygon=[35, 10, 45, 10, 45, 20, 35, 20], text='cd')
        ]))
    picture = heatmap_picture(dict(inputs=image), sample, 8, gt, hide_image=True)
    lines = len(HEATMAP_LEGEND) + len(HIDDEN_IMAGE_LEGEND)
    assert picture.shape == (64 + 6 + 14 * lines, 2 * 96, 3)
    first = picture[:64, :96]
    assert not (first == 7).all(-1).any()  # no pixel of the image
    assert first[50, 50].tolist() == [128, 128, 128]
    assert (first[30, 90] > 200).all()  # the other word's (anti-aliased) outline
