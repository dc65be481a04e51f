# DBNet++ with the oCLIP CLIP ResNet-50 on CTW1500. MMOCR has no DBNet++ CTW1500
# config: this is our DBNet++ Total-Text config
# (dbnetpp_resnet50-oclip_fpnc_1200e_totaltext.py: polygon output, pipelines and test
# scale 1333x736 of MMOCR's DBNet Total-Text config, as in our DBNet CTW1500 config)
# with the data swapped for mmocr::textdet/_base_/datasets/ctw1500.py.
#   mim train mmocr_oclip \
#       configs/textdet/dbnetpp/dbnetpp_resnet50-oclip_fpnc_1200e_ctw1500.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'dbnetpp_resnet50-oclip_fpnc_1200e_totaltext.py',
    'mmocr::textdet/_base_/datasets/ctw1500.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

train_list = [_base_.ctw1500_textdet_train]
test_list = [_base_.ctw1500_textdet_test]

train_dataloader = dict(dataset=dict(datasets=train_list))
val_dataloader = dict(dataset=dict(datasets=test_list))
test_dataloader = val_dataloader
