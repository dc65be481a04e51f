import numpy as np
import torch
from mmengine.registry import FUNCTIONS
from mmengine.runner import Runner
from torch.utils.data import DataLoader, Dataset


class NumpyDraws(Dataset):
    """Items drawn from a worker's numpy and torch generators."""

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return np.random.rand(), torch.rand(()).item()


def epoch_draws(seed, epochs=2):
    """The items of ``epochs`` epochs of a one-worker loader after seeding the main
    process's torch generator with ``seed``."""
    torch.manual_seed(seed)
    loader = DataLoader(NumpyDraws(),
                        batch_size=None,
                        num_workers=1,
                        worker_init_fn=FUNCTIONS.get('per_epoch_worker_init_fn'))
    return [[tuple(item) for item in loader] for _ in range(epochs)]


def test_workers_draw_fresh_reproducible_numbers_each_epoch(monkeypatch):
    monkeypatch.delenv('RANK', raising=False)
    first, second = epoch_draws(0)
    assert first != second  # not the same augmentations every epoch
    assert epoch_draws(0) == [first, second]  # reproducible from the main seed
    assert epoch_draws(1)[0] != first
    monkeypatch.setenv('RANK', '1')
    assert epoch_draws(0)[0] != first  # ranks share the seed, not the streams


def test_dataloader_of_an_inherited_config():
    """Configs inherited through ``mmocr_oclip::`` carry ``_scope_`` in every dict
    with a ``type``; MMEngine passes it to the function."""
    loader = Runner.build_dataloader(
        dict(dataset=NumpyDraws(),
             sampler=dict(type='DefaultSampler', shuffle=False),
             batch_size=None,
             num_workers=1,
             worker_init_fn=dict(type='per_epoch_worker_init_fn',
                                 _scope_='mmocr_oclip')))
    assert len(list(loader)) == 2
