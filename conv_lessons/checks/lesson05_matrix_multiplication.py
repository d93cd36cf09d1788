"""Lesson 05, convolution as matrix multiplication: the sparsity of W and its transpose as the input
gradient.
"""

from __future__ import annotations

from typing import Any

import torch

from ..correlation import output_shape
from ..i18n import text
from ..matrix import conv_matrix
from .verdict import (
    CheckResult,
    _call,
    _generator,
    _kind,
    _number_answer,
    _Reject,
    _run,
    _shape_text,
    _tensor_result,
)

# --------------------------------------------------------------------------------------------
# Lesson 05: the matrix's sparsity, and its transpose as the input gradient
# --------------------------------------------------------------------------------------------


def check_conv_matrix_nonzeros(answer: Any, input_shape: Any = (28, 28), kernel_shape: Any = (5, 5)) -> CheckResult:
    """Lesson 05: how many entries of ``W`` can be non-zero for this input and kernel?

    Default: a 28×28 image (MNIST size) and a 5×5 kernel.  Hints recognise the usual slips:
    counting the distinct weights, all entries, one row per input pixel, or an output side of
    n − k instead of n − k + 1.
    """
    (n_h, n_w), (k_h, k_w) = (tuple(int(s) for s in input_shape), tuple(int(s) for s in kernel_shape))
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    if out_h < 1 or out_w < 1:
        raise ValueError(text("check.author.does_not_fit", name="kernel_shape", value=kernel_shape,
                              container="input_shape", shape=input_shape))
    exercise = text("check.lesson05.nonzeros.exercise", input=f"{n_h}×{n_w}", kernel=f"{k_h}×{k_w}")
    truth = out_h * out_w * k_h * k_w

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, text("check.lesson05.nonzeros.what"))
        if value == truth:
            return True, text("check.lesson05.nonzeros.correct", out_h=out_h, out_w=out_w, weights=k_h * k_w,
                              share=f"{value / (out_h * out_w * n_h * n_w):.1%}",
                              dense=f"{out_h * out_w * n_h * n_w:,}")
        slips = {
            k_h * k_w: "distinct_weights",
            out_h * out_w * n_h * n_w: "every_entry",
            n_h * n_w * k_h * k_w: "per_input_pixel",
            (n_h - k_h) * (n_w - k_w) * k_h * k_w: "off_by_one",
        }
        return False, text(f"check.lesson05.nonzeros.{slips.get(value, 'count_rows')}")

    return _run(exercise, text("check.lesson05.nonzeros.blank"), answer, judge)


_GRADIENT_CASES = [((4, 4), (2, 2)), ((5, 6), (3, 2)), ((3, 7), (1, 3)), ((6, 3), (3, 1)), ((5, 5), (5, 5))]


def check_input_gradient(answer: Any) -> CheckResult:
    """Lesson 05: a function ``f(G, K)`` returning the gradient with respect to the input ``X``.

    ``G`` is the gradient of the loss with respect to ``Y = corr2d(X, K)``; the answer must equal
    ``W.T @ G.flatten()`` reshaped to X's shape, i.e. what autograd puts in ``X.grad``, on five
    shapes.  The exercise asks for it as a full convolution (zero-pad G, convolve with K), which
    is what a convolutional layer's backward pass computes.  Hints: wrong shape, kernel not flipped.
    """
    exercise = text("check.lesson05.gradient.exercise")

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(text("check.lesson05.gradient.not_a_function", kind=_kind(answer)))
        generator = _generator(7)
        for out, kernel_shape in _GRADIENT_CASES:
            shape = (out[0] + kernel_shape[0] - 1, out[1] + kernel_shape[1] - 1)
            G = torch.randn(out, generator=generator, dtype=torch.float64)
            kernel = torch.randn(kernel_shape, generator=generator, dtype=torch.float64)
            truth = (conv_matrix(shape, kernel).T @ G.reshape(-1)).reshape(shape)
            call = text("check.lesson05.gradient.call", g_shape=out, k_shape=kernel_shape)
            grad = _tensor_result(_call(answer, G.clone(), kernel.clone()), call)
            if tuple(grad.shape) != shape and grad.numel() == shape[0] * shape[1]:
                return False, text("check.lesson05.gradient.reshape", call=call, shape=tuple(grad.shape))
            if tuple(grad.shape) != shape:
                return False, text("check.lesson05.gradient.wrong_shape", call=call, shape=tuple(grad.shape),
                                   x_shape=_shape_text(shape))
            if torch.allclose(grad, truth, atol=1e-6, rtol=1e-6):
                continue
            unflipped = (conv_matrix(shape, torch.flip(kernel, dims=(0, 1))).T @ G.reshape(-1)).reshape(shape)
            if torch.allclose(grad, unflipped, atol=1e-6, rtol=1e-6):
                return False, text("check.lesson05.gradient.not_flipped", call=call)
            return False, text("check.lesson05.gradient.differs", call=call)
        return True, text("check.lesson05.gradient.correct")

    return _run(exercise, text("check.lesson05.gradient.blank"), answer, judge)
