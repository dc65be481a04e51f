# WeCromCL stage-1 fine-tuning on a real dataset from the SynthText pre-training
# (the paper's setting): batch 4, SGD 1e-4, poly decay over 80k iterations; short
# side in {640, 672, ..., 896} with the long side <= 1280 (multiples of 32); '###'
# and words shorter than 3 characters dropped. Validation/test: the stage-1
# anchor-point metric (AnchorPointMetric) on the test split's polygons and words.
# A dataset config inherits this file and _base_/datasets/<set>.py, sets its test
# resize (test_pipeline[1].scale) and puts the set's splits into the dataloaders
# (wecromcl_r50_1xb4-80k_icdar2015.py).
_base_ = [
    'wecromcl_runtime.py',
    'wecromcl_r50.py',
    'schedule_sgd-poly_200k.py',
]

# set to the pre-training checkpoint (or pass --cfg-options load_from=...)
load_from = 'work_dirs/wecromcl_r50_1xb16-200k_synthtext/iter_200000.pth'

# the pre-training config's speed options: channels-last training steps, dropout
# masks drawn again in the backward pass
model = dict(channels_last=True, encoder=dict(seeded_dropout=True))

dict_file = 'wecromcl_69.txt'
# the pre-training augmentation (wecromcl_r50.py) at the fine-tuning scales
_base_.train_pipeline[3].short_sides = tuple(range(640, 897, 32))
_base_.train_pipeline[3].max_long_side = 1280
# annotations are loaded after the resize: polygons stay in image coordinates;
# scale=None: a dataset config sets its own and passes _base_.test_pipeline to its
# val_dataloader (a child's change never reaches the dataloaders of this file)
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=None, keep_ratio=True),
    _base_.load_texts_and_polygons,
    dict(type='PackOCLIPInputs'),
]
train_dataloader = dict(batch_size=4,
                        num_workers=4,
                        persistent_workers=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        collate_fn=_base_.negative_words_collate,
                        dataset=dict(type='OCLIPPretrainDataset',
                                     dict_file=dict_file,
                                     lowercase=True,
                                     min_word_len=3,
                                     max_text_len=26,
                                     pipeline=_base_.train_pipeline))
val_dataloader = dict(batch_size=1,
                      num_workers=2,
                      persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type='OCRDataset'))
test_dataloader = val_dataloader

max_iters = 80000
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='PolyLR',
         power=0.9,
         eta_min=0.0,
         by_epoch=False,
         begin=0,
         end=max_iters + 1),
]
train_cfg = dict(max_iters=max_iters, val_interval=10000)
auto_scale_lr = dict(base_batch_size=4)
