# oCLIP pre-training of the CLIP ResNet-101 (23 bottlenecks in layer3) on SynthText;
# everything else as oclip_rn50_synthtext.py.
_base_ = ['oclip_rn50_synthtext.py']

model = dict(backbone=dict(depth=101))
