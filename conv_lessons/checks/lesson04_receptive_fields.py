"""Lesson 04, feature maps and receptive fields: receptive fields of stacks worked out by hand.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from ..validation import check_loop
from .verdict import (
    BLANK,
    CORRECT,
    INVALID,
    WRONG,
    CheckResult,
    _Blank,
    _is_blank,
    _number_answer,
    _pair_answer,
    _Reject,
    _run,
    _shape_pair,
    _verdict,
)

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
    from ..receptive_field import receptive_field

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
    from ..receptive_field import parse_stack

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
    if k < 2:
        raise ValueError(f"kernel_size: expected a whole number ≥ 2, got {k}: a 1×1 layer never shrinks the feature "
                         "map, so a stack of them never stops fitting.")
    sizes = [(n_h, n_w)]
    while min(sizes[-1]) >= k:
        h, w = sizes[-1]
        sizes.append(((h - k) // s + 1, (w - k) // s + 1))
        check_loop("input_shape", repr(input_shape), len(sizes) - 1, f"layers of {k}×{k}, stride {s}",
                   "Use a smaller input_shape, a larger kernel_size or a larger stride.")
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
