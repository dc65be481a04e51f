# FCENet with the oCLIP CLIP ResNet-50 on ICDAR2015: MMOCR's FCENet-oCLIP config
# (mmocr::textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py) with only the
# backbone changed: our OCLIPResNet, initialised from the `backbone.*` keys of an oCLIP
# pre-training checkpoint (no renaming) instead of MMOCR's released oCLIP weights.
# Backbone arguments as in the stock config: out_indices=(1, 2, 3) for the 3-level FPN,
# CLIPResNet's defaults otherwise. FPN, FCEHead, data, lr 5e-4, 1500 epochs are stock.
#   mim train mmocr_oclip \
#       configs/textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mmocr::textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py',
    '../_base_/oclip_resnet.py'
]

model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True, out_indices=(1, 2, 3)))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
