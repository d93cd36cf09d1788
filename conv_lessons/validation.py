"""One place for argument checking, so every error a learner meets has the same form.

Every public function of ``conv_lessons`` calls these helpers before doing any work.  A failed
check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, impossible value)
with a message that names the argument, says what was given and what is expected, and where it
helps, how to fix it::

    K: expected a kernel no larger than the input X (6×8), got shape (7, 2). A window must fit
    inside the image: use a smaller kernel or a larger input.

Every message, here and in the modules that raise their own (``padding``, ``training``, …), is
composed by :func:`message` (or :func:`explain`) from entries of the language catalogue
(:mod:`conv_lessons.i18n`), so a learner who called ``set_language("zh")`` reads it in Chinese:
``K：应为不大于输入 X（6×8）的卷积核，实际得到：形状 (7, 2)。…``.  The argument names (``X``,
``K``, ``kernel_size``) are the Python names in both languages.

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

from .i18n import catalogue, text

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
    "message",
    "explain",
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
        return text("validation.describe.tensor", dim=value.dim(), shape=tuple(value.shape), dtype=value.dtype)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return text("validation.describe.array", shape=tuple(value.shape), dtype=value.dtype)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{shown} ({type(value).__name__})"


def message(name: str, expected: str, got: str, fix: str | None = None) -> str:
    """The one form of every error message, in the current language:
    ``"<name>: expected <expected>, got <got>. <fix>"`` (``fix`` optional).

    ``name`` is the argument's Python name (``"K"``, ``"kernel_size"``), the same in every language;
    ``expected``, ``got`` and ``fix`` are texts already in the current language (from :func:`text`).
    """
    if fix:
        return text("validation.form_fix", name=name, expected=expected, got=got, fix=fix)
    return text("validation.form", name=name, expected=expected, got=got)


def explain(name: str, key: str, /, *, got: str | None = None, **fields: Any) -> str:
    """:func:`message` from the catalogue entries ``<key>.expected``, ``<key>.got`` and ``<key>.fix``.

    ``<key>.fix`` is optional, and so is ``<key>.got`` when ``got`` is given (a value's ``repr``
    or :func:`describe`).  ``fields`` fill in all three templates.
    """
    english = catalogue("en")
    fix = text(f"{key}.fix", **fields) if f"{key}.fix" in english else None
    return message(name, text(f"{key}.expected", **fields), text(f"{key}.got", **fields) if got is None else got,
                   fix)


# -- the size budget ------------------------------------------------------------------------------


def size_text(nbytes: float) -> str:
    """A byte count as people say it: 256 MB, 6.4 GB (decimal units)."""
    for unit, scale in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            value = nbytes / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    return text("validation.size.bytes", count=int(nbytes))


def check_memory(name: str, given: str, nbytes: int, what: str, fix: str) -> None:
    """Raise ``ValueError`` if a tensor of ``nbytes`` bytes would exceed :data:`MEMORY_BUDGET`.

    ``given`` is what the caller passed (e.g. ``"padding 1000000000"``), ``what`` the tensor it would
    build (e.g. ``"a 2000000003×2000000003 float32 image"``), ``fix`` how to stay within the budget:
    texts in the current language, from the catalogue (:func:`~conv_lessons.i18n.text`).
    """
    if nbytes > MEMORY_BUDGET:
        raise ValueError(message(name, text("validation.memory.expected", budget=size_text(MEMORY_BUDGET)),
                                 text("validation.memory.got", given=given, what=what, size=size_text(nbytes)), fix))


def check_loop(name: str, given: str, steps: int, what: str, fix: str) -> None:
    """Raise ``ValueError`` if a Python loop would run more than :data:`LOOP_BUDGET` steps.

    ``given``, ``what`` (the steps, counted: "epochs") and ``fix`` are texts in the current language.
    """
    if steps > LOOP_BUDGET:
        raise ValueError(message(name, text("validation.loop.expected", budget=f"{LOOP_BUDGET:,}", what=what),
                                 text("validation.loop.got", given=given, steps=f"{steps:,}"), fix))


def shape_text(shape: Sequence[int]) -> str:
    """(3, 4) → '3×4'."""
    return "×".join(str(int(s)) for s in shape)


# -- images and kernels ---------------------------------------------------------------------------


def _is_numpy(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "numpy"


def _shape_words(shape: tuple[int, ...]) -> str:
    if not shape:
        return text("validation.shape.number")
    if len(shape) == 1:
        return text("validation.shape.row_one" if shape[0] == 1 else "validation.shape.row", count=shape[0])
    return text("validation.shape.block", shape=shape_text(shape))


def _nested_problem(value: Any, where: str) -> tuple[int, ...]:
    """The shape of a nested list of real numbers, or raise ``TypeError`` at its first problem."""
    if isinstance(value, (list, tuple)):
        shapes = [_nested_problem(item, f"{where}[{index}]") for index, item in enumerate(value)]
        for index, shape in enumerate(shapes[1:], start=1):
            if shape != shapes[0]:
                raise TypeError(explain(f"{where}[{index}]", "validation.ragged", got=_shape_words(shape),
                                        shape=_shape_words(shapes[0]), first=f"{where}[0]"))
        return (len(value),) + (shapes[0] if shapes else ())
    if isinstance(value, numbers.Real) or (isinstance(value, torch.Tensor) and value.dim() == 0
                                           and not value.is_complex()):
        return ()
    if isinstance(value, numbers.Complex) or (isinstance(value, torch.Tensor) and value.is_complex()):
        raise TypeError(explain(where, "validation.complex_entry", value=repr(value)))
    raise TypeError(explain(where, "validation.entry", got=describe(value)))


def _from_nested(value: Any, name: str) -> torch.Tensor:
    """A nested list/tuple of real numbers as a float64 tensor (checked for range later)."""
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        _nested_problem(value, name)  # raises with the position of the problem
        raise TypeError(explain(name, "validation.nested", got=describe(value))) from None


def _from_numpy(value: Any, name: str) -> torch.Tensor:
    """A NumPy array (or scalar) of real numbers as a float64 tensor; object arrays are read item by item."""
    import numpy as np

    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "O":
        return _from_nested(array.tolist(), name)
    if kind == "c":
        raise TypeError(explain(name, "validation.complex", got=describe(array)))
    if kind not in "biuf":
        raise TypeError(explain(name, "validation.array_kind", got=describe(array)))
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
    more = text("validation.finite.more", count=count) if count > 1 else ""
    raise ValueError(explain(name, "validation.finite", value=value, name=name, where=where, more=more))


def _to_float32(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """float64 values (from a list or an array) as float32, refusing NaN/inf and numbers float32 cannot hold."""
    check_finite(tensor, name)
    too_large = tensor.abs() > FLOAT32_MAX
    if bool(too_large.any()):
        position = too_large.nonzero()[0]
        where = ", ".join(str(int(i)) for i in position)
        raise ValueError(explain(name, "validation.float32", limit=f"{FLOAT32_MAX:.3g}",
                                 value=f"{float(tensor[tuple(position)]):g}", name=name, where=where))
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
        raise TypeError(explain(name, "validation.matrix_type", got=describe(value)))
    if tensor.is_complex():
        raise TypeError(explain(name, "validation.complex", got=describe(tensor)))
    if tensor.dim() != 2:
        if tensor.dim() > 2 and tensor.numel() and all(s == 1 for s in tensor.shape[:-2]):
            fix = text("validation.matrix_dim.reshape", name=name, height=tensor.shape[-2], width=tensor.shape[-1])
        else:
            fix = text("validation.matrix_dim.fix")
        raise ValueError(message(name, text("validation.matrix_dim.expected"), describe(tensor), fix))
    if tensor.numel() == 0:
        raise ValueError(explain(name, "validation.matrix_empty", got=describe(tensor)))
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
        raise ValueError(explain(k_name, "validation.fits", x_name=x_name, size=f"{n_h}×{n_w}", shape=(k_h, k_w)))


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
        raise TypeError(message(name, text("validation.positive_int.type"), describe(value)))
    if int(value) < 1:
        raise ValueError(message(name, text("validation.positive_int.value"), repr(int(value))))
    return int(value)


def as_nonnegative_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` ≥ 0, or raise ``TypeError``/``ValueError``."""
    if not _is_int(value):
        raise TypeError(message(name, text("validation.nonnegative_int"), describe(value)))
    if int(value) < 0:
        raise ValueError(message(name, text("validation.nonnegative_int"), repr(int(value))))
    return int(value)


