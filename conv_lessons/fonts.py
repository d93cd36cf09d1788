"""Chinese in figures without tofu: the CJK font the package ships, switched on with the language.

matplotlib's default font, DejaVu Sans, has no Chinese glyphs: on a machine without a CJK font
(Binder, a hub image, a fresh laptop) every Chinese label would be drawn as boxes.  So the package
carries its own font, ``conv_lessons/fonts/ConvLessonsCJKsc-Regular.otf`` and ``…-Bold.otf``:
subsets of Noto Sans CJK SC (SIL Open Font License 1.1, see ``conv_lessons/fonts/OFL.txt``) holding
every character the package can draw in Chinese, renamed "ConvLessons CJK SC".  ``tools/subset_font.py`` regenerates it
after a new Chinese string; ``tests/test_fonts.py`` fails until it is regenerated.

``set_language("zh")`` (:mod:`conv_lessons.i18n`) calls :func:`use_font_for`, which registers the
font with matplotlib and appends its family to ``rcParams["font.family"]``: matplotlib then draws
each character with the first family that has it, so letters and digits keep DejaVu Sans and every
Chinese character comes from the subset.  ``set_language("en")`` removes the family again.  Text
created with an explicit family (``family="monospace"``) has no fallback unless it asks for one:
``family=cjk_fallback(["monospace"])``.

Nothing here imports matplotlib until a figure needs Chinese, so ``import conv_lessons`` and the
``conv-lessons`` command stay light.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["FAMILY", "FONT_FILES", "font_paths", "use_font_for", "cjk_fallback", "uses_cjk_font"]

#: The family name of the shipped font (its name table says so; no system font has this name).
FAMILY = "ConvLessons CJK SC"
#: The font files (regular, and bold for bold labels), in ``conv_lessons/fonts/`` beside their licence ``OFL.txt``.
FONT_FILES = ("ConvLessonsCJKsc-Regular.otf", "ConvLessonsCJKsc-Bold.otf")
_registered: list[str] = []


def font_paths() -> list[Path]:
    """Where the shipped CJK fonts are (inside the installed package): regular, then bold."""
    folder = Path(__file__).resolve().parent / "fonts"
    return [folder / name for name in FONT_FILES]


def _register() -> None:
    """Make the fonts known to matplotlib's font manager (once per process)."""
    from matplotlib import font_manager

    for path in map(str, font_paths()):
        if path not in _registered:
            if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
                font_manager.fontManager.addfont(path)
            _registered.append(path)


def cjk_fallback(families: Sequence[str] | str) -> list[str]:
    """``families`` followed by the CJK font's family: what to pass as ``family=`` to a text that
    names its own font and may hold Chinese (``cjk_fallback("monospace")``).  Latin characters are
    drawn with the first family that has them, Chinese ones with the shipped font (registered here)."""
    _register()
    families = [families] if isinstance(families, str) else list(families)
    return [*[f for f in families if f != FAMILY], FAMILY]


def use_font_for(language: str) -> None:
    """Switch matplotlib's font for ``language``: for ``"zh"``, register the shipped CJK font and add
    its family after the default ones (``rcParams["font.family"]``); otherwise remove it again.

    Figures created afterwards use the new setting (a text keeps the font it was created with).
    """
    if language == "zh":
        import matplotlib

        matplotlib.rcParams["font.family"] = cjk_fallback(matplotlib.rcParams["font.family"])
    elif "matplotlib" in sys.modules:  # nothing to undo if matplotlib was never imported
        import matplotlib

        families = [f for f in matplotlib.rcParams["font.family"] if f != FAMILY]
        matplotlib.rcParams["font.family"] = families or ["sans-serif"]


def uses_cjk_font() -> bool:
    """Whether figures created now fall back to the shipped CJK font (the language is Chinese)."""
    if "matplotlib" not in sys.modules:
        return False
    import matplotlib

    return FAMILY in matplotlib.rcParams["font.family"]
