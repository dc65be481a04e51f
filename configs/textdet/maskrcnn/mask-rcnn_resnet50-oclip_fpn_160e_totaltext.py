# Mask R-CNN with the oCLIP CLIP ResNet-50 on Total-Text. MMOCR has no Mask R-CNN
# Total-Text config: this is our Mask R-CNN CTW1500 config
# (mask-rcnn_resnet50-oclip_fpn_160e_ctw1500.py: OCLIPResNet, polygon output, SGD
# lr 0.02, 160 epochs, CTW1500 test scale 1600x1600) with the data swapped for
# mmocr::textdet/_base_/datasets/totaltext.py, and FixInvalidPolygon added after
# LoadOCRAnnotations in both pipelines, as MMOCR's Total-Text configs (DBNet, FCENet)
# do for Total-Text's invalid polygons.
#   mim train mmocr_oclip \
#       configs/textdet/maskrcnn/mask-rcnn_resnet50-oclip_fpn_160e_totaltext.py \
#       --cfg-options model.cfg.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.cfg.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'mask-rcnn_resnet50-oclip_fpn_160e_ctw1500.py',
    'mmocr::textdet/_base_/datasets/totaltext.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

# the CTW1500 pipelines, each with FixInvalidPolygon after LoadOCRAnnotations (the
# test one loads images with our checked loader, as the CTW1500 config does)
totaltext_train_pipeline = (_base_.train_pipeline[:2] +
                            [dict(type='FixInvalidPolygon')] +
                            _base_.train_pipeline[2:])
totaltext_test_pipeline = (_base_.test_pipeline[:3] + [dict(type='FixInvalidPolygon')] +
                           _base_.test_pipeline[3:])

totaltext_textdet_train = _base_.totaltext_textdet_train
totaltext_textdet_train.pipeline = totaltext_train_pipeline
totaltext_textdet_test = _base_.totaltext_textdet_test
totaltext_textdet_test.pipeline = totaltext_test_pipeline

train_dataloader = dict(dataset=totaltext_textdet_train)
val_dataloader = dict(dataset=totaltext_textdet_test)
test_dataloader = val_dataloader
