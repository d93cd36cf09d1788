"""Lesson 01, cross-correlation: output shapes, when correlation equals convolution, cross-correlation as
a matrix product, and differentiating through the hand-written ``Conv2D``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from ..correlation import convolve2d, corr2d, corr2d_fast, output_shape
from ..matrix import conv_matrix
from ..validation import as_matrix
from .verdict import (
    CheckResult,
    _call,
    _fmt,
    _generator,
    _kind,
    _matrix_answer,
    _pair_answer,
    _Reject,
    _run,
    _shape_pair,
    _shape_text,
    _tensor_result,
)


def check_output_shape(answer: Any, input_shape: Any = (6, 8), kernel_shape: Any = (1, 2)) -> CheckResult:
    """Lesson 01: the output shape of ``corr2d`` for an input and a kernel of the given shapes.

    ``answer`` is a ``(rows, columns)`` pair (a tuple, list or ``torch.Size``).  The rule is
    (n_h − k_h + 1) × (n_w − k_w + 1).  Hints: rows and columns swapped, off by one (n − k),
    the size of a full convolution (n + k − 1), the input's own size (that needs padding).
    """
    (n_h, n_w), (k_h, k_w) = _shape_pair(input_shape, "input_shape"), _shape_pair(kernel_shape, "kernel_shape")
    if k_h > n_h or k_w > n_w:
        raise ValueError(f"kernel_shape: {kernel_shape} does not fit in input_shape {input_shape}.")
    truth = output_shape((n_h, n_w), (k_h, k_w))
    exercise = f"output shape ({n_h}×{n_w} input, {k_h}×{k_w} kernel)"

    def judge() -> tuple[bool, str]:
        guess = _pair_answer(answer, "the output shape")
        if guess == truth:
            return True, (f"({n_h} − {k_h} + 1) × ({n_w} − {k_w} + 1): the window fits {truth[0]} times down and "
                          f"{truth[1]} times across.")
        if guess == truth[::-1]:
            return False, "Rows and columns are swapped: the first number counts rows (the height), like X.shape."
        if guess == (n_h - k_h, n_w - k_w):
            return False, ("Off by one. The window's top-left corner can sit at positions 0, 1, …, n − k: "
                           "that is n − k + 1 positions.")
        if guess == (n_h + k_h - 1, n_w + k_w - 1):
            return False, ("That is larger than the input. Each output needs a whole window inside the input, so "
                           "there are fewer positions than pixels, not more.")
        if guess == (n_h, n_w):
            return False, ("That is the input's own shape; keeping it needs padding (next chapter). Without "
                           "padding each axis loses k − 1 pixels.")
        axis = "rows" if guess[0] != truth[0] else "columns"
        if (guess[0] == truth[0]) != (guess[1] == truth[1]):
            return False, f"The number of {axis} is wrong. Along each axis: n − k + 1."
        return False, "Both numbers are wrong. Along each axis: n − k + 1, with n from the input and k from the kernel."

    return _run(exercise, "the output shape, a (rows, columns) pair such as (3, 4)", answer, judge)


def check_kernel_shape(answer: Any, input_shape: Any = (6, 8), out_shape: Any = (1, 1)) -> CheckResult:
    """Lesson 01: the kernel shape that turns an input of ``input_shape`` into an output of ``out_shape``.

    ``answer`` is a ``(rows, columns)`` pair; solve n − k + 1 = m along each axis.  Hints: swapped,
    the output's shape given back, off by one.
    """
    (n_h, n_w), (o_h, o_w) = _shape_pair(input_shape, "input_shape"), _shape_pair(out_shape, "out_shape")
    if o_h > n_h or o_w > n_w:
        raise ValueError(f"out_shape: {out_shape} is larger than input_shape {input_shape}.")
    truth = (n_h - o_h + 1, n_w - o_w + 1)
    exercise = f"kernel shape for a {o_h}×{o_w} output from a {n_h}×{n_w} input"

    def judge() -> tuple[bool, str]:
        guess = _pair_answer(answer, "the kernel shape")
        if guess == truth:
            note = " the kernel covers the whole input, so it fits in one place only." if (o_h, o_w) == (1, 1) else ""
            return True, f"n − k + 1 = m along each axis gives k = n − m + 1:{note or ' the window fits exactly.'}"
        if guess == truth[::-1]:
            return False, "Rows and columns are swapped: the first number counts rows (the height), like X.shape."
        if guess == (o_h, o_w) and guess != truth:
            return False, ("That is the output's shape. A kernel that small fits in many places and gives a large "
                           "output: solve n − k + 1 = m for k.")
        if guess in ((truth[0] - 1, truth[1] - 1), (truth[0] + 1, truth[1] + 1)):
            return False, "Off by one: solve n − k + 1 = m for k along each axis and check it with output_shape."
        if guess[0] > n_h or guess[1] > n_w:
            return False, "That kernel is larger than the input: it fits nowhere, so there is no output at all."
        return False, "Solve n − k + 1 = m for k along each axis, then check it with output_shape(input, kernel)."

    return _run(exercise, "the kernel shape, a (rows, columns) pair such as (3, 4)", answer, judge)


# (kernel, does cross-correlation equal convolution for every input?)
_FLIP_CASES: list[tuple[list[list[float]], bool]] = [
    ([[1, 2, 1]], True), ([[1, -1]], False), ([[5]], True), ([[1, 2], [2, 1]], True), ([[1, 2], [3, 4]], False),
    ([[1], [2], [1]], True), ([[0, 1], [1, 0]], True), ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], True),
    ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], False), ([[1, 2], [1, 2]], False), ([[1, 1], [2, 2]], False),
    ([[1, 2], [2, 3]], False), ([[1, 2, 3], [4, 5, 4], [3, 2, 1]], True), ([[0, 0], [0, 0]], True),
    ([[1, 0, -1]], False), ([[0.5, 0.25, 0.5]], True), ([[2, 7, 1], [8, 2, 8], [1, 7, 2]], True),
    ([[2, 7, 1], [8, 2, 8], [1, 7, 3]], False),
]


def _rule_answers(rule: Callable[[torch.Tensor], bool]) -> list[bool]:
    return [rule(torch.tensor(k, dtype=torch.float32)) for k, _ in _FLIP_CASES]


def _as_bool(value: Any, call: str) -> bool:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # Python's or NumPy's bool
        return bool(value)
    raise _Reject(f"Your function returned {_kind(value)} for {call}; return True or False.")


def _kernel_text(kernel: list[list[float]]) -> str:
    return "[" + ", ".join("[" + ", ".join(_fmt(float(v)) for v in row) + "]" for row in kernel) + "]"


def check_same_as_convolution(answer: Any) -> CheckResult:
    """Lesson 01: for which kernels do cross-correlation and convolution agree on every input?

    ``answer`` is a function ``f(K)`` returning True or False; it is tried on 18 kernels (row,
    column, square, symmetric and not).  Right: exactly the kernels equal to themselves rotated by
    180° (``torch.flip(K, dims=(0, 1))``).  Hints: testing ``K == K.T``, flipping one axis only,
    asking for symmetry in each axis separately (too strict), or the first kernel misjudged.
    """
    exercise = "kernels where cross-correlation equals convolution"

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(f"Expected a function f(K) that returns True or False; got {_kind(answer)}.")
        said = []
        for kernel, _ in _FLIP_CASES:
            K = torch.tensor(kernel, dtype=torch.float32)
            said.append(_as_bool(_call(answer, K.clone()), f"K = {_kernel_text(kernel)}"))
        truth = [t for _, t in _FLIP_CASES]
        if said == truth:
            return True, (f"Right for all {len(truth)} kernels: convolution uses K rotated by 180°, so the two agree "
                          "exactly when K equals torch.flip(K, dims=(0, 1)), like [[1, 2, 1]] or a Laplacian; "
                          "[[1, −1]] and Sobel change sign instead.")
        if all(said):
            return False, "Your function says True for every kernel, but for [[1, −1]] convolution gives −corr2d."
        if not any(said):
            return False, "Your function says False for every kernel, but for [[1, 2, 1]] the two outputs are equal."
        if said == _rule_answers(lambda K: torch.equal(K, K.T)):
            return False, ("That tests K == K.T, a mirror across the diagonal. Convolution flips the kernel in "
                           "both axes, which is a rotation by 180°, not a transpose.")
        for dims, axis in (((1,), "left-right"), ((0,), "top-bottom")):
            if said == _rule_answers(lambda K, d=dims: torch.equal(K, torch.flip(K, dims=d))):
                return False, (f"That only flips the kernel {axis}. Convolution flips it in both axes at once "
                               "(torch.flip(K, dims=(0, 1))).")
        if said == _rule_answers(lambda K: torch.equal(K, torch.flip(K, dims=(0,))) and torch.equal(
                K, torch.flip(K, dims=(1,)))):
            return False, ("Too strict: you ask for a mirror symmetry in each axis separately. Flipping both axes "
                           "at once can give K back even when neither single flip does.")
        index = next(i for i, (a, b) in enumerate(zip(said, truth, strict=True)) if a != b)
        kernel = _FLIP_CASES[index][0]
        fact = "are equal" if truth[index] else "differ"
        return False, (f"Wrong for K = {_kernel_text(kernel)}: your function says {said[index]}, but there "
                       f"corr2d(X, K) and convolve2d(X, K) {fact}. Compare K with torch.flip(K, dims=(0, 1)).")

    return _run(exercise, "a function f(K) that returns True or False", answer, judge)


# --------------------------------------------------------------------------------------------
# Exercise 4: cross-correlation as a matrix multiplication
# --------------------------------------------------------------------------------------------

_CHAPTER_X_SHAPE = (3, 3)
_CHAPTER_KERNEL = ((0.0, 1.0), (2.0, 3.0))
# (input shape, kernel shape) pairs a learner's function is tried on: square, tall, wide, 1×N, N×1,
# kernel as large as the input, 1×1 kernel.
_MATMUL_CASES = [((3, 3), (2, 2)), ((4, 5), (1, 3)), ((5, 4), (3, 1)), ((6, 6), (3, 3)), ((1, 5), (1, 2)),
                 ((2, 7), (2, 7)), ((7, 3), (2, 2)), ((3, 4), (1, 1))]
_PACKAGE_FUNCTIONS = ("corr2d", "corr2d_fast", "corr2d_matmul")


def _is_package_function(answer: Any) -> bool:
    return (getattr(answer, "__module__", "") or "").startswith("conv_lessons") and getattr(
        answer, "__name__", "") in _PACKAGE_FUNCTIONS


def check_corr2d_matmul(answer: Any, input_shape: Any = _CHAPTER_X_SHAPE, K: Any = _CHAPTER_KERNEL) -> CheckResult:
    """Exercise 4: cross-correlation written as a matrix multiplication.

    ``answer`` is either a function ``f(X, K)`` that returns ``corr2d(X, K)`` by multiplying
    matrices (tried on eight shapes, including non-square inputs and 1×N, N×1 and 1×1 kernels), or
    the matrix ``W`` itself for inputs of ``input_shape`` and kernel ``K`` (default: the chapter's
    3×3 X and K = [[0, 1], [2, 3]]), with ``W @ X.flatten()`` equal to ``corr2d(X, K).flatten()``.
    """
    exercise = "cross-correlation as a matrix product"

    def judge() -> tuple[bool, str]:
        if callable(answer):
            if _is_package_function(answer):
                return False, (f"That is the package's own {answer.__name__}; write your own function that "
                               "builds the matrices and multiplies them.")
            return _judge_matmul_function(answer)
        try:
            kernel = as_matrix(torch.as_tensor(K, dtype=torch.float64) if not isinstance(K, torch.Tensor) else K, "K")
            W_true = conv_matrix(input_shape, kernel.to(torch.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(f"check_corr2d_matmul: bad exercise set-up: {error}") from None
        W = _matrix_answer(answer, "the matrix W (or a function f(X, K))")
        return _judge_matrix(W, W_true, tuple(int(s) for s in input_shape), kernel.to(torch.float64))

    return _run(exercise, "your matrix W, a 2-D tensor (or a function f(X, K) that uses a matrix product)",
                answer, judge)


def _judge_matrix(
    W: torch.Tensor, W_true: torch.Tensor, shape: tuple[int, int], kernel: torch.Tensor
) -> tuple[bool, str]:
    n_pixels, out = shape[0] * shape[1], output_shape(shape, tuple(kernel.shape))
    if tuple(W.shape) != tuple(W_true.shape):
        if tuple(W.shape) == tuple(W_true.shape)[::-1]:
            return False, (f"Your W is {_shape_text(W.shape)}: that is the transpose. W multiplies the flattened input "
                           f"(length {n_pixels}) and gives the flattened output, so it needs one column per input "
                           "pixel and one row per output pixel.")
        return False, (f"Your W is {_shape_text(W.shape)}. It must have one column per input pixel ({n_pixels}) "
                       f"and one row per output pixel (the output is {_shape_text(out)}).")
    if torch.allclose(W, W_true, atol=1e-6):
        return True, ("W @ X.flatten() equals corr2d(X, K).flatten(). Each row holds the same kernel weights, shifted "
                      "to the window of its output pixel, and zeros elsewhere.")
    flipped = conv_matrix(shape, torch.flip(kernel, dims=(0, 1)))
    if torch.allclose(W, flipped, atol=1e-6):
        return False, ("This W computes a convolution (the kernel flipped in both axes). Cross-correlation uses K "
                       "as it is: weight K[p, q] multiplies x[i + p, j + q].")
    by_columns = torch.arange(n_pixels).reshape(shape).T.reshape(-1)
    if torch.allclose(W[:, by_columns.argsort()], W_true, atol=1e-6) or torch.allclose(W[:, by_columns], W_true,
                                                                                        atol=1e-6):
        return False, ("Your columns follow the input column by column. X.flatten() reads X row by row, "
                       "x[0, 0], x[0, 1], …, so column c of W belongs to pixel divmod(c, n_w).")
    wrong_rows = [r for r in range(W.shape[0]) if not torch.allclose(W[r], W_true[r], atol=1e-6)]
    rows = ", ".join(f"row {r} (output {divmod(r, out[1])})" for r in wrong_rows[:3])
    more = " …" if len(wrong_rows) > 3 else ""
    count = "1 of the {} rows is wrong" if len(wrong_rows) == 1 else f"{len(wrong_rows)} of the {{}} rows are wrong"
    return False, (f"{count.format(W.shape[0])}: {rows}{more}. Row r holds the kernel's weights at the columns of "
                   "the input pixels under output r's window.")


# The matrix products a learner may use (torch's; a product inside the package's own code does not count).
_PRODUCTS = frozenset({
    torch.matmul, torch.Tensor.matmul, torch.Tensor.__matmul__, torch.Tensor.__rmatmul__, torch.mm, torch.Tensor.mm,
    torch.mv, torch.Tensor.mv, torch.bmm, torch.Tensor.bmm, torch.einsum, torch.tensordot, torch.addmm,
    torch.Tensor.addmm, torch.addmv, torch.Tensor.addmv, torch.dot, torch.Tensor.dot, torch.vdot, torch.inner,
    torch.Tensor.inner, torch.baddbmm, torch.addbmm, torch.chain_matmul, torch.linalg.matmul,
    torch.linalg.multi_dot, torch.linalg.vecdot, torch.nn.functional.linear,
})


class _ProductWatch(TorchFunctionMode):
    """While active, notes whether the learner's own code multiplies matrices (``seen``)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        if not self.seen and func in _PRODUCTS:
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "torch":
                frame = frame.f_back
            module = "" if frame is None else frame.f_globals.get("__name__", "")
            self.seen = not module.startswith("conv_lessons")
        return func(*args, **(kwargs or {}))


