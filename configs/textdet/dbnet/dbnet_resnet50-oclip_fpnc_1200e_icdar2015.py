# DBNet with the oCLIP CLIP ResNet-50 on ICDAR2015: MMOCR's DBNet-oCLIP config
# (mmocr::textdet/dbnet/dbnet_resnet50-oclip_1200e_icdar2015.py) with only the backbone
# changed: our OCLIPResNet, initialised from the `backbone.*` keys of an oCLIP
# pre-training checkpoint (no renaming) instead of MMOCR's released oCLIP weights.
# Other backbone arguments are CLIPResNet's defaults, as in the stock config. FPNC,
# DBHead (quad output), data, lr 0.002 with warm-up and 1200 epochs are the stock ones.
#   mim train mmocr_oclip \
#       configs/textdet/dbnet/dbnet_resnet50-oclip_fpnc_1200e_icdar2015.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mmocr::textdet/dbnet/dbnet_resnet50-oclip_1200e_icdar2015.py',
    '../_base_/oclip_resnet.py'
]

model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True))

# validation/test: the stock pipeline with our checked image loader (a corrupt or
# truncated image raises naming the file instead of being decoded into noise)
test_pipeline = [
    dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading),
    *_base_.val_dataloader.dataset.pipeline[1:]
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
