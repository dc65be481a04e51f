"""Registries of the ``mmocr_oclip`` scope: children of MMOCR's.

Our modules register into MMOCR's registries, so configs with
``default_scope='mmocr'`` find them. A config that inherits ours through
``_base_ = ['mmocr_oclip::...']`` gets ``_scope_='mmocr_oclip'`` stamped on its
entries by mmengine, which then looks for registries of that scope here: each is
an empty child of MMOCR's and finds everything in MMOCR's (ours included),
MMDet's (``mmdet.`` prefix) and MMEngine's.
"""
from mmengine.registry import Registry
from mmocr import registry as mmocr_registry

_NAMES = ('RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'DATASETS',
          'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
          'WEIGHT_INITIALIZERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
          'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR',
          'TASK_UTILS', 'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS')


def _child(name):
    parent = getattr(mmocr_registry, name)
    return Registry(parent.name,
                    parent=parent,
                    scope='mmocr_oclip',
                    locations=['mmocr_oclip'])


RUNNERS, RUNNER_CONSTRUCTORS, LOOPS, HOOKS, DATASETS, DATA_SAMPLERS, TRANSFORMS, \
    MODELS, MODEL_WRAPPERS, WEIGHT_INITIALIZERS, OPTIMIZERS, OPTIM_WRAPPERS, \
    OPTIM_WRAPPER_CONSTRUCTORS, PARAM_SCHEDULERS, METRICS, EVALUATOR, TASK_UTILS, \
    VISUALIZERS, VISBACKENDS, LOG_PROCESSORS = (_child(n) for n in _NAMES)
