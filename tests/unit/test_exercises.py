import numpy as np
import pytest

import gdlab
from gdlab import exercises

data = gdlab.linear_data()


def test_checkers_accept_right_answers():
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    exercises.check_least_squares_line(b, w, data.x_train, data.y_train)
    exercises.check_stable_lr(0.81, data.x_train)      # 2/lambda ~ 0.806
    mse = float(np.mean((b + w * data.x_val - data.y_val) ** 2))
    exercises.check_mse(mse, data.x_val, data.y_val, b, w)


def test_checkers_reject_wrong_answers_with_a_message():
    with pytest.raises(AssertionError, match=r"\(b, w\): expected"):
        exercises.check_least_squares_line(1.0, 2.0, data.x_train,
                                           data.y_train)
    with pytest.raises(AssertionError, match="largest stable"):
        exercises.check_stable_lr(0.5, data.x_train)
    with pytest.raises(AssertionError, match="expected shape"):
        exercises.check_close("v", [1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="answer must be > 0"):
        exercises.check_stable_lr(-1.0, data.x_train)


def test_largest_stable_lr_matches_divergence_by_experiment():
    lr = exercises.largest_stable_lr(data.x_train)
    gdlab.gradient_descent(data.x_train, data.y_train, 0, 0,
                           lr=0.98 * lr, n_epochs=300)
    with pytest.raises(gdlab.DivergenceError):
        gdlab.gradient_descent(data.x_train, data.y_train, 0, 0,
                               lr=1.05 * lr, n_epochs=300)
