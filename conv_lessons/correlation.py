"""Two-dimensional cross-correlation (互相关) and convolution (卷积), three ways.

* :func:`corr2d` is the chapter's double loop: slide the kernel window over the input, multiply
  elementwise, sum.  It is written to be read, not to be fast: it checks its arguments, then runs
  the book's code as printed (:func:`conv_lessons.chapter.corr2d`), which is what
  ``show_source(corr2d)`` shows.
* :func:`corr2d_fast` gives the same numbers with no Python loop over output positions: it loops
  over the kernel's few offsets instead and adds shifted copies of the whole input.
* :func:`convolve2d` is true convolution: cross-correlation with the kernel flipped in both axes.
"""

from __future__ import annotations

from typing import Any

import torch

from . import chapter
from .i18n import text
from .source import shows
from .validation import as_matrix, as_size_pair, check_fits, check_loop, message

__all__ = ["corr2d", "corr2d_fast", "convolve2d", "output_shape"]


def _input_and_kernel(X: Any, K: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate ``X`` and ``K`` together and give them one common floating dtype."""
    X = as_matrix(X, "X")
    K = as_matrix(K, "K")
    check_fits(X, K)
    dtype = torch.promote_types(X.dtype, K.dtype)
    return X.to(dtype), K.to(dtype)


def output_shape(input_shape: Any, kernel_shape: Any) -> tuple[int, int]:
    """The output shape of a 'valid' cross-correlation: (n_h − k_h + 1, n_w − k_w + 1).

    Both shapes are (height, width) pairs (an int ``n`` means ``(n, n)``); the kernel must fit.
    """
    n_h, n_w = as_size_pair(input_shape, "input_shape")
    k_h, k_w = as_size_pair(kernel_shape, "kernel_shape")
    if k_h > n_h or k_w > n_w:
        raise ValueError(message("kernel_shape", text("correlation.kernel_shape", size=f"{n_h}×{n_w}"), str((k_h, k_w)),
                                 text("validation.fits.fix")))
    return n_h - k_h + 1, n_w - k_w + 1


@shows(chapter.corr2d)
def corr2d(X: Any, K: Any) -> torch.Tensor:
    """Compute 2-D cross-correlation the chapter's way, one output element at a time.

    ``Y[i, j]`` is the sum of the elementwise product of ``K`` with the window of ``X`` whose
    top-left corner is ``(i, j)``; the window moves left to right, then top to bottom.  The
    arguments are checked first; then the book's loop runs as printed, filling the book's
    ``torch.zeros``, so the result is float32 like the book's.  Returns a tensor of shape
    (n_h − k_h + 1, n_w − k_w + 1).  The loop runs once per output element, at most
    :data:`~conv_lessons.validation.LOOP_BUDGET` times; :func:`corr2d_fast` has no such limit.

    >>> corr2d(torch.tensor([[0., 1, 2], [3, 4, 5], [6, 7, 8]]), torch.tensor([[0., 1], [2, 3]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    X, K = _input_and_kernel(X, K)
    out_h, out_w = output_shape(tuple(X.shape), tuple(K.shape))
    check_loop("X", text("correlation.loop.given", input=tuple(X.shape), kernel=tuple(K.shape)), out_h * out_w,
               text("correlation.loop.windows"), text("correlation.loop.fix"))
    return chapter.corr2d(X, K)


def corr2d_fast(X: Any, K: Any) -> torch.Tensor:
    """Compute the same cross-correlation as :func:`corr2d` with whole-image operations.

    Instead of visiting each output position, visit each kernel offset ``(i, j)`` (there are only
    k_h·k_w of them) and add ``K[i, j]`` times the input shifted by that offset.  Differentiable
    in both ``X`` and ``K``.  Returns a tensor of shape (n_h − k_h + 1, n_w − k_w + 1).
    """
    X, K = _input_and_kernel(X, K)
    h, w = K.shape
    out_h, out_w = output_shape(tuple(X.shape), (h, w))
    check_loop("K", text("correlation.fast_loop.given", shape=(h, w)), h * w, text("correlation.fast_loop.weights"),
               text("correlation.fast_loop.fix"))
    if torch.is_grad_enabled() and K.requires_grad:
        # Keep K[i, j] as a tensor so autograd can send a gradient back to the kernel.
        Y = X[0:out_h, 0:out_w] * K[0, 0]
        for i in range(h):
            for j in range(w):
                if i or j:
                    Y = Y.addcmul(X[i:i + out_h, j:j + out_w], K[i, j])
        return Y
    weights = K.tolist()  # plain floats: the in-place add with a scalar is the fastest path
    Y = X[0:out_h, 0:out_w] * weights[0][0]
    for i in range(h):
        for j in range(w):
            if i or j:
                Y.add_(X[i:i + out_h, j:j + out_w], alpha=weights[i][j])
    return Y


def convolve2d(X: Any, K: Any) -> torch.Tensor:
    """Compute true 2-D convolution: cross-correlate ``X`` with ``K`` flipped in both axes.

    For a symmetric kernel the two agree; for [[1, −1]] they differ by a sign.  Returns a tensor
    of shape (n_h − k_h + 1, n_w − k_w + 1).
    """
    X, K = _input_and_kernel(X, K)
    return corr2d_fast(X, torch.flip(K, dims=(0, 1)))
