"""Lesson 01, cross-correlation: output shapes, when correlation equals convolution, cross-correlation as
a matrix product, and differentiating through the hand-written ``Conv2D``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from ..correlation import convolve2d, corr2d, corr2d_fast, output_shape
from ..i18n import text
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
        raise ValueError(text("check.author.does_not_fit", name="kernel_shape", value=kernel_shape,
                              container="input_shape", shape=input_shape))
    truth = output_shape((n_h, n_w), (k_h, k_w))
    exercise = text("check.lesson01.output_shape.exercise", input=f"{n_h}×{n_w}", kernel=f"{k_h}×{k_w}")

    def judge() -> tuple[bool, str]:
        guess = _pair_answer(answer, text("check.lesson01.output_shape.what"))
        if guess == truth:
            return True, text("check.lesson01.output_shape.correct", n_h=n_h, k_h=k_h, n_w=n_w, k_w=k_w, rows=truth[0],
                              columns=truth[1])
        if guess == truth[::-1]:
            return False, text("check.lesson01.swapped")
        if guess == (n_h - k_h, n_w - k_w):
            return False, text("check.lesson01.output_shape.off_by_one")
        if guess == (n_h + k_h - 1, n_w + k_w - 1):
            return False, text("check.lesson01.output_shape.full")
        if guess == (n_h, n_w):
            return False, text("check.lesson01.output_shape.input_shape")
        if (guess[0] == truth[0]) != (guess[1] == truth[1]):
            return False, text("check.lesson01.output_shape.rows_wrong" if guess[0] != truth[0]
                               else "check.lesson01.output_shape.columns_wrong")
        return False, text("check.lesson01.output_shape.both_wrong")

    return _run(exercise, text("check.lesson01.output_shape.blank"), answer, judge)


def check_kernel_shape(answer: Any, input_shape: Any = (6, 8), out_shape: Any = (1, 1)) -> CheckResult:
    """Lesson 01: the kernel shape that turns an input of ``input_shape`` into an output of ``out_shape``.

    ``answer`` is a ``(rows, columns)`` pair; solve n − k + 1 = m along each axis.  Hints: swapped,
    the output's shape given back, off by one.
    """
    (n_h, n_w), (o_h, o_w) = _shape_pair(input_shape, "input_shape"), _shape_pair(out_shape, "out_shape")
    if o_h > n_h or o_w > n_w:
        raise ValueError(text("check.author.larger_than", name="out_shape", value=out_shape, container="input_shape",
                              shape=input_shape))
    truth = (n_h - o_h + 1, n_w - o_w + 1)
    exercise = text("check.lesson01.kernel_shape.exercise", output=f"{o_h}×{o_w}", input=f"{n_h}×{n_w}")

    def judge() -> tuple[bool, str]:
        guess = _pair_answer(answer, text("check.lesson01.kernel_shape.what"))
        if guess == truth:
            return True, text("check.lesson01.kernel_shape.correct_whole" if (o_h, o_w) == (1, 1)
                              else "check.lesson01.kernel_shape.correct")
        if guess == truth[::-1]:
            return False, text("check.lesson01.swapped")
        if guess == (o_h, o_w) and guess != truth:
            return False, text("check.lesson01.kernel_shape.output_shape")
        if guess in ((truth[0] - 1, truth[1] - 1), (truth[0] + 1, truth[1] + 1)):
            return False, text("check.lesson01.kernel_shape.off_by_one")
        if guess[0] > n_h or guess[1] > n_w:
            return False, text("check.lesson01.kernel_shape.too_large")
        return False, text("check.lesson01.kernel_shape.solve")

    return _run(exercise, text("check.lesson01.kernel_shape.blank"), answer, judge)


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
    raise _Reject(text("check.lesson01.same_conv.returned_other", kind=_kind(value), call=call))


def _kernel_text(kernel: list[list[float]]) -> str:
    return "[" + ", ".join("[" + ", ".join(_fmt(float(v)) for v in row) + "]" for row in kernel) + "]"


def check_same_as_convolution(answer: Any) -> CheckResult:
    """Lesson 01: for which kernels do cross-correlation and convolution agree on every input?

    ``answer`` is a function ``f(K)`` returning True or False; it is tried on 18 kernels (row,
    column, square, symmetric and not).  Right: exactly the kernels equal to themselves rotated by
    180° (``torch.flip(K, dims=(0, 1))``).  Hints: testing ``K == K.T``, flipping one axis only,
    asking for symmetry in each axis separately (too strict), or the first kernel misjudged.
    """
    exercise = text("check.lesson01.same_conv.exercise")

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(text("check.lesson01.same_conv.not_a_function", kind=_kind(answer)))
        said = []
        for kernel, _ in _FLIP_CASES:
            K = torch.tensor(kernel, dtype=torch.float32)
            said.append(_as_bool(_call(answer, K.clone()), text("check.lesson01.same_conv.call",
                                                                 kernel=_kernel_text(kernel))))
        truth = [t for _, t in _FLIP_CASES]
        if said == truth:
            return True, text("check.lesson01.same_conv.correct", count=len(truth))
        if all(said):
            return False, text("check.lesson01.same_conv.always_true")
        if not any(said):
            return False, text("check.lesson01.same_conv.always_false")
        if said == _rule_answers(lambda K: torch.equal(K, K.T)):
            return False, text("check.lesson01.same_conv.transpose")
        for dims, axis in (((1,), "left_right"), ((0,), "top_bottom")):
            if said == _rule_answers(lambda K, d=dims: torch.equal(K, torch.flip(K, dims=d))):
                return False, text(f"check.lesson01.same_conv.flips_{axis}")
        if said == _rule_answers(lambda K: torch.equal(K, torch.flip(K, dims=(0,))) and torch.equal(
                K, torch.flip(K, dims=(1,)))):
            return False, text("check.lesson01.same_conv.too_strict")
        index = next(i for i, (a, b) in enumerate(zip(said, truth, strict=True)) if a != b)
        return False, text("check.lesson01.same_conv.wrong_for_equal" if truth[index]
                           else "check.lesson01.same_conv.wrong_for_differ",
                           kernel=_kernel_text(_FLIP_CASES[index][0]), said=said[index])

    return _run(exercise, text("check.lesson01.same_conv.blank"), answer, judge)


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
    exercise = text("check.lesson01.matmul.exercise")

    def judge() -> tuple[bool, str]:
        if callable(answer):
            if _is_package_function(answer):
                return False, text("check.lesson01.matmul.package_function", name=answer.__name__)
            return _judge_matmul_function(answer)
        try:
            kernel = as_matrix(torch.as_tensor(K, dtype=torch.float64) if not isinstance(K, torch.Tensor) else K, "K")
            W_true = conv_matrix(input_shape, kernel.to(torch.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(text("check.author.bad_setup", check="check_corr2d_matmul", error=error)) from None
        W = _matrix_answer(answer, text("check.lesson01.matmul.what"))
        return _judge_matrix(W, W_true, tuple(int(s) for s in input_shape), kernel.to(torch.float64))

    return _run(exercise, text("check.lesson01.matmul.blank"), answer, judge)


def _judge_matrix(
    W: torch.Tensor, W_true: torch.Tensor, shape: tuple[int, int], kernel: torch.Tensor
) -> tuple[bool, str]:
    n_pixels, out = shape[0] * shape[1], output_shape(shape, tuple(kernel.shape))
    if tuple(W.shape) != tuple(W_true.shape):
        if tuple(W.shape) == tuple(W_true.shape)[::-1]:
            return False, text("check.lesson01.matmul.transposed", shape=_shape_text(W.shape), pixels=n_pixels)
        return False, text("check.lesson01.matmul.wrong_shape", shape=_shape_text(W.shape), pixels=n_pixels,
                           output=_shape_text(out))
    if torch.allclose(W, W_true, atol=1e-6):
        return True, text("check.lesson01.matmul.correct_matrix")
    flipped = conv_matrix(shape, torch.flip(kernel, dims=(0, 1)))
    if torch.allclose(W, flipped, atol=1e-6):
        return False, text("check.lesson01.matmul.convolution_matrix")
    by_columns = torch.arange(n_pixels).reshape(shape).T.reshape(-1)
    if torch.allclose(W[:, by_columns.argsort()], W_true, atol=1e-6) or torch.allclose(W[:, by_columns], W_true,
                                                                                        atol=1e-6):
        return False, text("check.lesson01.matmul.column_order")
    wrong_rows = [r for r in range(W.shape[0]) if not torch.allclose(W[r], W_true[r], atol=1e-6)]
    rows = text("check.list_separator").join(text("check.lesson01.matmul.row", row=r, output=divmod(r, out[1]))
                                            for r in wrong_rows[:3])
    more = " …" if len(wrong_rows) > 3 else ""
    key = "check.lesson01.matmul.wrong_row" if len(wrong_rows) == 1 else "check.lesson01.matmul.wrong_rows"
    return False, text(key, wrong=len(wrong_rows), total=W.shape[0], rows=rows, more=more)


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
        call = text("check.lesson01.matmul.call", x_shape=shape, k_shape=kernel_shape)
        Y, X_used, K_used, seen = _matmul_case(function, X, kernel, call)
        multiplied = multiplied or seen
        truth = corr2d_fast(X_used, K_used)  # corr2d's numbers, kept in float64
        if Y.shape != truth.shape:
            if Y.numel() == truth.numel():
                return False, text("check.lesson01.matmul.reshape", call=call, shape=tuple(Y.shape))
            return False, text("check.lesson01.matmul.function_shape", call=call, shape=tuple(Y.shape),
                               output=_shape_text(truth.shape))
        if torch.allclose(Y, truth, atol=1e-4, rtol=1e-4):
            continue
        if torch.allclose(Y, convolve2d(X_used, K_used), atol=1e-4, rtol=1e-4):
            return False, text("check.lesson01.matmul.convolution_function", call=call)
        return False, text("check.lesson01.matmul.differs", call=call)
    if not multiplied:
        return False, text("check.lesson01.matmul.no_product")
    return True, text("check.lesson01.matmul.correct_function", count=len(_MATMUL_CASES))


# --------------------------------------------------------------------------------------------
# Exercise 3: differentiating through the hand-written Conv2D
# --------------------------------------------------------------------------------------------

class _Choices(Mapping[str, str]):
    """The letters "a" … "d" → what each choice says happens, in the current language."""

    _LETTERS = ("a", "b", "c", "d")

    def __getitem__(self, letter: str) -> str:
        if letter not in self._LETTERS:
            raise KeyError(letter)
        return text(f"check.lesson01.autograd.choice_{letter}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._LETTERS)

    def __len__(self) -> int:
        return len(self._LETTERS)

    def __repr__(self) -> str:
        return repr(dict(self))


#: The choices of Exercise 3, by letter: what happens when you differentiate through ``Conv2D``.
AUTOGRAD_CHOICES: Mapping[str, str] = _Choices()


def autograd_outcome() -> tuple[str, str]:
    """Run the experiment on the installed PyTorch: which of :data:`AUTOGRAD_CHOICES` happens?

    Builds the chapter's ``Conv2D((1, 2))``, applies it to the 6×8 edge image, backpropagates the
    squared error against the true edge map and compares ``weight.grad`` with the gradient
    ``torch.nn.functional.conv2d`` gives.  Returns ``(letter, detail)``, the detail in the current
    language; the learner's random number stream is left untouched (the experiment runs once).
    """
    letter, detail, fields = _autograd_experiment()
    return letter, text(f"check.lesson01.autograd.{detail}", **fields)


@functools.cache
def _autograd_experiment() -> tuple[str, str, dict[str, Any]]:
    """(letter, what was seen as the last part of its catalogue key, the fields that fill it in)."""
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
        return "a", "detail_error", {"error": str(error).splitlines()[0]}
    if conv.weight.grad is None:
        return "c", "detail_none", {}
    weight = conv.weight.detach().clone().requires_grad_(True)
    bias = conv.bias.detach().clone().requires_grad_(True)
    out = torch.nn.functional.conv2d(X[None, None], weight[None, None], bias)[0, 0]
    ((out - Y) ** 2).sum().backward()
    if not conv.weight.grad.abs().sum():
        return "d", "detail_zero", {}
    if torch.allclose(conv.weight.grad, weight.grad, atol=1e-5) and torch.allclose(conv.bias.grad, bias.grad):
        return "b", "detail_matches", {}
    return "?", "detail_differs", {"ours": conv.weight.grad.tolist(), "theirs": weight.grad.tolist()}


def check_conv2d_autograd(answer: Any) -> CheckResult:
    """Exercise 3: what happens when you differentiate through the hand-written ``Conv2D``?

    ``answer`` is the letter of one of :data:`AUTOGRAD_CHOICES` ("b", "(b)", "B" all work).  The
    right letter is what the installed PyTorch actually does (see :func:`autograd_outcome`), not
    what an older edition of the book says.
    """
    exercise = text("check.lesson01.autograd.exercise")
    letters = ", ".join(map(repr, AUTOGRAD_CHOICES))

    def judge() -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise _Reject(text("check.lesson01.autograd.not_a_letter", letters=letters, kind=_kind(answer)))
        letter = answer.strip().strip("()").strip().lower()
        if letter not in AUTOGRAD_CHOICES:
            raise _Reject(text("check.lesson01.autograd.unknown_letter", letters=letters, answer=repr(answer)))
        observed, detail = autograd_outcome()
        if observed not in AUTOGRAD_CHOICES:  # pragma: no cover - a PyTorch we have not seen
            return False, text("check.lesson01.autograd.unknown_outcome", detail=detail)
        if letter == observed:
            return True, text(f"check.lesson01.autograd.why_{letter}")
        if letter == "a":
            return False, text("check.lesson01.autograd.not_a")
        return False, text("check.lesson01.autograd.run_it")

    return _run(exercise, text("check.lesson01.autograd.blank", letters=letters), answer, judge)
