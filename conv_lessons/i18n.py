"""The language a learner sees: one switch, one catalogue of words per language.

Every string the package shows a learner (explorer labels and readouts, figure titles and legends,
the checks' verdicts and hints, validation messages) is looked up here by key, in the catalogue of
the current language: ``conv_lessons/locale/en.json`` (the default) or ``zh.json`` (Chinese, with
d2l-zh's terms).  A lesson switches language once, in its first cell::

    from conv_lessons import set_language
    set_language("zh")

``tests/test_i18n.py`` keeps the catalogues' keys equal, so no string can exist in one language only.
A catalogue entry is a ``str.format`` template: ``text("validation.expected", name="K", ...)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "set_language", "get_language", "text", "catalogue", "on_language_change"]

#: The languages with a catalogue, the default first.
LANGUAGES: tuple[str, ...] = ("en", "zh")
_ALIASES = {"en": "en", "english": "en", "zh": "zh", "zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "chinese": "zh",
            "中文": "zh"}
_current = LANGUAGES[0]
_listeners: list[Callable[[str], None]] = []


@cache
def catalogue(language: str) -> dict[str, str]:
    """The catalogue of ``language`` (``"en"`` or ``"zh"``): a flat dict from key to template."""
    if language not in LANGUAGES:
        raise ValueError(f"language: expected one of {list(LANGUAGES)}, got {language!r}.")
    source = resources.files(__package__).joinpath("locale", f"{language}.json").read_text(encoding="utf-8")
    return json.loads(source)


def set_language(language: str) -> None:
    """Show every later label, readout, verdict and message in ``language``: ``"en"`` or ``"zh"`` (中文).

    Call it once at the top of a lesson.  Figures drawn afterwards use a font with Chinese glyphs
    when the language is ``"zh"``.  Raises ``ValueError`` naming the languages there are.
    """
    global _current
    key = _ALIASES.get(str(language).strip().lower()) if isinstance(language, str) else None
    if key is None:
        raise ValueError(f"language: expected one of {list(LANGUAGES)} (\"en\" English, \"zh\" 中文), "
                         f"got {language!r}. Call set_language(\"en\") or set_language(\"zh\").")
    _current = key
    for listener in list(_listeners):
        listener(key)


def get_language() -> str:
    """The language set by :func:`set_language` (``"en"`` until it is called)."""
    return _current


def on_language_change(listener: Callable[[str], None]) -> None:
    """Call ``listener(language)`` after every :func:`set_language` (for example to switch fonts)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _switch_font(language: str) -> None:
    """Chinese figures draw their characters with the CJK font the package ships (:mod:`conv_lessons.fonts`);
    imported here, not at the top, so that ``import conv_lessons`` never imports matplotlib."""
    from . import fonts

    fonts.use_font_for(language)


on_language_change(_switch_font)


def text(key: str, /, **fields: Any) -> str:
    """The catalogue entry ``key`` in the current language, filled in with ``fields``.

    A key missing from the current language's catalogue is a bug (the key-parity test catches it),
    so it raises ``KeyError`` rather than showing a learner the wrong language.
    """
    template = catalogue(_current)[key]
    return template.format(**fields) if fields else template
