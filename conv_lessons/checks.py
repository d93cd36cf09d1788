"""Self-checks for the exercises: pass your own answer, get a verdict without being told the answer.

Every check takes the learner's answer (a kernel tensor, a function, a number, a choice), prints
one line and returns a :class:`CheckResult`:

* ``✓ <exercise>: correct. …`` with why it is right;
* ``✗ <exercise>: not yet. …`` with a hint that names what is wrong (wrong shape, wrong
  direction, off by a sign, not normalised, too small …) but not the answer;
* ``✎ <exercise>: fill in your answer: replace ... with …`` when the answer is still the committed
  blank: ``...`` (Ellipsis), or a function whose body is only ``...``;
* ``✗ <exercise>: can't check this answer. …`` when the answer is the wrong kind of thing (a
  string, a ragged list, a 1-D tensor where a kernel is expected, a function that raises …).

A learner's answer never produces a traceback.  Mistakes by the notebook's author (an unknown
``case``, an impossible ``order``) do raise, so they are found when the notebook is written.

In a notebook, an exercise cell looks like this (the answer left blank when committed)::

    K = ...  # your blur kernel, e.g. torch.tensor([[...]])
    check_blur_kernel(K)

or, where the answer is a function::

    def my_corr2d_matmul(X, K):
        ...  # your code

    check_corr2d_matmul(my_corr2d_matmul)

The result is also a value: ``result.passed`` (bool; ``bool(result)`` is the same, so a solutions
notebook can ``assert check_blur_kernel(K)``), ``result.status`` (``"correct"``, ``"wrong"``,
``"blank"`` or ``"invalid"``) and ``result.message`` (the printed line, also its ``repr``).  When a
check is the last line of a notebook cell its result is not displayed a second time.

The chapter's exercises (English 7.2 / Chinese 6.2) and their checks (see :data:`CHECKS`):

==========================================  =============================================
exercise                                    check
==========================================  =============================================
diagonal edges: K, X.T, K.T                 :func:`check_diagonal_edges` (``case=``)
kernel for edges orthogonal to v            :func:`check_direction_kernel`
second-derivative kernel                    :func:`check_second_derivative`
its minimum size / size for order d         :func:`check_min_kernel_size`
blur kernel                                 :func:`check_blur_kernel`
differentiating through ``Conv2D``          :func:`check_conv2d_autograd`
cross-correlation as a matrix product       :func:`check_corr2d_matmul`
==========================================  =============================================

and for the lessons' other exercises:

==========================================  =============================================
exercise                                    check
==========================================  =============================================
01: output shape / kernel for an output     :func:`check_output_shape`, :func:`check_kernel_shape`
01: when correlation equals convolution     :func:`check_same_as_convolution`
03: largest stable / fastest learning rate  :func:`check_stable_lr`, :func:`check_fastest_lr`
04: receptive field of a stack, by hand     :func:`check_receptive_field`
04: when a stack of k×k layers is cheaper   :func:`check_cheaper_stack`
04: deepest stack that fits an image        :func:`check_deepest_stack`
05: non-zeros of W / the input gradient     :func:`check_conv_matrix_nonzeros`, :func:`check_input_gradient`
06: effective receptive field               :func:`check_erf_std`, :func:`check_erf_growth`
==========================================  =============================================
"""

from __future__ import annotations

import dis
import functools
import math
import numbers
import types
from collections.abc import Callable
from typing import Any

import torch

from .correlation import convolve2d, corr2d, output_shape
from .images import diagonal_image
from .matrix import conv_matrix
from .training import loss_hessian
from .validation import as_matrix

__all__ = [
    "CheckResult",
    "CHECKS",
    "AUTOGRAD_CHOICES",
    "autograd_outcome",
    "check_diagonal_edges",
    "check_direction_kernel",
    "check_second_derivative",
    "check_min_kernel_size",
    "check_blur_kernel",
    "check_conv2d_autograd",
    "check_corr2d_matmul",
    "check_conv_matrix_nonzeros",
    "check_input_gradient",
    "check_erf_std",
    "check_erf_growth",
    "check_output_shape",
    "check_kernel_shape",
    "check_same_as_convolution",
    "check_stable_lr",
    "check_fastest_lr",
    "check_receptive_field",
    "check_cheaper_stack",
    "check_deepest_stack",
]

