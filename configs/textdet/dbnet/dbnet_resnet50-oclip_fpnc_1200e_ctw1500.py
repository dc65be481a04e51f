# DBNet with the oCLIP CLIP ResNet-50 on CTW1500. MMOCR has no DBNet CTW1500 config:
# this is our DBNet Total-Text config (dbnet_resnet50-oclip_fpnc_1200e_totaltext.py:
# model with polygon output, pipelines and test scale 1333x736 of MMOCR's DBNet
# Total-Text config, its schedule) with the data swapped for
# mmocr::textdet/_base_/datasets/ctw1500.py, as MMOCR's CTW1500 configs do.
#   mim train mmocr_oclip \
#       configs/textdet/dbnet/dbnet_resnet50-oclip_fpnc_1200e_ctw1500.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'dbnet_resnet50-oclip_fpnc_1200e_totaltext.py',
    'mmocr::textdet/_base_/datasets/ctw1500.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

ctw1500_textdet_train = _base_.ctw1500_textdet_train
ctw1500_textdet_train.pipeline = _base_.train_pipeline
ctw1500_textdet_test = _base_.ctw1500_textdet_test
ctw1500_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(dataset=ctw1500_textdet_train)
val_dataloader = dict(dataset=ctw1500_textdet_test)
test_dataloader = val_dataloader
