"""ICDAR2019-LSVT weak labels to MMOCR text-spotting JSON (transcriptions only)."""
import os.path as osp

from mmocr_oclip.datasets.annotation_file import load_json_file
from .json_stream import dump_ocr_json

LSVT_STAT_KEYS = ('images', 'images_without_words', 'words', 'words_ignored',
                  'words_with_spaces', 'words_too_short', 'words_kept')


def iter_lsvt_weak(weak_json,
                   img_prefix='train_weak_images',
                   min_len=2,
                   ignore_texts=('###', ),
                   stats=None):
    """Data list entries of LSVT's ``train_weak_labels.json``.

    ``{"gt_0": [{"transcription": ...}, ...], ...}`` gives image
    ``<img_prefix>/gt_0.jpg``. As the oCLIP authors did, whitespace is removed
    from transcriptions and words shorter than ``min_len`` are dropped; entries
    marked ``illegibility: true`` or transcribed as one of ``ignore_texts`` are
    skipped. Images left without words are not written.

    Args:
        weak_json (str): path of ``train_weak_labels.json``.
        img_prefix (str): directory of the images in ``img_path``.
        min_len (int): shortest word kept, in characters. Defaults to 2.
        ignore_texts (Sequence[str]): don't-care transcriptions.
        stats (dict, optional): updated with the counts of ``LSVT_STAT_KEYS``.

    Yields:
        dict: ``img_path`` and ``instances`` (``text``, ``ignore``, ``bbox_label``).
    """
    stats = stats if stats is not None else {}
    for key in LSVT_STAT_KEYS:
        stats[key] = 0
    labels = load_json_file(weak_json)
    if not isinstance(labels, dict):
        raise ValueError(f'{weak_json}: expected an object of images, got '
                         f'{type(labels).__name__}')
    for name, items in labels.items():
        if not isinstance(items, list):
            raise ValueError(f'{weak_json}: "{name}": expected a list of '
                             f'transcriptions, got {type(items).__name__}')
        stats['images'] += 1
        instances = []
        for i, item in enumerate(items):
            text = item.get('transcription') if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError(f'{weak_json}: "{name}"[{i}]: missing or '
                                 'non-string "transcription"')
            stats['words'] += 1
            if item.get('illegibility', False) or text in ignore_texts:
                stats['words_ignored'] += 1
                continue
            word = ''.join(text.split())
            if len(word) != len(text):
                stats['words_with_spaces'] += 1
            if len(word) < min_len:
                stats['words_too_short'] += 1
                continue
            instances.append(dict(text=word, ignore=False, bbox_label=0))
        if not instances:
            stats['images_without_words'] += 1
            continue
        stats['words_kept'] += len(instances)
        yield dict(img_path=osp.join(img_prefix, f'{name}.jpg'), instances=instances)


def convert_lsvt_weak(weak_json, out_json, img_prefix='train_weak_images', min_len=2):
    """Write LSVT's weak labels as MMOCR text-spotting JSON (no geometry, no sizes).

    Args:
        weak_json (str): path of ``train_weak_labels.json``.
        out_json (str): output JSON path.
        img_prefix (str): directory of the images in ``img_path``.
        min_len (int): shortest word kept. Defaults to 2.

    Returns:
        dict: the counts of ``LSVT_STAT_KEYS``.
    """
    stats = {}
    dump_ocr_json(out_json, iter_lsvt_weak(weak_json, img_prefix, min_len, stats=stats))
    return stats
