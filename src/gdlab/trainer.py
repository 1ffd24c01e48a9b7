"""A small trainer: train step, validation step, history, checkpoints.

The two steps are plain functions made by :func:`make_train_step` and
:func:`make_val_step`; :class:`Trainer` loops over seeded data loaders,
records losses, steps an optional learning-rate schedule, and calls
callbacks (see :mod:`gdlab.callbacks`) for extras such as gradient
clipping or TensorBoard. Plotting stays outside.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass

import torch
from torch.utils.data import (BatchSampler, DataLoader, Dataset,
                              RandomSampler, SequentialSampler,
                              TensorDataset)

from .checkpoint import load_checkpoint, save_checkpoint
from .validation import (DivergenceError, loss_function, torch_device,
                         torch_module, torch_optimizer, whole_number)

EVENTS = ("after_backward", "epoch_end")


@dataclass
class TrainerConfig:
    n_epochs: int = 10           # total epochs; fit() continues up to it
    batch_size: int = 16         # samples per mini-batch
    shuffle: bool = True         # reshuffle the training set each epoch
    seed: int = 42               # seeds the shuffling generator
    schedule_per: str = "epoch"  # step the scheduler per "epoch" or "batch"
    progress: bool | None = None  # progress line; None = only in a terminal

    def __post_init__(self):
        whole_number("n_epochs", self.n_epochs)
        whole_number("batch_size", self.batch_size)
        whole_number("seed", self.seed, low=0)
        if self.schedule_per not in ("epoch", "batch"):
            raise ValueError(f"schedule_per must be 'epoch' or 'batch', got "
                             f"{self.schedule_per!r}")


def make_train_step(model, loss_fn, optimizer, after_backward=None):
    """Return ``step(X, y) -> float``: one update on one mini-batch."""
    torch_module("model", model)
    loss_function("loss_fn", loss_fn)
    torch_optimizer("optimizer", optimizer)
    if after_backward is not None and not callable(after_backward):
        raise TypeError("after_backward must be None or a function of no "
                        "arguments, called between backward() and step()")

    def step(X, y):
        model.train()
        loss = loss_fn(model(X), y)              # 1. forward and loss
        loss.backward()                          # 2. gradients
        if after_backward is not None:
            after_backward()
        optimizer.step()                         # 3. update
        optimizer.zero_grad()
        return loss.item()
    return step


def make_val_step(model, loss_fn):
    """Return ``step(X, y) -> float``: the loss, without any update."""
    torch_module("model", model)
    loss_function("loss_fn", loss_fn)

    def step(X, y):
        model.eval()
        with torch.no_grad():
            return loss_fn(model(X), y).item()
    return step


class Trainer:
    """Train ``model`` on ``loss_fn`` with ``optimizer`` (and a schedule)."""

    def __init__(self, model, loss_fn, optimizer, config=None,
                 scheduler=None, device=None):
        torch_module("model", model)
        loss_function("loss_fn", loss_fn)
        torch_optimizer("optimizer", optimizer)
        self.config = config if config is not None else TrainerConfig()
        if not isinstance(self.config, TrainerConfig):
            raise TypeError("config must be a gdlab.trainer.TrainerConfig")
        self.device = torch_device("device", "cpu" if device is None
                                   else device)
        self.model = model.to(self.device)
        self.loss_fn, self.optimizer = loss_fn, optimizer
        self.scheduler = scheduler
        self.generator = torch.Generator().manual_seed(self.config.seed)
        self.history = {"train_loss": [], "val_loss": [], "lr": []}
        self.epoch = 0
        self.callbacks = {event: [] for event in EVENTS}
        self._train_step = make_train_step(
            model, loss_fn, optimizer, lambda: self._fire("after_backward"))
        self._val_step = make_val_step(model, loss_fn)

    def add_callback(self, fn, event: str | None = None) -> None:
        """Call ``fn(trainer)`` at ``event`` (default: ``fn.event``)."""
        event = event or getattr(fn, "event", None)
        if event not in EVENTS:
            raise ValueError(f"event must be one of {EVENTS}, got {event!r}")
        self.callbacks[event].append(fn)

    def _fire(self, event):
        for fn in self.callbacks[event]:
            fn(self)

    def loader(self, data: Dataset, train: bool) -> DataLoader:
        if not isinstance(data, Dataset):
            raise TypeError("data must be a torch Dataset, e.g. "
                            "TensorDataset(X, y)")
        shuffle = train and self.config.shuffle
        generator = self.generator if train else None
        if type(data) is not TensorDataset:
            return DataLoader(data, batch_size=self.config.batch_size,
                              shuffle=shuffle, generator=generator)
        # A TensorDataset is indexed with a whole batch of indices at once:
        # the same batches as above, without one lookup per sample.
        order = (RandomSampler(data, generator=generator) if shuffle
                 else SequentialSampler(data))
        batches = BatchSampler(order, self.config.batch_size,
                               drop_last=False)
        return DataLoader(data, sampler=batches, batch_size=None,
                          generator=generator)

    def _run(self, loader, step, per_batch_schedule=False):
        total, count = 0.0, 0
        for X, y in loader:
            X, y = X.to(self.device), y.to(self.device)
            total += step(X, y) * len(X)
            count += len(X)
            if per_batch_schedule and self.scheduler is not None:
                self.scheduler.step()
        loss = total / count
        if not math.isfinite(loss):
            raise DivergenceError(f"the loss became {loss} in epoch "
                                  f"{self.epoch + 1}; lower the learning "
                                  "rate or add gradient clipping")
        return loss

    def fit(self, train_data: Dataset, val_data: Dataset | None = None):
        """Train until ``config.n_epochs``; return the history dict."""
        train_loader = self.loader(train_data, train=True)
        val_loader = None if val_data is None else \
            self.loader(val_data, train=False)
        per_batch = self.config.schedule_per == "batch"
        while self.epoch < self.config.n_epochs:
            self.history["lr"].append(self.optimizer.param_groups[0]["lr"])
            self.history["train_loss"].append(
                self._run(train_loader, self._train_step, per_batch))
            if val_loader is not None:
                self.history["val_loss"].append(
                    self._run(val_loader, self._val_step))
            if self.scheduler is not None and not per_batch:
                self.scheduler.step()
            self.epoch += 1
            self._fire("epoch_end")
            self._progress()
        return self.history

    def _progress(self):
        show = self.config.progress
        if show is None:
            show = sys.stderr.isatty()
        if show:
            n, done = self.config.n_epochs, self.epoch
            bar = "#" * (20 * done // n)
            end = "\n" if done == n else ""
            print(f"\r[{bar:<20}] epoch {done}/{n} train loss "
                  f"{self.history['train_loss'][-1]:.4g}", end=end,
                  file=sys.stderr, flush=True)

    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """Model outputs for ``X`` in evaluation mode, without gradients."""
        if not isinstance(X, torch.Tensor):
            raise TypeError("X must be a torch.Tensor")
        self.model.eval()
        with torch.no_grad():
            return self.model(X.to(self.device)).cpu()

    def state_dict(self) -> dict:
        return {"model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": None if self.scheduler is None
                else self.scheduler.state_dict(),
                "epoch": self.epoch, "history": self.history,
                "config": asdict(self.config),
                "generator": self.generator.get_state(),
                "torch_rng": torch.get_rng_state()}

    def save(self, path):
        """Write a checkpoint of everything needed to resume, atomically."""
        return save_checkpoint(path, self.state_dict())

    def load(self, path) -> None:
        """Restore a checkpoint from :meth:`save`, to resume training."""
        state = load_checkpoint(path, map_location=self.device)
        mine = asdict(self.config)
        clash = {k: v for k, v in state["config"].items()
                 if k not in ("n_epochs", "progress") and mine.get(k) != v}
        if clash:
            raise ValueError(f"the checkpoint was made with a different "
                             f"config ({clash}); only n_epochs and progress "
                             "may change when resuming")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.history = state["epoch"], state["history"]
        self.generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
