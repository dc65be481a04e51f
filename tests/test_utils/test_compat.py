import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import mmocr_oclip  # noqa: F401


class NotAllowed:
    """A class that no checkpoint should be allowed to smuggle in."""


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path):
    hub = MessageHub.get_instance('test_compat')
    for v in (1.0, 2.0, 3.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('iter', 7)
    ckpt = {
        'meta':
        dict(epoch=1,
             iter=7,
             seed=0,
             cfg='a = 1',
             np_scalar=np.float64(0.5),
             np_int=np.int64(3)),
        'state_dict': {
            'w': torch.ones(2)
        },
        'message_hub':
        hub.state_dict(),
        'param_schedulers': [dict(base_lrs=[0.1], last_epoch=7)],
    }
    path = tmp_path / 'ckpt.pth'
    torch.save(ckpt, path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.mean() == pytest.approx(2.0)
    assert loaded['meta']['np_scalar'] == 0.5
    # weights_only stays on: explicitly requesting it still works
    torch.load(path, weights_only=True)


def test_weights_only_protection_stays_on(tmp_path):
    path = tmp_path / 'bad.pth'
    torch.save({'obj': NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(str(path), map_location='cpu')
    # getattr (what plain mmengine pickles HistoryBuffer's methods with) stays out
    torch.save({'f': getattr(HistoryBuffer, 'mean')}, path)
    with pytest.raises(pickle.UnpicklingError, match='getattr|HistoryBuffer.mean'):
        torch.load(path)


def test_history_buffer_statistics_survive_round_trip(tmp_path):
    buf = HistoryBuffer()
    buf.update(1.0)
    buf.update(3.0)
    torch.save(buf, tmp_path / 'buf.pth')
    loaded = torch.load(tmp_path / 'buf.pth')
    assert loaded.statistics('mean') == 2.0
    assert loaded.statistics('max') == 3.0


def test_config_package_scheme(tmp_path):
    child = tmp_path / 'child.py'
    base = 'textdet/psenet/psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py'
    child.write_text(f"_base_ = ['mmocr_oclip::{base}']\nmax_epochs = 2\n")
    cfg = Config.fromfile(str(child))
    assert cfg.model.backbone.type == 'OCLIPResNet'
    assert cfg.model.type == 'PSENet'  # from mmocr:: two levels up
    assert cfg.max_epochs == 2
