"""Lesson 02, edge detection: the chapter's exercises on diagonal edges, direction kernels, second
derivatives, their minimum size, and blur kernels.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import torch

from ..correlation import corr2d_fast
from ..i18n import text
from ..images import diagonal_image
from ..validation import message
from .verdict import (
    CheckResult,
    _call,
    _fmt,
    _kind,
    _matrix_answer,
    _number_answer,
    _Reject,
    _run,
    _shape_text,
)

# --------------------------------------------------------------------------------------------
# Exercise 1: an image with diagonal edges, and what K, X.T and K.T do to it
# --------------------------------------------------------------------------------------------

_CHAPTER_K = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
# Each part of the exercise: the call it predicts, and the catalogue key of why the right answer is right.
_DIAGONAL_CASES = {
    "K": ("corr2d(X, K)", "check.lesson02.diagonal.why_K"),
    "X.T": ("corr2d(X.T, K)", "check.lesson02.diagonal.why_XT"),
    "K.T": ("corr2d(X, K.T)", "check.lesson02.diagonal.why_KT"),
}


def _line_of(values: torch.Tensor) -> str:
    """'a line of 1s', 'a line of −1s' or 'lines of −1s and 1s' for the non-zero values of an edge map."""
    nonzero = sorted({round(float(v), 6) for v in values[values.abs() > 1e-6]})
    if not nonzero:
        return text("check.lesson02.diagonal.nothing")
    if len(nonzero) == 1:
        return text("check.lesson02.diagonal.line", value=_fmt(nonzero[0]))
    return text("check.lesson02.diagonal.lines", values=text("check.lesson02.diagonal.and").join(
        text("check.lesson02.diagonal.values", value=_fmt(v)) for v in nonzero[:3]))


def _diagonal_inputs(case: str, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return {"K": (X, _CHAPTER_K), "X.T": (X.T, _CHAPTER_K), "K.T": (X, _CHAPTER_K.T)}[case]


def check_diagonal_edges(Y: Any, case: str = "K", X: Any = None) -> CheckResult:
    """Exercise 1: predict what the chapter's K = [[1, −1]] does to an image with a diagonal edge.

    ``case`` picks the part: ``"K"`` for ``corr2d(X, K)``, ``"X.T"`` for ``corr2d(X.T, K)``,
    ``"K.T"`` for ``corr2d(X, K.T)``.  ``X`` is the image (default: ``diagonal_image()``, 8×8,
    ones on and below the diagonal).  ``Y`` is the learner's predicted output, a tensor; a
    ``(rows, columns)`` pair checks only the predicted shape.  Hints name a wrong shape, a
    flipped sign, a one-pixel shift, or an answer that belongs to another part.
    """
    if case not in _DIAGONAL_CASES:
        raise ValueError(message("case", text("validation.choice", choices=list(_DIAGONAL_CASES)), repr(case)))
    call, why = _DIAGONAL_CASES[case]
    exercise = text("check.lesson02.diagonal.exercise", call=call)

    def judge() -> tuple[bool, str]:
        image = diagonal_image() if X is None else _matrix_answer(X, text("check.lesson02.diagonal.image"))
        image = image.to(torch.float64)
        A, B = _diagonal_inputs(case, image)
        if B.shape[0] > A.shape[0] or B.shape[1] > A.shape[1]:
            raise _Reject(text("check.lesson02.diagonal.too_small", shape=_shape_text(image.shape)))
        truth = corr2d_fast(A, B)  # corr2d's numbers, kept in float64
        rule = text("check.lesson02.diagonal.rule", image=_shape_text(A.shape), kernel=_shape_text(B.shape))
        if _is_shape(Y):
            shape = tuple(int(s) for s in Y)
            if shape == tuple(truth.shape):
                return True, text("check.lesson02.diagonal.shape_only", rule=rule)
            return False, _shape_hint(shape, tuple(truth.shape), rule)
        guess = _matrix_answer(Y, text("check.lesson02.diagonal.prediction", call=call))
        if tuple(guess.shape) != tuple(truth.shape):
            return False, _shape_hint(tuple(guess.shape), tuple(truth.shape), rule)
        if torch.allclose(guess, truth, atol=1e-6):
            return True, text(why, line=_line_of(truth))
        return False, _diagonal_hint(guess, truth, case, image)

    return _run(exercise, text("check.lesson02.diagonal.blank", call=call), Y, judge)


def _is_shape(value: Any) -> bool:
    if isinstance(value, torch.Size):
        return len(value) == 2
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value))


def _shape_hint(shape: tuple[int, ...], truth: tuple[int, ...], rule: str) -> str:
    if shape == truth[::-1]:
        return text("check.lesson02.diagonal.swapped", shape=_shape_text(shape), rule=rule)
    return text("check.lesson02.diagonal.wrong_shape", shape=_shape_text(shape), rule=rule)


def _diagonal_hint(guess: torch.Tensor, truth: torch.Tensor, case: str, image: torch.Tensor) -> str:
    rule = text("check.lesson02.diagonal.top_minus_bottom" if case == "K.T"
                else "check.lesson02.diagonal.left_minus_right")
    if not truth.abs().sum() and guess.abs().sum():
        return text("check.lesson02.diagonal.all_zeros")
    if not guess.abs().sum():
        return text("check.lesson02.diagonal.does_respond", rule=rule)
    if torch.allclose(guess, -truth, atol=1e-6):
        return text("check.lesson02.diagonal.sign", rule=rule)
    for other in _DIAGONAL_CASES:
        A, B = _diagonal_inputs(other, image)
        if other != case and B.shape[0] <= A.shape[0] and B.shape[1] <= A.shape[1]:
            other_truth = corr2d_fast(A, B)
            if guess.shape == other_truth.shape and torch.allclose(guess, other_truth, atol=1e-6):
                return text("check.lesson02.diagonal.other_part", call=_DIAGONAL_CASES[other][0])
    for shift in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        if torch.allclose(torch.roll(truth, shift, dims=(0, 1)), guess, atol=1e-6) or torch.allclose(
            torch.roll(guess, shift, dims=(0, 1)), truth, atol=1e-6
        ):
            return text("check.lesson02.diagonal.shifted", rule=rule)
    if torch.equal(guess.abs() > 1e-6, truth.abs() > 1e-6):
        return text("check.lesson02.diagonal.some_values", rule=rule)
    wrong = int((~torch.isclose(guess, truth, atol=1e-6)).sum())
    return text("check.lesson02.diagonal.entries_wrong", wrong=wrong, total=truth.numel(), rule=rule)


# --------------------------------------------------------------------------------------------
# Exercise 2a: a kernel for edges orthogonal to a direction v
# --------------------------------------------------------------------------------------------

_DIRECTION_TOLERANCE_DEGREES = 5.0


def _ramp(direction: tuple[float, float], shape: tuple[int, int]) -> torch.Tensor:
    """An image whose brightness rises by 1 per pixel along ``direction`` (row, col): a soft edge."""
    rows = torch.arange(shape[0], dtype=torch.float64)[:, None]
    cols = torch.arange(shape[1], dtype=torch.float64)[None, :]
    return direction[0] * rows + direction[1] * cols


def _direction(v: Any) -> tuple[float, float]:
    if isinstance(v, torch.Tensor):
        v = v.tolist()
    if not (isinstance(v, (tuple, list)) and len(v) == 2 and all(
            isinstance(x, numbers.Real) and not isinstance(x, bool) for x in v)):
        raise _Reject(text("check.lesson02.direction.not_a_pair", kind=_kind(v)))
    v_h, v_w = float(v[0]), float(v[1])
    norm = math.hypot(v_h, v_w)
    if not math.isfinite(norm) or norm == 0:
        raise _Reject(text("check.lesson02.direction.zero", v=repr(v)))
    return v_h / norm, v_w / norm


def check_direction_kernel(K: Any, v: Any = (1, 1)) -> CheckResult:
    """Exercise 2a: a kernel that detects edges orthogonal to the direction ``v = (v_h, v_w)``.

    ``v_h`` points down the rows and ``v_w`` right along the columns (tensor order, like
    ``X[i, j]``, as lesson 02 writes it), so the chapter's K = [[1, −1]] detects change along
    v = (0, 1).  The kernel is
    tried on soft edges (brightness ramps): it must output 0 on a flat image, respond to a ramp
    along v, and output ~0 (within 5°) for a ramp perpendicular to v, i.e. an edge running along v.
    Either sign is right (``K`` and ``−K`` find the same edges); any size is allowed.
    """
    exercise = text("check.lesson02.direction.exercise")

    def judge() -> tuple[bool, str]:
        unit = _direction(v)
        kernel = _matrix_answer(K, text("check.lesson02.a_kernel"))
        if kernel.numel() < 2:
            return False, text("check.lesson02.direction.one_weight")
        scale = float(kernel.abs().sum())
        if scale == 0:
            return False, text("check.lesson02.all_zero")
        flat = float(kernel.sum())
        if abs(flat) > 1e-6 * scale + 1e-9:
            return False, text("check.lesson02.direction.flat", output=_fmt(flat))
        perpendicular = (-unit[1], unit[0])
        along = float(corr2d_fast(_ramp(unit, tuple(kernel.shape)), kernel)[0, 0])
        across = float(corr2d_fast(_ramp(perpendicular, tuple(kernel.shape)), kernel)[0, 0])
        if math.hypot(along, across) < 1e-6 * scale:
            return False, text("check.lesson02.direction.second_derivative")
        angle = math.degrees(math.atan2(abs(across), abs(along)))
        if angle > 90 - _DIRECTION_TOLERANCE_DEGREES:
            return False, text("check.lesson02.direction.perpendicular")
        if angle > _DIRECTION_TOLERANCE_DEGREES:
            return False, text("check.lesson02.direction.off_angle", angle=f"{angle:.0f}", along=_fmt(along),
                               across=_fmt(across))
        return True, text("check.lesson02.direction.correct_increases" if along > 0
                          else "check.lesson02.direction.correct_decreases", along=_fmt(along), across=_fmt(across))

    return _run(exercise, text("check.lesson02.kernel_blank"), K, judge)


# --------------------------------------------------------------------------------------------
# Exercise 2b: a second-derivative kernel, and the minimum size for a derivative of order d
# --------------------------------------------------------------------------------------------


def _moments(kernel: torch.Tensor) -> dict[str, float]:
    """The kernel's response to 1, i, j, i², j² and i·j (its moments about its top-left weight)."""
    rows = torch.arange(kernel.shape[0], dtype=torch.float64)[:, None]
    cols = torch.arange(kernel.shape[1], dtype=torch.float64)[None, :]
    return {name: float((kernel * f).sum()) for name, f in {
        "1": torch.ones_like(kernel), "i": rows.expand_as(kernel), "j": cols.expand_as(kernel),
        "ii": (rows**2).expand_as(kernel), "jj": (cols**2).expand_as(kernel), "ij": rows * cols,
    }.items()}


