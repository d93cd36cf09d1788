"""Show the package's own code in a lesson, so what a learner reads is what actually runs.

A public function that checks its arguments and then runs one of the book's listings
(:mod:`conv_lessons.chapter`) is marked with :func:`shows`; ``show_source`` of it shows that
listing, exactly as the book prints it, because that listing is the code that computes the result.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

from .i18n import text
from .validation import message

__all__ = ["show_source", "source_of", "shows"]

T = TypeVar("T")


def shows(code: Any) -> Callable[[T], T]:
    """Decorator: ``show_source(public)`` shows ``code``, the book's listing ``public`` runs after its checks."""

    def mark(public: T) -> T:
        public.__chapter_code__ = code  # type: ignore[attr-defined]
        return public

    return mark


def _shown(obj: Any) -> Any:
    """The object whose source a learner should read: the book's listing behind a checked wrapper."""
    return vars(obj).get("__chapter_code__", obj) if hasattr(obj, "__dict__") else obj


def source_of(obj: Any, *, docstring: bool = False) -> str:
    """The source code of a function or class, without its docstring unless ``docstring=True``.

    For a public function that checks its arguments and then runs one of the book's listings
    (marked with :func:`shows`), this is the book's listing.
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise TypeError(message("obj", text("source.function_or_class"), repr(obj)))
    obj = _shown(obj)
    code = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        doc = inspect.getdoc(obj)
        raw = obj.__doc__
        if doc and raw:
            for quote in ('"""', "'''"):
                block = f"{quote}{raw}{quote}"
                if block in code:
                    start = code.index(block)
                    line_start = code.rfind("\n", 0, start) + 1
                    line_end = code.find("\n", start + len(block))
                    rest = code[line_end + 1:]
                    if code[:line_start].rstrip().endswith(":") and rest.startswith("\n"):
                        rest = rest[1:]  # no blank line left between a class line and its body
                    code = code[:line_start] + rest
                    break
    return code.rstrip() + "\n"


def show_source(obj: Any, *, docstring: bool = False) -> Any:
    """Display ``obj``'s source, highlighted, in a notebook (an ``IPython.display.Code``)."""
    from IPython.display import Code

    return Code(source_of(obj, docstring=docstring), language="python")
