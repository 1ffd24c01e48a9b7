"""Checks for the book's exercises: answers against independent references.

Each checker recomputes the expected answer its own way (a closed form, a
direct formula, a brute-force search, a second route through autograd) and
raises ``AssertionError`` with a message that says what was expected, so a
reader's solution gets the same verification as the book's. The solutions
printed in the book call these checkers, so they are verified at every
build. Malformed arguments raise ``TypeError`` or ``ValueError`` instead.

The checkers are grouped by topic: :mod:`~gdlab.exercises.compare` (generic
comparisons), :mod:`~gdlab.exercises.calculus` (derivatives and autograd),
:mod:`~gdlab.exercises.regression` (least squares and its gradient
descent), :mod:`~gdlab.exercises.optimization` (optimizers, schedules and
training loops) and :mod:`~gdlab.exercises.evaluation` (classification
metrics and reproducibility).
"""

from .calculus import (check_autograd_function, check_condition_number,
                       check_convergence_order, check_derivative,
                       check_layer_grad_norms, check_logistic_gradient)
from .compare import check_close, check_less
from .evaluation import (check_best_f1_threshold, check_f1,
                         check_float32_rounding, check_seeded)
from .optimization import (check_adam_first_step, check_batch_sizes,
                           check_ewma, check_l1_oscillation,
                           check_steps_to_tolerance, check_updates,
                           check_warm_restarts)
from .regression import (check_divergence, check_excess_loss,
                         check_gradient_descent_run,
                         check_least_squares_line, check_minibatch_variance,
                         check_mse, check_mse_gradient, check_polynomial_fit,
                         check_stable_lr, largest_stable_lr)

__all__ = [
    "check_adam_first_step", "check_autograd_function", "check_batch_sizes",
    "check_best_f1_threshold", "check_close", "check_condition_number",
    "check_convergence_order", "check_derivative", "check_divergence",
    "check_ewma", "check_excess_loss", "check_f1", "check_float32_rounding",
    "check_gradient_descent_run", "check_l1_oscillation",
    "check_layer_grad_norms", "check_least_squares_line", "check_less",
    "check_logistic_gradient", "check_minibatch_variance", "check_mse",
    "check_mse_gradient", "check_polynomial_fit", "check_seeded",
    "check_stable_lr", "check_steps_to_tolerance", "check_updates",
    "check_warm_restarts",
    "largest_stable_lr",
]
