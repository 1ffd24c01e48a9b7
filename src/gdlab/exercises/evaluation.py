"""Checkers for classification metrics and reproducibility."""

from __future__ import annotations

import numpy as np
import torch

from .compare import as_answer, check_close


def _labels(name: str, value):
    arr = as_answer(name, value, ndim=(1,))
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold only 0s and 1s (or booleans); "
                         "threshold scores first, e.g. scores >= 0.5")
    return arr.astype(bool)


def _f1(truth, predicted) -> float:
    tp = np.sum(truth & predicted)
    fp = np.sum(~truth & predicted)
    fn = np.sum(truth & ~predicted)
    return 0.0 if tp == 0 else float(2 * tp / (2 * tp + fp + fn))


def check_f1(answer, truth, predicted) -> None:
    """An F1 score against ``2 TP / (2 TP + FP + FN)`` counted by hand."""
    truth = _labels("truth", np.asarray(truth, dtype=float))
    predicted = _labels("predicted", np.asarray(predicted, dtype=float))
    if truth.shape != predicted.shape:
        raise ValueError(f"truth and predicted must have the same length, "
                         f"got {truth.size} and {predicted.size}")
    check_close("F1", answer, _f1(truth, predicted), rtol=1e-12)


def check_best_f1_threshold(threshold, truth, scores) -> None:
    """A threshold whose F1 is the best over every possible threshold.

    Predicting ``scores >= t`` can only change where ``t`` passes a score,
    so trying every distinct score finds the best F1 exactly. Ties between
    thresholds are accepted.
    """
    truth = _labels("truth", np.asarray(truth, dtype=float))
    scores = as_answer("scores", scores, ndim=(1,))
    threshold = float(as_answer("threshold", threshold, ndim=(0,)))
    if truth.shape != scores.shape:
        raise ValueError("truth and scores must have the same length")
    best = max(_f1(truth, scores >= t) for t in np.unique(scores))
    check_close(f"F1 at threshold {threshold:.4g}",
                _f1(truth, scores >= threshold), best, rtol=1e-12)


def check_float32_rounding(max_error, values) -> None:
    """The largest change made by rounding ``values`` to float32 and back.

    The reference rounds with NumPy; the error must also respect float32's
    unit roundoff, ``2**-24`` relative to each value.
    """
    values = as_answer("values", values, ndim=(1, 2))
    rounded = values.astype(np.float32).astype(np.float64)
    error = np.abs(rounded - values)
    if np.any(error > 2.0 ** -24 * np.abs(values)):
        raise AssertionError("float32 rounding exceeded its unit roundoff")
    check_close("largest float32 rounding error", max_error, error.max(),
                rtol=1e-12)


def check_seeded(fn, seeds=(3, 4)) -> None:
    """``fn(seed)`` is repeatable, depends on its seed, leaves globals alone.

    ``fn`` returns a tensor or array. The check calls it twice with the
    first seed and once with the second, and compares the global torch
    and NumPy random states before and after.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function of a seed, got "
                        f"{type(fn).__name__}")
    first, second = seeds
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    a, again, b = (np.asarray(torch.as_tensor(fn(s)).cpu())
                   for s in (first, first, second))
    if not np.array_equal(a, again):
        raise AssertionError(f"fn({first}) gave different results on two "
                             "calls: something is not seeded")
    if np.array_equal(a, b):
        raise AssertionError(f"fn({first}) and fn({second}) agree: the "
                             "seed has no effect")
    if not torch.equal(torch_state, torch.get_rng_state()):
        raise AssertionError("fn changed torch's global random state; give "
                             "it its own torch.Generator")
    if not np.array_equal(numpy_state, np.random.get_state()[1]):
        raise AssertionError("fn changed NumPy's global random state; use "
                             "np.random.default_rng(seed)")
