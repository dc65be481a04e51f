# Runtime shared by the WeCromCL stage-1 configs: MMOCR's text-detection runtime,
# iteration-based logging and checkpoints, the stage-1 anchor-point metric, exact
# resumption (RNGStateHook + per_epoch_worker_init_fn, see oclip_runtime.py), the
# preemption checkpoint on SIGTERM/SIGUSR1 and the skipped-bad-sample report.
_base_ = ['mmocr::textdet/_base_/default_runtime.py']
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=50),
                     checkpoint=dict(type='CheckpointHook',
                                     by_epoch=False,
                                     interval=10000,
                                     max_keep_ckpts=3))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='PreemptionCheckpointHook'),
    dict(type='BadSampleLoggerHook')
]
train_dataloader = dict(worker_init_fn=dict(type='per_epoch_worker_init_fn'))
log_processor = dict(by_epoch=False, window_size=50)
val_evaluator = dict(_delete_=True, type='AnchorPointMetric')
test_evaluator = val_evaluator
