"""Padding (填充) and stride (步幅): a preview of the next chapter.

A 'valid' cross-correlation shrinks the image: an n-pixel axis and a k-pixel kernel leave
n − k + 1 outputs, because the window must stay inside the image.  *Padding* adds p pixels on
each side first, so the window may hang over the border; *stride* moves the window s pixels at a
time instead of 1.  Together they give, on each axis,

    output = ⌊(n − k + 2p) / s⌋ + 1.

What the added border pixels hold is the *padding mode* (PyTorch's ``padding_mode`` names):

* ``"zeros"``: zeros (black) — the usual choice;
* ``"replicate"``: copies of the nearest edge pixel;
* ``"reflect"``: the image mirrored at its edge, without repeating the edge pixel (so at most
  n − 1 pixels can be added);
* ``"circular"``: the image wrapped around, as if it tiled the plane (at most n pixels).

:func:`pad2d` builds the padded image with plain index arithmetic (each padded row/column says
which input row/column it copies), so it can be read and checked against ``torch.nn.functional.pad``.
"""

from __future__ import annotations

from typing import Any

import torch

from .correlation import corr2d_fast
from .i18n import text
from .validation import as_choice, as_matrix, as_nonnegative_int, as_positive_int, check_memory, describe, message

__all__ = ["PADDING_MODES", "pad2d", "corr2d_padded", "conv_output_size", "conv_output_shape", "padding_limit"]

PADDING_MODES: tuple[str, ...] = ("zeros", "replicate", "reflect", "circular")


def _pair(value: Any, name: str, convert: Any) -> tuple[int, int]:
    """An int ``p`` → ``(p, p)``; a pair ``(a, b)`` → ``(a, b)``, each converted by ``convert``."""
    if isinstance(value, (tuple, list, torch.Size)):
        if len(value) != 2:
            raise TypeError(message(name, text("padding.pair"), describe(value)))
        return convert(value[0], f"{name}[0]"), convert(value[1], f"{name}[1]")
    number = convert(value, name)
    return number, number


def _mode(mode: Any) -> str:
    return as_choice(mode, "mode", PADDING_MODES, text("padding.mode_fix"))


def padding_limit(n: int, mode: str) -> int | None:
    """The largest padding an axis of ``n`` pixels allows in ``mode`` (``None``: no limit).

    Reflect mirrors the image without repeating its edge pixel, so it has only n − 1 pixels to
    mirror; circular wraps the whole image around once, so at most n.
    """
    n = as_positive_int(n, "n")
    return {"zeros": None, "replicate": None, "reflect": n - 1, "circular": n}[_mode(mode)]


def _check_padding(n: int, p: int, mode: str, axis: str) -> None:
    limit = padding_limit(n, mode)
    if limit is not None and p > limit:
        expected = text(f"padding.limit.{axis}", limit=limit, mode=repr(mode), n=n)
        fix = text(f"padding.limit.fix_{mode}", invalid=text("padding.invalid_setup"), limit=limit)
        raise ValueError(message("padding", expected, str(p), fix))


def _source_index(n: int, p: int, mode: str) -> torch.Tensor:
    """For each of the n + 2p padded positions, the input position it copies (−1: a zero)."""
    i = torch.arange(-p, n + p)
    if mode == "zeros":
        return torch.where((i >= 0) & (i < n), i, -1)
    if mode == "replicate":
        return i.clamp(0, n - 1)
    if mode == "reflect":  # ... 2 1 | 0 1 2 ... n−1 | n−2 n−3 ...
        i = i.abs()
        return torch.where(i > n - 1, 2 * (n - 1) - i, i)
    return i % n  # circular


