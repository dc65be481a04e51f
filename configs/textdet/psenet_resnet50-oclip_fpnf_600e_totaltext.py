# PSENet with the oCLIP CLIP ResNet-50 on Total-Text, oCLIP's headline transfer
# (paper, RN50 pre-trained on SynthText: P / R / F 89.9 / 81.6 / 85.5).
# MMOCR ships no PSENet Total-Text config; this one takes MMOCR 1.0.1's PSENet
# curved-text setting (textdet/psenet/psenet_resnet50_fpnf_600e_ctw1500.py): training
# short side 736 with aspect jitter and 736x736 crops, Adam lr 1e-4 decayed x0.1 at
# epochs 200 and 400 of 600 (the PSENet authors' 600-epoch step schedule), test long
# side 1280, polygon output, on MMOCR's Total-Text dataset config. The PSENet
# authors' own Total-Text test scale (github.com/whai362/PSENet,
# config/psenet/psenet_r50_tt.py) could not be checked offline: verify it there.
#   mim train mmocr_oclip configs/textdet/psenet_resnet50-oclip_fpnf_600e_totaltext.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH_TO_OCLIP_CKPT
#   mim test mmocr_oclip configs/textdet/psenet_resnet50-oclip_fpnf_600e_totaltext.py \
#       --checkpoint work_dirs/psenet_resnet50-oclip_fpnf_600e_totaltext/epoch_600.pth
_base_ = [
    'mmocr::textdet/psenet/_base_psenet_resnet50_fpnf.py',
    'mmocr::textdet/_base_/datasets/totaltext.py',
    'mmocr::textdet/_base_/default_runtime.py',
    'mmocr::textdet/_base_/schedules/schedule_adam_600e.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

# the oCLIP pre-training checkpoint whose `backbone.*` initialises the detector
backbone_checkpoint = 'work_dirs/oclip_rn50_synthtext/epoch_100.pth'
model = dict(backbone=dict(_delete_=True,
                           type='OCLIPResNet',
                           depth=50,
                           init_cfg=dict(type='Pretrained',
                                         checkpoint=backbone_checkpoint,
                                         prefix='backbone.')),
             det_head=dict(postprocessor=dict(text_repr_type='poly')))

optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(val_interval=40)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[200, 400], end=600),
]

totaltext_textdet_train = _base_.totaltext_textdet_train
totaltext_textdet_test = _base_.totaltext_textdet_test
test_pipeline_totaltext = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(1280, 1280), keep_ratio=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
totaltext_textdet_train.pipeline = _base_.train_pipeline
totaltext_textdet_test.pipeline = test_pipeline_totaltext

train_dataloader = dict(batch_size=16,
                        num_workers=8,
                        persistent_workers=False,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=totaltext_textdet_train)
val_dataloader = dict(batch_size=1,
                      num_workers=1,
                      persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=totaltext_textdet_test)
test_dataloader = val_dataloader

auto_scale_lr = dict(base_batch_size=64 * 4)
