# PSENet with the oCLIP CLIP ResNet-101 on Total-Text (paper, RN101 pre-trained on
# SynthText: P / R / F 89.9 / 82.2 / 85.9); everything else as the RN50 config.
_base_ = ['psenet_resnet50-oclip_fpnf_600e_totaltext.py']

backbone_checkpoint = 'work_dirs/oclip_rn101_synthtext/epoch_100.pth'
model = dict(backbone=dict(depth=101, init_cfg=dict(checkpoint=backbone_checkpoint)))
