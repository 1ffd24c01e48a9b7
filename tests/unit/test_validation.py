"""Property-based checks: bad input gets a named error, never a NaN."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab

data = gdlab.linear_data(n=20)
bad_floats = st.sampled_from([np.nan, np.inf, -np.inf])


@given(bad=bad_floats, row=st.integers(0, 19), which=st.sampled_from("xy"))
@settings(max_examples=30, deadline=None)
def test_non_finite_data_is_refused(bad, row, which):
    x, y = data.x.copy(), data.y.copy()
    (x if which == "x" else y)[row, 0] = bad
    for call in (lambda: gdlab.mse_gradients(x, y, 0.0, 0.0),
                 lambda: gdlab.closed_form(x, y),
                 lambda: gdlab.mse_surface(x, y, 0.0, 0.0),
                 lambda: gdlab.gradient_descent(x, y, 0.0, 0.0, n_epochs=1)):
        with pytest.raises(ValueError, match=f"{which} contains 1 NaN"):
            call()


@given(n_rows=st.integers(1, 5), n_cols=st.integers(2, 4))
@settings(max_examples=20, deadline=None)
def test_wide_features_are_refused(n_rows, n_cols):
    with pytest.raises(ValueError, match=r"shape \(N, 1\)"):
        gdlab.mse_gradients(np.zeros((n_rows, n_cols)), np.zeros(n_rows),
                            0.0, 0.0)


@given(value=st.one_of(st.text("0123456789.eE+-nafi ", max_size=3),
                       st.none(),
                       st.just([["a"]]), st.just(np.array([1 + 2j]))))
@settings(max_examples=20, deadline=None)
def test_non_numeric_arrays_are_type_errors(value):
    with pytest.raises(TypeError, match="x must"):
        gdlab.closed_form(value, [1.0])


@given(lr=st.one_of(st.floats(max_value=0.0), st.just(np.inf),
                   st.just(np.nan)))
@settings(max_examples=30, deadline=None)
def test_learning_rate_outside_range(lr):
    with pytest.raises(ValueError, match="lr must be"):
        gdlab.gradient_descent(data.x, data.y, 0.0, 0.0, lr=lr, n_epochs=1)


@given(lr=st.one_of(st.floats(0.01, 1e6), st.floats(1e300, 1e308)))
@settings(max_examples=25, deadline=None)
def test_descent_either_finishes_finite_or_reports_divergence(lr):
    try:
        traj = gdlab.gradient_descent(data.x, data.y, 0.0, 0.0, lr=lr,
                                      n_epochs=20)
    except gdlab.DivergenceError as err:
        assert "smaller learning rate" in str(err)
    else:
        assert np.all(np.isfinite(traj.params))
        assert np.all(np.isfinite(traj.losses))


def test_empty_and_boolean_inputs():
    with pytest.raises(ValueError, match="empty"):
        gdlab.closed_form(np.zeros((0, 1)), np.zeros((0, 1)))
    with pytest.raises(TypeError, match="dtype bool"):
        gdlab.closed_form(np.array([True, False]), [1.0, 2.0])
    with pytest.raises(ValueError, match="dimensions"):
        gdlab.closed_form(np.zeros((2, 1, 1)), np.zeros(2))
    with pytest.raises(TypeError, match="b must be a real number"):
        gdlab.mse_gradients(data.x, data.y, True, 0.0)
    grad = gdlab.mse_gradients(data.x, data.y, np.array([0.5]), 0.0)
    assert np.isfinite(grad).all()


@given(b=st.floats(1e155, 1e308), sign=st.sampled_from([-1, 1]))
@settings(max_examples=20, deadline=None)
def test_overflow_is_an_error_not_inf(b, sign):
    with pytest.raises(ValueError, match="overflowed"):
        gdlab.mse_surface(data.x, data.y, sign * b, 0.0)
    with pytest.raises(ValueError, match="overflowed"):
        gdlab.mse_gradients(data.x, data.y, sign * 1.7e308, sign * 1.7e308)


def test_dimension_errors_name_the_allowed_counts():
    from gdlab.validation import as_float_array
    with pytest.raises(ValueError, match="must have 0 to 7 dimensions"):
        as_float_array("b", np.zeros((1,) * 9), ndim=range(0, 8))
    with pytest.raises(ValueError, match=r"must have 1 or 2 dimensions, got "
                                         r"shape \(1, 1, 1\)"):
        as_float_array("x", np.zeros((1, 1, 1)))
