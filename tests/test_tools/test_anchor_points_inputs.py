"""Anchor points of images labelled only with their words: the inputs users have
(text-only JSON, a tab listing), bad input, evaluation, resume after an
interrupt, the scoring tool and the one-command example."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmocr.datasets import OCRDataset
from mmocr.datasets.transforms import LoadOCRAnnotations
from mmocr.registry import METRICS, MODELS

from mmocr_oclip.apis import AnchorPointLabeler, load_word_annotations
from helpers import REPO
from helpers.anchor_points import (ANCHOR_IMG_SIZE, render_anchor_images, save_model,
                                   tiny_wecromcl)
from helpers.processes import load_tool, run

tool = load_tool('tools/wecromcl_anchor_points.py', 'anchor_points_inputs_tool')
eval_tool = load_tool('tools/analysis_tools/eval_anchor_points.py')

IMG_SIZE = ANCHOR_IMG_SIZE


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    return render_anchor_images(tmp_path_factory.mktemp('rendered'), 5)


@pytest.fixture(scope='module')
def model_files(tmp_path_factory):
    return save_model(tiny_wecromcl(), tmp_path_factory.mktemp('model'), 'wecromcl')


def polygon_ann(rendered):
    return json.load(open(rendered / 'textspotting_test.json'))


def write_text_only(rendered, path):
    """The rendered annotation with only ``text`` (and ``ignore``) per instance."""
    ann = polygon_ann(rendered)
    for info in ann['data_list']:
        info['instances'] = [
            dict(text=i['text'], ignore=i['ignore']) for i in info['instances']
        ]
    path.write_text(json.dumps(ann))
    return path


def write_listing(rendered, path):
    ann = polygon_ann(rendered)
    path.write_text(
        ''.join(info['img_path'] + '\t' +
                ' '.join(i['text'] for i in info['instances'] if not i['ignore']) + '\n'
                for info in ann['data_list']),
        encoding='utf-8')
    return path


def label(model_files, words, out, *options):
    config, ckpt = model_files
    tool.main([config, ckpt, str(words), str(out), '--batch-size', '2', *options])
    return json.load(open(out))


def test_text_only_json_and_listing_give_the_polygon_input_points(
        model_files, rendered, tmp_path):
    """Text-only JSON, tab listing and polygon JSON: the same points, and the
    output loads with MMOCR's OCRDataset + LoadOCRAnnotations."""
    root = str(rendered)
    with_polygons = label(model_files, rendered / 'textspotting_test.json',
                          tmp_path / 'a.json')
    text_only = label(model_files, write_text_only(rendered, tmp_path / 'text.json'),
                      tmp_path / 'b.json', '--data-root', root)
    listing = label(model_files, write_listing(rendered, tmp_path / 'words.txt'),
                    tmp_path / 'c.json', '--data-root', root)
    assert with_polygons == text_only == listing
    assert sum(len(d['instances']) for d in listing['data_list']) > 0
    dataset = OCRDataset(ann_file=str(tmp_path / 'c.json'),
                         data_root=root,
                         data_prefix=dict(img_path=''),
                         pipeline=[
                             dict(type='LoadOCRAnnotations',
                                  with_polygon=True,
                                  with_bbox=True,
                                  with_text=True)
                         ])
    ann = polygon_ann(rendered)
    assert len(dataset) == len(ann['data_list'])
    for i, info in enumerate(ann['data_list']):
        item = dataset[i]
        assert item['img_path'] == osp.join(root, info['img_path'])
        assert (item['height'], item['width']) == IMG_SIZE
        words = sorted(t['text'].lower() for t in info['instances'] if not t['ignore'])
        assert sorted(item['gt_texts']) == words  # one point per occurrence
        for polygon, bbox in zip(item['gt_polygons'], item['gt_bboxes']):
            x, y = polygon  # one vertex, in original pixels
            assert bbox.tolist() == [x, y, x, y]
            assert 0 <= x < IMG_SIZE[1] and 0 <= y < IMG_SIZE[0]
    # a larger input: points stay in the original image's pixels
    big = label(model_files, tmp_path / 'words.txt', tmp_path / 'd.json', '--data-root',
                root, '--scale', '200')
    for info in big['data_list']:
        for inst in info['instances']:
            assert 0 <= inst['polygon'][0] < IMG_SIZE[1]
            assert 0 <= inst['polygon'][1] < IMG_SIZE[0]


