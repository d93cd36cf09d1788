"""The lessons' static figures, and the drawing primitives they share with the explorers.

A lesson's first cell imports its figures from here, its explorer from
:mod:`conv_lessons.explorers`::

    from conv_lessons.figures import correlation_figure, correlation_vs_convolution_figure

One module per lesson topic, named like the explorer that animates the same picture:

* :mod:`.correlation` (lesson 01) — :func:`correlation_figure`, :func:`correlation_vs_convolution_figure`;
* :mod:`.kernel` (lesson 02) — :func:`kernel_figure`, :func:`kernel_comparison_figure`;
* :mod:`.training` (lesson 03) — :func:`training_figure`, :func:`learned_kernel_figure`;
* :mod:`.receptive_field` (lesson 04) — :func:`receptive_field_figure`, :func:`feature_map_figure`;
* :mod:`.matmul` (lesson 05) — :func:`matmul_figure`, :func:`conv_matrix_figure`, :func:`im2col_figure`;
* :mod:`.effective_rf` (lesson 06) — :func:`effective_rf_figure`, :func:`erf_depth_figure`,
  :func:`erf_growth_figure`;
* :mod:`.common` — :class:`MatrixPlot`, :func:`to_numpy`, :func:`text_colour` and the colour maps.

The topic modules are imported on first use, so importing one figure does not load them all.
"""

from __future__ import annotations

import importlib
from typing import Any

from .common import IMAGE_CMAP, SIGNED_CMAP, MatrixPlot, text_colour, to_numpy

_WHERE = {
    "correlation_figure": "correlation",
    "correlation_vs_convolution_figure": "correlation",
    "kernel_figure": "kernel",
    "kernel_comparison_figure": "kernel",
    "training_figure": "training",
    "learned_kernel_figure": "training",
    "receptive_field_figure": "receptive_field",
    "feature_map_figure": "receptive_field",
    "matmul_figure": "matmul",
    "conv_matrix_figure": "matmul",
    "im2col_figure": "matmul",
    "effective_rf_figure": "effective_rf",
    "erf_depth_figure": "effective_rf",
    "erf_growth_figure": "effective_rf",
}

__all__ = ["MatrixPlot", "to_numpy", "text_colour", "SIGNED_CMAP", "IMAGE_CMAP", *_WHERE]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name]}", __name__)
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
