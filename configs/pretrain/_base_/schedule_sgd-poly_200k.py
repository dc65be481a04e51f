# WeCromCL's pre-training schedule, as the authors' train.py: SGD (momentum 0.9, weight
# decay 1e-5 on every parameter), lr 1e-3 for batch 16, poly decay per iteration over
# 200k iterations: lr_t = lr * (1 - t / 200000) ** 0.9 (their LambdaLR). MMEngine's
# PolyLR decays over end - begin - 1 steps, hence end = max_iters + 1.
max_iters = 200000
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD',
                                    lr=1e-3,
                                    momentum=0.9,
                                    weight_decay=1e-5))
param_scheduler = [
    dict(type='PolyLR',
         power=0.9,
         eta_min=0.0,
         by_epoch=False,
         begin=0,
         end=max_iters + 1),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(base_batch_size=16)