def reference_metrics(model_files, rendered):
    """AnchorPointMetric computed as the tool did before it read text-only input:
    the config's test pipeline with MMOCR's LoadOCRAnnotations of the polygons,
    the model's localize_words, the metric fed directly."""
    config, ckpt = model_files
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    model.load_state_dict(torch.load(ckpt, weights_only=True)['state_dict'])
    model.eval()
    transform = Compose(cfg.test_dataloader.dataset.pipeline)
    assert any(isinstance(t, LoadOCRAnnotations) for t in transform.transforms)
    metric = METRICS.build(dict(type='AnchorPointMetric'))
    data_list = polygon_ann(rendered)['data_list']
    for start in range(0, len(data_list), 2):
        infos = data_list[start:start + 2]
        packed = [
            transform(
                dict(img_path=str(rendered / i['img_path']), instances=i['instances']))
            for i in infos
        ]
        data = model.data_preprocessor(pseudo_collate(packed), False)
        with torch.no_grad():
            samples = model.localize_words(data['inputs'], data['data_samples'])
        metric.process(None, [
            dict(pred_instances=s.pred_instances.to_dict(),
                 gt_instances=dict(
                     polygons=[np.asarray(t['polygon']) for t in i['instances']],
                     texts=[t['text'] for t in i['instances']],
                     ignored=np.array([t['ignore'] for t in i['instances']])))
            for i, s in zip(infos, samples)
        ])
    return metric.evaluate(len(data_list))


def printed_metrics(text):
    line = [ln for ln in text.splitlines() if ln.startswith('anchor/precision')][-1]
    values = line.split()
    return {k[:-1]: float(v) for k, v in zip(values[::2], values[1::2])}


def test_eval_on_polygons_is_the_reference_metric(model_files, rendered, tmp_path,
                                                  capsys):
    label(model_files, rendered / 'textspotting_test.json', tmp_path / 'p.json',
          '--eval')
    got = printed_metrics(capsys.readouterr().out)
    expected = reference_metrics(model_files, rendered)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=5e-5), key
    assert expected['anchor/hmean'] > 0  # the check can fail
    # the scoring tool on the written points: the same numbers
    scored = eval_tool.main(
        [str(tmp_path / 'p.json'),
         str(rendered / 'textspotting_test.json')])
    assert scored == pytest.approx(expected, abs=1e-12)


def test_eval_needs_polygons(model_files, rendered, tmp_path):
    text_only = write_text_only(rendered, tmp_path / 'text.json')
    for flag in (['--eval'], ['--heatmaps', str(tmp_path / 'h'), '--hide-image']):
        with pytest.raises(SystemExit) as error:
            label(model_files, text_only, tmp_path / 'o.json', '--data-root',
                  str(rendered), *flag)
        message = str(error.value)
        assert message == (f'error: {flag[-1]} needs the words\' polygons, and '
                           f'{text_only}: data_list[0]: instances[0] has none (to '
                           'score points later: tools/analysis_tools/'
                           'eval_anchor_points.py OUT_JSON POLYGON_JSON)')
    assert not (tmp_path / 'o.json').exists()


def test_text_only_heatmaps(model_files, rendered, tmp_path, capsys):
    label(model_files, write_listing(rendered, tmp_path / 'words.txt'),
          tmp_path / 'o.json', '--data-root', str(rendered), '--heatmaps',
          str(tmp_path / 'h'), '--max-heatmaps', '3')
    pictures = sorted(os.listdir(tmp_path / 'h'))
    assert len(pictures) == 3 and '3 heatmap pictures' in capsys.readouterr().out


