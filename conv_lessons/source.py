"""Show the package's own code in a lesson, so what a learner reads is what actually runs."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

__all__ = ["show_source", "source_of"]


def source_of(obj: Any, *, docstring: bool = False) -> str:
    """The source code of a function or class, without its docstring unless ``docstring=True``."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise TypeError(f"obj: expected a function or class, got {obj!r}.")
    text = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        doc = inspect.getdoc(obj)
        raw = obj.__doc__
        if doc and raw:
            for quote in ('"""', "'''"):
                block = f"{quote}{raw}{quote}"
                if block in text:
                    start = text.index(block)
                    line_start = text.rfind("\n", 0, start) + 1
                    line_end = text.find("\n", start + len(block))
                    rest = text[line_end + 1:]
                    if text[:line_start].rstrip().endswith(":") and rest.startswith("\n"):
                        rest = rest[1:]  # no blank line left between a class line and its body
                    text = text[:line_start] + rest
                    break
    return text.rstrip() + "\n"


def show_source(obj: Any, *, docstring: bool = False) -> Any:
    """Display ``obj``'s source, highlighted, in a notebook (an ``IPython.display.Code``)."""
    from IPython.display import Code

    return Code(source_of(obj, docstring=docstring), language="python")
