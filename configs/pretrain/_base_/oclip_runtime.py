# Runtime shared by the oCLIP pre-training configs: MMOCR's text-detection runtime
# with oCLIP's validation metric, a plain visualizer and the attention-picture hook.
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
custom_hooks = [dict(type='BadSampleLoggerHook')]
log_processor = dict(by_epoch=True, window_size=50)
val_evaluator = dict(_delete_=True, type='OCLIPPretrainMetric')
test_evaluator = val_evaluator
visualizer = dict(_delete_=True,
                  type='OCLIPAttentionVisualizer',
                  name='visualizer',
                  vis_backends=[dict(type='LocalVisBackend')])
