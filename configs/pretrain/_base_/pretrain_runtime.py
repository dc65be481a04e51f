# Runtime shared by every pre-training config (oclip_runtime.py and
# wecromcl_runtime.py add their metric, checkpoints and logging units): MMOCR's
# text-detection runtime plus exact resumption: RNGStateHook keeps the random
# generators in checkpoints and per_epoch_worker_init_fn gives data workers a fresh,
# resumable seed each epoch. `--resume` then reproduces the uninterrupted run's losses
# given a seed, randomness.deterministic=True and persistent_workers=False (limits:
# RNGStateHook). PreemptionCheckpointHook saves that state on SIGTERM/SIGUSR1 and
# exits with 75; BadSampleLoggerHook reports the skipped bad samples.
_base_ = ['mmocr::textdet/_base_/default_runtime.py']
custom_imports = dict(imports=['mmocr_oclip'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=50),
                     checkpoint=dict(type='CheckpointHook', max_keep_ckpts=3))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='PreemptionCheckpointHook'),
    dict(type='BadSampleLoggerHook')
]
train_dataloader = dict(worker_init_fn=dict(type='per_epoch_worker_init_fn'))
log_processor = dict(window_size=50)
