# The CPU-sized WeCromCL of `make demo` and the tests: ResNet-50 at base width 16,
# narrow BiFPN / deformable encoder (2 layers) / text encoder (2 layers), 192x192
# rendered images (tools/render_synthetic_text.py: 20 made-up words, 2-3 per image),
# batch 16, 400 iterations. Same modules, loss and collate as
# wecromcl_r50_1xb16-200k_synthtext.py. Differences, measured on this CPU: no
# rotation / colour jitter and AdamW 1e-3 instead of SGD 1e-3 (with them the loss
# stayed at chance level for 400 iterations; without, it leaves chance after ~150);
# 8 negatives drawn from the rendered training words (tools/build_vocabulary.py), as
# rendered words are not English. Validation: the stage-1 anchor-point metric on
# the held-out rendered images.
_base_ = [
    '_base_/wecromcl_runtime.py',
    '_base_/wecromcl_r50.py',
    '_base_/schedule_sgd-poly_200k.py',
    '_base_/datasets/wecromcl_text.py',
]

dict_file = 'lowercase_68.txt'
img_size = 192
max_iters = 400
width = 48

model = dict(backbone=dict(base_channels=16),
             neck=[
                 dict(type='BiFPN', in_channels=[64, 128, 256, 512], out_channels=32),
                 dict(type='MultiScaleConcatNeck', in_channels=32, branch_channels=16),
             ],
             encoder=dict(in_channels=(width, width),
                          embed_dims=width,
                          num_layers=2,
                          num_heads=4,
                          num_groups=16,
                          feedforward_channels=2 * width,
                          out_channels=64),
             text_encoder=dict(width=64, num_layers=2, num_heads=4, embed_dim=64),
             head=dict(text_dims=64, image_dims=64, attn_dims=64))

train_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    _base_.load_texts,
    dict(type='RandomShortSideResize',
         short_sides=(img_size, ),
         max_long_side=img_size,
         size_divisor=32),
    dict(type='PackOCLIPInputs'),
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    _base_.load_texts_and_polygons,
    dict(type='PackOCLIPInputs'),
]
train_dataloader = dict(batch_size=16,
                        num_workers=2,
                        persistent_workers=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        collate_fn=dict(_base_.negative_words_collate,
                                        sampler=dict(
                                            _base_.negative_words_collate.sampler,
                                            vocab_file=_base_.wecromcl_text_vocab_file,
                                            dict_file=dict_file,
                                            num_negatives=8)),
                        dataset=dict(type='OCLIPPretrainDataset',
                                     dict_file=dict_file,
                                     lowercase=True,
                                     max_text_len=26,
                                     pipeline=train_pipeline,
                                     **_base_.wecromcl_text_train))
val_dataloader = dict(batch_size=8,
                      num_workers=1,
                      persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type='OCRDataset',
                                   pipeline=test_pipeline,
                                   **_base_.wecromcl_text_test))
test_dataloader = val_dataloader

# AdamW instead of the paper's SGD 1e-3: SGD does not leave chance level in a few
# hundred CPU iterations (measured: loss flat at ln-chance for 200 iterations)
optim_wrapper = dict(optimizer=dict(
    _delete_=True, type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=20),
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=20,
         end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters // 2)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=max_iters // 2, max_keep_ckpts=1))
log_processor = dict(window_size=10)
randomness = dict(seed=0)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=16)
