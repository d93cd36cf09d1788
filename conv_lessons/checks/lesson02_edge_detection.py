"""Lesson 02, edge detection: the chapter's exercises on diagonal edges, direction kernels, second
derivatives, their minimum size, and blur kernels.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch

from ..correlation import corr2d_fast
from ..images import diagonal_image
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
_DIAGONAL_CASES = {
    "K": ("corr2d(X, K)", "K = [[1, −1]] takes left minus right, x[i, j] − x[i, j+1], so it marks every place "
          "where a row changes; a diagonal edge changes every row, so it shows up as {line}."),
    "X.T": ("corr2d(X.T, K)", "Transposing X mirrors the image across its diagonal, so each row of X.T steps the "
            "other way; K still takes left minus right, so the mirrored edge shows up as {line}."),
    "K.T": ("corr2d(X, K.T)", "K.T = [[1], [−1]] takes top minus bottom, x[i, j] − x[i+1, j], so it detects "
            "change down the columns; a diagonal edge changes down every column too, so K.T sees it as {line}."),
}


def _line_of(values: torch.Tensor) -> str:
    """'a line of 1s', 'a line of −1s' or 'a line of ±1s' for the non-zero values of an edge map."""
    nonzero = sorted({round(float(v), 6) for v in values[values.abs() > 1e-6]})
    if not nonzero:
        return "nothing at all"
    if len(nonzero) == 1:
        return f"a line of {_fmt(nonzero[0])}s"
    return "lines of " + " and ".join(f"{_fmt(v)}s" for v in nonzero[:3])


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
        raise ValueError(f"case: expected one of {list(_DIAGONAL_CASES)}, got {case!r}.")
    call, why = _DIAGONAL_CASES[case]
    exercise = f"diagonal edges, {call}"

    def judge() -> tuple[bool, str]:
        image = diagonal_image() if X is None else _matrix_answer(X, "the image X")
        image = image.to(torch.float64)
        A, B = _diagonal_inputs(case, image)
        if B.shape[0] > A.shape[0] or B.shape[1] > A.shape[1]:
            raise _Reject(f"The image X ({_shape_text(image.shape)}) is too small for the kernel; use at least 2×2.")
        truth = corr2d_fast(A, B)  # corr2d's numbers, kept in float64
        rule = (f"corr2d of a {_shape_text(A.shape)} image with a {_shape_text(B.shape)} kernel has "
                "(n_h − k_h + 1) × (n_w − k_w + 1) entries")
        if _is_shape(Y):
            shape = tuple(int(s) for s in Y)
            if shape == tuple(truth.shape):
                return True, (f"The shape is right: {rule}. (Only the shape was checked: pass the predicted "
                              "tensor itself to check its values too.)")
            return False, _shape_hint(shape, tuple(truth.shape), rule)
        guess = _matrix_answer(Y, f"your prediction of {call}")
        if tuple(guess.shape) != tuple(truth.shape):
            return False, _shape_hint(tuple(guess.shape), tuple(truth.shape), rule)
        if torch.allclose(guess, truth, atol=1e-6):
            return True, why.format(line=_line_of(truth))
        return False, _diagonal_hint(guess, truth, case, image)

    return _run(exercise, f"your predicted output of {call}, a tensor (or its shape, a (rows, columns) pair)",
                Y, judge)


def _is_shape(value: Any) -> bool:
    if isinstance(value, torch.Size):
        return len(value) == 2
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value))


def _shape_hint(shape: tuple[int, ...], truth: tuple[int, ...], rule: str) -> str:
    if shape == truth[::-1]:
        return f"Your prediction is {_shape_text(shape)}: rows and columns are swapped. Remember: {rule}."
    return f"Wrong shape: your prediction is {_shape_text(shape)}, but {rule}."


def _diagonal_hint(guess: torch.Tensor, truth: torch.Tensor, case: str, image: torch.Tensor) -> str:
    rule = "top minus bottom, x[i, j] − x[i+1, j]" if case == "K.T" else "left minus right, x[i, j] − x[i, j+1]"
    if not truth.abs().sum() and guess.abs().sum():
        return "The output is all zeros here: this kernel sees no change in the direction it compares."
    if not guess.abs().sum():
        return f"This kernel does respond to this image: it computes {rule}. Where does that change?"
    if torch.allclose(guess, -truth, atol=1e-6):
        return f"Off by a sign: every entry has the opposite sign. The kernel computes {rule}."
    for other in _DIAGONAL_CASES:
        A, B = _diagonal_inputs(other, image)
        if other != case and B.shape[0] <= A.shape[0] and B.shape[1] <= A.shape[1]:
            other_truth = corr2d_fast(A, B)
            if guess.shape == other_truth.shape and torch.allclose(guess, other_truth, atol=1e-6):
                return f"That is the answer to another part ({_DIAGONAL_CASES[other][0]}), not to this one."
    for shift in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        if torch.allclose(torch.roll(truth, shift, dims=(0, 1)), guess, atol=1e-6) or torch.allclose(
            torch.roll(guess, shift, dims=(0, 1)), truth, atol=1e-6
        ):
            return (f"Right values, but shifted by one pixel. Output (i, j) is {rule}: "
                    "the window's top-left corner sits at (i, j).")
    if torch.equal(guess.abs() > 1e-6, truth.abs() > 1e-6):
        return f"The non-zero entries are in the right places, but some values are wrong. The kernel computes {rule}."
    wrong = int((~torch.isclose(guess, truth, atol=1e-6)).sum())
    return f"{wrong} of the {truth.numel()} entries are wrong. Each output is {rule}: go row by row."


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
        raise _Reject(f"Expected the direction v as a pair (v1, v2) = (down, right); got {_kind(v)}.")
    v1, v2 = float(v[0]), float(v[1])
    norm = math.hypot(v1, v2)
    if not math.isfinite(norm) or norm == 0:
        raise _Reject(f"Expected a non-zero, finite direction v; got {v!r}.")
    return v1 / norm, v2 / norm


def check_direction_kernel(K: Any, v: Any = (1, 1)) -> CheckResult:
    """Exercise 2a: a kernel that detects edges orthogonal to the direction ``v = (v1, v2)``.

    ``v1`` points down the rows and ``v2`` right along the columns (tensor order, like
    ``X[i, j]``), so the chapter's K = [[1, −1]] detects change along v = (0, 1).  The kernel is
    tried on soft edges (brightness ramps): it must output 0 on a flat image, respond to a ramp
    along v, and output ~0 (within 5°) for a ramp perpendicular to v, i.e. an edge running along v.
    Either sign is right (``K`` and ``−K`` find the same edges); any size is allowed.
    """
    exercise = "edge detector for a direction v"

    def judge() -> tuple[bool, str]:
        unit = _direction(v)
        kernel = _matrix_answer(K, "a kernel")
        if kernel.numel() < 2:
            return False, "A 1×1 kernel only rescales each pixel; it cannot compare neighbours. Use at least 2 weights."
        scale = float(kernel.abs().sum())
        if scale == 0:
            return False, "All weights are zero, so it responds to nothing."
        flat = float(kernel.sum())
        if abs(flat) > 1e-6 * scale + 1e-9:
            return False, (f"It responds to a flat image: on a constant image of 1s it outputs {_fmt(flat)}, not 0. "
                           "An edge detector compares pixels, so its weights must sum to zero.")
        perpendicular = (-unit[1], unit[0])
        along = float(corr2d_fast(_ramp(unit, tuple(kernel.shape)), kernel)[0, 0])
        across = float(corr2d_fast(_ramp(perpendicular, tuple(kernel.shape)), kernel)[0, 0])
        if math.hypot(along, across) < 1e-6 * scale:
            return False, ("It outputs 0 on every straight brightness ramp, so it does not see a straight edge's "
                           "slope at all (it only reacts where the slope changes, like a second derivative). "
                           "Use differences of neighbouring pixels: a first derivative.")
        angle = math.degrees(math.atan2(abs(across), abs(along)))
        if angle > 90 - _DIRECTION_TOLERANCE_DEGREES:
            return False, ("It detects the wrong direction: it responds to change perpendicular to v, i.e. to "
                           "edges that run across v. You are 90° off: an edge orthogonal to v is where brightness "
                           "changes along v.")
        if angle > _DIRECTION_TOLERANCE_DEGREES:
            return False, (f"It detects a direction {angle:.0f}° away from v: on a ramp rising 1 per pixel along v "
                           f"it outputs {_fmt(along)}, but on a ramp perpendicular to v it outputs {_fmt(across)} "
                           "instead of 0. Weigh the two axes in proportion to v1 and v2.")
        sign = ("positive where brightness increases along v" if along > 0 else
                "positive where brightness decreases along v, like the chapter's [[1, −1]]")
        return True, (f"On a ramp rising 1 per pixel along v it outputs {_fmt(along)}; on a ramp perpendicular to v, "
                      f"i.e. an edge running along v, it outputs {_fmt(across)}. Its response is {sign} (−K works "
                      "just as well).")

    return _run(exercise, "your kernel, a 2-D tensor such as torch.tensor([[a, b], [c, d]])", K, judge)


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


_AXES = {"height": "along the height (down the columns)", "width": "along the width (along the rows)",
         "both": "along both axes (the Laplacian)"}


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
        raise ValueError(f"axis: expected None or one of {list(_AXES)}, got {axis!r}.")
    exercise = "second-derivative kernel"

    def judge() -> tuple[bool, str]:
        kernel = _matrix_answer(K, "a kernel")
        scale = float(kernel.abs().sum())
        if scale == 0:
            return False, "All weights are zero, so it responds to nothing."
        m = _moments(kernel)
        tol = 1e-6 * scale * (1 + max(kernel.shape) ** 2)
        if abs(m["1"]) > tol:
            return False, (f"It responds to a flat image (a constant image of 1s gives {_fmt(m['1'])}); the "
                           "derivative of a constant is 0, so the weights must sum to zero.")
        if abs(m["i"]) > tol or abs(m["j"]) > tol:
            return False, ("It responds to a straight ramp (brightness rising evenly), whose second derivative is "
                           "0: it still contains a first derivative. Make it symmetric around its centre.")
        if abs(m["ij"]) > tol:
            return False, ("It responds to the saddle i·j, a mixed derivative ∂²/∂i∂j; the second derivative along "
                           "an axis (or the Laplacian) ignores it.")
        c_h, c_w = m["ii"] / 2, m["jj"] / 2  # the kernel computes c_h·∂²/∂i² + c_w·∂²/∂j²
        if abs(c_h) <= tol and abs(c_w) <= tol:
            return False, ("It outputs 0 on every quadratic (x²) brightness too, so it measures a higher derivative "
                           "(third or more), not the second. Use fewer taps.")
        if abs(c_h) > tol and abs(c_w) > tol and abs(c_h - c_w) > tol:
            return False, ("It takes second derivatives along both axes but weighs them differently. Use one row "
                           "or one column for one axis, or equal weights for the Laplacian.")
        found = "both" if abs(c_h) > tol and abs(c_w) > tol else ("height" if abs(c_h) > tol else "width")
        c = c_h if found == "height" else c_w
        if c < 0:
            return False, ("Off by a sign: it computes −f″. On brightness that curves up (x², whose second "
                           "derivative is +2) it outputs a negative number.")
        if axis is not None and found != axis:
            return False, (f"It is a second derivative {_AXES[found]}, but this exercise asks for one {_AXES[axis]}.")
        rows, cols = torch.nonzero(kernel.abs() > 1e-12 * scale, as_tuple=True)
        extent = (int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1)
        minimal = {"width": (1, 3), "height": (3, 1), "both": (3, 3)}[found]
        note = "" if extent == minimal else (f" It is larger than it needs to be ({_shape_text(extent)} non-zero "
                                             "region): see the question on the minimum size.")
        scaled = "" if abs(c - 1) < 1e-9 else f" (times {_fmt(c)}, which is fine)"
        return True, (f"A second derivative {_AXES[found]}{scaled}: 0 on flat and linear brightness, positive on "
                      "brightness that curves up. It responds most strongly to thin lines and isolated dots, where "
                      f"the slope changes fastest.{note}")

    return _run(exercise, "your kernel, a 2-D tensor such as torch.tensor([[a, b, c]])", K, judge)


def check_min_kernel_size(answer: Any, order: int | None = None) -> CheckResult:
    """Exercise 2b/2d: the minimum number of taps for a finite-difference derivative.

    With ``order=d`` the answer is a number (the minimum size for a d-th derivative; a 1×n or n×1
    shape also counts).  Without ``order`` the answer is a function of ``d`` giving the minimum
    size for every order; it is tried for d = 1 … 8.
    """
    if order is not None and (isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1):
        raise ValueError(f"order: expected None or a whole number ≥ 1, got {order!r}.")
    exercise = "minimum kernel size" if order is None else f"minimum kernel size for derivative order {order}"

    def size_of(value: Any, what: str) -> float:
        if isinstance(value, (tuple, list, torch.Size)) and len(value) == 2:
            sizes = [_number_answer(s, "a whole number") for s in value]
            if 1 in sizes:
                return max(sizes)
            if sizes[0] == sizes[1]:
                return sizes[0]
            raise _Reject(f"Expected {what}; got the shape {tuple(value)}. Give one number (taps along the axis).")
        return _number_answer(value, what)

    def verdict(size: float, d: int, where: str) -> tuple[bool, str]:
        if size != int(size):
            return False, f"{where}{_fmt(size)}, which is not a whole number of taps."
        if size < d + 1:
            return False, (f"{where}{int(size)} taps: too few. A difference of order {d} must give 0 on every "
                           f"polynomial of degree below {d} and still respond to degree {d}: how many samples does "
                           f"it take to tell a polynomial of degree {d} from one of lower degree?")
        if size > d + 1:
            return False, f"{where}{int(size)} taps: they work, but fewer do too, so that is not the minimum."
        return True, ""

    def judge() -> tuple[bool, str]:
        if order is not None:
            if callable(answer):
                raise _Reject(f"Expected a number (the size for order {order}); got a function.")
            passed, text = verdict(size_of(answer, "a whole number of taps"), order, "You say ")
            if passed:
                return True, (f"{order + 1} taps: with n samples you can cancel every polynomial of degree below "
                              f"{order} and still see degree {order} only when n ≥ {order + 1}.")
            return False, text
        if not callable(answer):
            raise _Reject(f"Expected a function of the order d, e.g. lambda d: ..., that returns the size; got "
                          f"{_kind(answer)}.")
        for d in range(1, 9):
            passed, text = verdict(size_of(_call(answer, d), f"a whole number from your function for d = {d}"), d,
                                   f"For d = {d} your function gives ")
            if not passed:
                if d > 1:
                    text += " (The chapter's [[1, −1]] is the first-derivative case, d = 1.)"
                return False, text
        return True, ("Right for every order tried (d = 1 … 8): a derivative of order d needs d + 1 samples, like "
                      "[[1, −1]] for d = 1 and [[1, −2, 1]] for d = 2.")

    blank = "a function of the order d that returns the size" if order is None else "a number (how many taps)"
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
    exercise = "blur kernel"

    def judge() -> tuple[bool, str]:
        kernel = _matrix_answer(K, "a kernel")
        if bool((kernel < -1e-9).any()):
            return False, ("It has negative weights. A blur averages neighbours; subtracting them sharpens or "
                           "detects edges instead.")
        total = float(kernel.sum())
        if total == 0:
            return False, "All weights are zero: the output is black, whatever the input."
        if abs(total - 1) > 1e-2:
            return False, (f"Not normalised: the weights sum to {_fmt(total)}, so a constant image of 1s becomes "
                           f"{_fmt(total)}s and the picture gets {'brighter' if total > 1 else 'darker'}. "
                           "Divide by the sum.")
        if int((kernel > 1e-9).sum()) < 2:
            return False, ("Only one weight is non-zero, so it copies (and maybe shifts) the image without "
                           "mixing neighbours: nothing gets blurred.")
        kept = float((kernel**2).sum() / total**2)
        return True, (f"A constant image stays the same, and white noise keeps only {kept:.0%} of its variance "
                      "(Σw² for weights w). Blurring removes noise and fine detail, e.g. before shrinking an "
                      "image or to smooth a noisy edge map.")

    return _run(exercise, "your kernel, a 2-D tensor such as torch.tensor([[a, b], [c, d]])", K, judge)