CORRECT, WRONG, BLANK, INVALID = "correct", "wrong", "blank", "invalid"
_SYMBOL = {CORRECT: "✓", WRONG: "✗", BLANK: "✎", INVALID: "✗"}
_LEAD = {CORRECT: "correct.", WRONG: "not yet.", BLANK: "fill in your answer:", INVALID: "can't check this answer."}


# --------------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------------


def _execution_count() -> int | None:
    """The IPython cell being run (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


class CheckResult:
    """The verdict of one self-check: ``passed``, ``status``, ``exercise`` and the printed ``message``.

    ``repr(result)`` and ``str(result)`` are the message; ``bool(result)`` is ``passed``.
    """

    __slots__ = ("exercise", "status", "message", "_printed_in")

    def __init__(self, exercise: str, status: str, text: str) -> None:
        self.exercise = exercise
        self.status = status
        self.message = f"{_SYMBOL[status]} {exercise}: {_LEAD[status]} {text}".rstrip()
        self._printed_in: int | None = None

    @property
    def passed(self) -> bool:
        """True only for a correct answer (not for a blank or an unreadable one)."""
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _ipython_display_(self) -> None:
        # The check already printed the message in this cell; show it again only in a later cell.
        if self._printed_in is None or self._printed_in != _execution_count():
            print(self.message)


def _verdict(exercise: str, status: str, text: str) -> CheckResult:
    result = CheckResult(exercise, status, text)
    print(result.message)
    result._printed_in = _execution_count()
    return result


class _Reject(Exception):
    """Raised inside a check when the answer cannot be read; becomes an 'invalid' verdict."""


def _fmt(value: float) -> str:
    """A number as a learner would write it: 2, −0.5, 0.333."""
    if abs(value) < 5e-7:
        value = 0.0
    text = f"{value:.3g}"
    return text.replace("-", "−")


def _shape_text(shape: Any) -> str:
    return "×".join(str(int(s)) for s in shape)


def _kind(answer: Any) -> str:
    if isinstance(answer, str):
        return f"the text {answer!r}"
    if isinstance(answer, torch.Tensor):
        return f"a {answer.dim()}-D tensor of shape {tuple(answer.shape)}"
    if callable(answer):
        return "a function"
    return f"{type(answer).__name__} {answer!r}"[:80]


def _matrix_answer(answer: Any, what: str) -> torch.Tensor:
    """The answer as a finite 2-D float64 tensor, or raise :class:`_Reject` saying what is wrong."""
    example = "torch.tensor([[a, b], [c, d]])"
    if isinstance(answer, str) or callable(answer) or answer is None or isinstance(answer, (numbers.Number, dict)):
        raise _Reject(f"Expected {what}, a 2-D tensor such as {example}; got {_kind(answer)}.")
    if isinstance(answer, torch.Tensor):
        tensor = answer.detach()
    else:
        try:
            tensor = torch.as_tensor(answer)
        except (TypeError, ValueError, RuntimeError):
            raise _Reject(
                f"Expected {what}, a 2-D tensor such as {example}; got {_kind(answer)}, which is not a "
                "grid of numbers (every row must have the same length and hold only numbers)."
            ) from None
    if tensor.is_complex():
        raise _Reject(f"Expected {what} with real numbers; got complex numbers.")
    if tensor.dim() == 1:
        raise _Reject(
            f"Expected {what} as a 2-D tensor; got a 1-D tensor of shape {tuple(tensor.shape)}. Write one row "
            "as [[a, b, c]] (shape (1, 3)) or one column as [[a], [b], [c]] (shape (3, 1))."
        )
    try:
        tensor = as_matrix(tensor, "your answer")
    except (TypeError, ValueError) as error:
        raise _Reject(str(error)) from None
    tensor = tensor.to(torch.float64)
    if not torch.isfinite(tensor).all():
        raise _Reject(f"Your answer contains nan or inf; {what} needs ordinary finite numbers.")
    return tensor


def _number_answer(answer: Any, what: str) -> float:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _Reject(f"Expected {what}; got {_kind(answer)}.")
    value = float(answer)
    if not math.isfinite(value):
        raise _Reject(f"Expected {what}; got {answer!r}.")
    return value


def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Call the learner's function; any exception becomes a :class:`_Reject` naming it (no traceback)."""
    try:
        return function(*args)
    except Exception as error:  # the learner's code: report anything it raises
        shapes = ", ".join(
            f"{_shape_text(a.shape)} tensor" if isinstance(a, torch.Tensor) else repr(a) for a in args
        )
        raise _Reject(f"Your function raised {type(error).__name__}: {error} (called with {shapes}).") from None


