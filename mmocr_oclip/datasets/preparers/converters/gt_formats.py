"""Official ground truth of Total-Text, ICDAR2015 and SCUT-CTW1500 to MMOCR 1.x JSON.

Each ``parse_*`` function reads one ground-truth file into instances
``dict(polygon=[x1, y1, ...], text=str, ignore=bool)`` and raises
:class:`GTFormatError` (file, line and reason) on a line it cannot read.
:func:`convert_dataset` pairs the files with their images and writes
``textdet_{split}.json`` / ``textspotting_{split}.json`` as MMOCR's
``TextDetPacker`` / ``TextSpottingPacker`` do (textdet instances carry no text).
"""
import argparse
import ast
import json
import os
import os.path as osp
import re
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Sequence, Tuple

from mmocr.datasets.preparers.packers import TextDetPacker, TextSpottingPacker
from PIL import Image

from mmocr_oclip.datasets.annotation_file import AnnotationFileError, read_utf8_text

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')
TASKS = ('textdet', 'textspotting')
PACKERS = dict(textdet=TextDetPacker, textspotting=TextSpottingPacker)

_SPACE = re.compile(r'\s*')
_NUMBER = re.compile(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$')
_STRING = r"""u?'(?:[^'\\\n]|\\.)*'|u?"(?:[^"\\\n]|\\.)*\""""
_LEGACY_FIELDS = (
    ('x', re.compile(r'x:\s*\[\[([^\[\]]*)\]\]')),
    ('y', re.compile(r'\s*,\s*y:\s*\[\[([^\[\]]*)\]\]')),
    ('ornt', re.compile(r'\s*,\s*ornt:\s*\[([^\[\]]*)\]')),
    ('transcriptions',
     re.compile(r'\s*,\s*transcriptions:\s*\[\s*(' + _STRING + r')?\s*\]')),
)


class GTFormatError(ValueError):
    """A ground-truth file (or its pairing with an image) that cannot be used."""


def _instance(path: str, line_no: int, coords: Sequence[str], text: str,
              ignore_text: str) -> Dict:
    """Build an instance from coordinate strings, checking the polygon."""
    polygon = []
    for value in coords:
        if not _NUMBER.match(value.strip()):
            raise GTFormatError(
                f'{path}, line {line_no}: coordinate {value.strip()!r} is not a number')
        polygon.append(float(value))
    if len(polygon) % 2:
        raise GTFormatError(
            f'{path}, line {line_no}: odd number of coordinates ({len(polygon)})')
    if len(polygon) < 6:
        raise GTFormatError(f'{path}, line {line_no}: a polygon needs at least 3 '
                            f'points, got {len(polygon) // 2}')
    return dict(polygon=polygon, text=text, ignore=text == ignore_text)


def _read_text(path: str) -> str:
    """A UTF-8 file's text; :class:`GTFormatError` (line, byte) if not UTF-8."""
    try:
        return read_utf8_text(path)
    except AnnotationFileError as e:
        raise GTFormatError(str(e)) from None


def _read_lines(path: str) -> List[Tuple[int, str]]:
    """Non-blank stripped lines with their 1-based numbers (BOM/CRLF-safe)."""
    lines = _read_text(path).splitlines()
    return [(i, line.strip()) for i, line in enumerate(lines, 1) if line.strip()]


def parse_totaltext(path: str) -> List[Dict]:
    """Parse a Total-Text file, legacy or comma format (detected per file).

    Legacy records ``x: [[..]], y: [[..]], ornt: [u'c'], transcriptions: [u'w']``
    may be wrapped over several lines; ``#`` (or an empty list) is don't care.
    Comma lines are ``x1,y1,...,xn,yn,WORD`` with ``###`` as don't care.
    """
    content = _read_text(path)
    if content.lstrip().startswith('x:'):
        return _parse_totaltext_legacy(path, content)
    return [_parse_totaltext_comma(path, i, line) for i, line in _read_lines(path)]


def _parse_totaltext_legacy(path: str, content: str) -> List[Dict]:
    """Parse legacy records with a regex per field over the whole file."""
    instances = []
    pos = _SPACE.match(content).end()
    while pos < len(content):
        line_no = content.count('\n', 0, pos) + 1
        fields = {}
        for name, pattern in _LEGACY_FIELDS:
            match = pattern.match(content, pos)
            if match is None:
                raise GTFormatError(
                    f'{path}, line {line_no}: cannot read the {name!r} field of a '
                    "record 'x: [[..]], y: [[..]], ornt: [..], transcriptions: [..]'")
            fields[name] = match.group(1)
            pos = match.end()
        xs = fields['x'].replace(',', ' ').split()
        ys = fields['y'].replace(',', ' ').split()
        if len(xs) != len(ys):
            raise GTFormatError(f'{path}, line {line_no}: x has {len(xs)} values '
                                f'but y has {len(ys)}')
        literal = fields['transcriptions'] or "'#'"
        try:
            text = ast.literal_eval(literal)
        except (SyntaxError, ValueError) as e:
            raise GTFormatError(f'{path}, line {line_no}: invalid transcription '
                                f'{literal} ({e})')
        coords = [v for xy in zip(xs, ys) for v in xy]
        instances.append(_instance(path, line_no, coords, text, '#'))
        pos = _SPACE.match(content, pos).end()
    return instances


def _parse_totaltext_comma(path: str, line_no: int, line: str) -> Dict:
    """Parse ``x1,y1,...,xn,yn,WORD``.

    The coordinates are the longest even run of leading numeric fields that
    leaves at least one field; the rest, commas included, is the transcription.
    So numeric words (``52``) and words with commas are kept; only a word that
    itself starts with ``<number>,<number>`` cannot be told from coordinates.
    """
    fields = line.split(',')
    num = 0
    while num < len(fields) - 1 and _NUMBER.match(fields[num].strip()):
        num += 1
    num -= num % 2
    return _instance(path, line_no, fields[:num], ','.join(fields[num:]), '###')


def parse_icdar2015(path: str) -> List[Dict]:
    """Parse an ICDAR2015 ``gt_img_N.txt``: ``x1,y1,...,x4,y4,TEXT`` lines.

    UTF-8 BOM and CRLF are accepted; the transcription is everything after the
    eighth comma (it may contain commas); ``###`` is don't care.
    """
    instances = []
    for line_no, line in _read_lines(path):
        fields = line.split(',', 8)
        if len(fields) < 9:
            raise GTFormatError(
                f'{path}, line {line_no}: expected 8 coordinates and a '
                f'transcription, got {len(fields)} comma-separated fields')
        instances.append(_instance(path, line_no, fields[:8], fields[8], '###'))
    return instances


def parse_ctw1500_txt(path: str) -> List[Dict]:
    """Parse a CTW1500 test file: ``x1,y1,...,x14,y14,####TEXT`` lines.

    The transcription is everything after ``,####`` (``###`` is don't care).
    """
    instances = []
    for line_no, line in _read_lines(path):
        coords, sep, text = line.partition(',####')
        if not sep:
            raise GTFormatError(f"{path}, line {line_no}: no ',####' before the "
                                'transcription')
        instances.append(_instance(path, line_no, coords.split(','), text, '###'))
    return instances


def parse_ctw1500_xml(path: str) -> List[Tuple[str, List[Dict]]]:
    """Parse a CTW1500 train XML into ``(image file, instances)`` pairs.

    Every ``<image file=..>`` holds ``<box>`` elements whose ``<label>`` is the
    transcription (``###`` is don't care) and ``<segs>`` the 14 points as
    comma-separated absolute coordinates.
    """
    with open(path, 'rb') as f:
        data = f.read()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise GTFormatError(f'{path}, line {e.position[0]}: invalid XML ({e})')
    box_lines = dict(
        zip(root.iter('box'), (data.count(b'\n', 0, m.start()) + 1
                               for m in re.finditer(rb'<box\b', data))))
    samples = []
    for image in root.iter('image'):
        if 'file' not in image.attrib:
            raise GTFormatError(f'{path}: <image> without a file attribute')
        instances = []
        for box in image.iter('box'):
            line_no = box_lines[box]
            segs = box.findtext('segs')
            if segs is None:
                raise GTFormatError(f'{path}, line {line_no}: <box> without <segs>')
            text = box.findtext('label') or ''
            instances.append(_instance(path, line_no, segs.split(','), text, '###'))
        samples.append((image.attrib['file'], instances))
    return samples


def _single(parse):
    """Wrap a one-image parser: its image is found from the GT file name."""
    return lambda path: [(None, parse(path))]


def _read_ctw1500(path: str) -> List[Tuple[Optional[str], List[Dict]]]:
    """Train XML or test txt, by extension."""
    if path.lower().endswith('.xml'):
        return parse_ctw1500_xml(path)
    return [(None, parse_ctw1500_txt(path))]


# dataset -> (GT file extensions, reader returning [(image file or None, instances)])
DATASETS = dict(
    totaltext=(('.txt', ), _single(parse_totaltext)),
    icdar2015=(('.txt', ), _single(parse_icdar2015)),
    ctw1500=(('.txt', '.xml'), _read_ctw1500),
)


def _natural_key(name: str) -> List:
    """Sort key putting ``img2`` before ``img10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', name)]


def image_stem_candidates(gt_stem: str) -> List[str]:
    """Image names (no extension) a GT file may annotate.

    ``poly_gt_img11`` / ``gt_img11`` / ``img11`` -> ``img11`` (Total-Text),
    ``gt_img_1`` -> ``img_1`` (ICDAR2015), ``0001001`` -> ``1001`` (CTW1500 test).
    """
    candidates = [re.sub(r'^(poly_)?gt_', '', gt_stem), gt_stem]
    if gt_stem.isdigit():
        candidates.append(f'{int(gt_stem):04d}')
    return list(dict.fromkeys(candidates))


def _index_images(img_dir: str) -> Dict[str, str]:
    """Map image stems to file names, rejecting stems with several images."""
    index = {}
    for name in sorted(os.listdir(img_dir)):
        stem, ext = osp.splitext(name)
        if ext.lower() not in IMG_EXTENSIONS:
            continue
        if stem in index:
            raise GTFormatError(f'{img_dir}: ambiguous images {index[stem]} and '
                                f'{name}')
        index[stem] = name
    return index


def collect_samples(dataset: str,
                    img_dir: str,
                    gt_dir: str,
                    skip_missing: bool = False) -> Tuple[List[Dict], int]:
    """Parse every GT file of ``gt_dir`` and pair it with its image.

    Returns:
        tuple: samples ``dict(img_name, height, width, instances)`` in natural
        order of the image names, and the number of GT entries skipped for lack of
        an image (always 0 unless ``skip_missing``).
    """
    extensions, read = DATASETS[dataset]
    gt_files = sorted(
        (f for f in os.listdir(gt_dir) if osp.splitext(f)[1].lower() in extensions),
        key=_natural_key)
    if not gt_files:
        raise GTFormatError(
            f'{gt_dir}: no ground-truth files ({", ".join(extensions)})')
    images = _index_images(img_dir)
    samples, owners, skipped = [], {}, 0
    for gt_file in gt_files:
        gt_path = osp.join(gt_dir, gt_file)
        for img_file, instances in read(gt_path):
            stems = ([osp.splitext(osp.basename(img_file))[0]]
                     if img_file else image_stem_candidates(osp.splitext(gt_file)[0]))
            img_name = next((images[s] for s in stems if s in images), None)
            if img_name is None:
                if skip_missing:
                    skipped += 1
                    continue
                raise GTFormatError(f'{gt_path}: no image in {img_dir} named '
                                    f'{" or ".join(stems)} with an extension '
                                    f'in {IMG_EXTENSIONS}')
            if img_name in owners:
                raise GTFormatError(f'{owners[img_name]} and {gt_path} both annotate '
                                    f'{img_name}')
            owners[img_name] = gt_path
            with Image.open(osp.join(img_dir, img_name)) as img:
                width, height = img.size
            samples.append(
                dict(img_name=img_name, height=height, width=width,
                     instances=instances))
    return sorted(samples, key=lambda s: _natural_key(s['img_name'])), skipped


def pack_samples(samples: List[Dict], task: str, img_prefix: str = '') -> Dict:
    """Pack samples into MMOCR's ``textdet`` or ``textspotting`` JSON dict."""
    data_list = []
    for sample in samples:
        instances = []
        for inst in sample['instances']:
            xs, ys = inst['polygon'][::2], inst['polygon'][1::2]
            packed = dict(polygon=inst['polygon'],
                          bbox=[min(xs), min(ys), max(xs),
                                max(ys)],
                          bbox_label=0,
                          ignore=inst['ignore'])
            if task == 'textspotting':
                packed['text'] = inst['text']
            instances.append(packed)
        data_list.append(
            dict(img_path=osp.join(img_prefix, sample['img_name']),
                 height=sample['height'],
                 width=sample['width'],
                 instances=instances))
    return PACKERS[task](data_root='', split='').add_meta(data_list)


def convert_dataset(dataset: str,
                    img_dir: str,
                    gt_dir: str,
                    out_dir: str,
                    split: str,
                    tasks: Sequence[str] = TASKS,
                    img_prefix: Optional[str] = None,
                    skip_missing: bool = False) -> Dict:
    """Write ``OUT_DIR/{task}_{split}.json`` for each task and return counts.

    ``img_prefix`` defaults to the path of ``img_dir`` relative to ``out_dir``,
    so ``OCRDataset(data_root=out_dir, ann_file=...)`` finds the images.
    """
    samples, skipped = collect_samples(dataset, img_dir, gt_dir, skip_missing)
    if img_prefix is None:
        img_prefix = osp.relpath(img_dir, out_dir)
    img_prefix = '' if img_prefix == '.' else img_prefix
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for task in tasks:
        files.append(osp.join(out_dir, f'{task}_{split}.json'))
        with open(files[-1], 'w', encoding='utf-8') as f:
            json.dump(pack_samples(samples, task, img_prefix), f, ensure_ascii=False)
    instances = [inst for s in samples for inst in s['instances']]
    return dict(images=len(samples),
                instances=len(instances),
                ignored=sum(inst['ignore'] for inst in instances),
                skipped=skipped,
                files=files)


def main(dataset: str, argv: Optional[Sequence[str]] = None) -> int:
    """Command line of ``tools/dataset_converters/{dataset}.py``."""
    parser = argparse.ArgumentParser(
        description=f'Convert the official {dataset} ground truth to MMOCR 1.x '
        'textdet / textspotting JSON.')
    parser.add_argument('img_dir', help='folder of the images of the split')
    parser.add_argument('gt_dir', help='folder of the ground-truth files')
    parser.add_argument('out_dir', help='folder for {task}_{split}.json')
    parser.add_argument('--split', required=True, choices=('train', 'test'))
    parser.add_argument('--task',
                        default='both',
                        choices=TASKS + ('both', ),
                        help='JSON file(s) to write (default: both)')
    parser.add_argument(
        '--img-prefix',
        help='prefix of img_path in the JSON (default: IMG_DIR relative to '
        'OUT_DIR, i.e. data_root=OUT_DIR)')
    parser.add_argument('--skip-missing',
                        action='store_true',
                        help='skip ground truth without an image instead of failing')
    args = parser.parse_args(argv)
    tasks = TASKS if args.task == 'both' else (args.task, )
    try:
        stats = convert_dataset(dataset, args.img_dir, args.gt_dir, args.out_dir,
                                args.split, tasks, args.img_prefix, args.skip_missing)
    except (GTFormatError, OSError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{dataset} {args.split}: {stats["images"]} images, '
          f'{stats["instances"]} instances ({stats["ignored"]} ignored)')
    if args.skip_missing:
        print(f'skipped {stats["skipped"]} ground-truth entries without an image')
    for file in stats['files']:
        print(f'wrote {file}')
    return 0
