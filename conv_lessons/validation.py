"""One place for argument checking, so every error a learner meets has the same form.

Every public function of ``conv_lessons`` calls these helpers before doing any work.  A failed
check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, impossible value)
with a message that names the argument, says what was given and what is expected, and where it
helps, how to fix it::

    K: expected a kernel no larger than the input X (6×8), got shape (7, 2). Use a smaller
    kernel or a larger input.

Conversion policy: a 2-D floating-point ``torch.Tensor`` is used as it is (so autograd still flows
through it); integer and bool tensors, nested lists/tuples of numbers and NumPy arrays (whatever
their dtype, float64 included) become ``float32`` tensors, the book's dtype.  Complex numbers are
refused everywhere (in tensors, arrays and lists), and so is anything that is not a number.

Non-finite policy: NaN and ±inf are refused in every image and kernel a function takes, with a
``ValueError`` naming the argument and the first bad position, and so are numbers too large for
float32 (they would become inf).  So no function returns NaN because its input held one, and all
functions agree on that.

Size budget: no tensor a function builds (its result or an intermediate) may need more than
:data:`MEMORY_BUDGET` bytes (256 MB), and no Python loop may run more than :data:`LOOP_BUDGET`
steps (100,000: epochs of training, windows of the chapter's loop, …).  A request beyond that is
refused before anything is allocated, with a ``ValueError`` naming the argument, the size it would
need and the limit.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import torch

__all__ = [
    "MEMORY_BUDGET",
    "LOOP_BUDGET",
    "as_matrix",
    "check_finite",
    "check_fits",
    "check_memory",
    "check_loop",
    "size_text",
    "as_size_pair",
    "as_positive_int",
    "as_nonnegative_int",
    "as_seed",
    "as_positive_float",
    "as_int_sequence",
    "as_number_sequence",
    "as_choice",
    "describe",
]

#: The largest tensor (result or intermediate) any function of the package builds, in bytes.
MEMORY_BUDGET = 256_000_000
#: The most steps any Python loop of the package runs (training epochs, the chapter's windows, …).
LOOP_BUDGET = 100_000
#: The largest magnitude float32 holds; beyond it a number becomes inf.
FLOAT32_MAX = float(torch.finfo(torch.float32).max)
#: torch.Generator accepts seeds 0 … 2⁶⁴ − 1.
SEED_LIMIT = 2**64 - 1


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages (its shape for tensors)."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dim()}-D tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"an array of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _message(name: str, expected: str, got: str, fix: str | None = None) -> str:
    text = f"{name}: expected {expected}, got {got}."
    return f"{text} {fix}" if fix else text


# -- the size budget ------------------------------------------------------------------------------


def size_text(nbytes: float) -> str:
    """A byte count as people say it: 256 MB, 6.4 GB (decimal units)."""
    for unit, scale in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            value = nbytes / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    return f"{int(nbytes)} bytes"


def check_memory(name: str, given: str, nbytes: int, what: str, fix: str) -> None:
    """Raise ``ValueError`` if a tensor of ``nbytes`` bytes would exceed :data:`MEMORY_BUDGET`.

    ``given`` is what the caller passed (e.g. ``"padding 1000000000"``), ``what`` the tensor it would
    build (e.g. ``"a 2000000003×2000000003 float32 image"``), ``fix`` how to stay within the budget.
    """
    if nbytes > MEMORY_BUDGET:
        raise ValueError(
            _message(name, f"a size within the package's memory budget of {size_text(MEMORY_BUDGET)} per tensor",
                     f"{given}, for which {what} would need {size_text(nbytes)}", fix)
        )


def check_loop(name: str, given: str, steps: int, what: str, fix: str) -> None:
    """Raise ``ValueError`` if a Python loop would run more than :data:`LOOP_BUDGET` steps."""
    if steps > LOOP_BUDGET:
        raise ValueError(
            _message(name, f"at most {LOOP_BUDGET:,} {what} (the package's loop budget)",
                     f"{given}, which would take {steps:,}", fix)
        )


def shape_text(shape: Sequence[int]) -> str:
    """(3, 4) → '3×4'."""
    return "×".join(str(int(s)) for s in shape)


# -- images and kernels ---------------------------------------------------------------------------


def _is_numpy(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "numpy"


def _shape_words(shape: tuple[int, ...]) -> str:
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a row of {shape[0]} number{'s' if shape[0] != 1 else ''}"
    return f"a {shape_text(shape)} block of numbers"


def _nested_problem(value: Any, where: str) -> tuple[int, ...]:
    """The shape of a nested list of real numbers, or raise ``TypeError`` at its first problem."""
    if isinstance(value, (list, tuple)):
        shapes = [_nested_problem(item, f"{where}[{index}]") for index, item in enumerate(value)]
        for index, shape in enumerate(shapes[1:], start=1):
            if shape != shapes[0]:
                raise TypeError(_message(f"{where}[{index}]", f"{_shape_words(shapes[0])}, like {where}[0]",
                                         _shape_words(shape),
                                         "Rows must all have the same length and hold only numbers."))
        return (len(value),) + (shapes[0] if shapes else ())
    if isinstance(value, numbers.Real) or (isinstance(value, torch.Tensor) and value.dim() == 0
                                           and not value.is_complex()):
        return ()
    if isinstance(value, numbers.Complex) or (isinstance(value, torch.Tensor) and value.is_complex()):
        raise TypeError(_message(where, "a real number", f"{value!r} (complex)",
                                 "This package works with real numbers only."))
    raise TypeError(_message(where, "a number", describe(value),
                             "Rows must all have the same length and hold only numbers."))


def _from_nested(value: Any, name: str) -> torch.Tensor:
    """A nested list/tuple of real numbers as a float64 tensor (checked for range later)."""
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        _nested_problem(value, name)  # raises with the position of the problem
        raise TypeError(_message(name, "a 2-D tensor or a list of equal-length rows of numbers", describe(value),
                                 "Rows must all have the same length and hold only numbers.")) from None


def _from_numpy(value: Any, name: str) -> torch.Tensor:
    """A NumPy array (or scalar) of real numbers as a float64 tensor; object arrays are read item by item."""
    import numpy as np

    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "O":
        return _from_nested(array.tolist(), name)
    if kind == "c":
        raise TypeError(_message(name, "real numbers", describe(array), "This package works with real numbers only."))
    if kind not in "biuf":
        raise TypeError(_message(name, "an array of numbers", describe(array),
                                 "Convert it with .astype(float) if it holds numbers."))
    return torch.from_numpy(array.astype(np.float64))


def check_finite(tensor: torch.Tensor, name: str) -> None:
    """Raise ``ValueError`` naming the first NaN or ±inf in ``tensor`` (the package refuses them)."""
    finite = torch.isfinite(tensor.detach())
    if bool(finite.all()):
        return
    bad = (~finite).nonzero()
    where = ", ".join(str(int(i)) for i in bad[0])
    value = float(tensor.detach()[tuple(bad[0])])
    count = len(bad)
    more = f" ({count} non-finite entries)" if count > 1 else ""
    raise ValueError(
        _message(name, "finite numbers (no NaN or inf)", f"{value} at {name}[{where}]{more}",
                 "The package refuses NaN and inf in every input, so no result is silently NaN. "
                 f"Replace them, e.g. with torch.nan_to_num({name}).")
    )


def _to_float32(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """float64 values (from a list or an array) as float32, refusing NaN/inf and numbers float32 cannot hold."""
    check_finite(tensor, name)
    too_large = tensor.abs() > FLOAT32_MAX
    if bool(too_large.any()):
        position = too_large.nonzero()[0]
        where = ", ".join(str(int(i)) for i in position)
        raise ValueError(
            _message(name, f"numbers that fit in float32 (|x| ≤ {FLOAT32_MAX:.3g})",
                     f"{float(tensor[tuple(position)]):g} at {name}[{where}], which would become inf",
                     "Scale the values down.")
        )
    return tensor.to(torch.float32)


def as_matrix(value: Any, name: str) -> torch.Tensor:
    """Return ``value`` as a non-empty, finite 2-D floating-point tensor, or raise a clear error.

    Floating-point tensors keep their identity (and autograd history); integer and bool tensors,
    nested lists and NumPy arrays become ``float32`` tensors.  Complex numbers, NaN and ±inf are
    refused (see the module's policies).
    """
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, (list, tuple)):
        tensor = _from_nested(value, name)
    elif _is_numpy(value):
        tensor = _from_numpy(value, name)
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
        raise TypeError(_message(name, "real numbers", describe(tensor), "This package works with real numbers only."))
    if tensor.dim() != 2:
        fix = "Pass a single-channel image as (height, width)"
        if tensor.dim() > 2 and tensor.numel() and all(s == 1 for s in tensor.shape[:-2]):
            fix += f"; here {name}.reshape({tensor.shape[-2]}, {tensor.shape[-1]}) does it"
        raise ValueError(_message(name, "a 2-D tensor (height, width)", describe(tensor), fix + "."))
    if tensor.numel() == 0:
        raise ValueError(
            _message(name, "a non-empty 2-D tensor", describe(tensor), "Give it at least one row and column.")
        )
    if tensor is not value:  # converted from a list or an array: float64 so far
        return _to_float32(tensor, name)
    if not tensor.is_floating_point():
        return tensor.to(torch.float32)
    check_finite(tensor, name)
    return tensor


def check_fits(X: Any, K: Any, x_name: str = "X", k_name: str = "K") -> None:
    """Raise ``ValueError`` if kernel ``K`` is taller or wider than input ``X`` (tensors or (height, width) shapes)."""
    (n_h, n_w), (k_h, k_w) = tuple(getattr(X, "shape", X)), tuple(getattr(K, "shape", K))
    if k_h > n_h or k_w > n_w:
        raise ValueError(
            _message(
                k_name,
                f"a kernel no larger than the input {x_name} ({n_h}×{n_w})",
                f"shape {(k_h, k_w)}",
                "A window must fit inside the image: use a smaller kernel or a larger input.",
            )
        )


# -- numbers --------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, torch.Tensor) and value.dim() == 0 and not value.is_floating_point() and \
        not value.is_complex() and value.dtype != torch.bool


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


def as_seed(value: Any, name: str = "seed") -> int:
    """Return a random seed: a whole number from 0 to 2⁶⁴ − 1 (what ``torch.Generator`` accepts)."""
    if not _is_int(value):
        raise TypeError(_message(name, f"a whole number from 0 to 2**64 − 1 = {SEED_LIMIT}", describe(value)))
    seed = int(value)
    if not 0 <= seed <= SEED_LIMIT:
        raise ValueError(_message(name, f"a whole number from 0 to 2**64 − 1 = {SEED_LIMIT}", repr(seed),
                                  "Any seed in that range works; 0 is the lessons' choice."))
    return seed


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


def _as_list(value: Any) -> Any:
    """A 1-D NumPy array or tensor as a list (so it can be read as a sequence of numbers)."""
    if (isinstance(value, torch.Tensor) or _is_numpy(value)) and getattr(value, "ndim", 0) == 1:
        return value.tolist()
    return value


def as_int_sequence(value: Any, name: str, *, minimum: int = 1) -> list[int]:
    """Return a non-empty list of ints, each ≥ ``minimum``, from a sequence (or one int)."""
    if _is_int(value):
        value = [value]
    value = _as_list(value)
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes, bytearray)) or len(value) == 0:
        raise TypeError(_message(name, "a non-empty list of whole numbers, one per layer", describe(value)))
    result = []
    for index, item in enumerate(value):
        if not _is_int(item):
            raise TypeError(_message(f"{name}[{index}]", "a whole number", describe(item)))
        if int(item) < minimum:
            raise ValueError(_message(f"{name}[{index}]", f"a whole number ≥ {minimum}", repr(int(item))))
        result.append(int(item))
    return result


def as_number_sequence(value: Any, name: str) -> list[float]:
    """Return a non-empty list of finite real numbers from a list, tuple, 1-D array or 1-D tensor."""
    value = _as_list(value)
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes, bytearray)) or len(value) == 0:
        raise TypeError(_message(name, "a non-empty list of numbers", describe(value)))
    result = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(_message(f"{name}[{index}]", "a number", describe(item)))
        number = float(item)
        if not math.isfinite(number):
            raise ValueError(_message(f"{name}[{index}]", "a finite number", repr(item)))
        result.append(number)
    return result


def as_choice(value: Any, name: str, choices: Sequence[str], fix: str | None = None) -> str:
    """Return ``value`` if it is one of the strings ``choices``; else a ``TypeError``/``ValueError`` listing them."""
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(_message(name, f"one of {listed}", describe(value), fix))
    if value not in choices:
        raise ValueError(_message(name, f"one of {listed}", describe(value), fix))
    return value
