"""gdlab: the tested code behind the book *Gradient Descent with PyTorch,
from First Principles*.

Chapters import what they reuse from here; every piece is checked in
``tests/`` against an independent reference (finite differences, closed
forms, scikit-learn, autograd, ``torch.optim`` and its schedulers).
"""

from . import (callbacks, checkpoint, clipping, data, device, environment,
               exercises, explorer, functions, graph, landscape, losses,
               lr_finder, one_cycle, optim, schedules, trainer)
from .checkpoint import load_checkpoint, save_checkpoint
from .data import Split, init_linear_params, linear_data, shuffled_split
from .device import get_device
from .landscape import mse_surface, param_grid
from .linear import Trajectory, closed_form, gradient_descent, mse_gradients
from .plotting import (plot_contour, plot_losses, plot_path, plot_surface,
                       plot_tangent)
from .trainer import Trainer, TrainerConfig
from .validation import DivergenceError

__version__ = "0.1.0"

__all__ = [
    "DivergenceError", "Split", "Trainer", "TrainerConfig", "Trajectory",
    "callbacks", "checkpoint", "clipping", "closed_form", "data", "device",
    "environment", "exercises", "explorer",
    "functions", "get_device", "gradient_descent", "graph",
    "init_linear_params", "lr_finder",
    "landscape", "linear_data", "load_checkpoint", "losses",
    "mse_gradients", "mse_surface", "one_cycle", "optim", "param_grid",
    "plot_contour", "plot_losses", "plot_path", "plot_surface",
    "plot_tangent", "save_checkpoint", "schedules", "shuffled_split",
    "trainer",
]
