"""Lesson 06, effective receptive fields: how the width of the gradient map grows with depth.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .verdict import (
    CheckResult,
    _call,
    _fmt,
    _kind,
    _number_answer,
    _Reject,
    _run,
)

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