def test_bad_input_is_named_and_counted(model_files, rendered, tmp_path, capsys):
    """Unknown characters: the word is named and skipped, the image's other words
    kept; a missing image and an image without words: named, counted skips."""
    ann = polygon_ann(rendered)
    paths = [info['img_path'] for info in ann['data_list']]
    first_words = [i['text'] for i in ann['data_list'][0]['instances']]
    listing = tmp_path / 'words.txt'
    listing.write_text(
        f'{paths[0]}\t{" ".join(first_words)} café\n'
        f'missing.jpg\tcat\n'
        f'{paths[1]}\t  \n'
        f'\n'
        f'{paths[2]}\tÆsop\n'
        f'{paths[3]}\t{"ab" * 15}\n',
        encoding='utf-8')
    out = label(model_files, listing, tmp_path / 'o.json', '--data-root', str(rendered))
    printed = capsys.readouterr()
    assert (f"{listing}:1: word 'café': character 'é' outside the model's "
            'dictionary: skipped') in printed.err
    assert (f'{listing}:2: image skipped: {rendered / "missing.jpg"}: missing image'
            in printed.err)
    assert f'{listing}:3: image skipped: no word to query' in printed.err
    assert f"{listing}:5: word 'Æsop': character 'æ' outside" in printed.err
    assert f'{listing}:5: image skipped: none of its 1 word(s) can be queried' in \
        printed.err
    assert ('skipped: 1 unreadable image(s), 2 image(s) without a word to query, '
            "2 word(s) outside the model's dictionary") in printed.out
    assert (f"{listing}:6: word '{'ab' * 15}': longer than the model's 25 characters: "
            'queried by its first 25') in printed.err
    assert [d['img_path'] for d in out['data_list']] == [paths[0], paths[3]]
    assert [i['text'] for i in out['data_list'][1]['instances']] == ['ab' * 15]
    assert sorted(i['text'] for i in out['data_list'][0]['instances']) == sorted(
        w.lower() for w in first_words)


@pytest.mark.parametrize('content, message', [
    ('a.jpg cat dog\n', ":1: expected IMAGE_PATH<TAB>WORD WORD ..., found no tab in "
     "'a.jpg cat dog'"),
    ('a.jpg\tcat\n\tdog\n', ':2: empty image path before the tab'),
    ('\n\n', ': no image listed'),
])
def test_malformed_listing_stops_with_the_line(model_files, tmp_path, content, message):
    listing = tmp_path / 'words.txt'
    listing.write_text(content)
    with pytest.raises(SystemExit) as error:
        label(model_files, listing, tmp_path / 'o.json')
    assert str(error.value).startswith(f'error: {listing}{message}')
    listing.write_bytes(b'a.jpg\tcat\nb.jpg\tcaf\xe9\n')
    with pytest.raises(SystemExit, match=r'words.txt, line 2: not UTF-8 text'):
        label(model_files, listing, tmp_path / 'o.json')


def test_malformed_polygon_names_the_entry(model_files, rendered, tmp_path):
    ann = polygon_ann(rendered)
    ann['data_list'][2]['instances'][1]['polygon'] = [1, 2, 3]
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(ann))
    with pytest.raises(SystemExit) as error:
        label(model_files, bad, tmp_path / 'o.json')
    assert str(error.value) == (f'error: {bad}: data_list[2]: instances[1]: "polygon" '
                                'must be a flat list of an even number (>= 2) of '
                                'coordinates')


def test_interrupt_and_resume_write_the_uninterrupted_output(model_files, rendered,
                                                             tmp_path, monkeypatch,
                                                             capsys):
    words = write_listing(rendered, tmp_path / 'words.txt')
    options = ['--data-root', str(rendered)]
    label(model_files, words, tmp_path / 'whole.json', *options)
    whole = (tmp_path / 'whole.json').read_bytes()

    out = tmp_path / 'out.json'
    calls = []
    original = AnchorPointLabeler.label

    def interrupted_label(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # Ctrl-C during the second batch
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AnchorPointLabeler, 'label', interrupted_label)
    with pytest.raises(SystemExit) as error:
        label(model_files, words, out, *options)
    assert error.value.code == tool.INTERRUPTED
    assert ('interrupted: 2 of 5 images labelled, kept in '
            f'{out}.partial; to continue, run the same command with --resume'
            ) in capsys.readouterr().err
    assert not out.exists()
    monkeypatch.setattr(AnchorPointLabeler, 'label', original)
    # without --resume the partial run is neither lost nor overwritten
    with pytest.raises(SystemExit, match='holds an interrupted run: add --resume'):
        label(model_files, words, out, *options)
    # other settings: refused, naming them
    with pytest.raises(SystemExit, match=r"started with batch_size=2: resume with"):
        tool.main([*model_files, str(words), str(out), *options, '--resume'])
    # a crash in the middle of writing a batch: that batch is labelled again
    with open(f'{out}.partial', 'a') as f:
        f.write('[{"img_path": "x.jp')
    label(model_files, words, out, *options, '--resume')
    assert 'resuming' in capsys.readouterr().out
    assert out.read_bytes() == whole
    assert not osp.exists(f'{out}.partial')