def _tensor_result(value: Any, call: str) -> torch.Tensor:
    if value is None:
        raise _Reject(f"Your function returned None for {call}: did you forget the return statement?")
    try:
        tensor = value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise _Reject(f"Your function returned {_kind(value)} for {call}; return a tensor.") from None
    return tensor.to(torch.float64)


def _is_blank(answer: Any) -> bool:
    """The committed blank: ``...`` itself, or a function whose body is only ``...`` (or ``pass``)."""
    if answer is Ellipsis:
        return True
    if not isinstance(answer, types.FunctionType):
        return False
    steps = [(i.opname, i.argval) for i in dis.get_instructions(answer) if i.opname not in ("RESUME", "NOP")]
    return steps in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("LOAD_CONST", Ellipsis), ("RETURN_VALUE", None)],
                     [("RETURN_CONST", None)], [("RETURN_CONST", Ellipsis)])


def _run(exercise: str, blank_hint: str, answer: Any, judge: Callable[[], tuple[bool, str]]) -> CheckResult:
    """The frame every check shares: blank → fill-in line; unreadable → invalid; else the judge's verdict."""
    if _is_blank(answer):
        return _verdict(exercise, BLANK, f"replace ... with {blank_hint}.")
    try:
        passed, text = judge()
    except _Reject as reason:
        return _verdict(exercise, INVALID, str(reason))
    return _verdict(exercise, CORRECT if passed else WRONG, text)


def _generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


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
        truth = corr2d(A, B)
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
            other_truth = corr2d(A, B)
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
        along = float(corr2d(_ramp(unit, tuple(kernel.shape)), kernel)[0, 0])
        across = float(corr2d(_ramp(perpendicular, tuple(kernel.shape)), kernel)[0, 0])
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
    from .images import edge_image
    from .layers import Conv2D

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


def _judge_matmul_function(function: Callable[..., Any]) -> tuple[bool, str]:
    generator = _generator(5)
    for shape, kernel_shape in _MATMUL_CASES:
        X = torch.randn(shape, generator=generator, dtype=torch.float64)
        kernel = torch.randn(kernel_shape, generator=generator, dtype=torch.float64)
        call = f"X of shape {shape} and K of shape {kernel_shape}"
        Y = _tensor_result(_call(function, X.clone(), kernel.clone()), call)
        truth = corr2d(X, kernel)
        if Y.shape != truth.shape:
            if Y.numel() == truth.numel():
                return False, (f"For {call} your function returns shape {tuple(Y.shape)}; the output has "
                               f"(n_h − k_h + 1)×(n_w − k_w + 1) entries: reshape the product.")
            return False, (f"For {call} your function returns shape {tuple(Y.shape)}, but the output is "
                           f"(n_h − k_h + 1)×(n_w − k_w + 1) = {_shape_text(truth.shape)}.")
        if torch.allclose(Y, truth, atol=1e-4, rtol=1e-4):
            continue
        if torch.allclose(Y, convolve2d(X, kernel), atol=1e-4, rtol=1e-4):
            return False, (f"For {call} your function computes a convolution (the kernel flipped); cross-correlation "
                           "uses K as it is.")
        return False, f"For {call} your function's output differs from corr2d(X, K)."
    return True, (f"Your function equals corr2d on {len(_MATMUL_CASES)} shapes, including non-square inputs and 1×N, "
                  "N×1 and 1×1 kernels.")


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


# --------------------------------------------------------------------------------------------
# Lesson 06: the effective receptive field grows like the square root of depth
# --------------------------------------------------------------------------------------------


