"""A small catalog of named kernels (卷积核) to try on images.

``KERNELS`` maps a name to a short description (in the language set by ``set_language``);
:func:`get_kernel` returns a fresh tensor, so a learner can change it without changing the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import torch

from .i18n import text
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


class _Descriptions(Mapping[str, str]):
    """Each kernel's name → its one-line description, in the current language (see :mod:`conv_lessons.i18n`)."""

    def __getitem__(self, name: str) -> str:
        if name not in _VALUES:
            raise KeyError(name)
        return text(f"kernels.{_KEYS[name]}")

    def __iter__(self) -> Iterator[str]:
        return iter(_VALUES)

    def __len__(self) -> int:
        return len(_VALUES)

    def __repr__(self) -> str:
        return repr(dict(self))


#: The catalogue key of each kernel's description (``kernels.<key>``).
_KEYS = {"chapter [[1, -1]]": "chapter", "chapter [[1, -1]].T": "chapter_transposed", "sobel x": "sobel_x",
         "sobel y": "sobel_y", "laplacian": "laplacian", "box blur": "box_blur", "gaussian blur": "gaussian_blur",
         "sharpen": "sharpen", "identity": "identity", "diagonal edge": "diagonal_edge"}

#: Each kernel's name → a one-line description of what it does, in the current language.
KERNELS: Mapping[str, str] = _Descriptions()


def kernel_names() -> list[str]:
    """The names in the catalog, in menu order."""
    return list(_VALUES)


def get_kernel(name: str) -> torch.Tensor:
    """Return a new float32 tensor holding the named kernel (see :data:`KERNELS`)."""
    name = as_choice(name, "name", kernel_names(), text("kernels.names_fix"))
    return torch.tensor(_VALUES[name])
