# oCLIP's "first stage": the image-text contrastive loss alone (no visual-textual
# decoder, no masked-character loss); everything else as oclip_rn50_synthtext.py.
_base_ = ['oclip_rn50_synthtext.py']

model = dict(decoder=None)
