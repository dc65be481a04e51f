# DBNet with the oCLIP CLIP ResNet-50 on Total-Text. MMOCR has no DBNet-oCLIP
# Total-Text config: this is MMOCR's DBNet Total-Text config
# (mmocr::textdet/dbnet/dbnet_resnet18_fpnc_1200e_totaltext.py: pipelines with
# FixInvalidPolygon, test scale 1333x736, SGD lr 0.007 for 1200 epochs) with
# - the ResNet-18 replaced by our OCLIPResNet, initialised from the `backbone.*` keys
#   of an oCLIP pre-training checkpoint, with CLIPResNet's defaults as in MMOCR's
#   DBNet-oCLIP ICDAR2015 config (so norm_eval=True, no style='caffe');
# - the FPNC in_channels set to the ResNet-50 widths [256, 512, 1024, 2048];
# - polygon output (the stock config inherits 'quad' from its ResNet-18 base; Total-Text
#   is labelled with polygons). Stock behaviour:
#   --cfg-options model.det_head.postprocessor.text_repr_type=quad
#   mim train mmocr_oclip \
#       configs/textdet/dbnet/dbnet_resnet50-oclip_fpnc_1200e_totaltext.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mmocr::textdet/dbnet/dbnet_resnet18_fpnc_1200e_totaltext.py',
    '../_base_/oclip_resnet.py'
]

model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True),
             neck=dict(in_channels=[256, 512, 1024, 2048]),
             det_head=dict(postprocessor=dict(text_repr_type='poly')))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
