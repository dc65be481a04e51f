"""drop_pretrained_init: the random initialisation of a model config."""
from mmocr_oclip.utils.random_init import drop_pretrained_init


def test_drop_pretrained_keeps_other_inits():
    cfg = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='x.pth')),
               neck=[
                   dict(init_cfg=dict(type='Xavier')),
                   dict(init_cfg=dict(type='Pretrained', checkpoint='y'))
               ],
               init_cfg=None)
    assert drop_pretrained_init(cfg) == ['backbone.init_cfg', 'neck.1.init_cfg']
    assert cfg['backbone']['init_cfg'] is None and cfg['neck'][1]['init_cfg'] is None
    assert cfg['neck'][0]['init_cfg'] == dict(type='Xavier')
