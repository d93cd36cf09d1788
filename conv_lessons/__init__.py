"""conv_lessons: the code behind the "convolutions for images" lessons.

Every function a lesson notebook uses is importable from here, named as in *Dive into Deep
Learning* (``corr2d``, ``Conv2D``, ``X``, ``K``, ``lr``).  The interactive explorers live in
``conv_lessons.explorers``.  Names are imported on first use (PEP 562), so the ``conv-lessons``
command starts without loading PyTorch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "corr2d": "correlation",
    "corr2d_fast": "correlation",
    "convolve2d": "correlation",
    "output_shape": "correlation",
    "Conv2D": "layers",
    "learn_kernel": "training",
    "stable_lr_limit": "training",
    "DivergenceWarning": "training",
    "receptive_field": "receptive_field",
    "receptive_field_region": "receptive_field",
    "feature_map_size": "receptive_field",
    "edge_image": "images",
    "diagonal_image": "images",
    "sample_photo": "images",
    "KERNELS": "kernels",
    "get_kernel": "kernels",
    "kernel_names": "kernels",
    "show_source": "source",
    "pad2d": "padding",
    "corr2d_padded": "padding",
    "conv_output_size": "padding",
    "conv_output_shape": "padding",
    "padding_limit": "padding",
    "PADDING_MODES": "padding",
    "conv_matrix": "matrix",
    "corr2d_matmul": "matrix",
    "im2col": "matrix",
    "conv_matrix_counts": "matrix",
    "effective_receptive_field": "effective_rf",
    "erf_by_depth": "effective_rf",
    "fit_sqrt_growth": "effective_rf",
    "learned_kernel": "effective_rf",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
