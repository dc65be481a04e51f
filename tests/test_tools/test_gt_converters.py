import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
from mmocr.datasets import OCRDataset
from PIL import Image

from mmocr_oclip.datasets.preparers.converters import (GTFormatError, convert_dataset,
                                                       parse_ctw1500_txt,
                                                       parse_ctw1500_xml,
                                                       parse_icdar2015, parse_totaltext)
from mmocr_oclip.datasets.preparers.converters.gt_formats import collect_samples, main

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED = osp.join(ROOT, '..', 'shared', 'data')

LEGACY = """\
x: [[115 503 494 115]], y: [[322 346 426 404]], ornt: [u'c'], transcriptions: [u'the']
x: [[ 99 183 265 339 378 391 283 215 155 106]], y: [[ 56  45  56  82 109 143 108
   84  73  91]], ornt: [u'c'], transcriptions: [u"it's"]
x: [[-3 10 10]], y: [[0 0 7]],
 ornt: [u'#'], transcriptions: [u'#']
x: [[1 2 3]], y: [[4 5 6]], ornt: [u'h'], transcriptions: [u'caf\\xe9']
x: [[1 2 3]], y: [[4 5 6]], ornt: [u'h'], transcriptions: [u',']
"""
COMMA = ('10,20,30,20,30,40,10,40,Hello\r\n1,2,3,4,5,6,###\r\n\r\n'
         '0,0,8,0,8,8,0,8,52\r\n0,0,8,0,8,8,0,8,1,000\r\n0,0,8,0,8,8,0,8,a, b\r\n')
IC15 = ('\ufeff377,117,463,117,465,130,378,130,Genaxis Theatre\r\n'
        '374,155,409,155,409,170,374,170,###\r\n'
        '1,2,3,4,5,6,7,8,Hello, World,!\r\n')


def ctw_poly(dx):
    """A 14-point polygon: 7 top points left to right, 7 bottom right to left."""
    top = [(dx + 10 * i, 20 + i) for i in range(7)]
    bottom = [(dx + 10 * i, 60 - i) for i in reversed(range(7))]
    return [float(v) for pt in top + bottom for v in pt]


def ctw_coords(dx):
    return ','.join(str(int(v)) for v in ctw_poly(dx))


CTW_TXT = (f'{ctw_coords(0)},####Latin 9\n{ctw_coords(5)},#######\n'
           f'{ctw_coords(9)},####A,B\n')
CTW_XML = f"""<?xml version="1.0" encoding="utf-8"?>
<Annotations>
  <image file="0001.jpg">
    <box height="40" left="0" top="20" width="60">
      <label>TEXT</label>
      <segs>{ctw_coords(0)}</segs>
      <pts x="0" y="20" />
    </box>
    <box height="40" left="5" top="20" width="60">
      <label>###</label>
      <segs>{ctw_coords(5)}</segs>
    </box>
  </image>
</Annotations>
"""


def write(path, content, newline=None):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline=newline) as f:
        f.write(content)
    return str(path)


def make_image(path, size=(64, 48)):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.new('RGB', size).save(path)


def summary(instances):
    return [(i['polygon'], i['text'], i['ignore']) for i in instances]


@pytest.mark.parametrize('newline', ['\n', '\r\n'])
def test_totaltext_legacy_wrapped(tmp_path, newline):
    path = write(tmp_path / 'poly_gt_img1.txt', '\ufeff' + LEGACY, newline)
    assert summary(parse_totaltext(path)) == [
        ([115, 322, 503, 346, 494, 426, 115, 404], 'the', False),
        ([
            99, 56, 183, 45, 265, 56, 339, 82, 378, 109, 391, 143, 283, 108, 215, 84,
            155, 73, 106, 91
        ], "it's", False),
        ([-3, 0, 10, 0, 10, 7], '#', True),
        ([1, 4, 2, 5, 3, 6], 'caf\xe9', False),
        ([1, 4, 2, 5, 3, 6], ',', False),
    ]


