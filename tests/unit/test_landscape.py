import numpy as np
import pytest
import torch

import gdlab


@pytest.fixture
def data():
    return gdlab.linear_data()


def loop_mse(x, y, bs, ws):
    """Reference: one Python loop iteration per grid point."""
    out = np.empty(bs.shape)
    for idx in np.ndindex(bs.shape):
        out[idx] = np.mean((bs[idx] + ws[idx] * x - y) ** 2)
    return out


def test_grid_equals_a_loop(data):
    bs, ws = gdlab.param_grid((-2, 4), (-1, 5), n=21)
    got = gdlab.mse_surface(data.x_train, data.y_train, bs, ws)
    np.testing.assert_allclose(got, loop_mse(data.x_train, data.y_train,
                                             bs, ws), rtol=1e-12)


def test_grid_layout_is_meshgrid_order():
    bs, ws = gdlab.param_grid((0, 1), (10, 20), n=5)
    assert bs.shape == ws.shape == (5, 5)
    np.testing.assert_array_equal(bs[0], np.linspace(0, 1, 5))
    np.testing.assert_array_equal(ws[:, 0], np.linspace(10, 20, 5))


def test_cross_section_broadcasts_a_scalar(data):
    ws = np.linspace(-1, 5, 11)
    section = gdlab.mse_surface(data.x, data.y, 1.0, ws)
    full = gdlab.mse_surface(data.x, data.y, np.ones_like(ws), ws)
    np.testing.assert_array_equal(section, full)


def test_minimum_of_grid_is_near_least_squares(data):
    bs, ws = gdlab.param_grid((0, 2), (1, 3), n=201)
    losses = gdlab.mse_surface(data.x_train, data.y_train, bs, ws)
    i, j = np.unravel_index(np.argmin(losses), losses.shape)
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    assert abs(bs[i, j] - b) <= 0.01 and abs(ws[i, j] - w) <= 0.01


@pytest.mark.parametrize("b_range, error, words", [
    ((1, 1), ValueError, "empty"),
    ((2, 1), ValueError, "low < high"),
    ((0, np.inf), ValueError, "finite"),
    (3, TypeError, "pair"),
])
def test_bad_ranges(b_range, error, words):
    with pytest.raises(error, match=words):
        gdlab.param_grid(b_range, (0, 1))


def test_bad_surface_inputs(data):
    with pytest.raises(ValueError, match="same number of rows"):
        gdlab.mse_surface(data.x, data.y[:-1], 0.0, 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        gdlab.mse_surface(data.x, data.y, np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="NaN or infinite"):
        gdlab.mse_surface(data.x, data.y, np.nan, 0.0)
    with pytest.raises(ValueError, match="single column"):
        gdlab.mse_surface(np.zeros((5, 2)), np.zeros(5), 0.0, 0.0)
    with pytest.raises(ValueError, match="coarser grid"):
        big = np.zeros((1000, 1000))
        gdlab.mse_surface(np.zeros(100), np.zeros(100), big, big)


def test_objective_grid_matches_pointwise_calls():
    f = gdlab.functions.Rosenbrock()
    xs, ys, values = gdlab.landscape.objective_grid(f, (-2, 2), (-1, 3), 9)
    assert values.shape == (9, 9)
    point = torch.tensor([xs[3, 5], ys[3, 5]], dtype=torch.float64)
    assert values[3, 5] == pytest.approx(float(f(point)))


def test_optimizer_path_equals_a_manual_loop():
    f = gdlab.functions.Quadratic(condition=10)
    path = gdlab.landscape.optimizer_path(f, torch.optim.SGD, (1.0, 1.0),
                                          20, lr=0.05, momentum=0.5)
    x = torch.tensor([1.0, 1.0], dtype=torch.float64)
    v = torch.zeros(2, dtype=torch.float64)
    for k in range(20):
        g = f.grad(x)
        v = g if k == 0 else 0.5 * v + g
        x = x - 0.05 * v
    assert path.shape == (21, 2)
    np.testing.assert_allclose(path[-1], x.numpy(), rtol=1e-12)


def test_optimizer_path_reports_divergence():
    f = gdlab.functions.Quadratic(condition=10)
    with pytest.raises(gdlab.DivergenceError, match="smaller learning"):
        gdlab.landscape.optimizer_path(f, torch.optim.SGD, (1.0, 1.0),
                                       2000, lr=0.5)
    with pytest.raises(ValueError, match="pair"):
        gdlab.landscape.optimizer_path(f, torch.optim.SGD, (1.0, 1.0, 0.0),
                                       5, lr=0.1)
