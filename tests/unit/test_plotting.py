import matplotlib.pyplot as plt
import numpy as np
import pytest

import gdlab


@pytest.fixture
def grid():
    data = gdlab.linear_data()
    bs, ws = gdlab.param_grid((-1, 3), (0, 4), n=31)
    return bs, ws, gdlab.mse_surface(data.x, data.y, bs, ws)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_contour_and_path_share_the_given_axes(grid):
    fig, ax = plt.subplots()
    assert gdlab.plot_contour(*grid, ax=ax) is fig
    params = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 2.0]])
    assert gdlab.plot_path(params, ax=ax, label="gd") is fig
    path = [line for line in ax.lines if line.get_label() == "gd"][0]
    np.testing.assert_array_equal(path.get_xdata(), params[:, 0])
    assert len(ax.collections) > 0          # contour lines were drawn


def test_surface_needs_3d_axes(grid):
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="3-D axes"):
        gdlab.plot_surface(*grid, ax=ax)
    fig = gdlab.plot_surface(*grid)
    assert fig.axes[0].name == "3d"


def test_losses_and_tangent(grid):
    fig = gdlab.plot_losses({"a": [3.0, 2.0, 1.0], "b": [1.0, 0.5, 0.2]})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    gdlab.plot_tangent(1.0, 2.0, 3.0, ax=ax, half_width=1.0)
    np.testing.assert_allclose(ax.lines[-2].get_ydata(), [-1.0, 5.0])


def test_mismatched_grid_is_refused(grid):
    bs, ws, losses = grid
    with pytest.raises(ValueError, match="share one 2-D shape"):
        gdlab.plot_contour(bs, ws[:-1], losses)
    with pytest.raises(ValueError, match="two columns"):
        gdlab.plot_path(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="non-empty dict"):
        gdlab.plot_losses([1, 2, 3])
    with pytest.raises(ValueError, match="NaN or infinite"):
        gdlab.plot_losses({"diverged": [1.0, np.inf]})


def test_importing_changes_no_global_style():
    import importlib

    before = dict(plt.rcParams)
    importlib.reload(gdlab.plotting)
    assert dict(plt.rcParams) == before
