"""gdlab: the tested code behind the book *Gradient Descent with PyTorch,
from First Principles*.

Chapters import what they reuse from here; every piece is checked in
``tests/`` against an independent reference.
"""

from .data import Split, init_linear_params, linear_data, shuffled_split
from . import data, functions, landscape, losses, optim
from .landscape import mse_surface, param_grid
from .linear import Trajectory, closed_form, gradient_descent, mse_gradients
from .plotting import (plot_contour, plot_losses, plot_path, plot_surface,
                       plot_tangent)
from .validation import DivergenceError

__version__ = "0.1.0"

__all__ = [
    "DivergenceError", "Split", "Trajectory", "closed_form",
    "gradient_descent", "init_linear_params", "linear_data",
    "mse_gradients", "mse_surface", "param_grid", "plot_contour",
    "plot_losses", "plot_path", "plot_surface", "plot_tangent",
    "shuffled_split",
]
