"""One data_root per config: child configs and --cfg-options move every dataloader,
and a missing dataset path is one line naming the key, the path and the fix."""
import os.path as osp

import pytest

from mmocr_oclip.utils import (DataPathError, check_data_paths, load_config,
                               used_dataloaders)

OCLIP_DEMO = 'mmocr_oclip::pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py'
WECROMCL_DEMO = 'mmocr_oclip::pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py'
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def child_config(tmp_path, base, body):
    path = tmp_path / 'my_config.py'
    path.write_text(f"_base_ = ['{base}']\n{body}\n")
    return str(path)


def test_child_data_root_moves_every_dataloader(tmp_path):
    cfg = load_config(child_config(tmp_path, OCLIP_DEMO, "data_root = '/my/data'"))
    for key in LOADERS:
        assert cfg[key].dataset.data_root == '/my/data', key


def test_child_data_root_moves_paths_under_it(tmp_path):
    cfg = load_config(child_config(tmp_path, WECROMCL_DEMO, "data_root = '/my/words'"))
    assert cfg.train_dataloader.dataset.data_root == '/my/words'
    assert cfg.val_dataloader.dataset.data_root == '/my/words'
    # the vocabulary built into the data folder moves with it
    assert cfg.train_dataloader.collate_fn.sampler.vocab_file == '/my/words/vocab.txt'


def test_cfg_option_data_root_moves_every_dataloader():
    cfg = load_config(OCLIP_DEMO.replace('mmocr_oclip::', 'configs/'),
                      dict(data_root='/elsewhere/text'))
    for key in LOADERS:
        assert cfg[key].dataset.data_root == '/elsewhere/text', key


def test_unrelated_paths_stay(tmp_path):
    # a child's own dataset elsewhere stays; only the inherited root moves
    cfg = load_config(
        child_config(
            tmp_path, OCLIP_DEMO, "data_root = '/my/data'\n"
            "test_dataloader = dict(dataset=dict(data_root='/other/test'))"))
    assert cfg.train_dataloader.dataset.data_root == '/my/data'
    assert cfg.test_dataloader.dataset.data_root == '/other/test'


def test_missing_data_root_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config(
        OCLIP_DEMO.replace(
            'mmocr_oclip::',
            osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'configs/')))
    with pytest.raises(DataPathError) as info:
        check_data_paths(cfg, used_dataloaders(cfg, 'train'))
    message = str(info.value)
    assert '\n' not in message
    assert message.startswith("train_dataloader.dataset.data_root: folder "
                              "'data/synthetic_text' not found")
    assert str(tmp_path / 'data' / 'synthetic_text') in message
    assert '--cfg-options data_root=/path/to/data' in message


def test_missing_annotation_file_is_named(tmp_path):
    (tmp_path / 'text').mkdir()
    cfg = load_config(
        child_config(tmp_path, OCLIP_DEMO, f"data_root = '{tmp_path / 'text'}'"))
    with pytest.raises(DataPathError,
                       match=r"train_dataloader\.dataset\.ann_file: "
                       r"file '.*textspotting_train\.json' not found"):
        check_data_paths(cfg, used_dataloaders(cfg, 'train'))
    (tmp_path / 'text' / 'textspotting_train.json').write_text('{}')
    with pytest.raises(DataPathError, match=r'val_dataloader\.dataset\.ann_file'):
        check_data_paths(cfg, used_dataloaders(cfg, 'train'))
    # a test run only needs the test set
    with pytest.raises(DataPathError, match=r'test_dataloader\.dataset\.ann_file'):
        check_data_paths(cfg, used_dataloaders(cfg, 'test'))
    (tmp_path / 'text' / 'textspotting_test.json').write_text('{}')
    check_data_paths(cfg, used_dataloaders(cfg, 'train'))


def test_mmocr_dataset_configs_get_a_key_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config(
        osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'configs', 'textdet',
                 'dbnet', 'dbnet_resnet50-oclip_fpnc_1200e_totaltext.py'))
    with pytest.raises(DataPathError) as info:
        check_data_paths(cfg, ['test_dataloader'])
    assert 'pass --cfg-options test_dataloader.dataset.data_root=' in str(info.value)


def test_detector_config_on_mmocr_dataset_bases_moves_with_data_root():
    cfg = load_config(
        osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'configs', 'textdet',
                 'psenet', 'psenet_resnet50-oclip_fpnf_600e_totaltext.py'),
        dict(data_root='/tt'))
    for key in LOADERS:
        assert cfg[key].dataset.data_root == '/tt', key
