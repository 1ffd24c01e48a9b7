"""Extras for :class:`gdlab.trainer.Trainer`, attached as callbacks.

A callback is any callable registered with ``trainer.add_callback(fn,
event)`` (``event`` may be left out when ``fn`` has an ``event``
attribute, as the classes here do); ``"after_backward"`` callbacks get the
trainer between the backward pass and the optimizer step, ``"epoch_end"``
callbacks get the trainer after each epoch's history is recorded.
"""

from __future__ import annotations

import os

from .clipping import clip_grad_norm, clip_grad_value
from .validation import real_number


class GradientClipping:
    """Clip gradients by norm or by value before every optimizer step."""

    event = "after_backward"

    def __init__(self, max_norm: float | None = None,
                 clip_value: float | None = None):
        if (max_norm is None) == (clip_value is None):
            raise ValueError("give exactly one of max_norm and clip_value")
        self.max_norm = None if max_norm is None else \
            real_number("max_norm", max_norm, low=0, low_open=True)
        self.clip_value = None if clip_value is None else \
            real_number("clip_value", clip_value, low=0, low_open=True)

    def __call__(self, trainer) -> None:
        params = trainer.model.parameters()
        if self.max_norm is not None:
            clip_grad_norm(params, self.max_norm)
        else:
            clip_grad_value(params, self.clip_value)


class TensorBoardLogger:
    """Write the latest value of every history series to TensorBoard.

    Needs the ``tensorboard`` package; ``log_dir`` is created if missing.
    """

    event = "epoch_end"

    def __init__(self, log_dir):
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"log_dir must be a folder path (a str or a "
                            f"pathlib.Path), such as 'runs/sgd'; got "
                            f"{type(log_dir).__name__}")
        from torch.utils.tensorboard import SummaryWriter
        self.writer = SummaryWriter(log_dir=str(log_dir))

    def __call__(self, trainer) -> None:
        for name, values in trainer.history.items():
            if values:
                self.writer.add_scalar(name, values[-1], trainer.epoch)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
