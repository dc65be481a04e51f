# Runtime of the oCLIP pre-training configs: the shared pre-training runtime
# (pretrain_runtime.py: exact resumption, preemption checkpoints, bad-sample report)
# with epoch-based checkpoints and logging, oCLIP's validation metric, a plain
# visualizer and the attention-picture hook.
_base_ = ['pretrain_runtime.py']

default_hooks = dict(checkpoint=dict(interval=1),
                     visualization=dict(_delete_=True,
                                        type='OCLIPAttentionVisualizationHook',
                                        interval=50,
                                        max_images=4))
log_processor = dict(by_epoch=True)
val_evaluator = dict(_delete_=True, type='OCLIPPretrainMetric')
test_evaluator = val_evaluator
visualizer = dict(_delete_=True,
                  type='OCLIPAttentionVisualizer',
                  name='visualizer',
                  vis_backends=[dict(type='LocalVisBackend')])