def test_totaltext_comma(tmp_path):
    path = write(tmp_path / 'img2.txt', '\ufeff' + COMMA, '')
    square = [0, 0, 8, 0, 8, 8, 0, 8]
    assert summary(parse_totaltext(path)) == [
        ([10, 20, 30, 20, 30, 40, 10, 40], 'Hello', False),
        ([1, 2, 3, 4, 5, 6], '###', True),
        (square, '52', False),
        (square, '1,000', False),
        (square, 'a, b', False),
    ]


def test_icdar2015(tmp_path):
    path = write(tmp_path / 'gt_img_1.txt', IC15, '')
    assert summary(parse_icdar2015(path)) == [
        ([377, 117, 463, 117, 465, 130, 378, 130], 'Genaxis Theatre', False),
        ([374, 155, 409, 155, 409, 170, 374, 170], '###', True),
        ([1, 2, 3, 4, 5, 6, 7, 8], 'Hello, World,!', False),
    ]


def test_ctw1500(tmp_path):
    txt = write(tmp_path / '0001001.txt', CTW_TXT)
    assert summary(parse_ctw1500_txt(txt)) == [
        (ctw_poly(0), 'Latin 9', False),
        (ctw_poly(5), '###', True),
        (ctw_poly(9), 'A,B', False),
    ]
    xml = write(tmp_path / '0001.xml', CTW_XML)
    [(img_file, instances)] = parse_ctw1500_xml(xml)
    assert img_file == '0001.jpg'
    assert summary(instances) == [(ctw_poly(0), 'TEXT', False),
                                  (ctw_poly(5), '###', True)]


@pytest.mark.parametrize('parse,name,content,reason', [
    (parse_totaltext, 'poly_gt_img1.txt',
     LEGACY + "x: [[1 2 3]], y: [[4 5]], ornt: [u'c'], transcriptions: [u'a']\n",
     'line 8: x has 3 values but y has 2'),
    (parse_totaltext, 'poly_gt_img1.txt', "x: [[1 2 3]], y: [[4 5 6]], ornt: [u'c']\n",
     "line 1: cannot read the 'transcriptions' field"),
    (parse_totaltext, 'poly_gt_img1.txt',
     "x: [[1 a 3]], y: [[4 5 6]], ornt: [u'c'], transcriptions: [u'a']\n",
     "line 1: coordinate 'a' is not a number"),
    (parse_totaltext, 'poly_gt_img1.txt',
     "x: [[1 2 3]], y: [[4 5 6]], ornt: [u'c'], transcriptions: [u'\\N']\n",
     "line 1: invalid transcription u'\\N'"),
    (parse_totaltext, 'img1.txt', COMMA + '1,2,3,4,foo\n',
     'line 7: a polygon needs at least 3 points, got 2'),
    (parse_icdar2015, 'gt_img_1.txt', IC15 + '1,2,3,4,5,6,7,x\r\n',
     'line 4: expected 8 coordinates and a transcription, got 8'),
    (parse_icdar2015, 'gt_img_1.txt', '1,2,3,4,5,6,7,z,text\n',
     "line 1: coordinate 'z' is not a number"),
    (parse_ctw1500_txt, '0001001.txt', CTW_TXT + ctw_coords(0)[2:] + ',####x\n',
     'line 4: odd number of coordinates (27)'),
    (parse_ctw1500_txt, '0001001.txt', ctw_coords(0) + ',text\n',
     "line 1: no ',####' before the transcription"),
    (parse_ctw1500_xml, '0001.xml', CTW_XML.replace(
        f'<segs>{ctw_coords(5)}</segs>', ''), 'line 9: <box> without <segs>'),
    (parse_ctw1500_xml, '0001.xml', CTW_XML.replace('</image>', ''), 'invalid XML'),
])
def test_parse_errors(tmp_path, parse, name, content, reason):
    path = write(tmp_path / name, content)
    with pytest.raises(GTFormatError) as e:
        parse(path)
    assert str(e.value).startswith(path)
    assert reason in str(e.value)


