"""tools/analysis_tools/gpu_check.sh: arguments and commands (its runs need a GPU)."""
import os.path as osp
import subprocess
import sys

import torch

SCRIPT = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'analysis_tools',
                  'gpu_check.sh')


def gpu_check(*args):
    return subprocess.run(['bash', SCRIPT, '--python', sys.executable, *args],
                          capture_output=True,
                          text=True,
                          timeout=120)


def test_dry_run_lists_the_six_runs_at_the_paper_batches():
    result = gpu_check('--dry-run', '--iters', '7', '--wecromcl-options',
                       'model.backbone.with_cp=True')
    assert result.returncode == 0, result.stderr
    runs = [
        line for line in result.stdout.splitlines() if ': ' in line and 'python' in line
    ]
    names = [line.split(':')[0].split()[-1] for line in runs]
    assert names == [
        'oclip_fp32', 'oclip_amp', 'wecromcl_fp32', 'wecromcl_amp', 'oclip_amp_check',
        'wecromcl_amp_check'
    ]
    for line in runs:
        assert '--synthetic' in line
        if line.split(':')[0].endswith(('oclip_fp32', 'oclip_amp', 'oclip_amp_check')):
            assert '--img-size 512 512 --batch-size 64' in line
        else:
            assert '--img-size 640 640 --batch-size 16' in line
            # MMCV without CUDA ops (this machine): PyTorch sampling, recomputed
            assert (
                'model.encoder.sampling=pytorch model.encoder.recompute_sampling=True '
                'model.backbone.with_cp=True') in line
        assert ('--amp-check 20 --amp-tol 0.02'
                in line) == line.split(':')[0].endswith('_check')
        assert ('--iters 7' in line) != line.split(':')[0].endswith('_check')
    assert ("MMCV's CUDA ops: not available -> WeCromCL sampling 'pytorch'"
            in result.stdout)


def test_bad_arguments_exit_2_with_one_line():
    for args, message in [
        (('--bogus', ), "unknown argument '--bogus'"),
        (('--iters', '0'), "--iters needs a positive integer, got '0'"),
        (('--sampling', 'cuda'),
         "--sampling must be auto, mmcv or pytorch, got 'cuda'"),
        (('--amp-tol', 'x'), "--amp-tol needs a number, got 'x'"),
        (('--out', ), '--out needs a value'),
    ]:
        result = gpu_check(*args)
        assert result.returncode == 2, args
        assert message in result.stderr.splitlines()[-1]


def test_without_a_gpu_it_says_so():
    if torch.cuda.is_available():
        return
    result = gpu_check('--out', 'unused')
    assert result.returncode == 2
    assert 'no CUDA GPU visible to' in result.stderr
    assert '--dry-run shows the commands' in result.stderr
