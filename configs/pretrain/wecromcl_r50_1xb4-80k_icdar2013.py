# WeCromCL stage-1 fine-tuning on ICDAR2013 from the SynthText pre-training (see
# _base_/wecromcl_finetune.py); test resize: long side 1152 (the authors').
#   mim train mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_icdar2013.py \
#       --cfg-options \
#       load_from=work_dirs/wecromcl_r50_1xb16-200k_synthtext/iter_200000.pth
#   mim test mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_icdar2013.py \
#       --checkpoint work_dirs/wecromcl_r50_1xb4-80k_icdar2013/iter_80000.pth
# Anchor-point pseudo labels: tools/wecromcl_anchor_points.py
# (docs/en/user_guides/anchor_points.md).
_base_ = ['_base_/wecromcl_finetune.py', '_base_/datasets/icdar2013.py']

_base_.test_pipeline[1].scale = (1152, 1152)  # long side 1152
train_dataloader = dict(dataset=_base_.icdar2013_train)
val_dataloader = dict(
    dataset=dict(pipeline=_base_.test_pipeline, **_base_.icdar2013_test))
test_dataloader = val_dataloader
