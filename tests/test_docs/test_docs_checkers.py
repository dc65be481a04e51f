"""The docs checks of ``test_docs.py`` (:mod:`helpers.docs`) on a small made-up
repository: each finds what it is there to find, so that a green ``test_docs``
means the documentation is right and not that a check read nothing."""
import textwrap

import pytest

from helpers.docs import (check_command_flags, check_links, check_repository_paths,
                          command_lines, documents, flags, github_slug, read_page)

TOOL = '''\
import argparse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('src')
    parser.add_argument('--good', type=int)
    parser.add_argument('-g', '--gpu-only', action='store_true')
    parser.add_argument('--cfg-options', nargs='+')
    parser.parse_args()
    raise SystemExit('the tool ran: the options were not read before it ran')


if __name__ == '__main__':
    main()
'''
TRAIN = TOOL.replace("'--good', type=int",
                     "'--work-dir'").replace("'-g', '--gpu-only'", "'--resume'")
TEST = TOOL.replace("'--good', type=int", "'--show-dir'")
WITH_HELP = '''\
#!/usr/bin/env bash
# Usage: with_help.sh [--out DIR] [--dry-run]
while (($#)); do
  case $1 in
    --out) shift 2 ;;
    --dry-run) shift ;;
    -h|--help) sed -n 2p "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
'''


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if name.endswith('.md') else text)


@pytest.fixture
def repo(tmp_path):
    write(
        tmp_path, {
            'tools/tool.py': TOOL,
            'tools/train.py': TRAIN,
            'tools/test.py': TEST,
            'tools/dist_train.sh': '#!/usr/bin/env bash\n',
            'tools/no_options.sh': '#!/usr/bin/env bash\necho "$@"\n',
            'tools/with_help.sh': WITH_HELP,
            'projects/__init__.py': '',
            'projects/study/__init__.py': '',
            'projects/study/run_study.py': TOOL.replace("'--good'", "'--seeds'"),
            'configs/algo/algo_r50.py': '',
            'configs/algo/metafile.yml': '',
            'docs/en/guide.md': '''\
                # A guide

                ## Train with `--amp`: fast

                ## Train with `--amp`: fast

                <a name="custom"></a>
            ''',
            'docs/en/_build/html/page.md': '[gone](nowhere.md)\n',
            'work_dirs/run/notes.md': '[gone](nowhere.md)\n',
        })
    return tmp_path


def test_documents_are_the_readme_and_the_pages_of_docs_configs_projects(repo):
    write(repo, {'README.md': '# R\n', 'configs/algo/README.md': '# A\n'})
    assert documents(
        str(repo)) == ['README.md', 'docs/en/guide.md', 'configs/algo/README.md']


def test_github_slugs():
    assert github_slug('Train with `--amp`: fast') == 'train-with---amp-fast'
    assert github_slug('Set up (two commands)') == 'set-up-two-commands'
    assert github_slug('[Link](x.md) and *bold*') == 'link-and-bold'


def test_broken_links_and_images_are_found_with_file_and_line(repo):
    write(
        repo, {
            'README.md': '''\
                # Readme

                See [the guide](docs/en/guide.md), [configs](configs/algo/) and
                [a missing page](docs/en/missing.md).
                ![a picture](docs/images/missing.png)
                [anchor](docs/en/guide.md#train-with---amp-fast)
                [second heading](docs/en/guide.md#train-with---amp-fast-1)
                [explicit](docs/en/guide.md#custom) [here](#readme)
                [bad anchor](docs/en/guide.md#train-with-amp) [bad here](#nope)
                [web](https://example.com/x.md) [mail](mailto:a@b.c)
                [from the root](/configs/algo/algo_r50.py) [out](../../etc/passwd)
                <img src="docs/images/gone.png">
                [ref]: docs/en/gone.md

                `[in code](not/checked.md)`
                <!-- [in a comment](not/checked.md) -->

                ```markdown
                [in a block](not/checked.md)
                ```
            ''',
            'configs/algo/README.md':
            '[config](algo_r50.py) [up](../../docs/en/nope.md)\n',
        })
    offenders = check_links(str(repo), ['README.md', 'configs/algo/README.md'])
    assert offenders == [
        'README.md:4: docs/en/missing.md (no such file or folder: docs/en/missing.md)',
        'README.md:5: docs/images/missing.png '
        '(no such file or folder: docs/images/missing.png)',
        'README.md:9: #nope (no heading with the anchor #nope in README.md)',
        'README.md:9: docs/en/guide.md#train-with-amp (no heading with the anchor '
        '#train-with-amp in docs/en/guide.md; did you mean #train-with---amp-fast?)',
        'README.md:11: ../../etc/passwd (outside the repository)',
        'README.md:12: docs/images/gone.png (no such file or folder: '
        'docs/images/gone.png)',
        'README.md:13: docs/en/gone.md (no such file or folder: docs/en/gone.md)',
        'configs/algo/README.md:1: ../../docs/en/nope.md '
        '(no such file or folder: docs/en/nope.md)',
    ]


