import json
import os.path as osp

import pytest

from helpers.processes import load_tool

DICT_68 = osp.join(osp.dirname(__file__), '..', '..', 'mmocr_oclip', 'resources',
                   'lowercase_68.txt')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/build_vocabulary.py', 'build_vocabulary')


def annotation(words_per_image):
    return dict(metainfo=dict(task_name='textspotting'),
                data_list=[
                    dict(img_path=f'{i}.jpg',
                         instances=[dict(text=w, ignore=w == 'Skip') for w in words])
                    for i, words in enumerate(words_per_image)
                ])


def run(tool, tmp_path, *args):
    out = tmp_path / 'vocab.txt'
    tool.main([*map(str, args), '--out', str(out)])
    return out.read_text(encoding='utf-8').splitlines()


def test_annotation_and_text_sources(tool, tmp_path):
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(
        annotation([['Hello', 'hello', '###', 'Skip', 'b52s'], ['World', 'hello']])),
                   encoding='utf-8')
    text = tmp_path / 'text.txt'
    text.write_text('"World!" said the world, (world) and THE cafe\u0301 x.y\n',
                    encoding='utf-8')
    assert run(tool, tmp_path, '--ann-files',
               ann) == ['hello', 'Hello', 'World', 'b52s']
    words = run(tool, tmp_path, '--ann-files', ann, '--text-files', text, '--lowercase')
    assert words[:3] == ['world', 'hello', 'the']
    assert 'skip' not in words and '###' not in words and 'x.y' in words
    assert run(tool, tmp_path, '--ann-files', ann, '--text-files', text, '--lowercase',
               '--dict-file', DICT_68, '--alphabetic', '--min-len', 3, '--max-len', 5,
               '--min-count', 2) == ['world', 'hello', 'the']
    assert run(tool, tmp_path, '--text-files', text, '--lowercase', '--max-words',
               2) == ['world', 'the']


def test_python_sources(tool, tmp_path):
    lib = tmp_path / 'lib'
    (lib / 'pkg').mkdir(parents=True)
    (lib / 'site-packages').mkdir()
    (lib / 'pkg' / 'mod.py').write_text(
        '"""Module docstring: parse the Words."""\n'
        '# a comment about words\n'
        'def f():\n'
        '    """Return words."""\n'
        '    return "literal strings are not docstrings"\n',
        encoding='utf-8')
    (lib / 'bad.py').write_text('def (:\n', encoding='utf-8')
    (lib / 'site-packages' / 'other.py').write_text('# words words words\n',
                                                    encoding='utf-8')
    words = run(tool, tmp_path, '--python-stdlib', lib, '--lowercase')
    assert words[0] == 'words' and set(words) == {
        'words', 'module', 'docstring', 'parse', 'the', 'a', 'comment', 'about',
        'return'
    }
    words = run(tool, tmp_path, '--python-stdlib', lib, '--min-count', 3, '--lowercase')
    assert words == ['words']


def test_errors_name_file_and_reason(tool, tmp_path, capsys):
    bad_utf8 = tmp_path / 'latin1.txt'
    bad_utf8.write_bytes('caf\u00e9'.encode('latin-1'))
    bad_json = tmp_path / 'bad.json'
    bad_json.write_text('{"data_list": [\n  {"img_path": "a.jpg",, }]}',
                        encoding='utf-8')
    no_list = tmp_path / 'no_list.json'
    no_list.write_text('{"metainfo": {}}', encoding='utf-8')
    bad_text = tmp_path / 'bad_text.json'
    bad_text.write_text(json.dumps(dict(data_list=[dict(instances=[dict(text=3)])])),
                        encoding='utf-8')
    cases = [
        (['--text-files', bad_utf8], f'{bad_utf8}: not UTF-8 text (byte 0xe9 at '
         'offset 3)'),
        (['--ann-files', bad_json], f'{bad_json}: invalid JSON at line 2 column 24'),
        (['--ann-files', no_list], f'{no_list}: not an MMOCR annotation file'),
        (['--ann-files', bad_text],
         f'{bad_text}: data_list[0]: instances[0]: "text" must be a string'),
        (['--text-files', tmp_path / 'missing.txt'],
         f'{tmp_path / "missing.txt"}: cannot read: No such file or directory'),
        (['--python-stdlib', tmp_path / 'nodir'], f'{tmp_path / "nodir"}: not a '
         'directory'),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as error:
            run(tool, tmp_path, *args)
        assert str(error.value).startswith(f'error: {message}')
    with pytest.raises(SystemExit):
        run(tool, tmp_path)
    assert 'give at least one of' in capsys.readouterr().err