def make_dataset(root, dataset):
    """Generated images + GT of one dataset under root/{imgs,gt}."""
    files = dict(totaltext={
        'poly_gt_img1.txt': LEGACY,
        'img12.txt': COMMA
    },
                 icdar2015={
                     'gt_img_1.txt': IC15,
                     'gt_img_2.txt': IC15[:IC15.index('1,2,3')]
                 },
                 ctw1500={
                     '0001.xml': CTW_XML,
                     '0001001.txt': CTW_TXT
                 })[dataset]
    images = dict(totaltext=['img1.jpg', 'img12.JPG'],
                  icdar2015=['img_1.jpg', 'img_2.png'],
                  ctw1500=['0001.jpg', '1001.jpg'])[dataset]
    for name, content in files.items():
        write(osp.join(root, 'gt', name), content)
    for i, name in enumerate(images):
        make_image(osp.join(root, 'imgs', name), (64 + i, 48))
    return images


@pytest.mark.parametrize('dataset,counts', [
    ('totaltext', [5, 5]),
    ('icdar2015', [3, 2]),
    ('ctw1500', [2, 3]),
])
def test_cli_json_loads_in_ocrdataset(tmp_path, capsys, dataset, counts):
    images = make_dataset(tmp_path, dataset)
    out = str(tmp_path / 'out')
    assert main(dataset,
                [str(tmp_path / 'imgs'),
                 str(tmp_path / 'gt'), out, '--split', 'test']) == 0
    assert (f'{dataset} test: 2 images, {sum(counts)} instances (2 ignored)'
            in capsys.readouterr().out)
    for task in ('textdet', 'textspotting'):
        ds = OCRDataset(data_root=out, ann_file=f'{task}_test.json', pipeline=[])
        assert ds.metainfo['task_name'] == task
        assert len(ds) == 2
        for i, name in enumerate(images):
            info = ds[i]
            assert osp.basename(info['img_path']) == name
            assert osp.isfile(info['img_path'])
            assert (info['width'], info['height']) == (64 + i, 48)
            assert len(info['instances']) == counts[i]
            inst = info['instances'][0]
            xs, ys = inst['polygon'][::2], inst['polygon'][1::2]
            assert inst['bbox'] == [min(xs), min(ys), max(xs), max(ys)]
            assert inst['bbox_label'] == 0
            assert ('text' in inst) == (task == 'textspotting')


def test_missing_image(tmp_path, capsys):
    make_dataset(tmp_path, 'icdar2015')
    os.remove(tmp_path / 'imgs' / 'img_2.png')
    gt = str(tmp_path / 'gt' / 'gt_img_2.txt')
    message = f'^{re.escape(gt)}: no image in .* named img_2'
    with pytest.raises(GTFormatError, match=message):
        collect_samples('icdar2015', str(tmp_path / 'imgs'), str(tmp_path / 'gt'))
    args = [str(tmp_path / p) for p in ('imgs', 'gt', 'out')]
    assert main('icdar2015', args + ['--split', 'train', '--task', 'textdet']) == 1
    assert gt in capsys.readouterr().err
    assert main('icdar2015', args +
                ['--split', 'train', '--skip-missing', '--img-prefix', 'images']) == 0
    assert 'skipped 1 ground-truth entries' in capsys.readouterr().out
    with open(tmp_path / 'out' / 'textspotting_train.json') as f:
        [sample] = json.load(f)['data_list']
    assert sample['img_path'] == 'images/img_1.jpg'


@pytest.mark.slow
def test_cli_script_error_exit(tmp_path):
    make_dataset(tmp_path, 'ctw1500')
    write(tmp_path / 'gt' / '0001002.txt', ctw_coords(0) + ',text\n')
    proc = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'dataset_converters', 'ctw1500.py')] +
        [str(tmp_path / p) for p in ('imgs', 'gt', 'out')] + ['--split', 'test'],
        capture_output=True,
        text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith('error: ')
    assert "0001002.txt, line 1: no ',####'" in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert not osp.exists(tmp_path / 'out')


