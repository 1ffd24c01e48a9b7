"""Optimizers written from scratch, step for step equal to ``torch.optim``.

Each subclasses ``torch.optim.Optimizer`` with the constructor arguments,
defaults and ``ValueError`` checks of the ``torch.optim`` class of the same
name, and carries its update rule as math in its docstring. They use plain
single-tensor loops; ``foreach``, ``fused``, ``capturable`` and
``differentiable`` (implementation choices of torch, not semantics) are
not offered.
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]
