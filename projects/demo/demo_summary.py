"""The summary of `make demo`: every number with what it is, its chance level and the
same model at random initialisation beside the trained one.

    python -m projects.demo.demo_summary WORK_DIR
"""
import glob
import json
import math
import os.path as osp
import re
import sys


def newest(pattern):
    """The newest file matching ``pattern`` (MMEngine names run folders by time)."""
    files = sorted(glob.glob(pattern))
    if not files:
        raise SystemExit(f'demo summary: nothing matches {pattern}; did that step run?')
    return files[-1]


def test_metrics(work, name):
    """Metrics written by ``mim test --work-dir WORK/NAME``."""
    return json.load(open(newest(osp.join(work, name, '*', '*.json'))))


def scalars(work, name):
    """The rows of a training run's scalars.json."""
    path = newest(osp.join(work, name, '*', 'vis_data', 'scalars.json'))
    return [json.loads(line) for line in open(path)]


def row(what, chance, random_init, trained, note=''):

    def fmt(x):
        return x if isinstance(x, str) else f'{x:.3f}'

    return (f'  {what:<46} {fmt(chance):>8} {fmt(random_init):>11} '
            f'{fmt(trained):>8}  {note}')


def header(title):
    return (f'\n{title}\n  {"":<46} {"chance":>8} {"random init":>11} '
            f'{"trained":>8}')


def oclip(work):
    lines = [header('oCLIP pre-training (64 held-out rendered images, batch 16)')]
    rows = scalars(work, 'oclip')
    train = [r for r in rows if 'acc_mask' in r]
    val = [r for r in rows if 'oclip/mask_char_acc' in r]
    chance_char = 1 / 94  # the default 94-character dictionary
    lines.append(
        row(f'masked-char acc, train (iter {train[0]["iter"]} -> {train[-1]["iter"]})',
            chance_char, train[0]['acc_mask'], train[-1]['acc_mask'],
            'window mean of the logged iterations'))
    before, after = (test_metrics(work, f'oclip_test_{w}')
                     for w in ('random_init', 'trained'))
    for key, what, chance in (('oclip/mask_char_acc', 'masked-char acc, held-out',
                               chance_char),
                              ('oclip/i2t_recall@1', 'image->text R@1 in a batch of 16',
                               1 / 16), ('oclip/t2i_recall@1',
                                         'text->image R@1 in a batch of 16', 1 / 16)):
        lines.append(row(what, chance, before[key], after[key], 'mim test'))
    for r in val:
        lines.append(f'    (validation during training, epoch {r.get("step", "?")}: '
                     f'masked-char acc {r["oclip/mask_char_acc"]:.3f}, i2t R@1 '
                     f'{r["oclip/i2t_recall@1"]:.3f}, t2i R@1 '
                     f'{r["oclip/t2i_recall@1"]:.3f})')
    return lines


def psenet(work):
    lines = [
        '\nPSENet fine-tuned 4 epochs (64 held-out rendered images, HmeanIOUMetric)',
        f'  {"backbone initialised from":<46} {"precision":>9} {"recall":>8} '
        f'{"hmean":>8}'
    ]
    for init, what in (('random_init', 'random init'), ('oclip',
                                                        'oCLIP pre-training (step 2)')):
        m = test_metrics(work, f'psenet_test_{init}')
        lines.append(f'  {what:<46} {m["icdar/precision"]:>9.3f} '
                     f'{m["icdar/recall"]:>8.3f} {m["icdar/hmean"]:>8.3f}')
    lines.append('  (one seed each: a difference of a few points is within seed noise)')
    return lines


def wecromcl(work):
    lines = [header('WeCromCL stage 1 (64 held-out rendered images, 2-3 words each)')]
    train = [r for r in scalars(work, 'wecromcl') if 'loss' in r]
    # 16 positives + 8 negatives per image: i2t over 24, t2i over 16 candidates
    chance_loss = (math.log(24) + math.log(16)) / 2
    lines.append(
        row(f'training loss (iter {train[0]["iter"]} -> {train[-1]["iter"]})',
            chance_loss, train[0]['loss'], train[-1]['loss'],
            'lower is better; chance = uniform over candidates'))
    before, after = (test_metrics(work, f'wecromcl_test_{w}')
                     for w in ('random_init', 'trained'))
    for key, what in (('anchor/hmean', 'anchor H (nearest word centre)'),
                      ('anchor/inside_hmean', 'anchor H, point inside its polygon')):
        if key in after:
            lines.append(row(what, '-', before[key], after[key]))
    if 'anchor/own_word_rate' in after:
        lines.append(
            row(
                f'top peak inside its own word '
                f'({int(after["anchor/own_word_count"])} words)', '-',
                before['anchor/own_word_rate'], after['anchor/own_word_rate'],
                'images with >= 2 words'))
    oclip_log = osp.join(work, 'logs', 'oclip_anchor_points.log')
    found = [line for line in open(oclip_log) if line.startswith('anchor/')]
    if found:
        values = dict(re.findall(r'(anchor/\w+): ([\d.]+)', found[-1]))
        lines.append(
            row('oCLIP of step 2 (stride 32): anchor H', '-', '',
                float(values['anchor/hmean'])))
        lines.append(
            row('oCLIP of step 2: anchor H, inside polygon', '-', '',
                float(values['anchor/inside_hmean'])))
    return lines


def main():
    work = sys.argv[1]
    lines = oclip(work) + psenet(work) + wecromcl(work)
    lines += [
        '\nWhere things are:',
        f'  checkpoints: {open(osp.join(work, "oclip", "last_checkpoint")).read()}, '
        f'{open(osp.join(work, "wecromcl", "last_checkpoint")).read()}',
        f'  oCLIP attention: {osp.join(work, "attention_test_000000.png")}',
        f'  WeCromCL heat maps: {osp.join(work, "wecromcl_heatmaps")}/, anchor points: '
        f'{osp.join(work, "wecromcl_anchor_points_test.json")}',
        f'  whole logs: {osp.join(work, "logs")}/',
    ]
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
