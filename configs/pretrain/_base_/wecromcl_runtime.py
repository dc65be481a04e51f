# Runtime shared by the WeCromCL stage-1 configs: MMOCR's text-detection runtime,
# iteration-based logging and checkpoints, the stage-1 anchor-point metric.
_base_ = ['mmocr::textdet/_base_/default_runtime.py']
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=50),
                     checkpoint=dict(type='CheckpointHook',
                                     by_epoch=False,
                                     interval=10000,
                                     max_keep_ckpts=3))
log_processor = dict(by_epoch=False, window_size=50)
val_evaluator = dict(_delete_=True, type='AnchorPointMetric')
test_evaluator = val_evaluator
