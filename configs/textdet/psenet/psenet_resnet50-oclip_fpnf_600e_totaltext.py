# PSENet with the oCLIP CLIP ResNet-50 on Total-Text, oCLIP's headline transfer
# (paper, RN50 pre-trained on SynthText: P / R / F 89.9 / 81.6 / 85.5).
# The setting is the PSENet authors' Total-Text one (github.com/whai362/PSENet, branch
# python3: config/psenet/psenet_r50_tt.py, dataset/psenet/psenet_tt.py), the code base
# oCLIP's Total-Text numbers were obtained with, on MMOCR's PSENet (FPNF, 256 channels,
# concat fusion: the same design):
#   train: short side 736 x s, s in {0.7, 0.8, ..., 1.3}, sides aligned to 32;
#          horizontal flip p 0.5; rotation +-10 degrees; 736x736 crop (5/8 of the
#          windows over text), zero padding; batch 16; 600 epochs;
#          SGD lr 1e-3, momentum 0.99, weight decay 5e-4, x0.1 at epochs 200 and 400;
#   test:  short side 736, sides rounded up to multiples of 32, aspect ratio kept;
#          mean text score >= 0.87, area >= 16, polygons.
# Departures: MMOCR's HmeanIOUMetric (IoU 0.5) instead of the authors' DetEval script;
# their cap of 200 words per training image is not applied.
#   mim train mmocr_oclip \
#       configs/textdet/psenet/psenet_resnet50-oclip_fpnf_600e_totaltext.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH_TO_OCLIP_CKPT
#   mim test mmocr_oclip \
#       configs/textdet/psenet/psenet_resnet50-oclip_fpnf_600e_totaltext.py \
#       --checkpoint work_dirs/psenet_resnet50-oclip_fpnf_600e_totaltext/epoch_600.pth
_base_ = [
    'mmocr::textdet/psenet/_base_psenet_resnet50_fpnf.py',
    'mmocr::textdet/_base_/datasets/totaltext.py',
    'mmocr::textdet/_base_/default_runtime.py',
    'mmocr::textdet/_base_/schedules/schedule_sgd_base.py',
    '../_base_/oclip_resnet.py',
]

data_root = 'data/totaltext'  # MMOCR's Total-Text layout (dataset preparer)
short_side = 736
max_epochs = 600

model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True),
             det_head=dict(postprocessor=dict(type='PSEPostprocessor',
                                              text_repr_type='poly',
                                              score_threshold=0.87,
                                              min_text_area=16)))

train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='RandomChoice',
         transforms=[[
             dict(type='ShortScaleAspectJitter',
                  short_size=short_side,
                  ratio_range=(ratio, ratio),
                  aspect_ratio_range=(1.0, 1.0),
                  scale_divisor=32)
         ] for ratio in (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)]),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomRotate', max_angle=10),
    dict(type='TextDetRandomCrop',
         target_size=(short_side, short_side),
         positive_sample_ratio=5.0 / 8.0),
    dict(type='Pad', size=(short_side, short_side)),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    # short side 736, both sides rounded up to multiples of 32 (no jitter)
    dict(type='ShortScaleAspectJitter',
         short_size=short_side,
         ratio_range=(1.0, 1.0),
         aspect_ratio_range=(1.0, 1.0),
         scale_divisor=32),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

totaltext_textdet_train = _base_.totaltext_textdet_train
totaltext_textdet_test = _base_.totaltext_textdet_test
totaltext_textdet_train.update(data_root=data_root, pipeline=train_pipeline)
totaltext_textdet_test.update(data_root=data_root, pipeline=test_pipeline)

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

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD',
                                    lr=1e-3,
                                    momentum=0.99,
                                    weight_decay=5e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=40)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[200, 400], gamma=0.1, end=max_epochs),
]
auto_scale_lr = dict(base_batch_size=16)