# The axes a second derivative can be taken along (the catalogue says each one in words: check.lesson02.axis.*).
_AXES = ("height", "width", "both")


def check_second_derivative(K: Any, axis: str | None = None) -> CheckResult:
    """Exercise 2b: a finite-difference kernel for the second derivative.

    Accepts a second derivative along the width (e.g. a 1×3 row), along the height (a column),
    or the Laplacian (both axes, equally weighted); ``axis="width"``, ``"height"`` or ``"both"``
    demands one of them.  Any positive multiple is right; a negative one is "off by a sign" (it
    computes −f″).  The test: the kernel outputs 0 on flat and linear brightness, and a positive
    number on x² (brightness that curves up).  A correct kernel larger than needed passes with a
    note that it is not minimal.
    """
    if axis is not None and axis not in _AXES:
        raise ValueError(message("axis", text("check.author.none_or_one_of", choices=list(_AXES)), repr(axis)))
    exercise = text("check.lesson02.second.exercise")

    def judge() -> tuple[bool, str]:
        kernel = _matrix_answer(K, text("check.lesson02.a_kernel"))
        scale = float(kernel.abs().sum())
        if scale == 0:
            return False, text("check.lesson02.all_zero")
        m = _moments(kernel)
        tol = 1e-6 * scale * (1 + max(kernel.shape) ** 2)
        if abs(m["1"]) > tol:
            return False, text("check.lesson02.second.flat", output=_fmt(m["1"]))
        if abs(m["i"]) > tol or abs(m["j"]) > tol:
            return False, text("check.lesson02.second.ramp")
        if abs(m["ij"]) > tol:
            return False, text("check.lesson02.second.saddle")
        c_h, c_w = m["ii"] / 2, m["jj"] / 2  # the kernel computes c_h·∂²/∂i² + c_w·∂²/∂j²
        if abs(c_h) <= tol and abs(c_w) <= tol:
            return False, text("check.lesson02.second.higher")
        if abs(c_h) > tol and abs(c_w) > tol and abs(c_h - c_w) > tol:
            return False, text("check.lesson02.second.unequal")
        found = "both" if abs(c_h) > tol and abs(c_w) > tol else ("height" if abs(c_h) > tol else "width")
        c = c_h if found == "height" else c_w
        if c < 0:
            return False, text("check.lesson02.second.sign")
        if axis is not None and found != axis:
            return False, text("check.lesson02.second.other_axis", found=text(f"check.lesson02.axis.{found}"),
                               asked=text(f"check.lesson02.axis.{axis}"))
        rows, cols = torch.nonzero(kernel.abs() > 1e-12 * scale, as_tuple=True)
        extent = (int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1)
        minimal = {"width": (1, 3), "height": (3, 1), "both": (3, 3)}[found]
        note = "" if extent == minimal else text("check.lesson02.second.not_minimal", shape=_shape_text(extent))
        scaled = "" if abs(c - 1) < 1e-9 else text("check.lesson02.second.scaled", factor=_fmt(c))
        return True, text("check.lesson02.second.correct", axis=text(f"check.lesson02.axis.{found}"), scaled=scaled,
                          note=note)

    return _run(exercise, text("check.lesson02.second.blank"), K, judge)


