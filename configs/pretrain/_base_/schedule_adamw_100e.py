# oCLIP's schedule, as the authors' main.py / scheduler.py train it: AdamW (0.9, 0.999,
# eps 1e-8), lr 1e-4 for a global batch of 256 (64 per GPU x 4), weight decay 0.1;
# 10k iterations of linear warm-up from lr / 10000, then cosine decay to 0 over the
# rest of the 100 epochs (iteration-wise). AMP on GPU: `--amp`. No gradient clipping,
# as the authors; to add it: optim_wrapper = dict(clip_grad=dict(_delete_=True,
# max_norm=...)) (the _delete_ replaces the None below).
#
# Weight decay, the authors' rule: none on parameters whose name contains "bn", "ln",
# "bias" or "logit_scale", 0.1 on every other one, embeddings included. In our names:
# none on norm layers and biases (MMEngine's norm_decay_mult / bias_decay_mult), nor
# on the attention's packed `in_proj_bias` and `logit_scale`; but the BatchNorm of
# each bottleneck's shortcut (their `downsample.1`, our `downsample.2`) has its
# weight decayed and its bias not, as their names say.
max_epochs = 100
warmup_iters = 10000
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW',
                                    lr=1e-4,
                                    betas=(0.9, 0.999),
                                    eps=1e-8,
                                    weight_decay=0.1),
                     paramwise_cfg=dict(norm_decay_mult=0.0,
                                        bias_decay_mult=0.0,
                                        custom_keys={
                                            'downsample.2.weight': dict(decay_mult=1.0),
                                            'downsample.2.bias': dict(decay_mult=0.0),
                                            'in_proj_bias': dict(decay_mult=0.0),
                                            'logit_scale': dict(decay_mult=0.0),
                                        }),
                     clip_grad=None)
# (step + 1) / 10000 of the lr at step < 10000 (within 0.01%), then the authors' cosine
param_scheduler = [
    dict(type='LinearLR',
         start_factor=1 / warmup_iters,
         by_epoch=False,
         begin=0,
         end=warmup_iters),
    dict(type='mmocr.CosineAnnealingAfterWarmupLR',
         warmup_iters=warmup_iters,
         eta_min=0.0,
         by_epoch=True,
         begin=0,
         end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(base_batch_size=256)
