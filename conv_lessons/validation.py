"""One place for argument checking, so every error a learner meets has the same form.

Every public function of ``conv_lessons`` calls these helpers before doing any work.  A failed
check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, impossible value)
with a message that names the argument, says what was given and what is expected, and where it
helps, how to fix it::

    K: expected a kernel no larger than the input X (6×8), got shape (7, 2). Use a smaller
    kernel or a larger input.

Conversion policy: a 2-D ``torch.Tensor`` is used as it is (so autograd still flows through it);
integer and bool tensors are converted to ``float32``; nested lists/tuples of numbers and NumPy
arrays are converted with ``torch.as_tensor`` to ``float32``. Anything else is refused.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import torch

__all__ = [
    "as_matrix",
    "check_fits",
    "as_size_pair",
    "as_positive_int",
    "as_nonnegative_int",
    "as_positive_float",
    "as_int_sequence",
    "describe",
]


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages (its shape for tensors)."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dim()}-D tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"an array of shape {tuple(value.shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _message(name: str, expected: str, got: str, fix: str | None = None) -> str:
    text = f"{name}: expected {expected}, got {got}."
    return f"{text} {fix}" if fix else text


def as_matrix(value: Any, name: str) -> torch.Tensor:
    """Return ``value`` as a non-empty 2-D floating-point tensor, or raise a clear error.

    Tensors keep their identity (and autograd history) when already floating point; integer and
    bool tensors, nested lists and NumPy arrays become ``float32`` tensors.
    """
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, (list, tuple)) or type(value).__module__.split(".")[0] == "numpy":
        try:
            tensor = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(
                _message(
                    name,
                    "a 2-D tensor or a list of equal-length rows of numbers",
                    describe(value),
                    f"({error}). Rows must all have the same length and hold only numbers.",
                )
            ) from None
        if isinstance(value, (list, tuple)) and not tensor.is_floating_point():
            tensor = tensor.to(torch.float32)
    else:
        raise TypeError(
            _message(
                name,
                "a 2-D torch.Tensor (or a nested list of numbers)",
                describe(value),
                "Build one with torch.tensor([[...], [...]]).",
            )
        )
    if tensor.is_complex():
        raise TypeError(_message(name, "real numbers", describe(tensor)))
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.float32)
    if tensor.dim() != 2:
        fix = "Pass a single-channel image as (height, width)"
        if tensor.dim() > 2 and tensor.numel() and all(s == 1 for s in tensor.shape[:-2]):
            fix += f"; here {name}.reshape({tensor.shape[-2]}, {tensor.shape[-1]}) does it"
        raise ValueError(_message(name, "a 2-D tensor (height, width)", describe(tensor), fix + "."))
    if tensor.numel() == 0:
        raise ValueError(
            _message(name, "a non-empty 2-D tensor", describe(tensor), "Give it at least one row and column.")
        )
    return tensor


def check_fits(X: torch.Tensor, K: torch.Tensor, x_name: str = "X", k_name: str = "K") -> None:
    """Raise ``ValueError`` if kernel ``K`` is taller or wider than input ``X``."""
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    if k_h > n_h or k_w > n_w:
        raise ValueError(
            _message(
                k_name,
                f"a kernel no larger than the input {x_name} ({n_h}×{n_w})",
                f"shape {(k_h, k_w)}",
                "A window must fit inside the image: use a smaller kernel or a larger input.",
            )
        )


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, torch.Tensor) and value.dim() == 0 and not value.is_floating_point()


def as_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` ≥ 1, or raise ``TypeError``/``ValueError``."""
    if not _is_int(value):
        raise TypeError(_message(name, "a positive whole number", describe(value)))
    if int(value) < 1:
        raise ValueError(_message(name, "a positive whole number (1 or more)", repr(int(value))))
    return int(value)


def as_nonnegative_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` ≥ 0, or raise ``TypeError``/``ValueError``."""
    if not _is_int(value):
        raise TypeError(_message(name, "a whole number, 0 or more", describe(value)))
    if int(value) < 0:
        raise ValueError(_message(name, "a whole number, 0 or more", repr(int(value))))
    return int(value)


def as_positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite ``float`` > 0, or raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(_message(name, "a positive number such as 0.03", describe(value)))
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(_message(name, "a positive finite number such as 0.03", repr(value)))
    return number


def as_size_pair(value: Any, name: str) -> tuple[int, int]:
    """Return a ``(height, width)`` pair of positive ints from an int or a pair of ints."""
    if _is_int(value):
        size = as_positive_int(value, name)
        return size, size
    if isinstance(value, (tuple, list, torch.Size)) and len(value) == 2 and all(_is_int(v) for v in value):
        return as_positive_int(value[0], name), as_positive_int(value[1], name)
    raise TypeError(_message(name, "a positive int or a (height, width) pair of positive ints", describe(value)))


def as_int_sequence(value: Any, name: str, *, minimum: int = 1) -> list[int]:
    """Return a non-empty list of ints, each ≥ ``minimum``, from a sequence (or one int)."""
    if _is_int(value):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) == 0:
        raise TypeError(_message(name, "a non-empty list of whole numbers, one per layer", describe(value)))
    result = []
    for index, item in enumerate(value):
        if not _is_int(item):
            raise TypeError(_message(f"{name}[{index}]", "a whole number", describe(item)))
        if int(item) < minimum:
            raise ValueError(_message(f"{name}[{index}]", f"a whole number ≥ {minimum}", repr(int(item))))
        result.append(int(item))
    return result
