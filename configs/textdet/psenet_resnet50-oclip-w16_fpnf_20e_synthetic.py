# A small PSENet on the oCLIP CLIP-ResNet-50 (base width 16 instead of 64), trained
# and tested on text rendered by tools/render_synthetic_text.py: the CPU-sized detector
# of `make demo` and of the tests. Everything else comes from MMOCR's PSENet config.
_base_ = [
    'mmocr::textdet/psenet/_base_psenet_resnet50_fpnf.py',
    'mmocr::textdet/_base_/default_runtime.py',
    'mmocr::textdet/_base_/schedules/schedule_adam_600e.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

# Rendered data: python tools/render_synthetic_text.py data/synthetic_text ...
data_root = 'data/synthetic_text'
img_scale = 320
max_epochs = 20

model = dict(backbone=dict(_delete_=True,
                           type='OCLIPResNet',
                           depth=50,
                           base_channels=16,
                           out_indices=(0, 1, 2, 3),
                           norm_cfg=dict(type='BN', requires_grad=True),
                           norm_eval=False,
                           init_cfg=None),
             neck=dict(in_channels=[64, 128, 256, 512]),
             det_head=dict(postprocessor=dict(text_repr_type='poly')))

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
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
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
default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
randomness = dict(seed=0)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=8)
