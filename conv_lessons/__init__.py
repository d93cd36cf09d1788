"""conv_lessons: the code behind the "convolutions for images" lessons.

Every function a lesson notebook uses is importable from here, named as in *Dive into Deep
Learning* (``corr2d``, ``Conv2D``, ``X``, ``K``, ``lr``).  The interactive explorers live in
``conv_lessons.explorers``; the exercise self-checks in ``conv_lessons.checks``.

The names are loaded on first use (``from conv_lessons import corr2d`` imports
``conv_lessons.correlation``, and PyTorch with it), so ``import conv_lessons`` and the
``conv-lessons`` command stay fast and never import PyTorch themselves.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__version__ = "0.1.0"

#: Each public name, by the module that defines it.
_MODULES: dict[str, tuple[str, ...]] = {
    "correlation": ("corr2d", "corr2d_fast", "convolve2d", "output_shape"),
    "layers": ("Conv2D",),
    "training": ("learn_kernel", "stable_lr_limit", "loss_hessian", "DivergenceWarning"),
    "receptive_field": ("receptive_field", "receptive_field_region", "feature_map_size"),
    "images": ("edge_image", "diagonal_image", "sample_photo"),
    "kernels": ("KERNELS", "get_kernel", "kernel_names"),
    "source": ("show_source",),
    "padding": ("pad2d", "corr2d_padded", "conv_output_size", "conv_output_shape", "padding_limit", "PADDING_MODES"),
    "matrix": ("conv_matrix", "corr2d_matmul", "im2col", "conv_matrix_counts"),
    "effective_rf": ("effective_receptive_field", "erf_by_depth", "fit_sqrt_growth", "learned_kernel"),
    "i18n": ("set_language", "get_language"),
    "style": ("set_display_scale", "display_scale"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    """Load a public name (or a submodule, e.g. ``conv_lessons.checks``) on first use."""
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """This package's module type: a public function keeps its name when its same-named module loads.

    Importing a submodule makes Python bind it as an attribute of the package, so loading
    ``conv_lessons.receptive_field`` (directly, or because another module imports from it) would
    replace the function ``conv_lessons.receptive_field`` by the module.  Here the function stays,
    in every import order; the module is still ``sys.modules["conv_lessons.receptive_field"]``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (isinstance(value, types.ModuleType) and _WHERE.get(name) == name
                and value.__name__ == f"{self.__name__}.{name}"):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
