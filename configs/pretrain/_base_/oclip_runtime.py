# Runtime shared by the oCLIP pre-training configs: MMOCR's text-detection runtime
# with oCLIP's validation metric, a plain visualizer and the attention-picture hook,
# plus exact resumption: RNGStateHook keeps the random generators in checkpoints
# and per_epoch_worker_init_fn gives data workers a fresh, resumable seed each
# epoch. `--resume` then reproduces the uninterrupted run's losses given a seed,
# randomness.deterministic=True and persistent_workers=False (limits: RNGStateHook).
# PreemptionCheckpointHook saves that state on SIGTERM/SIGUSR1 and exits with 75.
_base_ = ['mmocr::textdet/_base_/default_runtime.py']
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=50),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=1,
                                     max_keep_ckpts=3),
                     visualization=dict(_delete_=True,
                                        type='OCLIPAttentionVisualizationHook',
                                        interval=50,
                                        max_images=4))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='PreemptionCheckpointHook'),
    dict(type='BadSampleLoggerHook')
]
train_dataloader = dict(worker_init_fn=dict(type='per_epoch_worker_init_fn'))
log_processor = dict(by_epoch=True, window_size=50)
val_evaluator = dict(_delete_=True, type='OCLIPPretrainMetric')
test_evaluator = val_evaluator
visualizer = dict(_delete_=True,
                  type='OCLIPAttentionVisualizer',
                  name='visualizer',
                  vis_backends=[dict(type='LocalVisBackend')])
