# What every detector config of this folder changes in the MMOCR config it inherits,
# written once: the backbone is the oCLIP image encoder (OCLIPResNet, CLIP's modified
# ResNet), initialised from the `backbone.*` keys of an oCLIP pre-training checkpoint
# with no renaming step, and validation/test images are loaded by the checked loader
# (a missing, corrupt or truncated image raises naming the file instead of being
# decoded into noise). A detector config lists this file after its MMOCR base and
# uses the two variables:
#   model = dict(backbone=dict(_base_.oclip_resnet, _delete_=True))
#   dict(_base_.val_dataloader.dataset.pipeline[0], **_base_.checked_image_loading)
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

# the oCLIP pre-training checkpoint whose `backbone.*` initialises the detector;
# --cfg-options model.backbone.init_cfg.checkpoint=PATH picks another
backbone_checkpoint = 'work_dirs/oclip_rn50_synthtext/epoch_100.pth'
oclip_resnet = dict(type='OCLIPResNet',
                    depth=50,
                    init_cfg=dict(type='Pretrained',
                                  checkpoint=backbone_checkpoint,
                                  prefix='backbone.'))
checked_image_loading = dict(type='LoadCheckedImageFromFile')
