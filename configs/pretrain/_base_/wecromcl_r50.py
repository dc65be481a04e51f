# WeCromCL stage 1 (Wu et al., ECCV 2024, and the authors' code on GitHub):
# ResNet-50 -> two BiFPN blocks -> multi-scale concat (stride 4 and 8, 192 channels)
# -> 6-layer deformable encoder -> stride-8 map F_I (512 channels); a 12-layer
# character-wise text encoder (case-insensitive, mean-pooled) queries F_I with
# single-head attention; the atomistic contrastive loss trains both. The backbone is
# mmdet's ResNet at `backbone.*`, so MMOCR's stock ResNet-50 detector configs load it
# with init_cfg=dict(type='Pretrained', checkpoint=CKPT, prefix='backbone.').
# Normalisation: ImageNet mean/std on RGB (the authors' and MMOCR detectors').
# Every module computes the authors' function by default (their released weights
# convert with tools/convert_official_wecromcl.py); our fixes of their documented
# defects are opt-in: model.mask_padding, model.mask_false_negatives,
# model.max_logit_scale, text_encoder pooling='mean' + mask_padding=True.
_base_ = ['annotation_loading.py']

model = dict(type='WeCromCL',
             backbone=dict(type='mmdet.ResNet',
                           depth=50,
                           num_stages=4,
                           out_indices=(0, 1, 2, 3),
                           frozen_stages=-1,
                           norm_cfg=dict(type='BN', requires_grad=True),
                           norm_eval=False,
                           style='pytorch'),
             neck=[
                 dict(type='BiFPN',
                      in_channels=[256, 512, 1024, 2048],
                      out_channels=256,
                      num_blocks=2),
                 dict(type='MultiScaleConcatNeck', in_channels=256, branch_channels=64),
             ],
             encoder=dict(type='DeformableEncoder',
                          in_channels=(192, 192),
                          embed_dims=192,
                          num_layers=6,
                          num_heads=8,
                          num_points=4,
                          feedforward_channels=256,
                          dropout=0.1,
                          out_channels=512),
             text_encoder=dict(type='CharacterTextEncoder',
                               width=512,
                               num_layers=12,
                               num_heads=8,
                               embed_dim=512,
                               causal=False,
                               pooling='mean_with_padding'),
             head=dict(type='TextQueryAttentionHead',
                       text_dims=512,
                       image_dims=512,
                       attn_dims=512),
             tokenizer=dict(type='CharacterTokenizer',
                            dict_file='wecromcl_69.txt',
                            max_len=25,
                            end_token=False),
             loss=dict(type='AtomisticContrastiveLoss', loss_weight=1.0),
             data_preprocessor=dict(type='TextDetDataPreprocessor',
                                    mean=[123.675, 116.28, 103.53],
                                    std=[58.395, 57.12, 57.375],
                                    bgr_to_rgb=True,
                                    pad_size_divisor=32))

# The authors' training words: 16 negative words per image drawn from an English
# vocabulary (wecromcl_collate with NegativeWordSampler), words written in their
# 69-character alphabet (a config for another alphabet sets the sampler's dict_file
# as its dataset's).
negative_words_collate = dict(type='wecromcl_collate',
                              sampler=dict(type='NegativeWordSampler',
                                           vocab_file='english_vocab.txt',
                                           dict_file='wecromcl_69.txt',
                                           num_negatives=16))

# The authors' pre-training augmentation (transcriptions only, no boxes): rotation
# +-10 degrees on an expanded canvas with black corners, short side 640 with the long
# side <= 640 (sides rounded up to multiples of 32, their rounding), blur p 0.1, colour
# jitter p 0.5 (brightness, contrast, saturation 0.5, hue 0.5). The fine-tuning
# (wecromcl_finetune.py) changes the resize, train_pipeline[3].
train_pipeline = [
    dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
    _base_.load_texts,
    dict(type='RandomRotateOnCanvas', max_angle=10),
    dict(type='RandomShortSideResize',
         short_sides=(640, ),
         max_long_side=640,
         size_divisor=32),
    # one of imgaug's Gaussian, average, median, bilateral and motion blurs, as theirs
    dict(type='RandomBlur', prob=0.1),
    dict(type='RandomApply',
         transforms=[
             dict(type='TorchVisionWrapper',
                  op='ColorJitter',
                  brightness=0.5,
                  contrast=0.5,
                  saturation=0.5,
                  hue=0.5)
         ],
         prob=0.5),
    dict(type='PackOCLIPInputs'),
]
