"""Turning predicted probabilities into decisions, and judging them.

* ``f1_by_threshold``: the F1 score of ``scores >= t`` for every threshold
  ``t`` that changes a decision (each distinct score), in one sweep;
* ``best_threshold``: the threshold with the highest F1. Choose it on a
  validation split and report its F1 on a test split: the best F1 on the
  data it was chosen on is optimistic;
* ``reliability_curve``: predicted probability against observed frequency
  of positives in equal-width bins (a reliability diagram, Niculescu-Mizil
  and Caruana, ICML 2005), and ``expected_calibration_error``, the
  count-weighted mean gap between the two (Guo et al., ICML 2017).
"""

from __future__ import annotations

import numpy as np

from .validation import as_float_array, same_length, whole_number


def _labels_scores(y, scores, score_name: str = "scores"):
    y = as_float_array("y", y, ndim=(1,))
    scores = as_float_array(score_name, scores, ndim=(1,))
    same_length(y, scores, ("y", score_name))
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold class labels 0 and 1; for other "
                         "labels use (y == positive_label)")
    return y, scores


def f1_by_threshold(y, scores):
    """Distinct thresholds (descending) and the F1 of ``scores >= t``.

    ``F1 = 2 TP / (2 TP + FP + FN)``, taken as 0 when there are no
    positives at all, predicted or true.
    """
    y, scores = _labels_scores(y, scores)
    order = np.argsort(-scores, kind="stable")
    s, yy = scores[order], y[order]
    last = np.r_[np.diff(s) != 0, True]     # end of each block of ties
    tp = np.cumsum(yy)[last]                # positives at or above t
    predicted = np.arange(1, len(s) + 1)[last]
    denom = predicted + y.sum()             # 2 TP + FP + FN
    f1 = np.divide(2 * tp, denom, out=np.zeros(len(tp)), where=denom > 0)
    return s[last], f1


def best_threshold(y, scores) -> tuple[float, float]:
    """The threshold with the highest F1 on ``(y, scores)``, and that F1.

    Ties go to the highest such threshold.
    """
    thresholds, f1 = f1_by_threshold(y, scores)
    best = int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best])


def reliability_curve(y, p, n_bins: int = 10):
    """Mean predicted ``p``, observed frequency of ``y == 1`` and count
    in each non-empty bin of ``[0, 1]`` cut into ``n_bins`` equal parts.

    A calibrated model has observed close to predicted in every bin.
    """
    y, p = _labels_scores(y, p, "p")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p must hold probabilities in [0, 1]; apply a "
                         "sigmoid to logits first")
    n_bins = whole_number("n_bins", n_bins, low=1)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0,
                   n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    keep = count > 0
    predicted = np.bincount(bins, p, n_bins)[keep] / count[keep]
    observed = np.bincount(bins, y, n_bins)[keep] / count[keep]
    return predicted, observed, count[keep]


def expected_calibration_error(y, p, n_bins: int = 10) -> float:
    """Count-weighted mean of ``|observed - predicted|`` over the bins."""
    predicted, observed, count = reliability_curve(y, p, n_bins)
    return float(np.sum(count * np.abs(observed - predicted)) / count.sum())