def test_missing_repository_paths_in_code_are_found(repo):
    write(
        repo, {
            'README.md':
            '''\
                Run `configs/algo/algo_r50.py` or `configs/algo/algo_r101.py`, see
                `configs/algo/README.md`; not `mmocr/configs/algo/gone.py`.

                ```bash
                python tools/tool.py configs/algo/algo_r50.py  # fine
                python tools/gone.py configs/<algo>/x.py configs/ALGO/README.md
                ls configs/*/metafile.yml configs/*/nothing.yml projects/study/
                cat work_dirs/x/configs/gone.py data/configs/gone.py tools/X.py
                bash ./scripts/gone.sh projects/gone/
                ```
            ''',
        })
    assert check_repository_paths(str(repo), ['README.md']) == [
        'README.md:1: configs/algo/algo_r101.py (no such file or folder)',
        'README.md:2: configs/algo/README.md (no such file or folder)',
        'README.md:6: tools/gone.py (no such file or folder)',
        'README.md:7: configs/*/nothing.yml (no such file or folder)',
        'README.md:9: scripts/gone.sh (no such file or folder)',
        'README.md:9: projects/gone/ (no such file or folder)',
    ]


def test_command_lines_join_continuations_also_in_comments():
    page = read_page('x.md',
                     text=textwrap.dedent('''\
        ```bash
        python tools/tool.py a \\
            --good 1
        make study   # = python -m projects.study.run_study out \\
        #     --seeds 0 1
        ```
    '''))
    assert command_lines(page) == [
        (2, 'python tools/tool.py a --good 1'),
        (4, 'make study   # = python -m projects.study.run_study out --seeds 0 1'),
    ]


def test_flags_of_an_argument_list():
    assert flags([
        'CONFIG', '--cfg-options', 'a=1', 'b=-2', '[--out', 'DIR]', '--x=1', '-g', '-1',
        '--srun-args', '--exclusive', '--', '--z'
    ]) == ['--cfg-options', '--out', '--x', '-g', '--srun-args']


def test_flags_the_tools_do_not_accept_are_found(repo):
    write(
        repo, {
            'README.md':
            '''\
                ```bash
                CUDA_VISIBLE_DEVICES=0 .venv/bin/python tools/tool.py in.json \\
                    --good 1 --bad 2  # a comment: --not-a-flag
                python tools/tool.py in.json --cfg-options a=1 b=-2 -g --gpu-only
                make tool   # = python3 tools/tool.py in.json --worse
                python -m projects.study.run_study out --seeds 0 1 --nope
                bash tools/dist_train.sh CONFIG 2 --work-dir w --amp-x
                tools/dist_train.sh CONFIG 2 --resume
                mim train mmocr_oclip CONFIG --gpus 4 --launcher pytorch -G 2 \\
                    --srun-args "--exclusive" --work-dir w --wrong
                mim test mmocr_oclip CONFIG -C ck.pth --gpus 1 --show-dir s --good 1
                bash tools/no_options.sh --flag
                bash tools/with_help.sh --out d --dry-run --nothere
                python tools/missing.py --x
                python tools/tool.py in.json --goo 1 | tee log --tee-flag
                ```

                Or `python tools/tool.py SRC [--good N] [--bad2]`; also
                `mim train ... --launcher pytorch --gpus 8`.
            ''',
        })
    assert check_command_flags(str(repo), ['README.md']) == [
        'README.md:2: python tools/tool.py: --bad (not an option of tools/tool.py)',
        'README.md:5: python3 tools/tool.py: --worse (not an option of tools/tool.py)',
        'README.md:6: python -m projects.study.run_study: --nope (not an option of '
        '-m projects.study.run_study)',
        'README.md:7: bash tools/dist_train.sh: --amp-x (not an option of '
        'tools/train.py)',
        'README.md:9: mim train mmocr_oclip: --wrong (not an option of mim train / '
        'tools/train.py)',
        'README.md:11: mim test mmocr_oclip: --good (not an option of mim test / '
        'tools/test.py)',
        'README.md:12: bash tools/no_options.sh: --flag (not an option of '
        'tools/no_options.sh)',
        'README.md:13: bash tools/with_help.sh: --nothere (not an option of '
        'tools/with_help.sh)',
        'README.md:14: python tools/missing.py (no such file)',
        'README.md:15: python tools/tool.py: --goo (not an option of tools/tool.py; '
        'did you mean --good?)',
        'README.md:18: python tools/tool.py: --bad2 (not an option of tools/tool.py)',
    ]