@pytest.mark.shared_data
@pytest.mark.skipif(not osp.isdir(SHARED), reason='no shared data')
def test_icdar2015_mini(tmp_path):
    src = osp.join(SHARED, 'icdar2015_mini')
    stats = convert_dataset('icdar2015', osp.join(src, 'imgs'), osp.join(src, 'gt'),
                            str(tmp_path), 'train')
    with open(tmp_path / 'textspotting_train.json', encoding='utf-8') as f:
        data_list = json.load(f)['data_list']
    expected = {}
    for gt in glob.glob(osp.join(src, 'gt', 'gt_img_*.txt')):
        with open(gt, encoding='utf-8-sig') as f:
            rows = [line.split(',', 8) for line in f.read().splitlines() if line]
        expected[osp.basename(gt)[3:-4] + '.jpg'] = [
            ([float(v) for v in row[:8]], row[8], row[8] == '###') for row in rows
        ]
    assert {
        osp.basename(d['img_path']): summary(d['instances'])
        for d in data_list
    } == expected
    assert stats['images'] == len(expected) == 10
    assert stats['instances'] == sum(map(len, expected.values()))
    assert stats['ignored'] == sum(i[2] for v in expected.values() for i in v)
    assert osp.isfile(osp.join(tmp_path, data_list[0]['img_path']))


@pytest.mark.shared_data
@pytest.mark.skipif(not osp.isdir(SHARED), reason='no shared data')
def test_totaltext_mini_roundtrip(tmp_path):
    from mmocr.datasets.preparers.parsers import TotaltextTextDetAnnParser
    src = osp.join(SHARED, 'totaltext_mini')
    with open(osp.join(src, 'textspotting_train.json'), encoding='utf-8') as f:
        reference = json.load(f)['data_list']
    expected = {}
    for sample in reference:
        stem = osp.splitext(osp.basename(sample['img_path']))[0]
        legacy, comma = [], []
        for inst in sample['instances']:
            poly = np.array(inst['polygon'])
            assert (poly == poly.astype(int)).all()
            xs, ys = (np.array2string(a[None].astype(int), max_line_width=30)
                      for a in (poly[::2], poly[1::2]))
            legacy.append(f"x: {xs}, y: {ys}, ornt: [u'c'], "
                          f"transcriptions: [u{inst['text']!r}]")
            comma.append(','.join(map(str, poly.astype(int))) + ',' + inst['text'])
        write(tmp_path / 'legacy' / f'poly_gt_{stem}.txt', '\n'.join(legacy) + '\n')
        write(tmp_path / 'comma' / f'{stem}.txt', '\r\n'.join(comma) + '\r\n')
        expected[osp.basename(sample['img_path'])] = (sample['height'], sample['width'],
                                                      summary(sample['instances']))
    for fmt in ('legacy', 'comma'):
        stats = convert_dataset('totaltext', osp.join(src, 'imgs'), str(tmp_path / fmt),
                                str(tmp_path / f'out_{fmt}'), 'train',
                                ('textspotting', ))
        assert stats['instances'] == 136
        with open(tmp_path / f'out_{fmt}' / 'textspotting_train.json') as f:
            data_list = json.load(f)['data_list']
        assert {
            osp.basename(d['img_path']):
            (d['height'], d['width'], summary(d['instances']))
            for d in data_list
        } == expected
    # MMOCR's own legacy parser reads the generated legacy files the same way
    parser = TotaltextTextDetAnnParser(split='train')
    for name, (_, _, instances) in expected.items():
        ann = str(tmp_path / 'legacy' / f'poly_gt_{osp.splitext(name)[0]}.txt')
        _, mmocr_instances = parser.parse_file(name, ann)
        assert [(i['poly'], i['text'], i['ignore'])
                for i in mmocr_instances] == instances
