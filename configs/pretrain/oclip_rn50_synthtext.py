# oCLIP pre-training of the CLIP ResNet-50 on SynthText, the paper's setting
# (Xue et al., ECCV 2022): 512x512 RandomResizedCrop (scale 0.95-1.0, bicubic),
# up to 32 words per image (one random subset per image, the same every epoch), batch
# 64 per GPU x 4 GPUs (global 256), AdamW, mixed precision (--amp) as the authors.
#   python tools/dataset_converters/synthtext.py data/synthtext/gt.mat \
#       data/synthtext/textspotting_train.json --img-prefix imgs
#   mim train mmocr_oclip configs/pretrain/oclip_rn50_synthtext.py \
#       --launcher pytorch --gpus 4 --amp
# Then fine-tune a detector from `backbone.*` of the checkpoint (configs/textdet).
_base_ = [
    '_base_/oclip_runtime.py',
    '_base_/oclip_rn50.py',
    '_base_/schedule_adamw_100e.py',
    '_base_/datasets/synthtext.py',
]

# Training steps run channels-last through a compiled backbone (same function up to fp32
# rounding, same checkpoint keys; the first step of a run compiles, about a minute):
# 1.3x the step on a 2-core CPU, see docs/en/notes/2026-12-07_fast_defaults.md.
# Eval-mode forwards (pictures, anchor points, checks against the authors' code) run
# the plain backbone. Off:
#   --cfg-options model.channels_last=False model.compile_backbone=False
model = dict(channels_last=True, compile_backbone=True)
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    # the authors' loader drops the last, incomplete batch
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='OCLIPPretrainDataset',
                 dict_file=None,
                 max_text_len=25,
                 pipeline=_base_.train_pipeline,
                 **_base_.synthtext_train))
# SynthText has no validation split: pre-training runs without validation/test.
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