def test_labeler_api_from_python(model_files, rendered):
    """The Python API the tool wraps: entries in, points per entry out. A config
    that compiles its backbone for training (the full-size oCLIP configs) is
    labelled uncompiled: images of many sizes would recompile it for each."""
    labeler = AnchorPointLabeler.from_config(
        *model_files, cfg_options={'model.compile_backbone': True})
    assert not labeler.model.training

    def must_not_compile(inputs):
        raise AssertionError('labelling used the compiled backbone')

    labeler.model._compiled_backbone = must_not_compile
    entries = load_word_annotations(str(rendered / 'textspotting_test.json'))
    results = labeler.label(entries[:2], str(rendered))
    for entry, result in zip(entries, results):
        assert result['img_path'] == entry['img_path']
        words = [i['text'].lower() for i in entry['instances'] if not i['ignore']]
        assert sorted(result['texts']) == sorted(words)
        assert len(result['points']) == len(result['scores']) == len(words)


def test_one_command_example(model_files, tmp_path):
    """scripts/anchor_points_example.sh (`make anchor-points-example`) with a
    given model on 6 images: render, strip, label, score."""
    env_prefix = [
        'env', f'EXAMPLE_WORK={tmp_path / "example"}', 'NUM_IMAGES=6',
        f'CONFIG={model_files[0]}', f'CKPT={model_files[1]}'
    ]
    out = run(*env_prefix, 'bash', 'scripts/anchor_points_example.sh', cwd=REPO)
    assert '[example] 4/4' in out and 'anchor/hmean' in out
    listing = (tmp_path / 'example' / 'words.txt').read_text().splitlines()
    assert len(listing) == 6 and all('\t' in line for line in listing)
    with_words = [ln for ln in listing if ln.split('\t')[1].strip()]
    points = json.load(open(tmp_path / 'example' / 'points.json'))
    assert len(points['data_list']) == len(with_words) > 0


def test_batch_size_and_device_defaults():
    """One image a batch on a CPU (the fastest there), 4 on a GPU."""
    args = tool.parse_args(['c.py', 'm.pth', 'w.txt', 'o.json', '--device', 'cpu'])
    assert args.batch_size == 1
    args = tool.parse_args(['c.py', 'm.pth', 'w.txt', 'o.json', '--device', 'cuda'])
    assert args.batch_size == 4
    args = tool.parse_args(['c.py', 'm.pth', 'w.txt', 'o.json', '--batch-size', '3'])
    assert args.batch_size == 3


def test_partial_results_resume_with_settings_as_written(tmp_path):
    """Settings compare as they read back from the file (a tuple is a list
    there); a first line that is not a partial run is refused."""
    from mmocr_oclip.apis import PartialResults, ResumeError
    out = str(tmp_path / 'points.json')
    settings = dict(scale=(640, 640), cfg_options={'model.x': (1, 2)})
    partial = PartialResults(out, settings)
    partial.append([dict(img_path='a.jpg', notes=[], skipped='no word to query')])
    resumed = PartialResults(out, settings, resume=True)
    assert resumed.results == partial.results and not resumed.dropped_line
    (tmp_path / 'points.json.partial').write_text('{"something": 1}\n')
    with pytest.raises(ResumeError, match='not a partial anchor-point run'):
        PartialResults(out, settings, resume=True)
