# WeCromCL stage-1 fine-tuning on Total-Text from the SynthText pre-training (see
# _base_/wecromcl_finetune.py); test resize: short side 896 (the authors').
#   mim train mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_totaltext.py \
#       --cfg-options \
#       load_from=work_dirs/wecromcl_r50_1xb16-200k_synthtext/iter_200000.pth
#   mim test mmocr_oclip configs/pretrain/wecromcl_r50_1xb4-80k_totaltext.py \
#       --checkpoint work_dirs/wecromcl_r50_1xb4-80k_totaltext/iter_80000.pth
# Anchor-point pseudo labels: tools/wecromcl_anchor_points.py (README).
_base_ = ['_base_/wecromcl_finetune.py']

data_root = 'data/totaltext'
# annotations are loaded after the resize: polygons stay in image coordinates
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    # short side 896, long side unbounded
    dict(type='Resize', scale=(100000, 896), keep_ratio=True),
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