def check_erf_std(answer: Any, kernel_size: int = 3) -> CheckResult:
    """Lesson 06: the standard deviation, along one axis, of the gradient map of L uniform k×k layers.

    ``answer`` is a function of the depth ``L``.  Each uniform layer spreads a pixel's influence
    evenly over k offsets; stacking layers adds their variances, so σ(L) = √(L·(k² − 1)/12).
    Tried for L = 1 … 12.  Hints: linear growth (that is the theoretical field), right √L growth
    with the wrong constant.
    """
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral) or kernel_size < 2:
        raise ValueError(f"kernel_size: expected a whole number ≥ 2, got {kernel_size!r}.")
    k = int(kernel_size)
    exercise = f"width of the effective receptive field ({k}×{k} uniform layers)"

    def sigma(L: int) -> float:
        return math.sqrt(L * (k * k - 1) / 12)

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(f"Expected a function of the depth L, e.g. lambda L: ..., that returns σ; "
                          f"got {_kind(answer)}.")
        values = [_number_answer(_call(answer, L), f"a number from your function for L = {L}") for L in range(1, 13)]
        truth = [sigma(L) for L in range(1, 13)]
        if all(math.isclose(a, b, rel_tol=1e-3) for a, b in zip(values, truth, strict=True)):
            return True, ("Variances add when layers are stacked (each layer is one more independent step of a "
                          "random walk), so σ grows like √L while the theoretical field, L·(k − 1) + 1, grows like L.")
        depths = range(1, 13)
        ratios = [v / values[0] if values[0] > 0 else math.nan for v in values]
        if all(math.isclose(r, L, rel_tol=1e-3) for L, r in zip(depths, ratios, strict=True)):
            return False, ("Your σ grows in proportion to L, like the theoretical receptive field. Stacking layers "
                           "adds variances, not standard deviations.")
        if all(math.isclose(r, math.sqrt(L), rel_tol=1e-3) for L, r in zip(depths, ratios, strict=True)):
            return False, ("Right growth (√L), wrong constant. Check one layer: σ(1) is the standard deviation of "
                           f"the offsets a {k}×{k} uniform kernel spreads a pixel over, weighted equally.")
        return False, f"For L = 1 your function gives {_fmt(values[0])}: start from one layer, then think how σ grows."

    return _run(exercise, "a function of the depth L that returns σ", answer, judge)


def check_erf_growth(answer: Any, factor: float = 4) -> CheckResult:
    """Lesson 06: by what factor does the effective receptive field's width grow when depth grows ``factor``-fold?

    The answer is a number, √factor (within 2 %).  Hints: ``factor`` itself is the theoretical
    field's growth; 1 means no growth.
    """
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not factor > 1:
        raise ValueError(f"factor: expected a number > 1, got {factor!r}.")
    exercise = f"effective receptive field, {_fmt(factor)}× deeper"

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a number (the growth factor)")
        truth = math.sqrt(factor)
        if math.isclose(value, truth, rel_tol=0.02):
            return True, (f"√{_fmt(factor)} = {_fmt(truth)}: the effective width grows like √depth, while the "
                          f"theoretical field grows about {_fmt(factor)}× (like depth).")
        if math.isclose(value, factor, rel_tol=0.02):
            return False, "That is how the theoretical receptive field grows. The effective one grows more slowly."
        if math.isclose(value, 1, rel_tol=0.02):
            return False, "It does grow: look at the σ readout as you move the depth slider."
        return False, "Look at the σ-versus-depth plot: which power of the depth does σ follow?"

    return _run(exercise, "a number (the factor)", answer, judge)


# --------------------------------------------------------------------------------------------
# Lesson 01: output shapes, and the kernels for which cross-correlation equals convolution
# --------------------------------------------------------------------------------------------


def _pair_answer(answer: Any, what: str) -> tuple[int, int]:
    """A (rows, columns) pair of whole numbers, from a tuple, list or ``torch.Size``."""
    if isinstance(answer, torch.Tensor) and answer.dim() == 1 and answer.numel() == 2:
        answer = answer.tolist()
    if not (isinstance(answer, (tuple, list, torch.Size)) and len(answer) == 2):
        raise _Reject(f"Expected {what}, a pair such as (3, 4) (rows, columns); got {_kind(answer)}.")
    values = []
    for value in answer:
        number = _number_answer(value, f"{what} made of whole numbers")
        if number != int(number):
            raise _Reject(f"Expected {what} made of whole numbers; got {tuple(answer)!r}.")
        values.append(int(number))
    return values[0], values[1]


def _shape_pair(value: Any, name: str) -> tuple[int, int]:
    """An author's (rows, columns) argument; a mistake here raises (it is found when the lesson is written)."""
    if not (isinstance(value, (tuple, list, torch.Size)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in value)):
        raise ValueError(f"{name}: expected a (rows, columns) pair of whole numbers ≥ 1, got {value!r}.")
    return int(value[0]), int(value[1])


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
# Lesson 03: the learning rates the loss's curvature allows
# --------------------------------------------------------------------------------------------


