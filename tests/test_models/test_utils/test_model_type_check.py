"""Checkpoints record their model type; one of another type is refused naming both."""
import copy

import pytest
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint
from mmocr.registry import MODELS
from torch import nn

from mmocr_oclip.datasets import render_dataset
from mmocr_oclip.models.utils.model_type_check import (DETECTOR, MODEL_TYPE_KEY,
                                                       ModelTypeMismatchError,
                                                       check_checkpoint_model_type,
                                                       infer_model_type,
                                                       register_model_type_check)
from helpers.data import oclip_dataloader


def test_runner_checkpoints_record_the_model_type(tmp_path, tiny_oclip_cfg):
    """What ``mim train`` runs: MMEngine's Runner and CheckpointHook."""
    summary = render_dataset(str(tmp_path / 'data'),
                             2,
                             img_size=(96, 96),
                             words=['cat', 'dog'],
                             words_per_image=(2, 2),
                             font_size=(12, 16))
    assert summary['num_words'] >= 2
    pipeline = [
        dict(type='LoadCheckedImageFromFile'),
        dict(type='LoadOCRAnnotations', with_text=True),
        dict(type='Resize', scale=(64, 64)),
        dict(type='PackOCLIPInputs')
    ]
    runner = Runner(
        model=tiny_oclip_cfg,
        work_dir=str(tmp_path / 'work'),
        train_dataloader=oclip_dataloader(tmp_path / 'data', pipeline, shuffle=False),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-4)),
        train_cfg=dict(by_epoch=False, max_iters=1),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1)),
        default_scope='mmocr')
    runner.train()
    checkpoint = _load_checkpoint(str(tmp_path / 'work' / 'iter_1.pth'),
                                  map_location='cpu')
    assert checkpoint['state_dict']._metadata[''][MODEL_TYPE_KEY] == 'OCLIP'
    check_checkpoint_model_type(MODELS.build(copy.deepcopy(tiny_oclip_cfg)),
                                checkpoint)  # the same type: passes


def test_keys_tell_the_type_of_unrecorded_checkpoints():
    assert infer_model_type(
        ['backbone.conv1.weight', 'neck.lateral.weight',
         'det_head.out.weight'])[1] == 'text detector (e.g. PSENet)'
    mask_rcnn = ['wrapped_model.backbone.conv1.weight', 'wrapped_model.rpn_head.x']
    cfg = ("model = dict(\n    cfg=dict(\n        backbone=dict(type='ResNet'),\n"
           "        type='MaskRCNN'),\n    type='MMDetWrapper')\nx = 1\n")
    assert infer_model_type(mask_rcnn, cfg) == (DETECTOR, 'text detector (MaskRCNN)')
    psenet = "model = dict(\n    backbone=dict(type='ResNet'),\n    type='PSENet')\n"
    assert infer_model_type(['det_head.w'], psenet)[1] == 'text detector (PSENet)'
    assert infer_model_type(['visual.conv1.weight',
                             'transformer.x'])[0].startswith('official oCLIP')
    assert infer_model_type(['text_encoder.x', 'neck.x', 'encoder.x', 'head.x'])[0] == \
        'WeCromCL'
    assert infer_model_type(['text_encoder.x', 'neck.x', 'decoder.x'])[0] == 'OCLIP'
    assert infer_model_type(['backbone.conv1.weight'])[0] is None


class Tiny(nn.Module):

    def __init__(self):
        super().__init__()
        self.text_encoder = nn.Linear(2, 2)
        self.neck = nn.Linear(2, 2)
        register_model_type_check(self)


class TinySubclass(Tiny):
    pass


def test_recorded_type_checked_before_any_key(tiny_oclip_cfg):
    state = Tiny().state_dict()
    assert state._metadata[''][MODEL_TYPE_KEY] == 'Tiny'
    TinySubclass().load_state_dict(state)  # a subclass takes its base's weights
    oclip = MODELS.build(copy.deepcopy(tiny_oclip_cfg))
    for strict in (True, False):
        with pytest.raises(ModelTypeMismatchError,
                           match=r'^this checkpoint is a Tiny checkpoint \(recorded '
                           r'in the checkpoint\); this config builds OCLIP: give an '
                           'OCLIP checkpoint$'):
            oclip.load_state_dict(state, strict=strict)
    # a backbone alone (no type recorded, none recognised): MMEngine's own errors
    backbone_only = {f'backbone.{k}': v for k, v in oclip.backbone.state_dict().items()}
    with pytest.raises(RuntimeError, match='Missing key'):
        oclip.load_state_dict(backbone_only)
    # the record may also sit in the checkpoint's meta
    with pytest.raises(ModelTypeMismatchError, match='a WeCromCL checkpoint'):
        check_checkpoint_model_type(
            oclip,
            dict(state_dict=dict(oclip.state_dict()), meta={MODEL_TYPE_KEY:
                                                            'WeCromCL'}), 'x.pth')
