"""Cross-correlation (互相关) as one matrix multiplication.

A 'valid' cross-correlation of an n_h×n_w input ``X`` with a k_h×k_w kernel ``K`` is linear in
``X``, so it *is* a matrix: flatten ``X`` row by row into a vector of n_h·n_w numbers, and there
is one matrix ``W`` of shape (out_h·out_w) × (n_h·n_w) with

    W @ X.flatten() == corr2d(X, K).flatten()

Row ``r`` of ``W`` is the output pixel ``(i, j) = divmod(r, out_w)``: it holds the kernel's
k_h·k_w weights at the columns of the input pixels under that window and zeros everywhere else.
So ``W`` is mostly zeros (sparse), and the same few weights repeat row after row, shifted
(weight sharing).  Two more views of the same numbers:

* im2col: gather each window of ``X`` into a column; then ``K.flatten() @ im2col(X, K.shape)`` is
  the output, flattened: one matrix product with the (small) kernel instead of the (big) ``W``.
* The transpose: the gradient of a loss with respect to ``X`` is ``W.T @ (gradient w.r.t. Y)``,
  which is how a convolutional layer sends gradients back (and what "transposed convolution"
  means).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from .correlation import output_shape
from .i18n import text
from .validation import as_matrix, as_size_pair, check_fits, check_memory, explain

__all__ = ["conv_matrix", "corr2d_matmul", "im2col", "window_indices", "conv_matrix_counts", "ConvMatrixCounts"]


def _input_shape(input_shape: Any) -> tuple[int, int]:
    if isinstance(input_shape, torch.Tensor):
        raise TypeError(explain("input_shape", "matrix.input_shape", shape=tuple(input_shape.shape)))
    return as_size_pair(input_shape, "input_shape")


def _check_table(name: str, given: str, shape: tuple[int, int], kernel_shape: tuple[int, int]) -> None:
    """The (out_h·out_w)×(k_h·k_w) int64 table of window indices must fit in the package's memory budget."""
    out_h, out_w = output_shape(shape, kernel_shape)
    k_h, k_w = kernel_shape
    entries = out_h * out_w * k_h * k_w
    check_memory(name, given, entries * 8, text("matrix.table.what", windows=f"{out_h * out_w:,}",
                                                 pixels=f"{k_h * k_w:,}"), text("matrix.table.fix"))


def window_indices(input_shape: Any, kernel_shape: Any) -> torch.Tensor:
    """The flat input index under each kernel weight, for each window position.

    Returns a ``LongTensor`` of shape (out_h·out_w, k_h·k_w): row ``r`` is the window of output
    pixel ``divmod(r, out_w)``, and entry ``[r, p·k_w + q]`` is ``(i + p)·n_w + (j + q)``, the
    position in ``X.flatten()`` that kernel weight ``K[p, q]`` multiplies.  Both :func:`conv_matrix`
    (scatter the weights there) and :func:`im2col` (gather the pixels from there) use this table.
    """
    n_h, n_w = _input_shape(input_shape)
    k_h, k_w = as_size_pair(kernel_shape, "kernel_shape")
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    _check_table("input_shape, kernel_shape", text("matrix.table.given_shapes", input=(n_h, n_w), kernel=(k_h, k_w)),
                 (n_h, n_w), (k_h, k_w))
    starts = (torch.arange(out_h)[:, None] * n_w + torch.arange(out_w)[None, :]).reshape(-1, 1)
    offsets = (torch.arange(k_h)[:, None] * n_w + torch.arange(k_w)[None, :]).reshape(1, -1)
    return starts + offsets


def _check_dense(name: str, shape: tuple[int, int], kernel_shape: tuple[int, int], dtype: torch.dtype,
                 given: str = "matrix.dense.given_shape") -> None:
    """A dense W must fit in the package's memory budget; the message (``given``: the catalogue entry that
    says what the caller passed) points to the cheaper views."""
    out_h, out_w = output_shape(shape, kernel_shape)
    rows, cols = out_h * out_w, shape[0] * shape[1]
    itemsize = torch.empty((), dtype=dtype).element_size()
    check_memory(name, text(given, shape=shape, kernel=f"{kernel_shape[0]}×{kernel_shape[1]}"), rows * cols * itemsize,
                 text("matrix.dense.what", rows=f"{rows:,}", columns=f"{cols:,}"), text("matrix.dense.fix"))


