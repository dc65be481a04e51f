# A small PSENet fine-tuned from an oCLIP backbone, on text rendered by
# tools/render_synthetic_text.py: the CPU-sized detector of `make demo` and the
# tests. MMOCR's PSENet config with a CLIP ResNet-50 of base width 16 (the
# backbone of configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py) and, because
# MMOCR's FPNF neck has 1024 fused channels hard-wired, its FPNC neck at 32
# channels per level. The backbone comes from `backbone_checkpoint`'s
# `backbone.*` keys, as loaded by any MMOCR detector:
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH  (another checkpoint)
#   --cfg-options model.backbone.init_cfg=None             (random init)
_base_ = [
    'mmocr::textdet/psenet/_base_psenet_resnet50_fpnf.py',
    'mmocr::textdet/_base_/default_runtime.py',
    'mmocr::textdet/_base_/schedules/schedule_adam_600e.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

data_root = 'data/synthetic_text'
backbone_checkpoint = 'work_dirs/oclip_rn50-w16_1xb16-8e_synthetic/epoch_8.pth'
img_scale = 256
max_epochs = 4

model = dict(backbone=dict(_delete_=True,
                           type='OCLIPResNet',
                           depth=50,
                           base_channels=16,
                           out_indices=(0, 1, 2, 3),
                           norm_cfg=dict(type='BN', requires_grad=True),
                           norm_eval=False,
                           init_cfg=dict(type='Pretrained',
                                         checkpoint=backbone_checkpoint,
                                         prefix='backbone.')),
             neck=dict(_delete_=True,
                       type='FPNC',
                       in_channels=[64, 128, 256, 512],
                       lateral_channels=32,
                       out_channels=32),
             det_head=dict(in_channels=[128],
                           hidden_dim=64,
                           postprocessor=dict(text_repr_type='poly')))

train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='TorchVisionWrapper',
         op='ColorJitter',
         brightness=32.0 / 255,
         saturation=0.5),
    dict(type='FixInvalidPolygon'),
    dict(type='Resize', scale=(img_scale, img_scale), keep_ratio=True),
    dict(type='RandomRotate', max_angle=10),
    dict(type='TextDetRandomCrop', target_size=(img_scale, img_scale)),
    dict(type='Pad', size=(img_scale, img_scale)),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(img_scale, img_scale), keep_ratio=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

train_dataloader = dict(batch_size=8,
                        num_workers=2,
                        persistent_workers=True,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(type='OCRDataset',
                                     data_root=data_root,
                                     ann_file='textdet_train.json',
                                     filter_cfg=dict(filter_empty_gt=True, min_size=8),
                                     pipeline=train_pipeline))
val_dataloader = dict(batch_size=1,
                      num_workers=1,
                      persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type='OCRDataset',
                                   data_root=data_root,
                                   ann_file='textdet_test.json',
                                   test_mode=True,
                                   pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [dict(type='PolyLR', power=0.9, end=max_epochs)]
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
randomness = dict(seed=0)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=8)
