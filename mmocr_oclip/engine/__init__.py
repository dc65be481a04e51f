from .hooks import *  # noqa: F401,F403
from .per_epoch_worker_init_fn import per_epoch_worker_init_fn  # noqa: F401
from .schedulers import *  # noqa: F401,F403
