# DBNet++ with the oCLIP CLIP ResNet-50 on Total-Text. MMOCR has no DBNet++ Total-Text
# config: this is our DBNet++ ICDAR2015 config
# (dbnetpp_resnet50-oclip_fpnc_1200e_icdar2015.py: OCLIPResNet, FPNC with ASF, DBHead
# with epsilon_ratio 0.002, lr 0.002 with warm-up, 1200 epochs, ConcatDataset loaders)
# with
# - the data swapped for mmocr::textdet/_base_/datasets/totaltext.py;
# - the train and test pipelines of MMOCR's DBNet Total-Text config
#   (mmocr::textdet/dbnet/dbnet_resnet18_fpnc_1200e_totaltext.py: FixInvalidPolygon,
#   test scale 1333x736), which our DBNet Total-Text config also uses;
# - polygon output (text_repr_type='poly').
#   mim train mmocr_oclip \
#       configs/textdet/dbnetpp/dbnetpp_resnet50-oclip_fpnc_1200e_totaltext.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
# RN101: also pass model.backbone.depth=101 (with an RN101 oCLIP checkpoint).
_base_ = [
    'dbnetpp_resnet50-oclip_fpnc_1200e_icdar2015.py',
    'mmocr::textdet/_base_/datasets/totaltext.py',
]
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

model = dict(det_head=dict(postprocessor=dict(text_repr_type='poly')))

# the pipelines of mmocr::textdet/dbnet/dbnet_resnet18_fpnc_1200e_totaltext.py
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='FixInvalidPolygon', min_poly_points=4),
    dict(type='TorchVisionWrapper',
         op='ColorJitter',
         brightness=32.0 / 255,
         saturation=0.5),
    dict(type='ImgAugWrapper',
         args=[['Fliplr', 0.5],
               dict(cls='Affine', rotate=[-10, 10]), ['Resize', [0.5, 3.0]]]),
    dict(type='RandomCrop', min_side_ratio=0.1),
    dict(type='Resize', scale=(640, 640), keep_ratio=True),
    dict(type='Pad', size=(640, 640)),
    dict(type='PackTextDetInputs', meta_keys=('img_path', 'ori_shape', 'img_shape'))
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(1333, 736), keep_ratio=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='FixInvalidPolygon', min_poly_points=4),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

train_list = [_base_.totaltext_textdet_train]
test_list = [_base_.totaltext_textdet_test]

train_dataloader = dict(dataset=dict(datasets=train_list, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(datasets=test_list, pipeline=test_pipeline))
test_dataloader = val_dataloader
