"""The test suite's shared support, one module per concern (``tests/`` is on
``sys.path``: see ``conftest.py``):

- :mod:`helpers.models`: tiny models derived from the real configs
- :mod:`helpers.data`: data samples, batches, rendered sets
- :mod:`helpers.processes`: tools as modules, subprocesses, gloo process groups
- :mod:`helpers.training`: the tiny oCLIP training runs in subprocesses
- :mod:`helpers.authors_oclip`, :mod:`helpers.authors_wecromcl`: the authors'
  checkpoint layouts
- :mod:`helpers.anchor_points`: anchor-point models and images
- :mod:`helpers.docs`: the documentation's checks (links, paths, command lines),
  with :mod:`helpers.tool_options` reading the tools' flags
"""
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MIM = osp.join(osp.dirname(sys.executable), 'mim')