def _curvatures(X: Any, kernel_size: Any) -> tuple[float, float, tuple[int, int], tuple[int, int]]:
    """λ_min and λ_max of the loss's Hessian H = 2PᵀP (P: the windows of X, one per row)."""
    image = X
    if image is None:
        from .images import edge_image

        image = edge_image()
    image = as_matrix(torch.as_tensor(image) if not isinstance(image, torch.Tensor) else image, "X").to(torch.float64)
    size = _shape_pair(kernel_size, "kernel_size")
    if size[0] > image.shape[0] or size[1] > image.shape[1]:
        raise ValueError(f"kernel_size: {kernel_size} does not fit in X of shape {tuple(image.shape)}.")
    eigenvalues = torch.linalg.eigvalsh(loss_hessian(image, size))
    return float(eigenvalues[0]), float(eigenvalues[-1]), tuple(image.shape), size


def check_stable_lr(answer: Any, X: Any = None, kernel_size: Any = (1, 2)) -> CheckResult:
    """Lesson 03: the largest learning rate at which gradient descent on Σ(Ŷ − Y)² still converges.

    ``X`` is the input image (default: the chapter's 6×8 edge image) and ``kernel_size`` the
    kernel's shape.  The loss is a quadratic bowl with Hessian H = 2PᵀP (P: one window of X per
    row); the limit is 2/λ_max (within 2 %).  Hints: 2/λ_min, 1/λ_max, H without its factor 2,
    the edge image's limit given for another image, a stable rate that is not the largest.
    """
    lam_min, lam_max, shape, size = _curvatures(X, kernel_size)
    if lam_max <= 0:
        raise ValueError("X: every window of this image is zero, so any learning rate is stable.")
    truth = 2 / lam_max
    exercise = f"largest stable learning rate ({_shape_text(shape)} image, {_shape_text(size)} kernel)"
    edge_limit = 1 / 30  # the chapter's X with a 1×2 kernel

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a number (the learning rate)")
        if math.isclose(value, truth, rel_tol=0.02):
            return True, (f"2/λ_max = 2/{_fmt(lam_max)} = {truth:.4g}. Along H's steepest direction the error is "
                          "multiplied by 1 − lr·λ_max every epoch; beyond this rate that factor is below −1 and the "
                          "error zigzags outwards.")
        if value <= 0:
            return False, "A learning rate is a positive number: the step goes down the gradient."
        if not math.isclose(truth, edge_limit, rel_tol=0.02) and math.isclose(value, edge_limit, rel_tol=0.02):
            return False, ("That is the limit for the chapter's edge image. H = 2PᵀP depends on the windows of "
                           "this image: count them again.")
        if lam_min > 0 and not math.isclose(lam_min, lam_max) and math.isclose(value, 2 / lam_min, rel_tol=0.02):
            return False, ("That is the limit for the flattest direction of the bowl. Every direction must shrink, "
                           "so the steepest one (the largest eigenvalue of H) decides.")
        if math.isclose(value, truth / 2, rel_tol=0.02):
            return False, ("Half the limit. At that rate the steepest direction converges in one step (factor 0); "
                           "it diverges only once |1 − lr·λ_max| > 1.")
        if math.isclose(value, 2 * truth, rel_tol=0.02):
            return False, "Twice the limit: did you leave out the 2 in H = 2PᵀP (the derivative of a square)?"
        if value < truth:
            return False, (f"At lr = {value:.4g} training converges, but larger rates do too. Which rate makes the "
                           "steepest direction's factor |1 − lr·λ_max| reach 1?")
        return False, (f"At lr = {value:.4g} the steepest direction's factor |1 − lr·λ_max| is "
                       f"{_fmt(abs(1 - value * lam_max))}, above 1: training diverges. Find the eigenvalues of "
                       "H = 2PᵀP.")

    return _run(exercise, "a number (the learning rate)", answer, judge)


