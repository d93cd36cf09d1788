"""The lessons' look in one place: colours, sizes and how numbers are written.

Static figures (:mod:`conv_lessons.figures`) and explorers (:mod:`conv_lessons.explorers`) take
their colours and number formats from here, so the orange that links a window to its output cell
is the same orange in every lesson, and a number is written the same way in a figure, a readout
and a message.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

__all__ = [
    "HIGHLIGHT",
    "HIGHLIGHT_FILL",
    "WEIGHT",
    "OUTPUT",
    "ERROR",
    "POSITIVE",
    "NEGATIVE",
    "START",
    "FIELD",
    "GUIDE",
    "SIGNED_CMAP",
    "IMAGE_CMAP",
    "MAGNITUDE_CMAP",
    "HEAT_CMAP",
    "EXPLORER_DPI",
    "DISPLAY_SCALE_RANGE",
    "set_display_scale",
    "display_scale",
    "scaled_font_size",
    "width",
    "number",
    "term",
    "short_number",
]

# -- colours --------------------------------------------------------------------------------------
HIGHLIGHT = "#e8710a"  # the part being looked at: window, kernel, output cell, path, box — one orange everywhere
HIGHLIGHT_FILL = (1.0, 0.55, 0.1, 0.35)  # the same orange, translucent, for filled cells
WEIGHT = "#a14000"  # kernel weights written into the window (a darker orange, readable on the fill)
OUTPUT = "#b03a2e"  # the output unit a receptive field belongs to
ERROR = "#b00020"  # problems: messages, a refused entry's border, a diverging run
POSITIVE = "#c0392b"  # a +1 weight / a positive curve: red, as positive values are on the signed map
NEGATIVE = "#2471a3"  # a −1 weight: blue
START = "#1e8449"  # where gradient descent starts
FIELD = "#2ec4f0"  # the theoretical receptive field (on dark heat maps)
GUIDE = "#ffd54f"  # guide lines drawn over a photograph

SIGNED_CMAP = "RdBu_r"  # negative blue, zero white, positive red
IMAGE_CMAP = "gray"  # 0 black, 1 white, as the chapter describes its image
MAGNITUDE_CMAP = "magma"  # |Y|: 0 dark, large bright
HEAT_CMAP = "magma"  # gradient maps

# -- sizes ----------------------------------------------------------------------------------------
EXPLORER_DPI = 72  # an explorer's picture: one figure pixel per CSS pixel at 72 dots per inch
DISPLAY_SCALE_RANGE = (0.5, 3.0)  # the presenter sizes set_display_scale accepts
_display_scale = 1.0


def set_display_scale(scale: float) -> None:
    """Draw every explorer built from now on ``scale`` times larger: the presenter size for a projector.

    ``conv_lessons.set_display_scale(1.5)`` before running a lesson makes each explorer's pictures
    (drawn at a higher resolution, so their text stays sharp), readouts, messages and control widths
    1.5 times larger; what they show does not change.  ``set_display_scale(1)`` goes back to the
    laptop size.  Explorers already on the page keep their size: run their cells again.  Accepts a
    number from 0.5 to 3; anything else raises ``TypeError``/``ValueError`` saying so.
    """
    global _display_scale
    from .validation import describe, explain

    low, high = DISPLAY_SCALE_RANGE
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise TypeError(explain("scale", "validation.display_scale", got=describe(scale), low=low, high=high))
    value = float(scale)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(explain("scale", "validation.display_scale", got=repr(scale), low=low, high=high))
    _display_scale = value


def display_scale() -> float:
    """The presenter size set by :func:`set_display_scale` (1.0, the laptop size, until it is called)."""
    return _display_scale


def width(pixels: float) -> str:
    """A control's width as CSS, at the presenter size (:func:`set_display_scale`)."""
    return f"{round(pixels * _display_scale)}px"


def scaled_font_size(size: str | None = None) -> str | None:
    """A readout's CSS font size at the presenter size: ``"12px"`` → ``"18px"`` at 1.5, ``None`` (the
    page's size) → ``"1.5em"``; ``None`` again at scale 1."""
    if size is None:
        return None if _display_scale == 1 else f"{_display_scale:g}em"
    match = re.fullmatch(r"\s*([0-9.]+)\s*([a-z%]*)\s*", size)
    if match is None or _display_scale == 1:
        return size
    return f"{float(match[1]) * _display_scale:g}{match[2]}"


# -- numbers --------------------------------------------------------------------------------------
ZERO = 5e-13  # |x| below this is written 0 (float noise from sums of products, never "-0")


def number(value: Any, spec: str = "g") -> str:
    """``value`` as the lessons write it: ``format(value, spec)``, with 0 for float noise (never
    ``-0``) and ``nan``/``inf`` spelled out."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value) < ZERO:
        value = 0.0
    text = format(value, spec)
    if text.startswith("-") and not text.strip("-0.e+"):  # "-0.000" after rounding is just 0.000
        text = text[1:]
    return text


def term(value: Any) -> str:
    """A number inside a written-out sum: negative numbers in brackets, ``(-2)×1``."""
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def short_number(value: Any) -> str:
    """A number in a small cell: two significant digits below 1, three above, 0 for tiny values."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value) < 5e-7:
        return "0"
    return number(value, ".2g" if abs(value) < 1 else ".3g")
