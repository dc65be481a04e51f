# WeCromCL stage-1 pre-training on SynthText, the paper's setting (Wu et al.,
# ECCV 2024): transcriptions only (no boxes), one positive word per image (distinct
# within the batch) + 16 negatives from a vocabulary, batch 16, SGD 1e-3, poly decay,
# 200k iterations; rotation +-10 degrees on an expanded canvas, short side 640 with
# the long side <= 640 (sides rounded up to multiples of 32), blur p 0.1, colour
# jitter p 0.5. ResNet-50 from ImageNet as the authors (torchvision weights: put
# them in the torch hub cache on offline machines, or set init_cfg=None).
#   python tools/dataset_converters/synthtext.py data/synthtext/gt.mat \
#       data/synthtext/textspotting_train.json --img-prefix imgs
#   mim train mmocr_oclip configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py
# Fine-tune on a target set from the checkpoint: wecromcl_r50_1xb4-80k_*.py.
_base_ = [
    '_base_/wecromcl_runtime.py',
    '_base_/wecromcl_r50.py',
    '_base_/schedule_sgd-poly_200k.py',
    '_base_/datasets/synthtext.py',
]

# channels_last: training steps run channels-last (same function up to fp32 rounding,
# same keys; eval-mode forwards run as built); seeded_dropout: the encoder's dropout
# masks are drawn again in the backward pass instead of kept (same distribution; CPU
# fp32, torch's dropout elsewhere). Measured in the notes
# docs/en/notes/2026-12-07_fast_defaults.md and 2026-12-07_wecromcl_step_memory.md.
model = dict(backbone=dict(
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
             channels_last=True,
             encoder=dict(seeded_dropout=True))

# words are lower-cased; characters outside the authors' 69-character alphabet
# (wecromcl_69.txt: 0-9, a-z, space, punctuation, in their token-id order) are
# removed and words left empty dropped (counted and logged by the dataset)
dict_file = 'wecromcl_69.txt'
train_dataloader = dict(batch_size=16,
                        num_workers=8,
                        persistent_workers=True,
                        pin_memory=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        collate_fn=_base_.negative_words_collate,
                        dataset=dict(type='OCLIPPretrainDataset',
                                     dict_file=dict_file,
                                     lowercase=True,
                                     max_text_len=26,
                                     pipeline=_base_.train_pipeline,
                                     **_base_.synthtext_train))
# SynthText has no test split: pre-training runs without validation.
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
