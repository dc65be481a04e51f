"""Packaging for mmocr_oclip.

Besides the package, an install carries ``mmocr_oclip/.mim/{configs,tools}`` so that
``mim train/test mmocr_oclip CONFIG`` finds our configs and scripts: symbolic links in a
develop install (``pip install -e .``), copies in a wheel or sdist, as MMOCR does.
"""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

MIM_FILES = ('configs', 'tools', 'requirements', 'model-index.yml')


def add_mim_extension():
    """Link (develop) or copy (build) configs, tools, requirements and the model
    index into the package's .mim."""
    if 'develop' in sys.argv or any('editable' in a for a in sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'install'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    repo = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(repo, 'mmocr_oclip', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(repo, name)
        dst = osp.join(mim_root, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


def parse_requirements(fname):
    """Requirement lines of a file, without comments."""
    with open(fname, encoding='utf-8') as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


if __name__ == '__main__':
    add_mim_extension()
    version = {}
    with open('mmocr_oclip/version.py', encoding='utf-8') as f:
        exec(f.read(), version)
    setup(name='mmocr_oclip',
          version=version['__version__'],
          description='oCLIP and WeCromCL weakly supervised scene-text '
          'pre-training for MMOCR',
          long_description=open('README.md', encoding='utf-8').read(),
          long_description_content_type='text/markdown',
          packages=find_packages(exclude=('configs', 'tools', 'tests', 'tests.*',
                                          'projects', 'projects.*')),
          include_package_data=True,
          package_data={
              'mmocr_oclip': [
                  '.mim/**/*', 'resources/*', 'models/layers/csrc/*.cpp',
                  'models/layers/csrc/*.h'
              ]
          },
          python_requires='>=3.8',
          license='Apache License 2.0',
          install_requires=parse_requirements('requirements/runtime.txt') +
          parse_requirements('requirements/mminstall.txt'),
          extras_require={
              'tests': parse_requirements('requirements/tests.txt'),
              'tensorboard': parse_requirements('requirements/tensorboard.txt')
          },
          zip_safe=False)