def check_fastest_lr(answer: Any, X: Any = None, kernel_size: Any = (1, 2)) -> CheckResult:
    """Lesson 03: the learning rate that makes gradient descent converge fastest.

    The error along H's eigenvector with eigenvalue λ is multiplied by 1 − lr·λ per epoch; the
    slowest direction sets the speed, so the best rate makes the two extreme factors equal:
    lr = 2/(λ_min + λ_max) (within 1 %), with factor (λ_max − λ_min)/(λ_max + λ_min).  Default:
    the chapter's edge image and a 1×2 kernel (λ = 12 and 60: lr = 1/36, factor 2/3).  Hints give
    both factors at the learner's rate and name the stability limit and 1/λ_max.
    """
    lam_min, lam_max, shape, size = _curvatures(X, kernel_size)
    if lam_min <= 0:
        raise ValueError("X: H is singular for this image and kernel, so some direction never converges.")
    truth = 2 / (lam_min + lam_max)
    best = (lam_max - lam_min) / (lam_max + lam_min)
    exercise = f"fastest learning rate ({_shape_text(shape)} image, {_shape_text(size)} kernel)"

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a number (the learning rate)")
        if math.isclose(value, truth, rel_tol=0.01):
            return True, (f"lr = 2/(λ_min + λ_max) = 2/{_fmt(lam_min + lam_max)} = {truth:.4g}: both directions "
                          f"shrink by the same factor, {_fmt(best)} per epoch. Any other rate makes one of them "
                          "slower.")
        if value <= 0:
            return False, "A learning rate is a positive number: the step goes down the gradient."
        steep, shallow = abs(1 - value * lam_max), abs(1 - value * lam_min)
        if math.isclose(value, 2 / lam_max, rel_tol=0.01):
            return False, ("That is the stability limit. There the steep direction's factor is exactly −1: its "
                           "error flips sign every epoch and never shrinks.")
        if value > 2 / lam_max:
            return False, f"At lr = {value:.4g} the steep direction's factor is {_fmt(steep)} > 1: training diverges."
        if math.isclose(value, 1 / lam_max, rel_tol=0.01):
            return False, (f"At lr = 1/λ_max the steep direction converges in one step (factor 0), but the shallow "
                           f"one only shrinks by {_fmt(shallow)} per epoch. Trade some of the first for the second.")
        slower = "steep" if steep > shallow else "shallow"
        way = "smaller" if slower == "steep" else "larger"
        return False, (f"At lr = {value:.4g} the factors are {_fmt(steep)} (steep direction) and {_fmt(shallow)} "
                       f"(shallow); the slower one, the {slower} direction's, sets the speed. A {way} rate "
                       "helps it; where are the two factors equal?")

    return _run(exercise, "a number (the learning rate)", answer, judge)


# --------------------------------------------------------------------------------------------
# Lesson 04: receptive fields of stacks, computed by hand
# --------------------------------------------------------------------------------------------


def _stack_text(kernels: list[int], strides: list[int], dilations: list[int]) -> str:
    def listing(values: list[int], name: str) -> str:
        if all(v == 1 for v in values):
            return ""
        if len(set(values)) == 1:
            return f", {name} {values[0]}"
        return f", {name}s {values}"

    if len(set(kernels)) == 1:
        words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
        count = words[len(kernels) - 1] if len(kernels) <= len(words) else str(len(kernels))
        layers = f"{count} {kernels[0]}×{kernels[0]} layer{'s' if len(kernels) > 1 else ''}"
    else:
        layers = f"kernels {kernels}"
    return layers + listing(strides, "stride") + listing(dilations, "dilation")


def _field(kernels: list[int], strides: list[int], dilations: list[int]) -> int:
    from .receptive_field import receptive_field

    return receptive_field(kernels, strides, dilations)


def _field_answer(answer: Any) -> float:
    if isinstance(answer, (tuple, list, torch.Size)) and len(answer) == 2:
        rows, cols = _pair_answer(answer, "the receptive field")
        if rows != cols:
            raise _Reject(f"Expected one number (square kernels give a square field); got {tuple(answer)!r}.")
        return rows
    return _number_answer(answer, "a whole number (pixels along one axis)")


