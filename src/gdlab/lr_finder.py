"""The learning-rate range test ("LR finder"), in fast.ai's variant.

Train for a few mini-batches while the learning rate grows geometrically
from ``start_lr`` to ``end_lr``, and record a smoothed loss. The loss first
barely moves, then falls, then blows up; the suggestion is the rate where
the smoothed loss falls fastest per unit of log learning rate. The model
and optimizer are restored afterwards, so the test leaves no trace.

References: the range test is due to Smith, *Cyclical Learning Rates for
Training Neural Networks* (WACV 2017), section 3.3, who raises the rate
*linearly* over several epochs and reads the *accuracy* curve. The
geometric sweep over single mini-batches, the bias-corrected moving
average of the loss, the stop at four times the best loss and the
steepest-slope pick follow fast.ai's ``lr_find`` (Howard & Gugger,
*Fastai: A Layered API for Deep Learning*, Information 11(2):108, 2020).
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass

import numpy as np
import torch

from .validation import (loss_function, real_number, torch_module,
                         torch_optimizer, whole_number)


@dataclass(frozen=True)
class RangeTest:
    """Result of :func:`lr_range_test`."""

    lrs: np.ndarray          # (n,) learning rate used at each step
    losses: np.ndarray       # (n,) smoothed (bias-corrected EWMA) loss
    raw_losses: np.ndarray   # (n,) mini-batch loss at each step

    @property
    def suggestion(self) -> float:
        """The rate where the smoothed loss falls fastest (per log-lr),
        before its minimum: fast.ai's "steepest" suggestion.

        The moving average trails the raw loss by up to
        ``(1 - smoothing) / smoothing`` steps, so this pick sits at a
        larger rate than the steepest point of the loss itself."""
        stop = int(np.argmin(self.losses)) + 1
        if stop < 3:
            raise ValueError("the loss never fell; lower start_lr")
        slope = np.gradient(self.losses[:stop], np.log(self.lrs[:stop]))
        return float(self.lrs[int(np.argmin(slope))])


def lr_range_test(model, loss_fn, optimizer, loader, start_lr: float = 1e-6,
                  end_lr: float = 10.0, n_iter: int = 100,
                  smoothing: float = 0.05,
                  diverge_factor: float = 4.0) -> RangeTest:
    """Run fast.ai's range test: one mini-batch per rate, rates spaced
    geometrically; stop early once the smoothed loss exceeds
    ``diverge_factor`` times its best value (or stops being finite)."""
    torch_module("model", model)
    loss_function("loss_fn", loss_fn)
    torch_optimizer("optimizer", optimizer)
    start_lr = real_number("start_lr", start_lr, low=0, low_open=True)
    end_lr = real_number("end_lr", end_lr, low=0, low_open=True)
    if end_lr <= start_lr:
        raise ValueError(f"end_lr ({end_lr}) must exceed start_lr "
                         f"({start_lr})")
    n_iter = whole_number("n_iter", n_iter, low=2)
    smoothing = real_number("smoothing", smoothing, low=0, high=1,
                            low_open=True)
    diverge_factor = real_number("diverge_factor", diverge_factor, low=1,
                                 low_open=True)
    saved = (copy.deepcopy(model.state_dict()),
             copy.deepcopy(optimizer.state_dict()), model.training)
    try:
        lrs, raw, smooth = _sweep(model, loss_fn, optimizer, loader,
                                  start_lr, end_lr, n_iter, smoothing,
                                  diverge_factor)
    finally:
        model.load_state_dict(saved[0])
        optimizer.load_state_dict(saved[1])
        model.train(saved[2])
    return RangeTest(np.array(lrs), np.array(smooth), np.array(raw))


def _sweep(model, loss_fn, optimizer, loader, start_lr, end_lr, n_iter,
           smoothing, diverge_factor):
    lrs, raw, smooth = [], [], []
    average, best = 0.0, math.inf
    batches = itertools.cycle(loader)
    model.train()
    for k in range(n_iter):
        lr = start_lr * (end_lr / start_lr) ** (k / (n_iter - 1))
        for group in optimizer.param_groups:                # 1. set rate
            group["lr"] = lr
        X, y = next(batches)
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)                         # 2. one step
        loss.backward()
        optimizer.step()
        average = (1 - smoothing) * average + smoothing * loss.item()
        value = average / (1 - (1 - smoothing) ** (k + 1))  # 3. smooth
        if not math.isfinite(value):
            break
        lrs.append(lr)
        raw.append(loss.item())
        smooth.append(value)
        best = min(best, value)
        if value > diverge_factor * best:                   # 4. stop
            break
    return lrs, raw, smooth