def check_min_kernel_size(answer: Any, order: int | None = None) -> CheckResult:
    """Exercise 2b/2d: the minimum number of taps for a finite-difference derivative.

    With ``order=d`` the answer is a number (the minimum size for a d-th derivative; a 1×n or n×1
    shape also counts).  Without ``order`` the answer is a function of ``d`` giving the minimum
    size for every order; it is tried for d = 1 … 8.
    """
    if order is not None and (isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1):
        raise ValueError(message("order", text("check.author.none_or_whole_number"), repr(order)))
    exercise = (text("check.lesson02.min_size.exercise") if order is None
                else text("check.lesson02.min_size.exercise_order", order=order))

    def size_of(value: Any, what: str) -> float:
        if isinstance(value, (tuple, list, torch.Size)) and len(value) == 2:
            sizes = [_number_answer(s, text("validation.whole_number")) for s in value]
            if 1 in sizes:
                return max(sizes)
            if sizes[0] == sizes[1]:
                return sizes[0]
            raise _Reject(text("check.lesson02.min_size.shape", what=what, shape=tuple(value)))
        return _number_answer(value, what)

    def verdict(size: float, d: int, given: Callable[[str], str]) -> tuple[bool, str]:
        """The verdict on ``size`` for order ``d``; ``given(size)`` says who gave it (you, your function)."""
        if size != int(size):
            return False, text("check.lesson02.min_size.not_whole", given=given(_fmt(size)))
        taps = text("check.lesson02.min_size.tap" if size == 1 else "check.lesson02.min_size.taps", count=int(size))
        if size < d + 1:
            return False, text("check.lesson02.min_size.too_few", given=given(taps), d=d)
        if size > d + 1:
            return False, text("check.lesson02.min_size.too_many", given=given(taps))
        return True, ""

    def judge() -> tuple[bool, str]:
        if order is not None:
            if callable(answer):
                raise _Reject(text("check.lesson02.min_size.function_given", order=order))
            passed, explanation = verdict(size_of(answer, text("check.lesson02.min_size.what")), order,
                                          lambda size: text("check.lesson02.min_size.you_say", size=size))
            if passed:
                return True, text("check.lesson02.min_size.correct_order", taps=order + 1, order=order)
            return False, explanation
        if not callable(answer):
            raise _Reject(text("check.lesson02.min_size.not_a_function", kind=_kind(answer)))
        for d in range(1, 9):
            passed, explanation = verdict(
                size_of(_call(answer, d), text("check.lesson02.min_size.from_function", d=d)), d,
                lambda size, d=d: text("check.lesson02.min_size.function_gives", d=d, size=size))
            if not passed:
                if d > 1:
                    explanation += text("check.lesson02.min_size.first_derivative")
                return False, explanation
        return True, text("check.lesson02.min_size.correct_function")

    blank = text("check.lesson02.min_size.blank_function" if order is None else "check.lesson02.min_size.blank_number")
    return _run(exercise, blank, answer, judge)