def _field_hint(value: float, kernels: list[int], strides: list[int], dilations: list[int]) -> str:
    """What a wrong receptive-field size most likely got wrong."""
    truth = _field(kernels, strides, dilations)
    extents = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
    ones = [1] * len(kernels)
    own_stride, jump = 1, 1
    for extent, stride in zip(extents, strides, strict=True):
        jump *= stride
        own_stride += (extent - 1) * jump
    candidates = [
        (sum(extents), "You added the kernel sizes. Neighbouring windows "
         "overlap, so each layer widens the field by k − 1 pixels, not k."),
        (_field(kernels, ones, dilations), "That leaves out the strides: after a layer with stride s, every later "
         "layer's step covers s times more input pixels."),
        (own_stride, "You multiplied each layer's k − 1 by its own stride too. A layer's stride spaces out its "
         "outputs: it widens only the layers after it."),
        (_field(kernels, strides[::-1], dilations), "That is the field with the strides in the opposite order: the "
         "stride of a layer widens the layers after it, not the ones before."),
        (_field(kernels, strides, ones), "That leaves out the dilations: a dilated kernel covers d·(k − 1) + 1 "
         "pixels."),
        (_field([d * k for k, d in zip(kernels, dilations, strict=True)], strides, ones),
         "A dilated kernel with k taps d pixels apart covers d·(k − 1) + 1 pixels, not d·k."),
    ]
    for candidate, hint in candidates:
        if candidate != truth and value == candidate:
            return hint
    if value in (truth - 1, truth + 1):
        return "Off by one: start from the 1 pixel under the output, then add (k − 1)·J for each layer."
    if value != int(value):
        return "A receptive field is a whole number of pixels."
    way = "small" if value < truth else "large"
    return (f"Too {way}. Go layer by layer, first layer first: r grows by (k − 1)·J, where J is the product of the "
            "strides of the layers before it.")


def check_receptive_field(answer: Any, kernel_sizes: Any = (3, 3, 3), strides: Any = None,
                          dilations: Any = None) -> CheckResult:
    """Lesson 04: the receptive field (pixels along one axis) of a stack, worked out by hand.

    ``kernel_sizes``, ``strides`` and ``dilations`` describe the stack as in
    :func:`conv_lessons.receptive_field.receptive_field`.  ``answer`` is a number (or an equal
    ``(r, r)`` pair).  Hints: kernel sizes added (k instead of k − 1), strides left out, a layer's own
    stride counted, strides in the wrong order, dilations left out or taken as d·k, off by one.
    """
    from .receptive_field import parse_stack

    kernels, steps, gaps = parse_stack(kernel_sizes, strides, dilations)
    truth = _field(kernels, steps, gaps)
    exercise = f"receptive field of {_stack_text(kernels, steps, gaps)}"

    def judge() -> tuple[bool, str]:
        value = _field_answer(answer)
        if value == truth:
            terms, jump = [], 1
            for k, s, d in zip(kernels, steps, gaps, strict=True):
                terms.append(f"{d * (k - 1)}·{jump}")
                jump *= s
            return True, f"r = 1 + {' + '.join(terms)} = {truth} pixels along each axis."
        return False, _field_hint(value, kernels, steps, gaps)

    return _run(exercise, "a whole number (pixels along one axis)", answer, judge)


def check_cheaper_stack(answer: Any, kernel_size: int = 3) -> CheckResult:
    """Lesson 04: from which depth L on has a stack of L k×k layers fewer weights than one layer seeing as far?

    L k×k layers see L·(k − 1) + 1 pixels; one layer that size has (L·(k − 1) + 1)² weights
    against the stack's L·k² (one channel).  The answer is the smallest such L, a whole number.
    """
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral) or kernel_size < 2:
        raise ValueError(f"kernel_size: expected a whole number ≥ 2, got {kernel_size!r}.")
    k = int(kernel_size)
    truth = next(L for L in range(1, 1000) if L * k * k < (L * (k - 1) + 1) ** 2)
    exercise = f"when a stack of {k}×{k} layers is cheaper"

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a whole number (the depth L)")
        if value != int(value) or value < 1:
            return False, "A depth is a whole number of layers, 1 or more."
        L = int(value)
        side = truth * (k - 1) + 1
        if L == truth:
            far = 5 * (k - 1) + 1
            return True, (f"At L = {truth}: {truth * k * k} weights against {side * side} ({side}×{side}); at L = 5: "
                          f"{5 * k * k} against {far * far}. The stack grows by {k * k} weights per layer, the single "
                          "layer with the square of its side; and the stack has room for a nonlinearity between "
                          "its layers.")
        if L < truth:
            return False, (f"At L = {L} the stack is a single {k}×{k} layer: {k * k} weights either way, so it is not "
                           "cheaper yet.")
        return False, ("The stack is already cheaper at a smaller depth: compare L·k² with (L·(k − 1) + 1)² for "
                       "L = 1, 2, 3, …")

    return _run(exercise, "a whole number (the depth L)", answer, judge)


