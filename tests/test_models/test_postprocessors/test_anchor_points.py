"""Peak extraction of activation maps and their conversion to anchor points."""
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.structures import TextSpottingDataSample

from mmocr_oclip.models.postprocessors import (activation_peaks, query_words,
                                               set_anchor_points)
from mmocr_oclip.models.tokenizers import CharacterTokenizer


def peaks_of(maps, valid, counts):
    word, rows, cols, scores = activation_peaks(maps, valid, torch.tensor(counts))
    return [(int(m), int(r), int(c), float(s))
            for m, r, c, s in zip(word, rows, cols, scores)]


def test_peaks_hand_made_maps():
    maps = torch.zeros(2, 8, 10)
    valid = torch.zeros(2, 8, 10, dtype=torch.bool)
    valid[:, :6, :8] = True
    # word 0, k=1: its peak at (1, 1); a larger value in the invalid region
    maps[0, 1, 1] = 0.5
    maps[0, 7, 9] = 0.9
    # word 1, k=2: peaks at (4, 6) and (0, 0); (3, 4) is within 5x5 of (4, 6)
    # and smaller, so suppressed although it is the 2nd largest value
    maps[1, 4, 6] = 0.75
    maps[1, 3, 4] = 0.625
    maps[1, 0, 0] = 0.25
    maps[1, 6:, 8:] = 1.0  # invalid
    assert peaks_of(maps, valid, [1, 2]) == [(0, 1, 1, 0.5), (1, 4, 6, 0.75),
                                             (1, 0, 0, 0.25)]
    # k=3 for word 1 also gets the next unsuppressed maximum (a zero plateau
    # cell far from the others: the first one in row-major order)
    peaks = peaks_of(maps, valid, [0, 3])
    assert [p[:3] for p in peaks[:2]] == [(1, 4, 6), (1, 0, 0)]
    assert len(peaks) == 3 and peaks[2][3] == 0.0
    assert valid[1, peaks[2][1], peaks[2][2]]


def test_invalid_cells_never_returned():
    maps = torch.rand(3, 4, 4)
    valid = torch.zeros(3, 4, 4, dtype=torch.bool)
    valid[0, :2, :2] = True
    valid[1, 0, 0] = True
    word, rows, cols, _ = activation_peaks(maps, valid, torch.tensor([5, 5, 5]))
    assert valid[word, rows, cols].all()
    # word 2 has no valid cell, word 1 only one: fewer peaks than asked
    assert (word == 1).sum() == 1 and (word == 2).sum() == 0


def test_no_maps():
    word, rows, cols, scores = activation_peaks(torch.zeros(0, 3, 3),
                                                torch.zeros(0, 3, 3, dtype=torch.bool),
                                                torch.zeros(0, dtype=torch.long))
    assert len(word) == len(rows) == len(cols) == len(scores) == 0


def test_even_kernel_rejected():
    with pytest.raises(ValueError, match='odd'):
        activation_peaks(torch.zeros(1, 3, 3),
                         torch.ones(1, 3, 3, dtype=torch.bool),
                         torch.tensor([1]),
                         nms_kernel=4)


@pytest.fixture
def tokenizer(tmp_path):
    dict_file = tmp_path / 'dict.txt'
    dict_file.write_text('\n'.join('abcdefghijklmnopqrstuvwxyz0123456789') + '\n')
    return CharacterTokenizer(dict_file=str(dict_file), max_len=26)


def test_query_words_grouping(tokenizer):
    a = TextSpottingDataSample()
    a.gt_instances = InstanceData(texts=['Stop', 'STOP!', 'go', '###', 'x-1', 'no'],
                                  ignored=torch.tensor([0, 0, 0, 0, 0, 1]).bool())
    b = TextSpottingDataSample()
    b.gt_instances = InstanceData(texts=['%%'])
    c = TextSpottingDataSample()
    c.gt_instances = InstanceData(texts=['Go'])
    queries = query_words([a, b, c], tokenizer)
    # case-insensitive, punctuation outside the dictionary dropped, empty
    # and ignored words skipped
    assert queries['words'] == ['stop', 'go', 'x1', 'go']
    assert queries['counts'].tolist() == [2, 1, 1, 1]
    assert queries['image_index'].tolist() == [0, 0, 0, 2]
    assert queries['slot'].tolist() == [0, 1, 2, 0]


def test_set_anchor_points_coordinates(tokenizer):
    samples = []
    for texts, scale in ((['ab', 'AB', 'cd'], (0.5, 0.25)), ([], None), (['ef'], None)):
        sample = TextSpottingDataSample(metainfo=dict(
            scale_factor=scale) if scale else dict())
        sample.gt_instances = InstanceData(texts=texts)
        samples.append(sample)
    queries = query_words(samples, tokenizer)
    assert queries['words'] == ['ab', 'cd', 'ef']
    maps = torch.zeros(3, 6, 8)
    maps[0, 1, 2] = 0.9
    maps[0, 5, 7] = 0.6
    maps[1, 3, 3] = 0.4
    maps[2, 0, 1] = 0.7
    valid = torch.ones(3, 6, 8, dtype=torch.bool)
    set_anchor_points(samples, queries, maps, valid, (8.0, 8.0), return_maps=True)
    first = samples[0].pred_instances
    assert first.texts == ['ab', 'ab', 'cd']
    # (col * 8 + 4) / 0.5, (row * 8 + 4) / 0.25
    assert first.points.tolist() == [[40.0, 48.0], [120.0, 176.0], [56.0, 112.0]]
    assert first.points.dtype == torch.float32
    assert torch.allclose(first.scores, torch.tensor([0.9, 0.6, 0.4]))
    assert len(samples[1].pred_instances) == 0
    assert samples[1].pred_instances.points.shape == (0, 2)
    assert samples[2].pred_instances.points.tolist() == [[12.0, 4.0]]
    assert samples[0].word_texts == ['ab', 'cd'] and samples[1].word_texts == []
    assert samples[0].word_maps.shape == (2, 6, 8)
    assert samples[1].word_maps.shape == (0, 6, 8)


def test_points_of_cells_overhanging_the_image_stay_inside_it(tokenizer):
    """A 70x100 image on a stride-8 grid: the last row/column of cells overhang
    it; their point is the centre of the cell's part inside the image (y 64..70 ->
    67, x 96..100 -> 98), never a point pushed onto the image's border."""
    sample = TextSpottingDataSample(
        metainfo=dict(ori_shape=(35, 50), img_shape=(70, 100), scale_factor=(2.0, 2.0)))
    sample.gt_instances = InstanceData(texts=['ab', 'cd'])
    queries = query_words([sample], tokenizer)
    maps = torch.zeros(2, 9, 13)
    maps[0, 8, 12] = 0.9  # bottom-right cell
    maps[1, 4, 2] = 0.5  # inside: (20, 36) in the input
    valid = torch.ones(2, 9, 13, dtype=torch.bool)
    set_anchor_points([sample], queries, maps, valid, (8.0, 8.0))
    # original coordinates: input coordinates / scale factor 2
    assert sample.pred_instances.points.tolist() == [[49.0, 33.5], [10.0, 18.0]]