# --------------------------------------------------------------------------------------------
# Exercise 2c: a blur kernel
# --------------------------------------------------------------------------------------------


def check_blur_kernel(K: Any) -> CheckResult:
    """Exercise 2c: a blur kernel (an average of neighbouring pixels).

    Right: non-negative weights that sum to 1 (within 1 %), at least two of them non-zero (one
    non-zero weight only copies or shifts the image).  Then a constant image stays constant and
    white noise's variance drops to Σw² of its value (the verdict says by how much).
    """
    exercise = text("check.lesson02.blur.exercise")

    def judge() -> tuple[bool, str]:
        kernel = _matrix_answer(K, text("check.lesson02.a_kernel"))
        if bool((kernel < -1e-9).any()):
            return False, text("check.lesson02.blur.negative")
        total = float(kernel.sum())
        if total == 0:
            return False, text("check.lesson02.blur.all_zero")
        if abs(total - 1) > 1e-2:
            return False, text("check.lesson02.blur.brighter" if total > 1 else "check.lesson02.blur.darker",
                               total=_fmt(total))
        if int((kernel > 1e-9).sum()) < 2:
            return False, text("check.lesson02.blur.one_weight")
        kept = float((kernel**2).sum() / total**2)
        return True, text("check.lesson02.blur.correct", kept=f"{kept:.0%}")

    return _run(exercise, text("check.lesson02.kernel_blank"), K, judge)