def conv_matrix(input_shape: Any, K: Any) -> torch.Tensor:
    """Build the matrix ``W`` with ``W @ X.flatten() == corr2d(X, K).flatten()`` for inputs of ``input_shape``.

    ``W`` has shape (out_h·out_w) × (n_h·n_w), where (out_h, out_w) = (n_h − k_h + 1, n_w − k_w + 1).
    Row ``r`` holds ``K``'s weights at the columns of the window of output pixel ``divmod(r, out_w)``
    and zeros elsewhere.  ``W`` is differentiable with respect to ``K`` (the weights are scattered
    into place, not copied as numbers).  ``W`` must fit in the package's memory budget (256 MB).
    """
    n_h, n_w = _input_shape(input_shape)
    K = as_matrix(K, "K")
    k_h, k_w = K.shape
    check_fits((n_h, n_w), K)
    _check_dense("input_shape", (n_h, n_w), (k_h, k_w), K.dtype)
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    rows, cols = out_h * out_w, n_h * n_w
    columns = window_indices((n_h, n_w), (k_h, k_w))
    row_index = torch.arange(rows)[:, None].expand_as(columns)
    values = K.reshape(1, -1).expand(rows, -1)
    W = torch.zeros((rows, cols), dtype=K.dtype)
    return W.index_put((row_index.reshape(-1), columns.reshape(-1)), values.reshape(-1))


def corr2d_matmul(X: Any, K: Any) -> torch.Tensor:
    """Cross-correlate ``X`` with ``K`` as one matrix–vector product: ``W @ X.flatten()``, reshaped.

    Gives the same numbers as :func:`~conv_lessons.corr2d` (shape (n_h − k_h + 1, n_w − k_w + 1))
    and is differentiable in both ``X`` and ``K``.  For inputs whose dense ``W`` would not fit in
    the package's memory budget it raises a ``ValueError`` (naming ``X``) that points to :func:`im2col`.
    """
    X = as_matrix(X, "X")
    K = as_matrix(K, "K")
    check_fits(X, K)
    dtype = torch.promote_types(X.dtype, K.dtype)
    X, K = X.to(dtype), K.to(dtype)
    shape = (int(X.shape[0]), int(X.shape[1]))
    _check_dense("X", shape, tuple(K.shape), dtype, given="matrix.dense.given_x")
    W = conv_matrix(shape, K)
    return (W @ X.reshape(-1)).reshape(output_shape(shape, tuple(K.shape)))


def im2col(X: Any, kernel_shape: Any) -> torch.Tensor:
    """Unfold every k_h×k_w window of ``X`` into a column ("image to columns").

    Returns a tensor of shape (k_h·k_w, out_h·out_w): column ``c`` is the window of output pixel
    ``divmod(c, out_w)``, flattened row by row.  Then one small matrix product gives the whole
    cross-correlation::

        (K.flatten() @ im2col(X, K.shape)).reshape(out_h, out_w) == corr2d(X, K)

    The layout matches ``torch.nn.functional.unfold`` (what deep-learning libraries do inside).
    """
    X = as_matrix(X, "X")
    k_h, k_w = as_size_pair(kernel_shape, "kernel_shape")
    check_fits(X, (k_h, k_w), k_name="kernel_shape")
    shape = (int(X.shape[0]), int(X.shape[1]))
    _check_table("X, kernel_shape", text("matrix.table.given_x", shape=shape, kernel=(k_h, k_w)), shape, (k_h, k_w))
    return X.reshape(-1)[window_indices(shape, (k_h, k_w))].T


class ConvMatrixCounts(NamedTuple):
    """How big, how empty and how shared the matrix ``W`` of :func:`conv_matrix` is."""

    rows: int  #: out_h·out_w, one per output pixel
    columns: int  #: n_h·n_w, one per input pixel
    entries: int  #: rows·columns
    nonzero: int  #: entries a kernel weight lands on: rows·k_h·k_w
    zero_fraction: float  #: 1 − nonzero/entries (zeros no weight reaches; a zero weight adds more)
    distinct_weights: int  #: k_h·k_w, the only numbers W contains besides 0
    uses_per_weight: int  #: out_h·out_w: each weight appears once per row (weight sharing)


def conv_matrix_counts(input_shape: Any, kernel_shape: Any) -> ConvMatrixCounts:
    """Count the entries of ``W`` for an input of ``input_shape`` and a kernel of ``kernel_shape``.

    A fully connected layer from the same input to the same output would have ``entries``
    independent weights; the convolution has ``distinct_weights``, each used ``uses_per_weight``
    times, and the rest of ``W`` is zero.
    """
    n_h, n_w = _input_shape(input_shape)
    k_h, k_w = as_size_pair(kernel_shape, "kernel_shape")
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))  # checks that the kernel fits; nothing is built
    rows, columns = out_h * out_w, n_h * n_w
    nonzero = rows * k_h * k_w
    return ConvMatrixCounts(rows, columns, rows * columns, nonzero, 1 - nonzero / (rows * columns), k_h * k_w, rows)
