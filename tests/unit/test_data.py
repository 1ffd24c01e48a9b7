import numpy as np
import pytest

import gdlab


def legacy_recipe():
    """The syllabus recipe, written with NumPy's global generator."""
    saved = np.random.get_state()
    try:
        np.random.seed(42)
        x = np.random.rand(100, 1)
        y = 1 + 2 * x + 0.1 * np.random.randn(100, 1)
        idx = np.arange(100)
        np.random.shuffle(idx)
        np.random.seed(42)
        b, w = np.random.randn(1), np.random.randn(1)
    finally:
        np.random.set_state(saved)
    return x, y, idx[:80], idx[80:], b, w


def test_linear_data_reproduces_the_legacy_recipe_exactly():
    x, y, train_idx, val_idx, _, _ = legacy_recipe()
    data = gdlab.linear_data()
    np.testing.assert_array_equal(data.x, x)
    np.testing.assert_array_equal(data.y, y)
    np.testing.assert_array_equal(data.train_idx, train_idx)
    np.testing.assert_array_equal(data.val_idx, val_idx)
    np.testing.assert_array_equal(data.x_train, x[train_idx])
    np.testing.assert_array_equal(data.y_val, y[val_idx])


def test_init_params_reproduce_the_legacy_recipe():
    *_, b, w = legacy_recipe()
    assert gdlab.init_linear_params(42) == (b[0], w[0])


def test_linear_data_leaves_global_state_alone():
    before = np.random.get_state()[1].copy()
    gdlab.linear_data(seed=7)
    gdlab.init_linear_params(7)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_split_is_a_partition():
    data = gdlab.linear_data(n=37, train_frac=0.7, seed=3)
    both = np.concatenate([data.train_idx, data.val_idx])
    assert len(data.train_idx) == int(37 * 0.7)
    np.testing.assert_array_equal(np.sort(both), np.arange(37))


def test_parameters_shape_the_data():
    data = gdlab.linear_data(n=2000, b=-3, w=0.5, noise=0.0, seed=1)
    np.testing.assert_allclose(data.y, -3 + 0.5 * data.x)
    assert data.x.shape == data.y.shape == (2000, 1)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=1), ValueError, "n must be >= 2"),
    (dict(n=10.5), TypeError, "n must be an integer"),
    (dict(noise=-1), ValueError, "noise must be >= 0"),
    (dict(w=float("nan")), ValueError, "w must be finite"),
    (dict(b="1"), TypeError, "b must be a real number"),
    (dict(train_frac=1.0), ValueError, "train_frac must be < 1"),
    (dict(n=3, train_frac=0.1), ValueError, "empty training"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        gdlab.linear_data(**kwargs)


def test_classification_data_balance_and_separation():
    data = gdlab.data.classification_data(n=4000, pos_frac=0.2,
                                          separation=3.0, seed=1)
    assert data.x.shape == (4000, 2) and set(np.unique(data.y)) == {0, 1}
    assert abs(data.y.mean() - 0.2) < 0.03
    gap = data.x[data.y[:, 0] == 1].mean(0) - data.x[data.y[:, 0] == 0].mean(0)
    assert np.linalg.norm(gap) == pytest.approx(3.0, rel=0.05)
    again = gdlab.data.classification_data(n=4000, pos_frac=0.2,
                                           separation=3.0, seed=1)
    np.testing.assert_array_equal(data.x, again.x)


@pytest.mark.parametrize("m", [None, 60])
def test_linear_system_has_the_chosen_condition(m):
    system = gdlab.data.linear_system(n=15, condition=1e3, m=m, seed=2)
    assert np.linalg.cond(system.A) == pytest.approx(1e3, rel=1e-8)
    x, *_ = np.linalg.lstsq(system.A, system.b, rcond=None)
    np.testing.assert_allclose(x, system.x_true, rtol=1e-8)
    if m is None:
        np.testing.assert_allclose(system.A, system.A.T, atol=1e-12)
        assert np.linalg.eigvalsh(system.A).min() > 0


@pytest.mark.parametrize("kwargs, words", [
    (dict(condition=0.5), "condition must be >= 1"),
    (dict(n=10, m=5), "use m >= n"),
    (dict(noise=-1.0), "noise"),
])
def test_linear_system_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        gdlab.data.linear_system(**kwargs)


def test_classification_bad_fraction():
    with pytest.raises(ValueError, match="pos_frac"):
        gdlab.data.classification_data(pos_frac=1.0)
