"""gdlab: the tested code behind the book *Gradient Descent with PyTorch,
from First Principles*.

Chapters import what they reuse from here; every piece is checked in
``tests/`` against an independent reference (finite differences, closed
forms, scikit-learn, autograd, ``torch.optim`` and its schedulers).

Submodules are imported on first use (PEP 562), so ``import gdlab`` is
cheap and a page or a worker process loads only the modules it touches.
The book's execution cache relies on this: a page depends on exactly the
modules it uses, read from ``SUBMODULES`` and ``EXPORTS`` below.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Submodules reachable as ``gdlab.<name>``.
SUBMODULES = (
    "callbacks", "checkpoint", "clipping", "data", "ddp_internals",
    "ddp_script", "device", "distributed", "environment", "exercises",
    "explorer", "functions", "graph", "heavy_ball", "landscape", "linear",
    "losses", "lr_finder", "memory", "metrics", "minibatch", "one_cycle",
    "optim", "plotting", "precision", "reference_capture", "reference_run",
    "ring_allreduce", "roofline", "schedules", "second_order", "tensors",
    "trainer", "validation",
)

#: Names re-exported at the top level, and the submodule defining each.
EXPORTS = {
    "DivergenceError": "validation",
    "Split": "data",
    "Trainer": "trainer",
    "TrainerConfig": "trainer",
    "Trajectory": "linear",
    "closed_form": "linear",
    "get_device": "device",
    "gradient_descent": "linear",
    "init_linear_params": "data",
    "linear_data": "data",
    "load_checkpoint": "checkpoint",
    "mse_gradients": "linear",
    "mse_surface": "landscape",
    "param_grid": "landscape",
    "plot_contour": "plotting",
    "plot_losses": "plotting",
    "plot_path": "plotting",
    "plot_surface": "plotting",
    "plot_tangent": "plotting",
    "save_checkpoint": "checkpoint",
    "shuffled_split": "data",
}

__all__ = sorted(set(EXPORTS) | set(SUBMODULES) - {"ddp_script"})


def __getattr__(name: str):
    if name in SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in EXPORTS:
        module = importlib.import_module(f"{__name__}.{EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'gdlab' has no attribute {name!r}; see "
                         "gdlab.__all__ for what it offers")


def __dir__():
    return sorted(set(globals()) | set(__all__))
