"""Lesson 04, feature maps and receptive fields: receptive fields of stacks worked out by hand.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from ..i18n import text
from ..validation import check_loop, message
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
    """The stack in words: "three 3×3 layers, strides [2, 1, 1]"."""
    def listing(values: list[int], name: str) -> str:
        if all(v == 1 for v in values):
            return ""
        if len(set(values)) == 1:
            return text(f"check.lesson04.stack.{name}", value=values[0])
        return text(f"check.lesson04.stack.{name}s", values=values)

    if len(set(kernels)) == 1:
        words = text("check.lesson04.stack.count_words").split()
        count = words[len(kernels) - 1] if len(kernels) <= len(words) else str(len(kernels))
        layers = text("check.lesson04.stack.one_layer" if len(kernels) == 1 else "check.lesson04.stack.layers",
                      count=count, kernel=f"{kernels[0]}×{kernels[0]}")
    else:
        layers = text("check.lesson04.stack.kernels", kernels=kernels)
    return layers + listing(strides, "stride") + listing(dilations, "dilation")


def _field(kernels: list[int], strides: list[int], dilations: list[int]) -> int:
    from ..receptive_field import receptive_field

    return receptive_field(kernels, strides, dilations)


def _field_answer(answer: Any) -> float:
    if isinstance(answer, (tuple, list, torch.Size)) and len(answer) == 2:
        rows, cols = _pair_answer(answer, text("check.lesson04.field.the_field"))
        if rows != cols:
            raise _Reject(text("check.lesson04.field.not_square", answer=repr(tuple(answer))))
        return rows
    return _number_answer(answer, text("check.lesson04.field.what"))


def _field_hint(value: float, kernels: list[int], strides: list[int], dilations: list[int]) -> str:
    """What a wrong receptive-field size most likely got wrong."""
    truth = _field(kernels, strides, dilations)
    extents = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
    ones = [1] * len(kernels)
    own_stride, jump = 1, 1
    for extent, stride in zip(extents, strides, strict=True):
        jump *= stride
        own_stride += (extent - 1) * jump
    # Which of strides and dilations this stack has decides how a hint names a layer's growth: k − 1,
    # (k − 1)·J with the jump J, or k′ − 1 with the dilated size k′ = d·(k − 1) + 1 (and no word on strides
    # when every stride is 1).
    strided, dilated = any(s > 1 for s in strides), any(d > 1 for d in dilations)
    growth = {(False, False): "plain", (True, False): "strided", (False, True): "dilated",
              (True, True): "strided_dilated"}[strided, dilated]
    candidates = [
        (sum(extents), "check.lesson04.field.added_dilated_sizes" if dilated else "check.lesson04.field.added_sizes"),
        (_field(kernels, ones, dilations), "check.lesson04.field.no_strides"),
        (own_stride, "check.lesson04.field.own_stride"),
        (_field(kernels, strides[::-1], dilations), "check.lesson04.field.reversed_strides"),
        (_field(kernels, strides, ones), "check.lesson04.field.no_dilations"),
        (_field([d * k for k, d in zip(kernels, dilations, strict=True)], strides, ones),
         "check.lesson04.field.dilated_times_k"),
    ]
    for candidate, hint in candidates:
        if candidate != truth and value == candidate:
            return text(hint)
    if value in (truth - 1, truth + 1):
        return text(f"check.lesson04.field.off_by_one.{growth}")
    if value != int(value):
        return text("check.lesson04.field.not_whole")
    way = text("check.lesson04.field.small" if value < truth else "check.lesson04.field.large")
    return text(f"check.lesson04.field.layer_by_layer.{growth}", way=way)


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
    exercise = text("check.lesson04.field.exercise", stack=_stack_text(kernels, steps, gaps))

    def judge() -> tuple[bool, str]:
        value = _field_answer(answer)
        if value == truth:
            terms, jump = [], 1
            for k, s, d in zip(kernels, steps, gaps, strict=True):
                terms.append(f"{d * (k - 1)}·{jump}")
                jump *= s
            return True, text("check.lesson04.field.correct", terms=" + ".join(terms), field=truth)
        return False, _field_hint(value, kernels, steps, gaps)

    return _run(exercise, text("check.lesson04.field.what"), answer, judge)


def check_cheaper_stack(answer: Any, kernel_size: int = 3) -> CheckResult:
    """Lesson 04: from which depth L on has a stack of L k×k layers fewer weights than one layer seeing as far?

    L k×k layers see L·(k − 1) + 1 pixels; one layer that size has (L·(k − 1) + 1)² weights
    against the stack's L·k² (one channel).  The answer is the smallest such L, a whole number.
    """
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral) or kernel_size < 2:
        raise ValueError(message("kernel_size", text("validation.whole_number_at_least", minimum=2),
                                 repr(kernel_size)))
    k = int(kernel_size)
    truth = next(L for L in range(1, 1000) if L * k * k < (L * (k - 1) + 1) ** 2)
    exercise = text("check.lesson04.cheaper.exercise", kernel=f"{k}×{k}")

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, text("check.lesson04.cheaper.what"))
        if value != int(value) or value < 1:
            return False, text("check.lesson04.depth_whole")
        L = int(value)
        side = truth * (k - 1) + 1
        if L == truth:
            far = 5 * (k - 1) + 1
            return True, text("check.lesson04.cheaper.correct", depth=truth, stack=truth * k * k, single=side * side,
                              side=side, stack_5=5 * k * k, single_5=far * far, per_layer=k * k)
        if L < truth:
            return False, text("check.lesson04.cheaper.single", depth=L, kernel=f"{k}×{k}", weights=k * k)
        return False, text("check.lesson04.cheaper.already")

    return _run(exercise, text("check.lesson04.cheaper.what"), answer, judge)


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
            raise ValueError(message(name, text("validation.whole_number_at_least", minimum=1), repr(value)))
    k, s = int(kernel_size), int(stride)
    if k < 2:
        raise ValueError(message("kernel_size", text("validation.whole_number_at_least", minimum=2), str(k),
                                 text("check.lesson04.deepest.one_by_one")))
    sizes = [(n_h, n_w)]
    while min(sizes[-1]) >= k:
        h, w = sizes[-1]
        sizes.append(((h - k) // s + 1, (w - k) // s + 1))
        check_loop("input_shape", repr(input_shape), len(sizes) - 1,
                   text("check.lesson04.deepest.loop", kernel=f"{k}×{k}", stride=s),
                   text("check.lesson04.deepest.loop_fix"))
    truth = len(sizes) - 1
    if truth < 1:
        raise ValueError(text("check.author.never_fits", name="kernel_size", value=k, container="input_shape",
                              shape=input_shape))
    kernels, steps, gaps = [k] * truth, [s] * truth, [1] * truth
    true_field = _field(kernels, steps, gaps)
    exercise = text("check.lesson04.deepest.exercise", kernel=f"{k}×{k}", stride=s, image=f"{n_h}×{n_w}")

    def judge() -> tuple[bool, str]:
        value = _number_answer(depth, text("check.lesson04.deepest.what"))
        if value != int(value) or value < 1:
            return False, text("check.lesson04.depth_whole")
        L = int(value)
        if L > truth:
            return False, text("check.lesson04.deepest.too_deep", depth=L, kernel=f"{k}×{k}", k=k, s=s)
        if L < truth:
            h, w = sizes[L]
            return False, text("check.lesson04.deepest.go_on", depth=L, shape=f"{h}×{w}", kernel=f"{k}×{k}")
        if _is_blank(field):
            raise _Blank(text("check.lesson04.deepest.field_blank", depth=truth))
        r = _field_answer(field)
        if r == true_field:
            return True, text("check.lesson04.deepest.correct", depth=truth,
                              shape=f"{sizes[truth][0]}×{sizes[truth][1]}", grows=k - 1, s=s, power=truth - 1,
                              field=true_field)
        return False, text("check.lesson04.deepest.field_wrong", hint=_field_hint(r, kernels, steps, gaps))

    if _is_blank(depth):
        return _verdict(exercise, BLANK, text("check.lesson04.deepest.blank"))
    try:
        passed, explanation = judge()
    except _Blank as note:
        return _verdict(exercise, BLANK, str(note))
    except _Reject as reason:
        return _verdict(exercise, INVALID, str(reason))
    return _verdict(exercise, CORRECT if passed else WRONG, explanation)