def _matmul_case(function: Callable[..., Any], X: torch.Tensor, kernel: torch.Tensor,
                 call: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, bool]:
    """Call the learner's function with the book's float32 tensors, or with float64 ones if float32 fails
    (a correct answer passes whatever float dtype it works in).  Returns (output, X and K as used, in
    float64, whether a matrix product ran)."""
    with _ProductWatch() as watch:
        try:
            X_used, K_used = X.float(), kernel.float()
            value = _call(function, X_used.clone(), K_used.clone())
        except _Reject as first:
            try:
                X_used, K_used = X, kernel
                value = _call(function, X_used.clone(), K_used.clone())
            except _Reject:
                raise first from None
    return _tensor_result(value, call), X_used.double(), K_used.double(), watch.seen


def _judge_matmul_function(function: Callable[..., Any]) -> tuple[bool, str]:
    generator = _generator(5)
    multiplied = False
    for shape, kernel_shape in _MATMUL_CASES:
        X = torch.randn(shape, generator=generator, dtype=torch.float64)
        kernel = torch.randn(kernel_shape, generator=generator, dtype=torch.float64)
        call = f"X of shape {shape} and K of shape {kernel_shape}"
        Y, X_used, K_used, seen = _matmul_case(function, X, kernel, call)
        multiplied = multiplied or seen
        truth = corr2d_fast(X_used, K_used)  # corr2d's numbers, kept in float64
        if Y.shape != truth.shape:
            if Y.numel() == truth.numel():
                return False, (f"For {call} your function returns shape {tuple(Y.shape)}; the output has "
                               f"(n_h − k_h + 1)×(n_w − k_w + 1) entries: reshape the product.")
            return False, (f"For {call} your function returns shape {tuple(Y.shape)}, but the output is "
                           f"(n_h − k_h + 1)×(n_w − k_w + 1) = {_shape_text(truth.shape)}.")
        if torch.allclose(Y, truth, atol=1e-4, rtol=1e-4):
            continue
        if torch.allclose(Y, convolve2d(X_used, K_used), atol=1e-4, rtol=1e-4):
            return False, (f"For {call} your function computes a convolution (the kernel flipped); cross-correlation "
                           "uses K as it is.")
        return False, f"For {call} your function's output differs from corr2d(X, K)."
    if not multiplied:
        return False, ("Right numbers, but no matrix product ran in your function (such as A @ B, torch.matmul or "
                       "torch.mm): it finds the windows some other way. The exercise asks for the whole "
                       "cross-correlation as one multiplication of matrices.")
    return True, (f"Your function equals corr2d on {len(_MATMUL_CASES)} shapes, including non-square inputs and 1×N, "
                  "N×1 and 1×1 kernels.")


