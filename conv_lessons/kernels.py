"""A small catalog of named kernels (卷积核) to try on images.

``KERNELS`` maps a name to a short description; :func:`get_kernel` returns a fresh tensor, so a
learner can change it without changing the catalog.
"""

from __future__ import annotations

import torch

from .validation import as_choice

__all__ = ["KERNELS", "get_kernel", "kernel_names"]

_VALUES: dict[str, list[list[float]]] = {
    "chapter [[1, -1]]": [[1.0, -1.0]],
    "chapter [[1, -1]].T": [[1.0], [-1.0]],
    "sobel x": [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],
    "sobel y": [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]],
    "laplacian": [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]],
    "box blur": [[1 / 9] * 3] * 3,
    "gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
    "identity": [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
    "diagonal edge": [[0.0, -1.0], [1.0, 0.0]],
}

KERNELS: dict[str, str] = {
    "chapter [[1, -1]]": "the chapter's edge detector: x[i, j] − x[i, j+1], finds vertical edges",
    "chapter [[1, -1]].T": "the transpose: x[i, j] − x[i+1, j], finds horizontal edges",
    "sobel x": "smoothed horizontal derivative: strong on vertical edges",
    "sobel y": "smoothed vertical derivative: strong on horizontal edges",
    "laplacian": "second derivative in both axes: responds to edges and fine detail, zero on flat and linear ramps",
    "box blur": "the average of the 3×3 window",
    "gaussian blur": "a weighted average, heavier in the centre",
    "sharpen": "the pixel plus its difference from its neighbours",
    "identity": "copies the centre pixel: the output is the input, cropped",
    "diagonal edge": "x[i+1, j] − x[i, j+1]: finds edges along the main diagonal (bright below-left, dark above-right)",
}


def kernel_names() -> list[str]:
    """The names in the catalog, in menu order."""
    return list(_VALUES)


def get_kernel(name: str) -> torch.Tensor:
    """Return a new float32 tensor holding the named kernel (see :data:`KERNELS`)."""
    name = as_choice(name, "name", kernel_names(), "kernel_names() lists them.")
    return torch.tensor(_VALUES[name])
