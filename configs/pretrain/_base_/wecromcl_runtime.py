# Runtime of the WeCromCL stage-1 configs: the shared pre-training runtime
# (pretrain_runtime.py: exact resumption, preemption checkpoints, bad-sample report)
# with iteration-based checkpoints and logging and the stage-1 anchor-point metric.
_base_ = ['pretrain_runtime.py']

default_hooks = dict(checkpoint=dict(by_epoch=False, interval=10000))
log_processor = dict(by_epoch=False)
val_evaluator = dict(_delete_=True, type='AnchorPointMetric')
test_evaluator = val_evaluator
