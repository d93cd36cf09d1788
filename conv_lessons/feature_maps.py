"""Feature maps (特征图) and the paths from one output back to the input pixels it sees.

* :func:`feature_maps` applies several kernels to one image and stacks the outputs: the feature
  maps a convolutional layer with several output channels would produce.
* :func:`path_counts` follows one output element of a stack of layers back down, layer by layer,
  and counts along how many paths each unit below can reach it.  The units with a nonzero count
  are the output's receptive field (感受野) in that layer; in the input layer their span is exactly
  :func:`~conv_lessons.receptive_field.receptive_field` pixels.  The count is also the gradient of
  the output with respect to that unit when every weight is 1, which is why the middle of a
  receptive field matters more than its rim (lesson 06).

Layers here work along one axis; a square k×k layer acts the same way on rows and columns, so the
2-D count of pixel (i, j) is ``rows[i] · cols[j]`` (an outer product).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import torch

from .correlation import corr2d_fast
from .i18n import text
from .receptive_field import parse_stack
from .validation import as_matrix, as_nonnegative_int, check_fits, check_loop, check_memory, describe, explain

__all__ = ["feature_maps", "path_counts", "LayerPaths", "layer_geometry"]


def feature_maps(image: Any, kernels: Sequence[Any]) -> torch.Tensor:
    """Cross-correlate ``image`` with each kernel and stack the results: shape (C, H', W').

    All kernels must have the same shape, so the maps line up pixel for pixel (as the output
    channels of one convolutional layer do).  Uses :func:`~conv_lessons.corr2d_fast`, which gives
    the chapter's ``corr2d`` numbers without the Python loop.
    """
    X = as_matrix(image, "image").detach()
    if isinstance(kernels, (str, torch.Tensor)) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise TypeError(explain("kernels", "feature_maps.kernels", got=type(kernels).__name__))
    checked = [as_matrix(K, f"kernels[{index}]").detach() for index, K in enumerate(kernels)]
    shape = tuple(checked[0].shape)
    for index, K in enumerate(checked):
        if tuple(K.shape) != shape:
            raise ValueError(explain(f"kernels[{index}]", "feature_maps.same_shape", got=str(tuple(K.shape)),
                                     shape=shape))
        check_fits(X, K, x_name="image", k_name=f"kernels[{index}]")
    out_h, out_w = X.shape[0] - shape[0] + 1, X.shape[1] - shape[1] + 1
    check_memory("kernels", text("feature_maps.memory.given", count=len(checked)),
                 len(checked) * out_h * out_w * X.element_size(),
                 text("feature_maps.memory.what", count=len(checked), shape=f"{out_h}×{out_w}"),
                 text("feature_maps.memory.fix"))
    return torch.stack([corr2d_fast(X, K.to(X.dtype)) for K in checked])


class LayerPaths(NamedTuple):
    """The units of one layer that a chosen output depends on, along one axis.

    ``counts[i]`` is the number of paths from unit ``start + i`` of this layer to the output
    (0 = not seen: a hole left by dilation).  ``jump`` is how many input pixels apart two
    neighbouring units of this layer are, and ``field`` how many input pixels one unit sees.
    """

    start: int
    counts: torch.Tensor
    jump: int
    field: int

    @property
    def stop(self) -> int:
        """One past the last unit seen (exclusive)."""
        return self.start + len(self.counts)


def layer_geometry(kernel_sizes: Any, strides: Any = None, dilations: Any = None) -> list[tuple[int, int]]:
    """``(jump, field)`` of every layer, input first: the input pixels between neighbouring units
    and the input pixels one unit sees.  The input layer is ``(1, 1)``; the last entry's field is
    the stack's receptive field and its jump the total stride Π s_l."""
    kernels, steps, gaps = parse_stack(kernel_sizes, strides, dilations)
    jump, field = 1, 1
    geometry = [(jump, field)]
    for k, s, d in zip(kernels, steps, gaps, strict=True):
        field += d * (k - 1) * jump
        jump *= s
        geometry.append((jump, field))
    return geometry


def path_counts(kernel_sizes: Any, index: Any, strides: Any = None, dilations: Any = None) -> list[LayerPaths]:
    """Follow output unit ``index`` (along one axis) of the last layer back down to the input.

    Layer l reads units ``j·s_l + t·d_l`` (t = 0 … k_l − 1) of the layer below for its unit j.
    Returns one :class:`LayerPaths` per layer, input first and the chosen output last (a single
    unit with count 1).  In the input layer the span ``stop − start`` equals the receptive field.
    """
    kernels, steps, gaps = parse_stack(kernel_sizes, strides, dilations)
    index = as_nonnegative_int(index, "index")
    geometry = layer_geometry(kernels, steps, gaps)
    field = geometry[-1][1]  # the input layer's units: the longest count array
    check_memory("kernel_sizes", describe(kernels), 8 * field, text("feature_maps.paths.what", field=f"{field:,}"),
                 text("feature_maps.paths.fix"))
    check_loop("kernel_sizes", describe(kernels), sum(kernels), text("feature_maps.taps.what"),
               text("feature_maps.taps.fix"))
    start, counts = index, torch.ones(1, dtype=torch.int64)
    layers = [LayerPaths(start, counts, *geometry[-1])]
    for depth in range(len(kernels) - 1, -1, -1):
        k, s, d = kernels[depth], steps[depth], gaps[depth]
        below = torch.zeros((len(counts) - 1) * s + (k - 1) * d + 1, dtype=torch.int64)
        for t in range(k):
            below[t * d: t * d + (len(counts) - 1) * s + 1: s] += counts
        start, counts = start * s, below
        layers.append(LayerPaths(start, counts, *geometry[depth]))
    return layers[::-1]
