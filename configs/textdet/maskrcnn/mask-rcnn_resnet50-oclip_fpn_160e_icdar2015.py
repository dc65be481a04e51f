# Mask R-CNN with the oCLIP CLIP ResNet-50 on ICDAR2015: MMOCR's Mask R-CNN-oCLIP
# config (mmocr::textdet/maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_icdar2015.py) with
# only the backbone changed: our OCLIPResNet, initialised from the `backbone.*` keys of
# an oCLIP pre-training checkpoint (no renaming) instead of MMOCR's released oCLIP
# weights. MMOCR wraps mmdet's Mask R-CNN (MMDetWrapper), so the backbone sits at
# model.cfg.backbone and is built in the mmocr scope (`_scope_='mmocr'`, as stock);
# other backbone arguments are CLIPResNet's defaults, as in the stock config.
#   mim train mmocr_oclip \
#       configs/textdet/maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_icdar2015.py \
#       --cfg-options model.cfg.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.cfg.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mmocr::textdet/maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_icdar2015.py',
    '../_base_/oclip_resnet.py'
]

model = dict(cfg=dict(
    backbone=dict(_base_.oclip_resnet, _delete_=True, _scope_='mmocr')))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
