# FCENet with the oCLIP CLIP ResNet-50 on Total-Text. MMOCR has no FCENet-oCLIP
# Total-Text config: this is MMOCR's FCENet ResNet-50 Total-Text config
# (mmocr::textdet/fcenet/fcenet_resnet50_fpn_1500e_totaltext.py: pipelines with
# FixInvalidPolygon, test scale 1280x960, SGD lr 1e-3 with StepLR, 1500 epochs) with
# - the mmdet ResNet-50 replaced by our OCLIPResNet, initialised from the `backbone.*`
#   keys of an oCLIP pre-training checkpoint; out_indices=(1, 2, 3) as the stock
#   FCENet-oCLIP configs, CLIPResNet's defaults otherwise (so norm_eval=True instead of
#   False; the stock ResNet-50 uses no DCN, and its style='pytorch' is dropped);
# - polygon output (the stock config inherits 'quad' from its ResNet-50 base;
#   Total-Text is labelled with polygons). Stock behaviour:
#   --cfg-options model.det_head.postprocessor.text_repr_type=quad
#   mim train mmocr_oclip \
#       configs/textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_totaltext.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mmocr::textdet/fcenet/fcenet_resnet50_fpn_1500e_totaltext.py',
    '../_base_/oclip_resnet.py'
]

model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True, out_indices=(1, 2, 3)),
             det_head=dict(postprocessor=dict(text_repr_type='poly')))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
