"""MIM finds the models: ``mim search mmocr_oclip`` (which reads the installed
package's ``.mim/model-index.yml``) lists every config of ``model-index.yml``, and
the metafiles point at what exists: each ``README:`` a page of the repository, each
``Paper.URL`` an https address, ``Results`` only with the measurement they come
from."""
import os.path as osp
import re
import subprocess

import pytest
import yaml

from helpers import MIM, REPO


def metafiles():
    """(path, content) of every metafile ``model-index.yml`` imports."""
    with open(osp.join(REPO, 'model-index.yml'), encoding='utf-8') as f:
        index = yaml.safe_load(f)
    found = []
    for path in index['Import']:
        with open(osp.join(REPO, path), encoding='utf-8') as f:
            found.append((path, yaml.safe_load(f)))
    return found


METAFILES = metafiles()
MODELS = {model['Name']: model for _, meta in METAFILES for model in meta['Models']}


def test_mim_search_lists_every_config():
    """The command line a user types, on the installed (develop-mode) package."""
    proc = subprocess.run([MIM, 'search', 'mmocr_oclip'],
                          capture_output=True,
                          text=True,
                          timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = re.findall(r'^config id: (\S+)\s*$', proc.stdout, re.M)
    assert sorted(listed) == sorted(MODELS)


def test_mim_model_info_resolves_configs_and_readmes():
    """MIM's Python API over the same index: every model's config and README, as
    MIM gives them (relative to the package's .mim/), open from there."""
    from mim.commands.search import get_model_info
    from mim.utils import get_installed_path
    info = get_model_info('mmocr_oclip', to_dict=True)
    assert sorted(info) == sorted(MODELS)
    mim_root = osp.join(get_installed_path('mmocr_oclip'), '.mim')
    for name, fields in info.items():
        assert fields['config'] == MODELS[name]['Config'], name
        assert osp.isfile(osp.join(mim_root, fields['config'])), name
        assert osp.isfile(osp.join(mim_root, fields['readme'])), name


@pytest.mark.parametrize('path,meta', METAFILES, ids=[p for p, _ in METAFILES])
def test_metafile_readme_and_paper(path, meta):
    """Each collection names its folder's README.md (a path from the repository
    root, as MMOCR writes them) and its paper with a title and an https URL."""
    folder = osp.dirname(path)
    for collection in meta['Collections']:
        name = collection['Name']
        assert collection['README'] == f'{folder}/README.md', name
        assert osp.isfile(osp.join(REPO, collection['README'])), name
        paper = collection['Paper']
        assert paper['Title'].strip(), name
        assert re.fullmatch(r'https://[^\s/]+/\S+', paper['URL']), (name, paper['URL'])
    for model in meta['Models']:
        if 'README' in model:
            assert osp.isfile(osp.join(REPO, model['README'])), model['Name']
        if 'Paper' in model:
            assert re.fullmatch(r'https://\S+', model['Paper']['URL']), model['Name']


@pytest.mark.parametrize('name', sorted(MODELS))
def test_results_only_where_measured(name):
    """A model carries ``Results`` only with the run they come from in its
    metadata (``Measured``: date and commit), and ``Weights`` only as an https
    address."""
    model = MODELS[name]
    if model.get('Results'):
        measured = model['Metadata'].get('Measured', '')
        assert re.search(r'\b\d{4}-\d{2}-\d{2}\b', measured), name
        assert re.search(r'\bcommit [0-9a-f]{7,40}\b', measured), name
        for result in model['Results']:
            assert result['Task'] and result['Dataset'] and result['Metrics'], name
    if 'Weights' in model:
        assert re.fullmatch(r'https://\S+', model['Weights']), name
