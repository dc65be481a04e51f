# oCLIP with the CLIP ResNet-50 (Xue et al., ECCV 2022).
# Normalisation: ImageNet mean/std on RGB, the one MMOCR's detector configs use, so
# that the backbone sees during fine-tuning exactly the input statistics it was
# pre-trained on (the authors pre-trained with CLIP's mean/std, then fine-tuned
# MMOCR detectors with ImageNet's: a mismatch we avoid).
_base_ = ['annotation_loading.py']

model = dict(
    type='OCLIP',
    backbone=dict(type='OCLIPResNet',
                  depth=50,
                  out_indices=(3, ),
                  norm_cfg=dict(type='BN', requires_grad=True),
                  norm_eval=False),
    neck=dict(type='AttentionPoolNeck',
              in_channels=2048,
              embed_dim=384,
              num_heads=32,
              spatial_size=16),
    text_encoder=dict(type='CharacterTextEncoder',
                      width=64,
                      num_layers=6,
                      num_heads=8,
                      embed_dim=384,
                      causal=True),
    decoder=dict(type='VisualTextualDecoder',
                 embed_dim=384,
                 num_layers=6,
                 num_heads=8,
                 spatial_size=16),
    tokenizer=dict(type='CharacterTokenizer', dict_file=None, max_len=25),
    # an image's text embedding: the mean over 32 word slots, empty ones
    # included, as the authors' loader pads every image to 32 words
    text_slots=32,
    loss_contrastive=dict(type='ImageTextContrastiveLoss', loss_weight=1.0),
    loss_mask=dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
    data_preprocessor=dict(type='TextDetDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True,
                           pad_size_divisor=32))

# oCLIP's training pipeline (the paper's): up to max_instances words per image (one
# random subset per image, the same every epoch, as the authors' loader), and a
# 512x512 RandomResizedCrop (scale 0.95-1.0, bicubic) that squashes the image to the
# square the attention pooling expects (spatial_size 16 = 512 / 32). A config at other
# sizes sets _base_.train_pipeline[2].max_instances and [3].size
# (oclip_rn50-w16_1xb16-8e_synthetic.py).
max_instances = 32
train_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    _base_.load_texts,
    dict(type='SampleTextInstances', max_instances=max_instances),
    dict(type='TorchVisionWrapper',
         op='RandomResizedCrop',
         size=512,
         scale=(0.95, 1.0),
         interpolation=3),
    dict(type='PackOCLIPInputs'),
]
