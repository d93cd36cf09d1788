"""Lesson 05, convolution as matrix multiplication: the sparsity of W and its transpose as the input
gradient.
"""

from __future__ import annotations

from typing import Any

import torch

from ..correlation import output_shape
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
        raise ValueError(f"kernel_shape: {kernel_shape} does not fit in input_shape {input_shape}.")
    exercise = f"non-zeros of W ({n_h}×{n_w} input, {k_h}×{k_w} kernel)"
    truth = out_h * out_w * k_h * k_w

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a whole number (how many entries)")
        if value == truth:
            return True, (f"One row per output pixel ({out_h}·{out_w}), each holding the {k_h * k_w} kernel weights: "
                          f"{value / (out_h * out_w * n_h * n_w):.1%} of W. A fully connected layer from the same "
                          f"input to the same output would need all {out_h * out_w * n_h * n_w:,} as separate weights.")
        slips = {
            k_h * k_w: "That is the number of distinct weights. Each of them appears many times in W: how many?",
            out_h * out_w * n_h * n_w: ("That is every entry of W. Most of a row is zero: only the "
                                        "window's pixels count."),
            n_h * n_w * k_h * k_w: "W has one row per output pixel, not per input pixel.",
            (n_h - k_h) * (n_w - k_w) * k_h * k_w: "Off by one in the output size: it is n − k + 1 along each axis.",
        }
        return False, slips.get(value, "Count the rows of W (one per output pixel) and the non-zeros in each row.")

    return _run(exercise, "a number", answer, judge)


_GRADIENT_CASES = [((4, 4), (2, 2)), ((5, 6), (3, 2)), ((3, 7), (1, 3)), ((6, 3), (3, 1)), ((5, 5), (5, 5))]


def check_input_gradient(answer: Any) -> CheckResult:
    """Lesson 05: a function ``f(G, K)`` returning the gradient with respect to the input ``X``.

    ``G`` is the gradient of the loss with respect to ``Y = corr2d(X, K)``; the answer must equal
    ``W.T @ G.flatten()`` reshaped to X's shape, i.e. what autograd puts in ``X.grad``, on five
    shapes.  The exercise asks for it as a full convolution (zero-pad G, convolve with K), which
    is what a convolutional layer's backward pass computes.  Hints: wrong shape, kernel not flipped.
    """
    exercise = "gradient with respect to the input"

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(f"Expected a function f(G, K) that returns the gradient; got {_kind(answer)}.")
        generator = _generator(7)
        for out, kernel_shape in _GRADIENT_CASES:
            shape = (out[0] + kernel_shape[0] - 1, out[1] + kernel_shape[1] - 1)
            G = torch.randn(out, generator=generator, dtype=torch.float64)
            kernel = torch.randn(kernel_shape, generator=generator, dtype=torch.float64)
            truth = (conv_matrix(shape, kernel).T @ G.reshape(-1)).reshape(shape)
            call = f"G of shape {out} and K of shape {kernel_shape}"
            grad = _tensor_result(_call(answer, G.clone(), kernel.clone()), call)
            if tuple(grad.shape) != shape and grad.numel() == shape[0] * shape[1]:
                return False, (f"For {call} your function returns shape {tuple(grad.shape)}; the gradient has X's "
                               "shape: reshape it.")
            if tuple(grad.shape) != shape:
                return False, (f"For {call} your function returns shape {tuple(grad.shape)}; the gradient has X's "
                               f"shape, (out_h + k_h − 1)×(out_w + k_w − 1) = {_shape_text(shape)}.")
            if torch.allclose(grad, truth, atol=1e-6, rtol=1e-6):
                continue
            unflipped = (conv_matrix(shape, torch.flip(kernel, dims=(0, 1))).T @ G.reshape(-1)).reshape(shape)
            if torch.allclose(grad, unflipped, atol=1e-6, rtol=1e-6):
                return False, (f"For {call} the kernel is the wrong way round: the input gradient is a full "
                               "convolution of G with K, which cross-correlates the zero-padded G with K flipped.")
            return False, f"For {call} your gradient differs from X.grad (compare them with autograd)."
        return True, ("Your function equals W.T @ G for every shape tried: sending a gradient back through a "
                      "convolution is a full convolution with the same kernel (a transposed convolution).")

    return _run(exercise, "a function f(G, K) that returns the gradient with respect to X", answer, judge)
