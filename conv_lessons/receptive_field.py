"""Receptive fields (感受野): which input pixels one output element of a stack of layers can see.

For layers with kernel sizes k_l, strides s_l and dilations d_l (Araujo et al., Distill 2019):

    r = 1 + Σ_l (k_l' − 1) · Π_{i<l} s_i,   where k_l' = d_l·(k_l − 1) + 1 is the dilated kernel.

Each layer widens the field by its own (k − 1), measured in input pixels: one step of layer l's
window moves Π_{i<l} s_i input pixels.
"""

from __future__ import annotations

from typing import Any

from .i18n import text
from .validation import as_int_sequence, as_nonnegative_int, message

__all__ = ["receptive_field", "receptive_field_region", "feature_map_size", "parse_stack"]


def parse_stack(
    kernel_sizes: Any, strides: Any = None, dilations: Any = None
) -> tuple[list[int], list[int], list[int]]:
    """Validate a stack description: ``(kernel_sizes, strides, dilations)`` as lists of equal length.

    Strides and dilations default to 1 for every layer; a single int means a one-layer stack.
    """
    kernels = as_int_sequence(kernel_sizes, "kernel_sizes")
    steps = [1] * len(kernels) if strides is None else as_int_sequence(strides, "strides")
    gaps = [1] * len(kernels) if dilations is None else as_int_sequence(dilations, "dilations")
    for name, values in (("strides", steps), ("dilations", gaps)):
        if len(values) != len(kernels):
            raise ValueError(message(name, text("receptive_field.per_layer.expected", layers=len(kernels)),
                                     text("receptive_field.per_layer.got", count=len(values), values=values)))
    return kernels, steps, gaps


def _layers(kernel_sizes: Any, strides: Any, dilations: Any) -> tuple[list[int], list[int], list[int]]:
    """Like :func:`parse_stack`, with each kernel replaced by its dilated extent d·(k − 1) + 1."""
    kernels, steps, gaps = parse_stack(kernel_sizes, strides, dilations)
    effective = [d * (k - 1) + 1 for k, d in zip(kernels, gaps)]
    return effective, steps, gaps


def receptive_field(kernel_sizes: Any, strides: Any = None, dilations: Any = None) -> int:
    """Return the receptive-field size, in input pixels along one axis, of one output element.

    ``kernel_sizes``, ``strides`` and ``dilations`` list one whole number per layer, first layer
    first (strides and dilations default to 1).  Two 2×2 layers see 3 pixels; two 3×3 layers of
    stride 2 see 7.
    """
    kernels, steps, _ = _layers(kernel_sizes, strides, dilations)
    size, jump = 1, 1
    for k, s in zip(kernels, steps):
        size += (k - 1) * jump
        jump *= s
    return size


def feature_map_size(input_size: int, kernel_sizes: Any, strides: Any = None, dilations: Any = None) -> int:
    """The length, along one axis, of the last feature map of the stack (no padding)."""
    kernels, steps, _ = _layers(kernel_sizes, strides, dilations)
    n = as_nonnegative_int(input_size, "input_size")
    for layer, (k, s) in enumerate(zip(kernels, steps)):
        if k > n:
            raise ValueError(message(f"kernel_sizes[{layer}]", text("receptive_field.too_deep.expected", n=n), str(k),
                                     text("receptive_field.too_deep.fix")))
        n = (n - k) // s + 1
    return n


def receptive_field_region(
    kernel_sizes: Any,
    position: Any,
    strides: Any = None,
    dilations: Any = None,
    input_shape: Any = None,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The input rectangle seen by the output element at ``position = (row, col)``.

    Returns ``((row_start, row_stop), (col_start, col_stop))`` with ``stop`` exclusive, so
    ``X[row_start:row_stop, col_start:col_stop]`` is the receptive field.  Output element ``i``
    starts at input pixel ``i · Π s_l`` (the stack's total stride).  If ``input_shape`` is given,
    ``position`` is checked against the size of the last feature map.
    """
    kernels, steps, _ = _layers(kernel_sizes, strides, dilations)
    if not (isinstance(position, (tuple, list)) and len(position) == 2):
        raise TypeError(message("position", text("receptive_field.position"), repr(position)))
    row, col = (as_nonnegative_int(p, f"position[{axis}]") for axis, p in enumerate(position))
    if input_shape is not None:
        if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 2):
            raise TypeError(message("input_shape", text("receptive_field.input_shape"), repr(input_shape)))
        limits = [feature_map_size(n, kernel_sizes, strides, dilations) for n in input_shape]
        for axis, (p, limit) in enumerate(zip((row, col), limits)):
            if p >= limit:
                raise ValueError(message(f"position[{axis}]", text("receptive_field.position_range", last=limit - 1,
                                                                    shape=f"{limits[0]}×{limits[1]}"), str(p)))
    size = receptive_field(kernel_sizes, strides, dilations)
    jump = 1
    for s in steps:
        jump *= s
    return (row * jump, row * jump + size), (col * jump, col * jump + size)
