# oCLIP's schedule: AdamW (0.9, 0.999, eps 1e-8), lr 1e-4 for a global batch of 256
# (64 per GPU x 4), weight decay 0.1 except on norms, biases, embeddings and the
# logit scale; 10k iterations of linear warm-up, cosine decay to 0 over 100 epochs
# (iteration-wise; it runs from iteration 0, under the warm-up, which differs from
# "cosine after warm-up" by < 0.3% of the lr). AMP on GPU: `--amp`. Gradient
# clipping: set optim_wrapper.clip_grad=dict(max_norm=...).
max_epochs = 100
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW',
                                    lr=1e-4,
                                    betas=(0.9, 0.999),
                                    eps=1e-8,
                                    weight_decay=0.1),
                     paramwise_cfg=dict(norm_decay_mult=0.0,
                                        bias_decay_mult=0.0,
                                        custom_keys={
                                            'positional_embedding':
                                            dict(decay_mult=0.0),
                                            'token_embedding': dict(decay_mult=0.0),
                                            'image_pos': dict(decay_mult=0.0),
                                            'logit_scale': dict(decay_mult=0.0),
                                        }),
                     clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=10000),
    dict(type='CosineAnnealingLR',
         eta_min=0.0,
         by_epoch=True,
         begin=0,
         end=max_epochs,
         T_max=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(base_batch_size=256)
