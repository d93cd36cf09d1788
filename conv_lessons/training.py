"""Learning a kernel from data: the chapter's training loop, plus when and why it diverges."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .correlation import output_shape
from .i18n import text
from .matrix import im2col
from .validation import (
    LOOP_BUDGET,
    as_matrix,
    as_nonnegative_int,
    as_positive_float,
    as_positive_int,
    as_seed,
    as_size_pair,
    check_fits,
    check_loop,
    check_memory,
    explain,
    message,
)

__all__ = ["learn_kernel", "stable_lr_limit", "loss_hessian", "DivergenceWarning"]

Callback = Callable[[int, float, torch.Tensor], Any]


class DivergenceWarning(RuntimeWarning):
    """Training made the loss grow (or overflow): the learning rate is too large for this data."""


def loss_hessian(X: Any, kernel_size: Any = (1, 2)) -> torch.Tensor:
    """The curvature (Hessian) H = 2 PᵀP of the chapter's loss Σ (Ŷ − Y)² in the kernel weights.

    Each row of P is one kernel-sized window of ``X`` (flattened, see :func:`~conv_lessons.im2col`),
    so Ŷ = P·w and the loss is the quadratic bowl ‖P·w − y‖², the same shape wherever the weights
    are.  Returns a float64 (k_h·k_w)×(k_h·k_w) tensor; it does not depend on Y.
    """
    X = as_matrix(X, "X").detach()
    kernel_size = as_size_pair(kernel_size, "kernel_size")
    check_fits(X, kernel_size, k_name="kernel_size")
    _check_hessian(kernel_size)
    P = im2col(X.to(torch.float64), kernel_size).T
    return 2 * P.T @ P


def _check_hessian(kernel_size: tuple[int, int]) -> None:
    weights = kernel_size[0] * kernel_size[1]
    check_memory("kernel_size", repr(kernel_size), 8 * weights * weights,
                 text("training.hessian", weights=f"{weights:,}"), text("validation.fix.smaller_kernel"))


def stable_lr_limit(X: Any, kernel_size: Any = (1, 2)) -> float:
    """The largest learning rate for which the chapter's gradient descent can converge on ``X``.

    The loss Σ (window · w − y)² is a quadratic bowl in the kernel weights ``w`` with constant
    curvature H (:func:`loss_hessian`).  Gradient descent multiplies the error along H's steepest
    direction by (1 − lr·λ_max) each epoch, so it shrinks only while lr < 2 / λ_max.  Returns that
    bound (``inf`` for an all-zero image).
    """
    largest = float(torch.linalg.eigvalsh(loss_hessian(X, kernel_size))[-1])
    return math.inf if largest <= 0 else 2.0 / largest


def learn_kernel(
    X: Any,
    Y: Any,
    kernel_size: Any = (1, 2),
    lr: float = 3e-2,
    num_epochs: int = 10,
    *,
    seed: int | None = None,
    callback: Callback | None = None,
    print_every: int | None = None,
) -> tuple[nn.Conv2d, list[float]]:
    """Learn the kernel that turns ``X`` into ``Y`` by gradient descent, as the chapter does.

    ``X`` and ``Y`` are 2-D images, or the book's 4-D tensors of shape (1, 1, h, w) (example,
    channel, height, width); ``num_epochs`` is at most the package's loop budget (100,000).

    Builds ``nn.Conv2d(1, 1, kernel_size, bias=False)`` and, for each epoch, computes the summed
    squared error between its output and ``Y``, zeroes the gradient, back-propagates and steps:
    ``weight.data -= lr * weight.grad``.  ``seed`` (optional) fixes the random starting kernel
    without touching the global random state; otherwise ``torch.manual_seed`` does.  After each
    epoch ``callback(epoch, loss, weight)`` is called if given (``weight`` is a detached
    (k_h, k_w) copy); ``print_every=2`` prints the chapter's ``epoch 2, loss …`` lines.

    Returns ``(layer, losses)``: the trained layer and the loss of every epoch (measured before
    that epoch's update).  Warns with :class:`DivergenceWarning` if the loss grows or overflows.
    """
    X, Y, kernel_size = _training_data(X, Y, kernel_size)
    lr, num_epochs, seed, print_every = _training_settings(lr, num_epochs, seed, callback, print_every)

    if seed is None:
        conv2d = nn.Conv2d(1, 1, kernel_size=kernel_size, bias=False)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.default_generator.manual_seed(seed)  # seeds the CPU generator only
            conv2d = nn.Conv2d(1, 1, kernel_size=kernel_size, bias=False)
    X4 = X.to(conv2d.weight.dtype).reshape((1, 1) + tuple(X.shape))
    Y4 = Y.to(conv2d.weight.dtype).reshape((1, 1) + tuple(Y.shape))
    losses: list[float] = []
    for i in range(num_epochs):
        Y_hat = conv2d(X4)
        l = (Y_hat - Y4) ** 2
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        losses.append(l.sum().item())
        if print_every and (i + 1) % print_every == 0:
            print(f"epoch {i + 1}, loss {losses[-1]:.3f}")
        if callback is not None:
            callback(i + 1, losses[-1], conv2d.weight.detach()[0, 0].clone())
    _warn_if_diverged(losses, lr, X, kernel_size)
    return conv2d, losses


def _book_image(value: Any, name: str) -> torch.Tensor:
    """A 2-D image; the book's 4-D (1, 1, h, w) tensors (example, channel, height, width) are accepted too."""
    if isinstance(value, torch.Tensor) and value.dim() == 4 and tuple(value.shape[:2]) == (1, 1):
        value = value[0, 0]
    return as_matrix(value, name).detach()


def _training_data(X: Any, Y: Any, kernel_size: Any) -> tuple[torch.Tensor, torch.Tensor, tuple[int, int]]:
    """Check the chapter's data: X and Y finite 2-D images (or the book's (1, 1, h, w) tensors), Y the size
    a ``kernel_size`` kernel makes of X."""
    X = _book_image(X, "X")
    Y = _book_image(Y, "Y")
    kernel_size = as_size_pair(kernel_size, "kernel_size")
    check_fits(X, kernel_size, k_name="kernel_size")
    expected = output_shape(tuple(X.shape), kernel_size)
    if tuple(Y.shape) != expected:
        raise ValueError(explain("Y", "training.y_shape", expected=expected,
                                 kernel=f"{kernel_size[0]}×{kernel_size[1]}", x_shape=tuple(X.shape),
                                 y_shape=tuple(Y.shape)))
    return X, Y, kernel_size


def _training_settings(lr: Any, num_epochs: Any, seed: Any, callback: Any,
                       print_every: Any) -> tuple[float, int, int | None, int | None]:
    """Check the learning rate, the number of epochs (within the loop budget), the seed and the callbacks."""
    lr = as_positive_float(lr, "lr")
    num_epochs = as_nonnegative_int(num_epochs, "num_epochs")
    check_loop("num_epochs", repr(num_epochs), num_epochs, text("training.epochs"),
               text("training.epochs_fix", budget=f"{LOOP_BUDGET:,}"))
    if print_every is not None:
        print_every = as_positive_int(print_every, "print_every")
    if seed is not None:
        seed = as_seed(seed, "seed")
    if callback is not None and not callable(callback):
        raise TypeError(message("callback", text("training.callback"), repr(callback)))
    return lr, num_epochs, seed, print_every


def _warn_if_diverged(losses: list[float], lr: float, X: torch.Tensor, kernel_size: tuple[int, int]) -> None:
    if not losses:
        return
    overflowed = not all(math.isfinite(value) for value in losses)
    grew = len(losses) > 1 and losses[-1] > losses[0]
    if not (overflowed or grew):
        return
    if overflowed:
        what = text("training.diverged.overflowed")
    else:
        what = text("training.diverged.grew", first=f"{losses[0]:.4g}", last=f"{losses[-1]:.4g}")
    try:
        limit = stable_lr_limit(X, kernel_size)
    except ValueError:  # a kernel too large for its Hessian within the memory budget: no bound to give
        advice = text("training.diverged.smaller_lr")
    else:
        advice = text("training.diverged.limit", limit=f"{limit:.4g}", half=f"{limit / 2:.2g}")
    warnings.warn(text("training.diverged", lr=f"{lr:g}", what=what, advice=advice), DivergenceWarning, stacklevel=3)
