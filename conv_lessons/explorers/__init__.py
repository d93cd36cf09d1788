"""Interactive explorers: each is a no-argument function returning one ipywidgets container.

A notebook cell is one line, e.g. ``correlation_explorer()``.  One module per explorer, each the
live version of a picture from :mod:`conv_lessons.figures`; what they share is in
:mod:`conv_lessons.explorers.base` (controls, readouts, the message line, updates that draw the
latest state only) and :mod:`conv_lessons.explorers.figure_widget` (a persistent matplotlib figure
shown as PNG in ``ipywidgets.Image``).  Modules are imported on first use, so
``import conv_lessons`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "correlation_explorer": "correlation",
    "kernel_explorer": "kernel",
    "training_explorer": "training",
    "receptive_field_explorer": "receptive_field",
    "matmul_explorer": "matmul",
    "effective_rf_explorer": "effective_rf",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name]}", __name__)
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
