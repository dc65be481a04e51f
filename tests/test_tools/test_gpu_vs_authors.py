"""tools/analysis_tools/gpu_vs_authors.py and export_authors_code.sh: arguments,
the authors' export, and the whole side-by-side path on the CPU (--dry-run) when the
authors' repositories are fetched on this machine (their code is never in the
project: the export reads it from the fetched git mirrors)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from helpers import REPO

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'gpu_vs_authors.py')
EXPORT = osp.join(REPO, 'tools', 'analysis_tools', 'export_authors_code.sh')
MIRROR = os.environ.get('MIRROR', osp.join(osp.dirname(REPO), '.mirror'))
MIRRORS = [
    osp.join(MIRROR, 'bytedance+oclip', 'repo'),
    osp.join(MIRROR, 'ZhengyaoFang+WeCromCL', 'repo')
]


def tool(*args, timeout=120):
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join(
                   filter(None, [REPO, os.environ.get('PYTHONPATH')])))
    return subprocess.run([sys.executable, TOOL, *args],
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          cwd=REPO,
                          env=env)


def export(*args):
    return subprocess.run(['bash', EXPORT, *args],
                          capture_output=True,
                          text=True,
                          timeout=120,
                          cwd=REPO)


def fake_export(root, skip=()):
    """An --authors-dir whose files exist (empty), but for ``skip``."""
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location('gpu_vs_authors_for_test', TOOL)
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    for method, files in module.REQUIRED.items():
        for rel in files:
            if f'{method}/{rel}' in skip:
                continue
            path = osp.join(root, method, rel)
            os.makedirs(osp.dirname(path), exist_ok=True)
            open(path, 'w').close()
    return str(root)


def test_bad_arguments_exit_2_with_one_line(tmp_path):
    authors = fake_export(tmp_path / 'authors')
    for args, message in [
        (('--bogus', ), 'unrecognized arguments: --bogus'),
        (('--iters', '0'), '--iters needs a positive integer, got 0'),
        (('--batch-size', '-1'), '--batch-size needs a positive integer, got -1'),
        (('--img-size', '500'), '--img-size must be a multiple of 32, got 500'),
        (('--method', 'clip'), "argument --method: invalid choice: 'clip'"),
        (('--device', 'gpu'), "--device must be cpu, cuda or cuda:N, got 'gpu'"),
        (('--dry-run', '--amp'), '--dry-run runs fp32 on the CPU: drop --amp'),
        (('--device', 'cpu', '--amp'), '--amp is fp16 CUDA autocast: it needs'),
        (('--loss-tol', '0'), '--loss-tol needs a positive number, got 0.0'),
        (('--warmup', '-1'), '--warmup and --amp-check need an integer >= 0'),
    ]:
        result = tool('--authors-dir', authors, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr.splitlines()[-1], (args, result.stderr)


def test_a_missing_or_incomplete_export_names_the_missing_file(tmp_path):
    result = tool('--authors-dir', str(tmp_path / 'nothing'), '--dry-run')
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert 'lacks oclip/src/clip/model.py' in last
    assert 'bash tools/analysis_tools/export_authors_code.sh' in last
    authors = fake_export(tmp_path / 'authors', skip={'wecromcl/configs/Base.yaml'})
    result = tool('--authors-dir', authors, '--dry-run', '--method', 'wecromcl')
    assert result.returncode == 2
    assert 'lacks wecromcl/configs/Base.yaml' in result.stderr.splitlines()[-1]


def test_without_a_gpu_it_says_so(tmp_path):
    if torch.cuda.is_available():
        pytest.skip('a GPU is visible')
    # only the files of the method asked for are needed
    authors = fake_export(tmp_path / 'authors', skip={'wecromcl/configs/Base.yaml'})
    result = tool('--authors-dir', authors, '--method', 'oclip')
    assert result.returncode == 2
    assert 'no CUDA GPU visible to torch' in result.stderr.splitlines()[-1]
    assert '--dry-run runs the whole path on the CPU' in result.stderr


def test_export_of_a_missing_mirror_exits_2_with_one_line(tmp_path):
    result = export('--mirror', str(tmp_path), '--dest', str(tmp_path / 'out'))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f'export_authors_code.sh: no git mirror of bytedance/oclip at {tmp_path}/'
        'bytedance+oclip/repo (fetch github:bytedance/oclip; or set --mirror)')
    for args, message in [(('--dest', ), '--dest needs a value'),
                          (('--x', ), "unknown argument '--x'")]:
        result = export(*args)
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == f'export_authors_code.sh: {message}'


@pytest.mark.skipif(not all(osp.isdir(m) for m in MIRRORS),
                    reason='the authors\' repositories are not fetched: missing ' +
                    ', '.join(m for m in MIRRORS if not osp.isdir(m)) +
                    ' (fetch github:bytedance/oclip and github:ZhengyaoFang/WeCromCL; '
                    'MIRROR= their parent folder)')
def test_dry_run_end_to_end_on_the_cpu(tmp_path):
    result = export('--mirror', MIRROR, '--dest', str(tmp_path / 'authors'))
    assert result.returncode == 0, result.stderr
    for method in ('oclip', 'wecromcl'):
        assert osp.isfile(tmp_path / 'authors' / method / 'COMMIT')
    out = tmp_path / 'out'
    result = tool('--authors-dir',
                  str(tmp_path / 'authors'),
                  '--dry-run',
                  '--out',
                  str(out),
                  timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['dry_run'] and summary['device'].startswith('CPU, 1 torch thread')
    for method, size in (('oclip', 512), ('wecromcl', 320)):
        r = summary['methods'][method]
        assert r['status'] == 'ok', r
        assert (r['batch'], r['img_size'], r['precision'], r['warmup'],
                r['iters']) == (1, size, 'fp32', 1, 1)
        assert r['first_step_rel_diff'] <= 1e-4
        assert r['amp_check']['status'] == 'skipped'
        assert set(r['sides']) == {'authors', 'ours'}
        assert r['sides']['ours']['peak_gpu_gib'] is None
    assert summary['methods']['oclip']['authors_precision'] == 'amp'
    assert summary['methods']['wecromcl']['authors_precision'] == 'fp32'
    notes = ' '.join(summary['methods']['wecromcl']['notes'])
    assert 'pure PyTorch: mmcv multi_scale_deformable_attn_pytorch' in notes
    md = (out / 'summary.md').read_text()
    assert '(DRY RUN on the CPU)' in md and md.count('ratio authors/ours') == 2
    assert 'our fp32 vs AMP check: skipped (--dry-run (AMP needs a GPU))' in md
