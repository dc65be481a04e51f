"""The words of each image, as users have them: an MMOCR JSON or a plain listing.

Two input formats, told apart by the file name:

- ``*.json``: an MMOCR 1.x text-spotting or text-detection annotation file. Its
  instances need only ``text``; ``polygon``, ``bbox`` and ``ignore`` are kept when
  present (``polygon`` is what evaluation and the outlines of the pictures need).
- anything else: a UTF-8 listing, one image a line, ``IMAGE_PATH<TAB>WORDS`` with
  the words separated by spaces, e.g. ``imgs/0001.jpg\\tSTOP here stop``. Blank
  lines are skipped; a line without a tab, or with an empty image path, stops the
  reader with the file, the line number and the reason. A line with a tab and no
  word is an image without words (the labeler counts it as skipped).

Both give the same entries: ``dict(img_path, instances=[dict(text, ...)],
source)``, ``source`` locating the entry in the file for messages
(``'words.txt:12'``, ``'ann.json: data_list[3]'``).
"""
import numbers
import os.path as osp

from mmocr_oclip.datasets.annotation_file import AnnotationFileError, load_json_file
from mmocr_oclip.datasets.oclip_pretrain_dataset import entry_problem, instance_problem

LISTING_FORMAT = 'IMAGE_PATH<TAB>WORD WORD ...'


def load_word_annotations(path):
    """The entries of an MMOCR JSON (``*.json``) or a tab listing (other names).

    Args:
        path (str): the file.

    Returns:
        list[dict]: ``img_path``, ``instances`` (dicts with ``text`` and, from a
        JSON, whatever else the instance carries) and ``source``.

    Raises:
        FileNotFoundError: no such file.
        AnnotationFileError: not UTF-8, not valid JSON, or a malformed line.
        ValueError: a JSON that is not an MMOCR 1.x annotation file, has no
            images, or a malformed entry or polygon.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    if path.lower().endswith('.json'):
        return _load_mmocr_json(path)
    return _load_listing(path)


def _polygon_problem(polygon):
    """Why an instance's ``polygon`` is unusable, or None."""
    if not isinstance(polygon, (list, tuple)) or len(polygon) < 2 or len(polygon) % 2:
        return 'must be a flat list of an even number (>= 2) of coordinates'
    if not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in polygon):
        return 'must hold numbers only'
    return None


def _load_mmocr_json(path):
    ann = load_json_file(path)
    if not isinstance(ann, dict) or not isinstance(ann.get('data_list'), list):
        raise ValueError(f'{path}: not an MMOCR 1.x annotation file '
                         '(a dict with metainfo and data_list)')
    if not ann['data_list']:
        raise ValueError(f'{path}: data_list is empty, no images to label')
    entries = []
    for index, info in enumerate(ann['data_list']):
        source = f'{path}: data_list[{index}]'
        problem = entry_problem(info)
        for i, inst in enumerate([] if problem else info['instances']):
            problem = instance_problem(i, inst)
            if not problem and 'polygon' in inst:
                reason = _polygon_problem(inst['polygon'])
                problem = reason and f'instances[{i}]: "polygon" {reason}'
            if problem:
                break
        if problem:
            raise ValueError(f'{source}: {problem}')
        entries.append(
            dict(img_path=info['img_path'],
                 instances=[dict(inst) for inst in info['instances']],
                 source=source))
    return entries


def _load_listing(path):
    with open(path, 'rb') as f:
        data = f.read()
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = data.count(b'\n', 0, e.start) + 1
        raise AnnotationFileError(f'{path}, line {line}: not UTF-8 text '
                                  f'(byte 0x{data[e.start]:02x}: {e.reason})') from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        img_path, tab, words = line.partition('\t')
        if not tab:
            raise AnnotationFileError(f'{path}:{number}: expected {LISTING_FORMAT}, '
                                      f'found no tab in {line[:60]!r}')
        if not img_path.strip():
            raise AnnotationFileError(f'{path}:{number}: empty image path before '
                                      f'the tab (expected {LISTING_FORMAT})')
        entries.append(
            dict(img_path=img_path.strip(),
                 instances=[dict(text=word) for word in words.split()],
                 source=f'{path}:{number}'))
    if not entries:
        raise AnnotationFileError(f'{path}: no image listed (expected one '
                                  f'{LISTING_FORMAT} line per image)')
    return entries


def first_without_polygon(entries):
    """``'<source>: instances[i]'`` of the first instance without a polygon,
    or None if every instance has one (what evaluation needs)."""
    for entry in entries:
        for i, inst in enumerate(entry['instances']):
            if 'polygon' not in inst:
                return f'{entry["source"]}: instances[{i}]'
    return None
