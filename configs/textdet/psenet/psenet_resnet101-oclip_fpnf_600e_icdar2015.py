# PSENet with the oCLIP CLIP ResNet-101 on ICDAR2015: MMOCR's PSENet-oCLIP config
# (ResNet-50) with the backbone swapped for depth 101, loaded from the
# `backbone.*` keys of an oCLIP pre-training checkpoint (no renaming):
#   mim train mmocr_oclip \
#       configs/textdet/psenet/psenet_resnet101-oclip_fpnf_600e_icdar2015.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_100.pth
_base_ = [
    'mmocr::textdet/psenet/psenet_resnet50-oclip_fpnf_600e_icdar2015.py',
    '../_base_/oclip_resnet.py'
]

backbone_checkpoint = 'work_dirs/oclip_rn101_synthtext/epoch_100.pth'
model = dict(backbone=dict(_base_.oclip_resnet,
                           _delete_=True,
                           depth=101,
                           init_cfg=dict(_base_.oclip_resnet.init_cfg,
                                         checkpoint=backbone_checkpoint)))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
