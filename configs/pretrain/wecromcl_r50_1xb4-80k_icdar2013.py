# WeCromCL stage-1 fine-tuning on ICDAR2013 from the SynthText pre-training (see
# _base_/wecromcl_finetune.py); test resize: long side 1152 (the authors').
#   mim train mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_icdar2013.py \
#       --cfg-options \
#       load_from=work_dirs/wecromcl_r50_1xb16-200k_synthtext/iter_200000.pth
#   mim test mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_icdar2013.py \
#       --checkpoint work_dirs/wecromcl_r50_1xb4-80k_icdar2013/iter_80000.pth
# Anchor-point pseudo labels: tools/wecromcl_anchor_points.py (README).
_base_ = ['_base_/wecromcl_finetune.py']

data_root = 'data/icdar2013'
# annotations are loaded after the resize: polygons stay in image coordinates
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(1152, 1152), keep_ratio=True),
    dict(type='LoadOCRAnnotations',
         with_text=True,
         with_bbox=True,
         with_polygon=True,
         with_label=True),
    dict(type='PackOCLIPInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
