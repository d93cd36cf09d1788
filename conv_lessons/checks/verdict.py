"""The verdict every exercise check gives, and the helpers that read a learner's answer.

A check prints one line and returns a :class:`CheckResult` (see :mod:`conv_lessons.checks`).  The
helpers here turn a learner's answer into a tensor or a number, or raise :class:`_Reject` with a
sentence saying what is wrong with it, so that no answer ever produces a traceback.
"""

from __future__ import annotations

import dis
import math
import numbers
import types
from collections.abc import Callable
from typing import Any

import torch

from ..i18n import text
from ..validation import as_matrix, message

CORRECT, WRONG, BLANK, INVALID = "correct", "wrong", "blank", "invalid"
_SYMBOL = {CORRECT: "✓", WRONG: "✗", BLANK: "✎", INVALID: "✗"}


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

    def __init__(self, exercise: str, status: str, explanation: str) -> None:
        self.exercise = exercise
        self.status = status
        self.message = text("check.verdict", symbol=_SYMBOL[status], exercise=exercise,
                            lead=text(f"check.lead.{status}"), text=explanation).rstrip()
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


def _verdict(exercise: str, status: str, explanation: str) -> CheckResult:
    result = CheckResult(exercise, status, explanation)
    print(result.message)
    result._printed_in = _execution_count()
    return result


class _Reject(Exception):
    """Raised inside a check when the answer cannot be read; becomes an 'invalid' verdict."""


def _fmt(value: float) -> str:
    """A number as a learner would write it: 2, −0.5, 0.333."""
    if abs(value) < 5e-7:
        value = 0.0
    shown = f"{value:.3g}"
    return shown.replace("-", "−")


def _shape_text(shape: Any) -> str:
    return "×".join(str(int(s)) for s in shape)


def _kind(answer: Any) -> str:
    if isinstance(answer, str):
        return text("check.kind.text", value=repr(answer))
    if isinstance(answer, torch.Tensor):
        return text("check.kind.tensor", dim=answer.dim(), shape=tuple(answer.shape))
    if callable(answer):
        return text("check.kind.function")
    return f"{type(answer).__name__} {answer!r}"[:80]


def _matrix_answer(answer: Any, what: str) -> torch.Tensor:
    """The answer as a finite 2-D float64 tensor, or raise :class:`_Reject` saying what is wrong.

    ``what`` names the answer in the current language (a :func:`text` entry)."""
    example = "torch.tensor([[a, b], [c, d]])"
    if isinstance(answer, str) or callable(answer) or answer is None or isinstance(answer, (numbers.Number, dict)):
        raise _Reject(text("check.answer.matrix", what=what, example=example, kind=_kind(answer)))
    if isinstance(answer, torch.Tensor):
        tensor = answer.detach()
    else:
        try:
            tensor = torch.as_tensor(answer)
        except (TypeError, ValueError, RuntimeError):
            raise _Reject(text("check.answer.not_a_grid", what=what, example=example, kind=_kind(answer))) from None
    if tensor.is_complex():
        raise _Reject(text("check.answer.complex", what=what))
    if tensor.dim() == 1:
        raise _Reject(text("check.answer.one_dimensional", what=what, shape=tuple(tensor.shape)))
    try:
        tensor = as_matrix(tensor, text("check.your_answer"))
    except (TypeError, ValueError) as error:
        raise _Reject(str(error)) from None
    tensor = tensor.to(torch.float64)
    if not torch.isfinite(tensor).all():
        raise _Reject(text("check.answer.not_finite", what=what))
    return tensor


def _number_answer(answer: Any, what: str) -> float:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _Reject(text("check.answer.expected", what=what, kind=_kind(answer)))
    value = float(answer)
    if not math.isfinite(value):
        raise _Reject(text("check.answer.expected", what=what, kind=repr(answer)))
    return value


def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Call the learner's function; any exception becomes a :class:`_Reject` naming it (no traceback)."""
    try:
        return function(*args)
    except Exception as error:  # the learner's code: report anything it raises
        shapes = ", ".join(
            text("check.answer.tensor_argument", shape=_shape_text(a.shape)) if isinstance(a, torch.Tensor)
            else repr(a) for a in args
        )
        raise _Reject(text("check.answer.raised", error=type(error).__name__, message=error, arguments=shapes)) \
            from None


def _tensor_result(value: Any, call: str) -> torch.Tensor:
    if value is None:
        raise _Reject(text("check.answer.returned_none", call=call))
    try:
        tensor = value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise _Reject(text("check.answer.returned_other", kind=_kind(value), call=call)) from None
    if tensor.is_complex():
        raise _Reject(text("check.answer.returned_complex", call=call))
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
        return _verdict(exercise, BLANK, text("check.blank", hint=blank_hint))
    try:
        passed, explanation = judge()
    except _Reject as reason:
        return _verdict(exercise, INVALID, str(reason))
    return _verdict(exercise, CORRECT if passed else WRONG, explanation)


def _generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _pair_answer(answer: Any, what: str) -> tuple[int, int]:
    """A (rows, columns) pair of whole numbers, from a tuple, list or ``torch.Size``."""
    if isinstance(answer, torch.Tensor) and answer.dim() == 1 and answer.numel() == 2:
        answer = answer.tolist()
    if not (isinstance(answer, (tuple, list, torch.Size)) and len(answer) == 2):
        raise _Reject(text("check.answer.pair", what=what, kind=_kind(answer)))
    values = []
    whole = text("check.answer.whole_numbers", what=what)
    for value in answer:
        number = _number_answer(value, whole)
        if number != int(number):
            raise _Reject(text("check.answer.expected", what=whole, kind=repr(tuple(answer))))
        values.append(int(number))
    return values[0], values[1]


def _shape_pair(value: Any, name: str) -> tuple[int, int]:
    """An author's (rows, columns) argument; a mistake here raises (it is found when the lesson is written)."""
    if not (isinstance(value, (tuple, list, torch.Size)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in value)):
        raise ValueError(message(name, text("check.author.shape_pair"), repr(value)))
    return int(value[0]), int(value[1])


class _Blank(Exception):
    """Raised inside a check with two answers when the second one is still the blank."""
