import os.path as osp

import pytest

from mmocr_oclip.utils import packaged_dict_file, resolve_resource_file


def test_none_gives_the_default_packaged_file():
    assert resolve_resource_file(None) == packaged_dict_file('english_94.txt')


def test_bare_name_finds_a_packaged_file_and_paths_win(tmp_path):
    assert resolve_resource_file('english_94.txt') == packaged_dict_file()
    local = tmp_path / 'english_94.txt'
    local.write_text('a\n')
    assert resolve_resource_file(str(local)) == str(local)


def test_missing_file_names_the_path_and_the_packaged_files():
    with pytest.raises(FileNotFoundError) as error:
        resolve_resource_file(osp.join('no', 'such_dict.txt'))
    assert 'no/such_dict.txt' in str(error.value)
    assert 'english_94.txt' in str(error.value)
