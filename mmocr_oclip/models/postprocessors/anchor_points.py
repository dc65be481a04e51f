"""Anchor points: the peaks of each word's activation map over its image."""
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData


def activation_peaks(maps, valid, counts, nms_kernel=5):
    """The top ``counts[m]`` local maxima of each map, within its valid cells.

    A cell is a peak if it is valid and equals the maximum of the valid cells
    in its ``nms_kernel`` x ``nms_kernel`` neighbourhood (max-pool NMS). Invalid
    cells are never returned, whatever their values.

    Args:
        maps (Tensor): (M, h, w) activation maps.
        valid (Tensor): (M, h, w) bool, the cells that may hold a peak.
        counts (Tensor): (M,) long, peaks wanted per map.
        nms_kernel (int): Odd NMS window. Defaults to 5.

    Returns:
        tuple[Tensor, Tensor, Tensor, Tensor]: ``word_index``, ``rows``,
        ``cols`` (P,) long and ``scores`` (P,), ordered by map then by
        decreasing score; a map has fewer than ``counts[m]`` peaks only if it
        has fewer local maxima.
    """
    if nms_kernel % 2 != 1:
        raise ValueError(f'activation_peaks: nms_kernel must be odd, got {nms_kernel}')
    num, h, w = maps.shape
    masked = maps.masked_fill(~valid, float('-inf'))
    pooled = F.max_pool2d(masked[:, None],
                          nms_kernel,
                          stride=1,
                          padding=nms_kernel // 2)[:, 0]
    peaks = masked.masked_fill(~(valid & (masked == pooled)), float('-inf'))
    kmax = min(int(counts.max()) if num else 0, h * w)
    scores, index = peaks.flatten(1).topk(kmax, dim=1)
    rank = torch.arange(kmax, device=maps.device)
    keep = (rank[None] < counts[:, None].to(maps.device)) & scores.isfinite()
    word_index = torch.arange(num, device=maps.device)[:, None].expand(-1, kmax)
    index = index[keep]
    return word_index[keep], index // w, index % w, scores[keep]


def query_words(data_samples, tokenizer):
    """The distinct words each image is queried with.

    Per image: its ``gt_instances.texts`` (minus ``gt_instances.ignored`` when
    present), lower-cased, without the characters outside the tokenizer's
    dictionary; empty results are dropped; equal words form one query whose
    count is their number of occurrences.

    Args:
        data_samples (list): B samples with ``gt_instances.texts``.
        tokenizer (CharacterTokenizer): defines the dictionary.

    Returns:
        dict: ``words`` list[str] (M, grouped by image, first-occurrence
        order), ``image_index``, ``slot`` (its position among its image's
        queries) and ``counts`` (M,) long tensors.
    """
    chars = set(tokenizer.dictionary.dict)
    words, image_index, slot, counts = [], [], [], []
    for i, sample in enumerate(data_samples):
        texts = list(sample.gt_instances.texts)
        if 'ignored' in sample.gt_instances:
            texts = [t for t, ign in zip(texts, sample.gt_instances.ignored) if not ign]
        occurrences = {}
        for text in texts:
            word = ''.join(c for c in text.lower() if c in chars)
            if word:
                occurrences[word] = occurrences.get(word, 0) + 1
        words += list(occurrences)
        counts += list(occurrences.values())
        image_index += [i] * len(occurrences)
        slot += range(len(occurrences))
    return dict(words=words,
                image_index=torch.tensor(image_index, dtype=torch.long),
                slot=torch.tensor(slot, dtype=torch.long),
                counts=torch.tensor(counts, dtype=torch.long))


def query_slots(embeds, queries, num_images):
    """Lay the M word embeddings out as (B, K, E) query slots, zeros elsewhere.

    Args:
        embeds (Tensor): (M, E) embeddings of ``queries['words']``.
        queries (dict): :func:`query_words` output.
        num_images (int): B.

    Returns:
        Tensor: (B, K, E), K the most words of an image.
    """
    index = (queries['image_index'].to(embeds.device),
             queries['slot'].to(embeds.device))
    slots = embeds.new_zeros(num_images, int(queries['slot'].max()) + 1, embeds.size(1))
    return slots.index_put(index, embeds)


def set_anchor_points(data_samples,
                      queries,
                      maps,
                      valid,
                      stride,
                      nms_kernel=5,
                      return_maps=False):
    """Peaks of the word maps -> points in original image coordinates.

    Peak (row, col) -> the centre of the cell's part inside the network input,
    divided by the sample's ``scale_factor`` (w_scale, h_scale; 1 if absent):
    ``((col * sx + min((col + 1) * sx, W)) / 2 / w_scale, ...)`` with (H, W) the
    sample's ``img_shape`` (the unpadded input). A cell overhanging the image's
    bottom or right edge thus gives the centre of its in-image part, never a point
    outside the image nor one pushed onto its border.

    Args:
        data_samples (list): the B samples, modified in place.
        queries (dict): :func:`query_words` output (M words).
        maps (Tensor): (M, h, w) activation maps of the words.
        valid (Tensor): (M, h, w) bool, the unpadded cells of each word's image.
        stride (tuple[float, float]): (sy, sx) pixels per cell.
        nms_kernel (int): NMS window. Defaults to 5.
        return_maps (bool): also set ``word_maps`` (M_b, h, w) and
            ``word_texts`` on each sample. Defaults to False.

    Returns:
        list: ``data_samples`` with ``pred_instances``: ``points`` (P, 2)
        float32, ``scores`` (P,), ``texts`` list[str] (P).
    """
    maps, valid = maps.detach().float().cpu(), valid.cpu()
    word_index, rows, cols, scores = activation_peaks(maps, valid, queries['counts'],
                                                      nms_kernel)
    stride_y, stride_x = stride
    cell_start = torch.stack([cols * stride_x, rows * stride_y], dim=1).float()
    cell_end = cell_start + torch.tensor([stride_x, stride_y])
    num_images = len(data_samples)
    peak_image = queries['image_index'][word_index]
    if all('img_shape' in s.metainfo for s in data_samples):
        # (w, h) of each unpadded input: overhanging cells end at the image's edge
        sizes = torch.tensor([s.metainfo['img_shape'][:2][::-1] for s in data_samples],
                             dtype=torch.float32).reshape(num_images, 2)
        cell_end = cell_end.minimum(sizes[peak_image])
    points = (cell_start + cell_end) / 2
    factors = torch.tensor(
        [s.metainfo.get('scale_factor', (1.0, 1.0))[:2] for s in data_samples],
        dtype=torch.float32).reshape(num_images, 2)
    points = points / factors[peak_image]
    per_image = torch.bincount(peak_image, minlength=num_images).tolist()
    words_per_image = torch.bincount(queries['image_index'],
                                     minlength=num_images).tolist()
    peak_words = [queries['words'][i] for i in word_index.tolist()]
    points, scores = points.split(per_image), scores.split(per_image)
    word_maps = maps.split(words_per_image)
    start, word_start = 0, 0
    for i, sample in enumerate(data_samples):
        end = start + per_image[i]
        sample.pred_instances = InstanceData(points=points[i],
                                             scores=scores[i],
                                             texts=peak_words[start:end])
        if return_maps:
            sample.word_maps = word_maps[i]
            sample.word_texts = queries['words'][word_start:word_start +
                                                 words_per_image[i]]
        start, word_start = end, word_start + words_per_image[i]
    return data_samples