def as_seed(value: Any, name: str = "seed") -> int:
    """Return a random seed: a whole number from 0 to 2⁶⁴ − 1 (what ``torch.Generator`` accepts)."""
    if not _is_int(value):
        raise TypeError(message(name, text("validation.seed.expected", limit=SEED_LIMIT), describe(value)))
    seed = int(value)
    if not 0 <= seed <= SEED_LIMIT:
        raise ValueError(explain(name, "validation.seed", got=repr(seed), limit=SEED_LIMIT))
    return seed


def as_positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite ``float`` > 0, or raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message(name, text("validation.positive_float.type"), describe(value)))
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(message(name, text("validation.positive_float.value"), repr(value)))
    return number


def as_size_pair(value: Any, name: str) -> tuple[int, int]:
    """Return a ``(height, width)`` pair of positive ints from an int or a pair of ints."""
    if _is_int(value):
        size = as_positive_int(value, name)
        return size, size
    if isinstance(value, (tuple, list, torch.Size)) and len(value) == 2 and all(_is_int(v) for v in value):
        return as_positive_int(value[0], name), as_positive_int(value[1], name)
    raise TypeError(message(name, text("validation.size_pair"), describe(value)))


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
        raise TypeError(message(name, text("validation.int_sequence"), describe(value)))
    result = []
    for index, item in enumerate(value):
        if not _is_int(item):
            raise TypeError(message(f"{name}[{index}]", text("validation.whole_number"), describe(item)))
        if int(item) < minimum:
            raise ValueError(message(f"{name}[{index}]", text("validation.whole_number_at_least", minimum=minimum),
                                     repr(int(item))))
        result.append(int(item))
    return result


def as_number_sequence(value: Any, name: str) -> list[float]:
    """Return a non-empty list of finite real numbers from a list, tuple, 1-D array or 1-D tensor."""
    value = _as_list(value)
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes, bytearray)) or len(value) == 0:
        raise TypeError(message(name, text("validation.number_sequence"), describe(value)))
    result = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(message(f"{name}[{index}]", text("validation.shape.number"), describe(item)))
        number = float(item)
        if not math.isfinite(number):
            raise ValueError(message(f"{name}[{index}]", text("validation.finite_number"), repr(item)))
        result.append(number)
    return result


def as_choice(value: Any, name: str, choices: Sequence[str], fix: str | None = None) -> str:
    """Return ``value`` if it is one of the strings ``choices``; else a ``TypeError``/``ValueError`` listing them."""
    expected = text("validation.choice", choices=", ".join(repr(c) for c in choices))
    if not isinstance(value, str):
        raise TypeError(message(name, expected, describe(value), fix))
    if value not in choices:
        raise ValueError(message(name, expected, describe(value), fix))
    return value
