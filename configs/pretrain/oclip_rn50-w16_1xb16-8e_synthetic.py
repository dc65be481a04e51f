# The CPU-sized oCLIP of `make demo` and the tests: the CLIP ResNet-50 at base width
# 16 (C5 has 512 channels), narrow text encoder and decoder, 256x256 rendered images
# (tools/render_synthetic_text.py), 8 epochs. Same modules, losses and data pipeline
# as oclip_rn50_synthtext.py; only sizes and the schedule differ.
_base_ = [
    '_base_/oclip_runtime.py',
    '_base_/oclip_rn50.py',
    '_base_/schedule_adamw_100e.py',
    '_base_/datasets/synthetic_text.py',
]

img_size = 256
max_instances = 8
max_epochs = 8
embed_dim = 128

model = dict(text_slots=max_instances,
             backbone=dict(base_channels=16),
             neck=dict(in_channels=512,
                       embed_dim=embed_dim,
                       num_heads=8,
                       spatial_size=img_size // 32),
             text_encoder=dict(width=64, num_layers=2, num_heads=4,
                               embed_dim=embed_dim),
             decoder=dict(embed_dim=embed_dim,
                          num_layers=2,
                          num_heads=4,
                          spatial_size=img_size // 32))

# oCLIP's training pipeline (_base_/oclip_rn50.py) at the demo's sizes
_base_.train_pipeline[2].max_instances = max_instances
_base_.train_pipeline[3].size = img_size
val_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    _base_.load_texts,
    dict(type='SampleTextInstances', max_instances=max_instances),
    dict(type='PackOCLIPInputs'),
]
# both splits are read as oclip_rn50_synthtext.py reads SynthText
dataset = dict(type='OCLIPPretrainDataset', dict_file=None, max_text_len=25)
train_dataloader = dict(batch_size=16,
                        num_workers=2,
                        persistent_workers=True,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(pipeline=_base_.train_pipeline,
                                     **dataset,
                                     **_base_.synthetic_text_train))
val_dataloader = dict(batch_size=16,
                      num_workers=1,
                      persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(pipeline=val_pipeline,
                                   **dataset,
                                   **_base_.synthetic_text_test))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR',
         eta_min=0.0,
         by_epoch=True,
         begin=0,
         end=max_epochs,
         T_max=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs // 2)
default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(interval=max_epochs // 2, max_keep_ckpts=1),
                     visualization=dict(interval=1, max_images=2))
log_processor = dict(window_size=5)
randomness = dict(seed=0)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=16)
