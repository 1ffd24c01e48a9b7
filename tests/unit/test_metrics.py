import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from gdlab import metrics

rng = np.random.default_rng(0)
Y = (rng.random(300) < 0.2).astype(float)
P = np.clip(0.3 * Y + 0.7 * rng.random(300), 0, 1)


@pytest.mark.parametrize("scores", [P, np.round(P, 1)])   # with ties
def test_f1_by_threshold_matches_sklearn(scores):
    thresholds, f1 = metrics.f1_by_threshold(Y, scores)
    assert np.all(np.diff(thresholds) < 0)
    np.testing.assert_array_equal(thresholds, np.unique(scores)[::-1])
    # sklearn's F1 at every threshold, one label per threshold
    predicted = scores[:, None] >= thresholds              # (N, T)
    expected = skm.f1_score(np.repeat(Y[:, None], len(thresholds), 1),
                            predicted, average=None)
    np.testing.assert_allclose(f1, expected, rtol=1e-12)
    t, best = metrics.best_threshold(Y, scores)
    assert best == pytest.approx(max(expected))
    assert skm.f1_score(Y, scores >= t) == pytest.approx(best)


def test_f1_without_positives_is_zero():
    thresholds, f1 = metrics.f1_by_threshold(np.zeros(3), [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(f1, 0.0)


def test_reliability_curve_matches_sklearn():
    predicted, observed, count = metrics.reliability_curve(Y, P, 8)
    sk_observed, sk_predicted = calibration_curve(Y, P, n_bins=8)
    np.testing.assert_allclose(predicted, sk_predicted, rtol=1e-12)
    np.testing.assert_allclose(observed, sk_observed, rtol=1e-12)
    assert count.sum() == len(Y)


def test_expected_calibration_error():
    assert metrics.expected_calibration_error([0, 1, 1, 0],
                                              [0.0, 1.0, 1.0, 0.0]) == 0
    # one bin [0.5, 0.6) holding p = 0.5 twice, one of two positive
    assert metrics.expected_calibration_error([0, 1], [0.5, 0.5]) == 0
    # all at 0.9 but only half positive: gap 0.4
    assert metrics.expected_calibration_error(
        [0, 1, 0, 1], [0.9] * 4) == pytest.approx(0.4)
    # a biased copy of calibrated probabilities scores worse
    q = rng.random(5000)
    y = (rng.random(5000) < q).astype(float)
    assert metrics.expected_calibration_error(y, q) < 0.03
    assert metrics.expected_calibration_error(y, q ** 0.5) > 0.1


@pytest.mark.parametrize("call, error, words", [
    (lambda: metrics.f1_by_threshold([0, 2], [0.1, 0.2]), ValueError,
     "labels 0 and 1"),
    (lambda: metrics.f1_by_threshold([0, 1], [0.1]), ValueError,
     "same number"),
    (lambda: metrics.f1_by_threshold("01", [0.1]), TypeError, "y"),
    (lambda: metrics.reliability_curve([0, 1], [0.1, 1.5]), ValueError,
     "probabilities"),
    (lambda: metrics.reliability_curve([0, 1], [0.1, 0.5], 0),
     ValueError, "n_bins"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
