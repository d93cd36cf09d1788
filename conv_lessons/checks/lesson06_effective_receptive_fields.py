"""Lesson 06, effective receptive fields: how the width of the gradient map grows with depth.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..i18n import text
from ..validation import message
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
        raise ValueError(message("kernel_size", text("validation.whole_number_at_least", minimum=2),
                                 repr(kernel_size)))
    k = int(kernel_size)
    exercise = text("check.lesson06.erf_std.exercise", kernel=f"{k}×{k}")

    def sigma(L: int) -> float:
        return math.sqrt(L * (k * k - 1) / 12)

    def judge() -> tuple[bool, str]:
        if not callable(answer):
            raise _Reject(text("check.lesson06.erf_std.not_a_function", kind=_kind(answer)))
        values = [_number_answer(_call(answer, L), text("check.lesson06.erf_std.from_function", L=L))
                  for L in range(1, 13)]
        truth = [sigma(L) for L in range(1, 13)]
        if all(math.isclose(a, b, rel_tol=1e-3) for a, b in zip(values, truth, strict=True)):
            return True, text("check.lesson06.erf_std.correct")
        depths = range(1, 13)
        ratios = [v / values[0] if values[0] > 0 else math.nan for v in values]
        if all(math.isclose(r, L, rel_tol=1e-3) for L, r in zip(depths, ratios, strict=True)):
            return False, text("check.lesson06.erf_std.linear")
        if all(math.isclose(r, math.sqrt(L), rel_tol=1e-3) for L, r in zip(depths, ratios, strict=True)):
            return False, text("check.lesson06.erf_std.constant", kernel=f"{k}×{k}")
        return False, text("check.lesson06.erf_std.start", sigma=_fmt(values[0]))

    return _run(exercise, text("check.lesson06.erf_std.blank"), answer, judge)


def check_erf_growth(answer: Any, factor: float = 4) -> CheckResult:
    """Lesson 06: by what factor does the effective receptive field's width grow when depth grows ``factor``-fold?

    The answer is a number, √factor (within 2 %).  Hints: ``factor`` itself is the theoretical
    field's growth; 1 means no growth.
    """
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not factor > 1:
        raise ValueError(message("factor", text("check.author.number_above_one"), repr(factor)))
    exercise = text("check.lesson06.erf_growth.exercise", factor=_fmt(factor))

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, text("check.lesson06.erf_growth.what"))
        truth = math.sqrt(factor)
        if math.isclose(value, truth, rel_tol=0.02):
            return True, text("check.lesson06.erf_growth.correct", factor=_fmt(factor), root=_fmt(truth))
        if math.isclose(value, factor, rel_tol=0.02):
            return False, text("check.lesson06.erf_growth.theoretical")
        if math.isclose(value, 1, rel_tol=0.02):
            return False, text("check.lesson06.erf_growth.no_growth")
        return False, text("check.lesson06.erf_growth.look")

    return _run(exercise, text("check.lesson06.erf_growth.blank"), answer, judge)