def pad2d(X: Any, padding: Any = 1, mode: str = "zeros") -> torch.Tensor:
    """Return ``X`` with ``padding`` pixels added on every side, filled according to ``mode``.

    ``padding`` is one whole number (all four sides) or a ``(p_h, p_w)`` pair (p_h rows on top and
    bottom, p_w columns left and right).  ``mode`` is one of :data:`PADDING_MODES`.  An
    (n_h, n_w) input becomes (n_h + 2p_h, n_w + 2p_w).  Differentiable in ``X``.
    """
    X = as_matrix(X, "X")
    p_h, p_w = _pair(padding, "padding", as_nonnegative_int)
    mode = _mode(mode)
    n_h, n_w = X.shape
    _check_padding(n_h, p_h, mode, "height")
    _check_padding(n_w, p_w, mode, "width")
    out_h, out_w = n_h + 2 * p_h, n_w + 2 * p_w
    check_memory("padding", repr(padding), out_h * out_w * X.element_size(),
                 text("padding.memory.what", shape=f"{out_h}×{out_w}", dtype=str(X.dtype).removeprefix("torch.")),
                 text("padding.memory.fix"))
    rows, cols = _source_index(n_h, p_h, mode), _source_index(n_w, p_w, mode)
    if mode != "zeros":
        return X[rows][:, cols]
    out = X.new_zeros((n_h + 2 * p_h, n_w + 2 * p_w))
    out[p_h:p_h + n_h, p_w:p_w + n_w] = X
    return out


def conv_output_size(n: int, k: int, padding: int = 0, stride: int = 1) -> int:
    """The number of outputs along one axis: ⌊(n − k + 2p) / s⌋ + 1.

    ``n`` input pixels, a ``k``-pixel kernel, ``padding`` pixels added on each side and a window
    that moves ``stride`` pixels per step.  Raises ``ValueError`` (an invalid setup) when the
    kernel does not fit in the padded input, k > n + 2p.
    """
    return _output_size(n, k, padding, stride, "k")


def _output_size(n: Any, k: Any, padding: Any, stride: Any, k_name: str) -> int:
    n = as_positive_int(n, "n")
    k = as_positive_int(k, k_name)
    p = as_nonnegative_int(padding, "padding")
    s = as_positive_int(stride, "stride")
    if k > n + 2 * p:
        raise ValueError(message(k_name, text("padding.fits.expected", n=n, p=p, padded=n + 2 * p), str(k),
                                 text("padding.fits.fix", invalid=text("padding.invalid_setup"),
                                      padding=(k - n + 1) // 2)))
    return (n - k + 2 * p) // s + 1


def conv_output_shape(input_shape: Any, kernel_shape: Any, padding: Any = 0, stride: Any = 1) -> tuple[int, int]:
    """The (height, width) of a padded, strided cross-correlation: :func:`conv_output_size` per axis.

    ``input_shape``, ``kernel_shape``, ``padding`` and ``stride`` are one whole number (the same on
    both axes) or a (height, width) pair each.
    """
    n_h, n_w = _pair(input_shape, "input_shape", as_positive_int)
    k_h, k_w = _pair(kernel_shape, "kernel_shape", as_positive_int)
    p_h, p_w = _pair(padding, "padding", as_nonnegative_int)
    s_h, s_w = _pair(stride, "stride", as_positive_int)
    return (_output_size(n_h, k_h, p_h, s_h, text("padding.kernel_height")),
            _output_size(n_w, k_w, p_w, s_w, text("padding.kernel_width")))


def corr2d_padded(X: Any, K: Any, padding: Any = 0, stride: Any = 1, mode: str = "zeros") -> torch.Tensor:
    """Cross-correlate ``X`` with ``K`` after padding ``X``, moving the window ``stride`` pixels per step.

    The same numbers as ``torch.nn.functional.conv2d`` (and ``nn.Conv2d(padding_mode=mode)``) for
    one channel.  Output (i, j) is the window whose top-left corner is padded position
    (i·s_h, j·s_w).  Returns a tensor of shape :func:`conv_output_shape`; raises ``ValueError``
    with an "Invalid setup" message when the kernel does not fit or the padding is too large for
    the mode.  Differentiable in ``X`` and ``K``.
    """
    X = as_matrix(X, "X")
    K = as_matrix(K, "K")
    p_h, p_w = _pair(padding, "padding", as_nonnegative_int)
    s_h, s_w = _pair(stride, "stride", as_positive_int)
    mode = _mode(mode)
    out_h, out_w = conv_output_shape(X.shape, K.shape, (p_h, p_w), (s_h, s_w))
    padded = pad2d(X, (p_h, p_w), mode)
    # Compute every stride-1 window, keep every s-th: simple, and cheap for the kernels used here.
    Y = corr2d_fast(padded, K)[::s_h, ::s_w]
    assert Y.shape == (out_h, out_w)
    return Y
