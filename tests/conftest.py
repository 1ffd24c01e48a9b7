import os

import matplotlib

matplotlib.use("Agg")


def pytest_configure(config):
    """Under pytest-xdist every worker is its own process: each keeps to
    one torch thread, so that the workers share the cores instead of
    every one of them spinning threads on all of them."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch
        torch.set_num_threads(1)