def check_deepest_stack(depth: Any, field: Any = ..., input_shape: Any = (225, 192), kernel_size: int = 5,
                        stride: int = 2) -> CheckResult:
    """Lesson 04: how many k×k layers with stride s fit on an image, and the receptive field of the last one.

    ``depth`` is the number of layers that fit (no feature map smaller than the kernel),
    ``field`` the receptive field of the deepest layer (pixels along one axis).  Either may be the
    blank ``...``; a right depth with a blank field says so and asks for the field.  Default: the
    225×192 photo of lesson 04, 5×5 kernels, stride 2.
    """
    n_h, n_w = _shape_pair(input_shape, "input_shape")
    for name, value in (("kernel_size", kernel_size), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name}: expected a whole number ≥ 1, got {value!r}.")
    k, s = int(kernel_size), int(stride)
    sizes = [(n_h, n_w)]
    while min(sizes[-1]) >= k:
        h, w = sizes[-1]
        sizes.append(((h - k) // s + 1, (w - k) // s + 1))
    truth = len(sizes) - 1
    if truth < 1:
        raise ValueError(f"kernel_size: {k} does not fit in input_shape {input_shape} even once.")
    kernels, steps, gaps = [k] * truth, [s] * truth, [1] * truth
    true_field = _field(kernels, steps, gaps)
    exercise = f"deepest stack of {k}×{k} layers, stride {s}, on a {n_h}×{n_w} image"

    def judge() -> tuple[bool, str]:
        value = _number_answer(depth, "a whole number (how many layers fit)")
        if value != int(value) or value < 1:
            return False, "A depth is a whole number of layers, 1 or more."
        L = int(value)
        if L > truth:
            return False, (f"Too deep: before layer {L}, a feature map is already smaller than the {k}×{k} kernel, "
                           f"so the stack stops fitting. Follow the size layer by layer: n → ⌊(n − {k})/{s}⌋ + 1.")
        if L < truth:
            h, w = sizes[L]
            return False, (f"After {L} layers the feature map is still {h}×{w}, large enough for another {k}×{k} "
                           "layer: go on.")
        if _is_blank(field):
            raise _Blank(f"your depth is right ({truth} layers); now replace the ... in field with the receptive "
                         "field of the last layer")
        r = _field_answer(field)
        if r == true_field:
            return True, (f"{truth} layers, the last feature map {sizes[truth][0]}×{sizes[truth][1]}; one of its "
                          f"elements sees r = 1 + {k - 1}·(1 + {s} + … + {s}^{truth - 1}) = {true_field} pixels "
                          "along each axis.")
        return False, "The depth is right; the receptive field is not. " + _field_hint(r, kernels, steps, gaps)

    if _is_blank(depth):
        return _verdict(exercise, BLANK, "replace ... with whole numbers: depth (how many layers fit) and field "
                                         "(the receptive field of the last layer).")
    try:
        passed, text = judge()
    except _Blank as note:
        return _verdict(exercise, BLANK, str(note) + ".")
    except _Reject as reason:
        return _verdict(exercise, INVALID, str(reason))
    return _verdict(exercise, CORRECT if passed else WRONG, text)


class _Blank(Exception):
    """Raised inside a check with two answers when the second one is still the blank."""


#: Every check by a short name: the exercise cells of lessons 01–06 call these.
CHECKS: dict[str, Callable[..., CheckResult]] = {
    "diagonal_edges": check_diagonal_edges,
    "direction_kernel": check_direction_kernel,
    "second_derivative": check_second_derivative,
    "min_kernel_size": check_min_kernel_size,
    "blur_kernel": check_blur_kernel,
    "conv2d_autograd": check_conv2d_autograd,
    "corr2d_matmul": check_corr2d_matmul,
    "conv_matrix_nonzeros": check_conv_matrix_nonzeros,
    "input_gradient": check_input_gradient,
    "erf_std": check_erf_std,
    "erf_growth": check_erf_growth,
    "output_shape": check_output_shape,
    "kernel_shape": check_kernel_shape,
    "same_as_convolution": check_same_as_convolution,
    "stable_lr": check_stable_lr,
    "fastest_lr": check_fastest_lr,
    "receptive_field": check_receptive_field,
    "cheaper_stack": check_cheaper_stack,
    "deepest_stack": check_deepest_stack,
}
