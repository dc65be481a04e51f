import random
from types import SimpleNamespace

import numpy as np
import torch

from mmocr_oclip.engine.hooks import RNGStateHook
from mmocr_oclip.engine.hooks.rng_state_hook import get_rng_state, set_rng_state


def draws():
    return (random.random(), float(np.random.rand()), torch.rand(3).tolist())


def fake_runner(resume=False, iteration=6):
    """What the hook reads of a runner inside ``runner.train()``."""
    loop = object()  # not an EpochBasedTrainLoop: no mid-epoch handling
    return SimpleNamespace(_resume=resume,
                           _train_loop=loop,
                           train_loop=loop,
                           iter=iteration,
                           hooks=[])


def test_state_round_trip_through_weights_only_checkpoint(tmp_path):
    torch.manual_seed(1)
    np.random.seed(1)
    random.seed(1)
    torch.save(dict(rng_state=[get_rng_state()]), tmp_path / 'ckpt.pth')
    expected = draws()
    draws()
    set_rng_state(torch.load(tmp_path / 'ckpt.pth')['rng_state'][0])  # weights_only
    assert draws() == expected


def test_resume_restores_the_saved_streams_at_before_train():
    hook = RNGStateHook()
    runner = fake_runner()
    hook.after_train_epoch(runner)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    expected = draws()

    resumed = RNGStateHook()
    resumed_runner = fake_runner(resume=True)
    resumed.after_load_checkpoint(resumed_runner, checkpoint)
    draws()  # building the runner, initialising weights...
    resumed.before_train(resumed_runner)
    assert draws() == expected


def test_load_from_keeps_the_new_runs_streams():
    hook = RNGStateHook()
    checkpoint = {}
    hook.before_save_checkpoint(fake_runner(), checkpoint)
    draws()
    state = get_rng_state()
    loading = RNGStateHook()
    loading.after_load_checkpoint(fake_runner(resume=False), checkpoint)
    loading.before_train(fake_runner())
    expected = draws()
    set_rng_state(state)
    assert draws() == expected


def test_validation_does_not_consume_training_random_numbers():
    hook = RNGStateHook()
    runner = fake_runner()
    state = get_rng_state()
    hook.before_val(runner)
    draws()  # validation
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)  # e.g. a best checkpoint
    hook.after_val(runner)
    after_val = draws()
    set_rng_state(state)
    assert draws() == after_val
    set_rng_state(checkpoint['rng_state'][0])
    assert draws() == after_val


def test_save_without_fresh_snapshot_takes_current_state():
    hook = RNGStateHook()
    hook.after_train_epoch(fake_runner(iteration=3))
    draws()
    checkpoint = {}
    hook.before_save_checkpoint(fake_runner(iteration=4), checkpoint)
    expected = draws()
    set_rng_state(checkpoint['rng_state'][0])
    assert draws() == expected
