import numpy as np
import pytest

import gdlab


@pytest.fixture
def data():
    return gdlab.linear_data()


def test_gradients_match_central_differences(data):
    x, y, b, w, h = data.x_train, data.y_train, 0.3, -0.7, 1e-6
    grad_b, grad_w = gdlab.mse_gradients(x, y, b, w)

    def loss(b, w):
        return float(gdlab.mse_surface(x, y, b, w))

    fd_b = (loss(b + h, w) - loss(b - h, w)) / (2 * h)
    fd_w = (loss(b, w + h) - loss(b, w - h)) / (2 * h)
    assert grad_b == pytest.approx(fd_b, rel=1e-7)
    assert grad_w == pytest.approx(fd_w, rel=1e-7)


def test_closed_form_matches_polyfit(data):
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    w_ref, b_ref = np.polyfit(data.x_train.ravel(), data.y_train.ravel(), 1)
    assert (b, w) == pytest.approx((b_ref, w_ref), rel=1e-10)


def test_closed_form_solves_the_normal_equations(data):
    x, y = data.x_train, data.y_train
    X = np.hstack([np.ones_like(x), x])                 # (N, 2)
    theta = np.linalg.solve(X.T @ X, X.T @ y)           # (2, 1)
    assert gdlab.closed_form(x, y) == pytest.approx(theta.ravel(),
                                                    rel=1e-10)


@pytest.mark.parametrize("batch_size", [None, 16, 1])
def test_descent_converges_to_closed_form(data, batch_size):
    b0, w0 = gdlab.init_linear_params()
    lr = 0.02 if batch_size == 1 else 0.1
    n_epochs = 1000 if batch_size is None else 200
    traj = gdlab.gradient_descent(data.x_train, data.y_train, b0, w0, lr=lr,
                                  n_epochs=n_epochs, batch_size=batch_size)
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    tol = 1e-6 if batch_size is None else 0.05
    assert traj.b == pytest.approx(b, abs=tol)
    assert traj.w == pytest.approx(w, abs=tol)


def test_trajectory_bookkeeping(data):
    traj = gdlab.gradient_descent(data.x_train, data.y_train, 0, 0,
                                  n_epochs=3, batch_size=16)
    assert traj.updates_per_epoch == 5
    assert traj.params.shape == (16, 2) and traj.losses.shape == (16,)
    np.testing.assert_array_equal(traj.params[0], [0, 0])
    assert len(traj.epoch_losses) == 4
    assert traj.losses[-1] < traj.losses[0]


def test_first_batch_step_is_lr_times_gradient(data):
    x, y = data.x_train, data.y_train
    traj = gdlab.gradient_descent(x, y, 0.5, 0.5, lr=0.05, n_epochs=1)
    g = np.array(gdlab.mse_gradients(x, y, 0.5, 0.5))
    np.testing.assert_allclose(traj.params[1], 0.5 - 0.05 * g)


def test_minibatch_runs_are_repeatable_by_seed(data):
    x, y = data.x_train, data.y_train
    runs = [gdlab.gradient_descent(x, y, 0, 0, n_epochs=2, batch_size=8,
                                   seed=s).params for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_divergence_is_reported_not_returned(data):
    with pytest.raises(gdlab.DivergenceError, match="smaller learning rate"):
        gdlab.gradient_descent(data.x_train, data.y_train, 0, 0, lr=2.0)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(lr=0), ValueError, "lr must be > 0"),
    (dict(lr=np.inf), ValueError, "lr must be finite"),
    (dict(n_epochs=0), ValueError, "n_epochs must be >= 1"),
    (dict(batch_size=81), ValueError, "exceeds the 80 samples"),
    (dict(batch_size=2.5), TypeError, "batch_size must be an integer"),
])
def test_bad_hyper_parameters(data, kwargs, error, words):
    with pytest.raises(error, match=words):
        gdlab.gradient_descent(data.x_train, data.y_train, 0, 0, **kwargs)


def test_constant_feature_has_no_closed_form():
    with pytest.raises(ValueError, match="constant"):
        gdlab.closed_form(np.ones(5), np.arange(5.0))


def test_overflowing_start_is_refused(data):
    with pytest.raises(ValueError, match="infinite loss"):
        gdlab.gradient_descent(data.x, data.y, 1e200, 1e200)


@pytest.mark.parametrize("batch_size", [30, 80, 7])
def test_minibatches_follow_a_hand_written_loop(data, batch_size):
    """Reference: each epoch reshuffles and walks the batches in order."""
    x, y, lr, seed = data.x_train, data.y_train, 0.05, 3
    traj = gdlab.gradient_descent(x, y, 0.2, -0.1, lr=lr, n_epochs=3,
                                  batch_size=batch_size, seed=seed)
    rng, b, w, expected = np.random.default_rng(seed), 0.2, -0.1, []
    for _ in range(3):
        order = rng.permutation(80) if batch_size < 80 else np.arange(80)
        for start in range(0, 80, batch_size):
            rows = order[start:start + batch_size]
            error = b + w * x[rows] - y[rows]
            b, w = (b - lr * 2 * error.mean(),
                    w - lr * 2 * (x[rows] * error).mean())
            expected.append((b, w))
    np.testing.assert_allclose(traj.params[1:], expected, rtol=1e-14)


def test_without_shuffling_rows_are_visited_in_order(data):
    x, y = data.x_train, data.y_train
    traj = gdlab.gradient_descent(x, y, 0.0, 0.0, lr=0.1, n_epochs=2,
                                  batch_size=1, shuffle=False)
    b, w = 0.0, 0.0
    for _ in range(2):
        for i in range(80):
            error = b + w * x[i, 0] - y[i, 0]
            b, w = b - 0.1 * 2 * error, w - 0.1 * 2 * x[i, 0] * error
    np.testing.assert_allclose(traj.params[-1], [b, w], rtol=1e-12)
