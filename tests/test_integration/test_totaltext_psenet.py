"""PSENet on Total-Text: official-format ground truth -> our converter -> a
fine-tune of one iteration from an oCLIP checkpoint (`mim train`) -> `mim test`."""
import copy
import json
import os.path as osp
import shutil
import sys

import pytest
import torch
from mmocr.registry import MODELS

from helpers import MIM, REPO
from helpers.data import render_train_test
from helpers.models import WIDE_OCLIP
from helpers.processes import run

pytestmark = pytest.mark.slow
CONFIG = 'configs/textdet/psenet/psenet_resnet50-oclip_fpnf_600e_totaltext.py'


def write_totaltext_split(rendered, split, images_dir, gt_dir):
    """Rendered images + legacy Total-Text ground truth (poly_gt_imgN.txt)."""
    ann = json.load(open(osp.join(rendered, f'textspotting_{split}.json')))
    for n, item in enumerate(ann['data_list']):
        shutil.copy(osp.join(rendered, item['img_path']),
                    osp.join(images_dir, f'img{n}.jpg'))
        lines = []
        for inst in item['instances']:
            xs = ' '.join(str(round(v)) for v in inst['polygon'][0::2])
            ys = ' '.join(str(round(v)) for v in inst['polygon'][1::2])
            lines.append(f"x: [[{xs}]], y: [[{ys}]], ornt: [u'h'], "
                         f"transcriptions: [u'{inst['text']}']")
        lines.append("x: [[1 9 9 1]], y: [[1 1 9 9]], ornt: [u'#'], "
                     "transcriptions: [u'#']")  # a don't-care region
        with open(osp.join(gt_dir, f'poly_gt_img{n}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')


def test_psenet_totaltext_finetune_and_test(tmp_path):
    rendered = str(tmp_path / 'rendered')
    render_train_test(rendered, 2, 2, img_size=(160, 160), font_size=(20, 40))
    data = tmp_path / 'data' / 'totaltext'
    for split in ('train', 'test'):
        images, gts = tmp_path / 'Images' / split, tmp_path / 'gt' / split
        images.mkdir(parents=True)
        gts.mkdir(parents=True)
        write_totaltext_split(rendered, split, str(images), str(gts))
        run(sys.executable,
            osp.join(REPO, 'tools/dataset_converters/totaltext.py'),
            str(images),
            str(gts),
            str(data),
            '--split',
            split,
            '--task',
            'textdet',
            cwd=str(tmp_path))
    test_ann = json.load(open(data / 'textdet_test.json'))
    assert sum(i['ignore'] for d in test_ann['data_list'] for i in d['instances']) == 2

    oclip = MODELS.build(dict(copy.deepcopy(WIDE_OCLIP), decoder=None))
    oclip.init_weights()
    torch.save(dict(state_dict=oclip.state_dict()), tmp_path / 'oclip.pth')

    # the default data_root (data/totaltext) resolves against the working dir
    work = tmp_path / 'work'
    run(MIM,
        'train',
        'mmocr_oclip',
        CONFIG,
        '--work-dir',
        str(work),
        '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={tmp_path}/oclip.pth',
        'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_cfg.max_epochs=1',
        'train_cfg.val_interval=10',
        'default_hooks.checkpoint.interval=1',
        cwd=str(tmp_path))
    log = run(MIM,
              'test',
              'mmocr_oclip',
              CONFIG,
              '--checkpoint',
              str(work / 'epoch_1.pth'),
              '--work-dir',
              str(tmp_path / 'test'),
              cwd=str(tmp_path))
    assert 'icdar/hmean' in log
