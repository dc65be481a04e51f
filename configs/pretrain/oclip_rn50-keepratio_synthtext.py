# oclip_rn50_synthtext.py with the aspect-preserving alternative to the authors'
# square crop (which squashes every image to 512x512): resize the long side to 512
# keeping the aspect ratio; the data preprocessor pads the batch to a multiple of
# 32 and the padded positions are masked out of every attention.
_base_ = ['oclip_rn50_synthtext.py']

# batches of many shapes: a compiled backbone would compile again for new shapes
model = dict(compile_backbone=False)

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    _base_.load_texts,
    dict(type='SampleTextInstances', max_instances=_base_.max_instances),
    dict(type='Resize', scale=(512, 512), keep_ratio=True),
    dict(type='PackOCLIPInputs'),
]))
