"""Self-checks for the exercises: pass your own answer, get a verdict without being told the answer.

Every check takes the learner's answer (a kernel tensor, a function, a number, a choice), prints
one line and returns a :class:`CheckResult`:

* ``✓ <exercise>: correct. …`` with why it is right;
* ``✗ <exercise>: not yet. …`` with a hint that names what is wrong (wrong shape, wrong
  direction, off by a sign, not normalised, too small …) but not the answer;
* ``✎ <exercise>: fill in your answer: replace ... with …`` when the answer is still the committed
  blank: ``...`` (Ellipsis), or a function whose body is only ``...``;
* ``✗ <exercise>: can't check this answer. …`` when the answer is the wrong kind of thing (a
  string, a ragged list, a 1-D tensor where a kernel is expected, a function that raises …).

A learner's answer never produces a traceback.  Mistakes by the notebook's author (an unknown
``case``, an impossible ``order``) do raise, so they are found when the notebook is written.

In a notebook, an exercise cell looks like this (the answer left blank when committed)::

    K = ...  # your blur kernel, e.g. torch.tensor([[...]])
    check_blur_kernel(K)

or, where the answer is a function::

    def my_corr2d_matmul(X, K):
        ...  # your code

    check_corr2d_matmul(my_corr2d_matmul)

The result is also a value: ``result.passed`` (bool; ``bool(result)`` is the same, so a solutions
notebook can ``assert check_blur_kernel(K)``), ``result.status`` (``"correct"``, ``"wrong"``,
``"blank"`` or ``"invalid"``) and ``result.message`` (the printed line, also its ``repr``).  When a
check is the last line of a notebook cell its result is not displayed a second time.

The chapter's exercises (English 7.2 / Chinese 6.2) and their checks (see :data:`CHECKS`):

==========================================  =============================================
exercise                                    check
==========================================  =============================================
diagonal edges: K, X.T, K.T                 :func:`check_diagonal_edges` (``case=``)
kernel for edges orthogonal to v            :func:`check_direction_kernel`
second-derivative kernel                    :func:`check_second_derivative`
its minimum size / size for order d         :func:`check_min_kernel_size`
blur kernel                                 :func:`check_blur_kernel`
differentiating through ``Conv2D``          :func:`check_conv2d_autograd`
cross-correlation as a matrix product       :func:`check_corr2d_matmul`
==========================================  =============================================

and for the lessons' other exercises:

==========================================  =============================================
exercise                                    check
==========================================  =============================================
01: output shape / kernel for an output     :func:`check_output_shape`, :func:`check_kernel_shape`
01: when correlation equals convolution     :func:`check_same_as_convolution`
03: largest stable / fastest learning rate  :func:`check_stable_lr`, :func:`check_fastest_lr`
04: receptive field of a stack, by hand     :func:`check_receptive_field`
04: when a stack of k×k layers is cheaper   :func:`check_cheaper_stack`
04: deepest stack that fits an image        :func:`check_deepest_stack`
05: non-zeros of W / the input gradient     :func:`check_conv_matrix_nonzeros`, :func:`check_input_gradient`
06: effective receptive field               :func:`check_erf_std`, :func:`check_erf_growth`
==========================================  =============================================
"""

from __future__ import annotations

from collections.abc import Callable

from .lesson01_cross_correlation import (
    AUTOGRAD_CHOICES,
    autograd_outcome,
    check_conv2d_autograd,
    check_corr2d_matmul,
    check_kernel_shape,
    check_output_shape,
    check_same_as_convolution,
)
from .lesson02_edge_detection import (
    check_blur_kernel,
    check_diagonal_edges,
    check_direction_kernel,
    check_min_kernel_size,
    check_second_derivative,
)
from .lesson03_learning_a_kernel import check_fastest_lr, check_stable_lr
from .lesson04_receptive_fields import check_cheaper_stack, check_deepest_stack, check_receptive_field
from .lesson05_matrix_multiplication import check_conv_matrix_nonzeros, check_input_gradient
from .lesson06_effective_receptive_fields import check_erf_growth, check_erf_std
from .verdict import CheckResult

__all__ = [
    "CheckResult",
    "CHECKS",
    "AUTOGRAD_CHOICES",
    "autograd_outcome",
    "check_diagonal_edges",
    "check_direction_kernel",
    "check_second_derivative",
    "check_min_kernel_size",
    "check_blur_kernel",
    "check_conv2d_autograd",
    "check_corr2d_matmul",
    "check_conv_matrix_nonzeros",
    "check_input_gradient",
    "check_erf_std",
    "check_erf_growth",
    "check_output_shape",
    "check_kernel_shape",
    "check_same_as_convolution",
    "check_stable_lr",
    "check_fastest_lr",
    "check_receptive_field",
    "check_cheaper_stack",
    "check_deepest_stack",
]

#: Every check by a short name: the exercise cells of lessons 01–06 call these.
CHECKS: dict[str, Callable[..., CheckResult]] = {
    "diagonal_edges": check_diagonal_edges,
    "direction_kernel": check_direction_kernel,
    "second_derivative": check_second_derivative,
    "min_kernel_size": check_min_kernel_size,
    "blur_kernel": check_blur_kernel,
    "conv2d_autograd": check_conv2d_autograd,
    "corr2d_matmul": check_corr2d_matmul,
    "conv_matrix_nonzeros": check_conv_matrix_nonzeros,
    "input_gradient": check_input_gradient,
    "erf_std": check_erf_std,
    "erf_growth": check_erf_growth,
    "output_shape": check_output_shape,
    "kernel_shape": check_kernel_shape,
    "same_as_convolution": check_same_as_convolution,
    "stable_lr": check_stable_lr,
    "fastest_lr": check_fastest_lr,
    "receptive_field": check_receptive_field,
    "cheaper_stack": check_cheaper_stack,
    "deepest_stack": check_deepest_stack,
}