# --------------------------------------------------------------------------------------------
# Exercise 3: differentiating through the hand-written Conv2D
# --------------------------------------------------------------------------------------------

AUTOGRAD_CHOICES: dict[str, str] = {
    "a": "backward() raises a RuntimeError about an in-place operation, as older editions of the book say",
    "b": "backward() works: conv.weight.grad and conv.bias.grad hold the right gradients",
    "c": "backward() runs, but conv.weight.grad stays None",
    "d": "backward() runs, but the gradients are all zero",
}


@functools.cache
def autograd_outcome() -> tuple[str, str]:
    """Run the experiment on the installed PyTorch: which of :data:`AUTOGRAD_CHOICES` happens?

    Builds the chapter's ``Conv2D((1, 2))``, applies it to the 6×8 edge image, backpropagates the
    squared error against the true edge map and compares ``weight.grad`` with the gradient
    ``torch.nn.functional.conv2d`` gives.  Returns ``(letter, detail)``; the learner's random
    number stream is left untouched.
    """
    from ..images import edge_image
    from ..layers import Conv2D

    X = edge_image()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        conv = Conv2D((1, 2))
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    try:
        loss = ((conv(X) - Y) ** 2).sum()
        loss.backward()
    except RuntimeError as error:
        return "a", str(error).splitlines()[0]
    if conv.weight.grad is None:
        return "c", "weight.grad is None"
    weight = conv.weight.detach().clone().requires_grad_(True)
    bias = conv.bias.detach().clone().requires_grad_(True)
    out = torch.nn.functional.conv2d(X[None, None], weight[None, None], bias)[0, 0]
    ((out - Y) ** 2).sum().backward()
    if not conv.weight.grad.abs().sum():
        return "d", "weight.grad is all zeros"
    if torch.allclose(conv.weight.grad, weight.grad, atol=1e-5) and torch.allclose(conv.bias.grad, bias.grad):
        return "b", "weight.grad matches torch.nn.functional.conv2d's gradient"
    return "?", f"weight.grad {conv.weight.grad.tolist()} differs from conv2d's {weight.grad.tolist()}"


