"""gdlab.minibatch against gradient_descent, autograd and brute force."""

import numpy as np
import pytest
import torch

import gdlab
from gdlab import minibatch as mb


@pytest.fixture(scope="module")
def xy():
    data = gdlab.linear_data()
    return data.x_train, data.y_train


@pytest.mark.parametrize("m", [1, 3, 16, 80])
def test_reshuffle_matches_gradient_descent(xy, m):
    x, y = xy
    b0, w0 = gdlab.init_linear_params(42)
    best = float(gdlab.mse_surface(x, y, *gdlab.closed_form(x, y)))
    n_updates = 100                                # > one epoch at m = 1
    out = mb.sgd_excess(x, y, b0, w0, [0.05, 0.2], m, n_updates, [0, 7])
    n_epochs = -(-n_updates * m // len(x))         # enough to compare
    for i, lr in enumerate([0.05, 0.2]):
        for s, seed in enumerate([0, 7]):
            run = gdlab.gradient_descent(x, y, b0, w0, lr=lr,
                                         n_epochs=n_epochs, batch_size=m,
                                         seed=seed)
            np.testing.assert_allclose(out[i, s],
                                       run.losses[:n_updates + 1] - best,
                                       atol=1e-12)


def test_per_sample_gradients_match_autograd(xy):
    x, y = xy
    g = mb.per_sample_gradients(x, y, 0.3, -1.2)
    for i in (0, 17, 79):
        p = torch.tensor([0.3, -1.2], dtype=torch.float64,
                         requires_grad=True)
        loss = (p[0] + p[1] * float(x[i, 0]) - float(y[i, 0])) ** 2
        loss.backward()
        np.testing.assert_allclose(g[i], p.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.mean(0), gdlab.mse_gradients(x, y, 0.3,
                                                              -1.2))


def test_noise_scale_equals_batch_where_noise_matches_signal(xy):
    x, y = xy
    b, w = 0.9, 1.9
    scale = mb.simple_noise_scale(x, y, b, w)
    g = mb.per_sample_gradients(x, y, b, w)
    cov = np.cov(g.T, bias=True)                   # independent route
    G = g.mean(0)
    assert scale == pytest.approx(np.trace(cov) / (G @ G), rel=1e-10)
    rng = np.random.default_rng(0)                 # noise of batches
    m = max(1, int(round(scale)))
    draws = g[rng.integers(0, len(x), size=(20000, m))].mean(1)
    noise = ((draws - G) ** 2).sum(1).mean()
    assert noise == pytest.approx(G @ G * scale / m, rel=0.05)


def test_noise_floor_scales_with_lr_over_m(xy):
    x, y = xy
    b, w = gdlab.closed_form(x, y)
    floors = [mb.sgd_excess(x, y, b, w, [lr], m, 1500, range(8),
                            sampling="replacement")[0, :, 500:].mean()
              for lr, m in ((0.05, 1), (0.1, 2), (0.05, 4))]
    assert floors[1] == pytest.approx(floors[0], rel=0.3)
    assert floors[0] / floors[2] == pytest.approx(4, rel=0.3)


def test_blowup_is_inf_and_steps_to_target():
    x = np.linspace(0, 1, 20)
    y = 1 + 2 * x
    out = mb.sgd_excess(x, y, 0.0, 0.0, [0.1, 5.0], 20, 200, [0])
    assert np.isinf(out[1, 0, -1]) and np.isfinite(out[0]).all()
    excess = np.array([[5, 0.5, 2, 0.5, 0.1], [5, 4, 3, 2, 1.0]])
    np.testing.assert_array_equal(mb.steps_to_target(excess, 1.0),
                                  [3, 4])
    assert np.isinf(mb.steps_to_target(excess, 0.5)[1])


def test_bad_inputs(xy):
    x, y = xy
    with pytest.raises(ValueError, match="sampling"):
        mb.sgd_excess(x, y, 0, 0, [0.1], 4, 10, [0], sampling="bogus")
    with pytest.raises(ValueError, match="positive"):
        mb.sgd_excess(x, y, 0, 0, [-0.1], 4, 10, [0])
    with pytest.raises(ValueError, match="exceeds"):
        mb.sgd_excess(x, y, 0, 0, [0.1], 81, 10, [0])
    assert mb.sgd_excess(x, y, 0, 0, [0.1], 200, 3, [0],
                         sampling="replacement").shape == (1, 1, 4)
    b, w = gdlab.closed_form(x, y)
    with pytest.raises(ValueError, match="zero"):
        mb.simple_noise_scale(np.array([0.0, 1.0]), np.array([1.0, 3.0]),
                              1.0, 2.0)
    with pytest.raises(ValueError, match="target"):
        mb.steps_to_target([1.0, 0.5], 0)


@pytest.mark.parametrize("lr, m", [(0.05, 1), (0.2, 1), (0.2, 4)])
def test_stationary_excess_matches_simulation(xy, lr, m):
    x, y = xy
    b, w = gdlab.closed_form(x, y)
    runs = mb.sgd_excess(x, y, b, w, [lr], m, 6000, range(20),
                         sampling="replacement")[0, :, 1000:]
    assert mb.stationary_excess(x, y, lr, m) == pytest.approx(
        runs.mean(), rel=0.06)


def test_stationary_excess_small_lr_limit(xy):
    x, y = xy
    g = mb.per_sample_gradients(x, y, *gdlab.closed_form(x, y))
    first_order = (g ** 2).sum(axis=1).mean() / 4   # tr Sigma_* / 4
    for m in (1, 3):
        assert mb.stationary_excess(x, y, 1e-5, m) == pytest.approx(
            1e-5 / m * first_order, rel=1e-4)


@pytest.mark.parametrize("m", [1, 2])
def test_stationary_excess_against_all_batches(xy, m):
    # brute force: average one SGD step over every ordered batch of m
    # samples, iterate the second moments from P = 0 to their fixed point
    x, y = xy
    lr, n = 0.2, len(x)
    X = np.hstack([np.ones_like(x), x])
    g = mb.per_sample_gradients(x, y, *gdlab.closed_form(x, y))
    batches = np.stack(np.meshgrid(*[np.arange(n)] * m), -1).reshape(-1, m)
    # d' = (I - lr H_B) d - lr g_B with H_B, g_B the batch means
    H_B = np.mean([2 * X[b][:, :, None] * X[b][:, None, :]
                   for b in batches.T], axis=0)            # (n^m, 2, 2)
    g_B = np.mean([g[b] for b in batches.T], axis=0)       # (n^m, 2)
    step = np.eye(2) - lr * H_B
    # P' = mean_B step P step^T + noise; the mean over batches does not
    # depend on P, so it is taken once, as a (4, 4) map on P flattened
    S = np.einsum("bij,bkl->ikjl", step, step).reshape(4, 4) / len(batches)
    noise = (lr ** 2 * g_B.T @ g_B / len(batches)).ravel()
    P = np.zeros(4)
    for _ in range(800):                           # contracts ~6 % a step
        P = S @ P + noise
    P = P.reshape(2, 2)
    H = 2 * X.T @ X / n
    assert mb.stationary_excess(x, y, lr, m) == pytest.approx(
        np.trace(H @ P) / 2, rel=1e-8)


def test_stationary_excess_rejects_unstable_rate(xy):
    x, y = xy
    with pytest.raises(ValueError, match="too large"):
        mb.stationary_excess(x, y, 0.9, 1)
    with pytest.raises(ValueError, match="lr"):
        mb.stationary_excess(x, y, 0.0, 1)