def check_conv2d_autograd(answer: Any) -> CheckResult:
    """Exercise 3: what happens when you differentiate through the hand-written ``Conv2D``?

    ``answer`` is the letter of one of :data:`AUTOGRAD_CHOICES` ("b", "(b)", "B" all work).  The
    right letter is what the installed PyTorch actually does (see :func:`autograd_outcome`), not
    what an older edition of the book says.
    """
    exercise = "differentiating through Conv2D"

    def judge() -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise _Reject(f"Expected one letter, one of {', '.join(map(repr, AUTOGRAD_CHOICES))}; got {_kind(answer)}.")
        letter = answer.strip().strip("()").strip().lower()
        if letter not in AUTOGRAD_CHOICES:
            raise _Reject(f"Expected one of {', '.join(map(repr, AUTOGRAD_CHOICES))}; got {answer!r}.")
        observed, detail = autograd_outcome()
        if observed not in AUTOGRAD_CHOICES:  # pragma: no cover - a PyTorch we have not seen
            return False, f"This PyTorch does something none of the choices describe ({detail})."
        if letter == observed:
            why = {
                "a": "This PyTorch refuses to differentiate through the in-place writes Y[i, j] = ….",
                "b": ("Y = torch.zeros(...) does not require grad, and writing Y[i, j] = (X[...] * K).sum() into it "
                      "is recorded by autograd (as a copy into a slice), so the gradient reaches the kernel. The "
                      "exercise dates from the book's MXNet version, whose autograd refused such in-place writes."),
                "c": "On this PyTorch the gradient does not reach the kernel.",
                "d": "On this PyTorch the gradient reaching the kernel is zero.",
            }[letter]
            return True, why
        if letter == "a":
            return False, ("That is what older editions of the book report, but it is not what the installed "
                           "PyTorch does. Run the experiment: call loss.backward() and look for an error.")
        return False, "Run the experiment: after loss.backward(), print conv.weight.grad and compare it with conv2d's."

    return _run(exercise, f"the letter of what you observed, one of {', '.join(map(repr, AUTOGRAD_CHOICES))}",
                answer, judge)
