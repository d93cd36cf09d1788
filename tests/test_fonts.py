"""Chinese in figures without tofu (issue 12): the CJK font the package ships, and every figure in Chinese.

matplotlib's default font has no Chinese glyphs; the package ships a subset of Noto Sans CJK SC
(conv_lessons/fonts/, made by tools/subset_font.py) and ``set_language("zh")`` adds it after the default
font (conv_lessons/fonts.py).  Here:

- the shipped font covers every character a Chinese figure may draw (the catalogue zh.json and the
  string literals of the Chinese lessons' code cells), so a new Chinese string fails until the font is
  regenerated;
- the switch: zh registers the font as a fallback after the default family, en removes it, and
  ``import conv_lessons`` / ``set_language("en")`` never import matplotlib;
- in Chinese, drawing every static figure and building every explorer and moving each of its controls
  emits no "Glyph … missing from font" warning (an error here) and no findfont warning (which a
  notebook would print), on a machine with no CJK font of its own (the system's fonts are hidden);
- the fallback reaches every text: with Chinese put into every text of every figure and explorer, still
  no missing glyph, through matplotlib's Agg renderer and the explorers' glyph-caching renderer
  (conv_lessons/explorers/figure_widget.py) alike;
- what is drawn is Chinese, not tofu: two different characters render differently (tofu boxes are all
  the same), and unlike the rendering without the font.
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
import logging
import pkgutil
import subprocess
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import conv_lessons.explorers as explorers
from conv_lessons import diagonal_image, edge_image, fonts, i18n
from conv_lessons.explorers import figure_widget

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
try:
    import subset_font
finally:
    sys.path.remove(str(REPO / "tools"))

#: Put into texts to see that Chinese can be drawn there ("kernel", a word every Chinese lesson uses).
SAMPLE = "卷积核"
GLYPH_MISSING = r"Glyph .* missing from font"
REGENERATE = ("run `python tools/subset_font.py` to regenerate conv_lessons/fonts/ (it needs Debian's "
              "fonts-noto-cjk: sudo apt-get install fonts-noto-cjk) and commit the font files")
#: Static figures that need arguments: how the lessons call them.
ARGUMENTS = {
    "kernel.kernel_comparison_figure": lambda: ([("X ★ K（水平边缘）", diagonal_image(), torch.tensor([[1.0, -1.0]])),
                                                 ("X ★ Sobel x", edge_image(), "sobel x")],),
    "training.learned_kernel_figure": lambda: (torch.tensor([[0.98, -1.01]]), torch.tensor([[1.0, -1.0]])),
}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


@contextmanager
def bare_machine():
    """Only matplotlib's own fonts and the package's: as on Binder or a hub image with no CJK font
    installed (this machine's Noto CJK fonts, if any, are hidden; the caches are cleared on the way
    in and out)."""
    manager = font_manager.fontManager
    bundled = Path(matplotlib.get_data_path()) / "fonts"
    package = fonts.font_paths()[0].parent
    fonts._register()  # before saving the list: the package's fonts stay registered afterwards
    saved = list(manager.ttflist)
    manager.ttflist = [entry for entry in manager.ttflist
                       if Path(entry.fname).is_relative_to(bundled) or Path(entry.fname).is_relative_to(package)]
    font_manager.FontManager._findfont_cached.cache_clear()
    font_manager._get_font.cache_clear()
    figure_widget._GLYPH_CACHE.clear()
    try:
        yield
    finally:
        manager.ttflist = saved
        font_manager.FontManager._findfont_cached.cache_clear()
        font_manager._get_font.cache_clear()
        figure_widget._GLYPH_CACHE.clear()


@contextmanager
def no_missing_glyphs(caplog):
    """A "Glyph … missing from font" warning is an error; a findfont warning (a bold or italic face
    the font lacks, a family not found: a notebook would print it) fails at the end."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
            yield
    found = [r.getMessage() for r in caplog.records if r.name == "matplotlib.font_manager"]
    assert not found, f"matplotlib could not find a font: {found}"


def png_of(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def figure_functions() -> dict[str, object]:
    """Every static figure of the package: the public ``*_figure`` functions of conv_lessons.figures.*."""
    import conv_lessons.figures as figures

    modules = [importlib.import_module(f"conv_lessons.figures.{m.name}")
               for m in pkgutil.iter_modules(figures.__path__)]
    found = {}
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_figure") and not name.startswith("_") and function.__module__ == module.__name__:
                found[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = function
    return found


FIGURES = figure_functions()


def draw_figure(key: str) -> Figure:
    function = FIGURES[key]
    required = [p for p in inspect.signature(function).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if required:
        assert key in ARGUMENTS, f"{key} needs arguments: add how a lesson calls it to ARGUMENTS in this file"
        return function(*ARGUMENTS[key]())
    return function()


def move_every_control(explorer) -> int:
    """Every value of each menu and toggle, each slider to its ends and back, each check box both
    ways, as a learner would; returns the number of moves."""
    moves = 0
    for name, control in explorer.controls.items():
        start = control.value
        if hasattr(control, "options"):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        elif hasattr(control, "max") and hasattr(control, "min"):
            values = [control.max, control.min]
        elif isinstance(start, bool):
            values = [not start]
        else:
            raise AssertionError(f"{type(explorer).__name__}.controls[{name!r}]: a {type(control).__name__}; "
                                 "teach move_every_control to move it")
        for value in [*values, start]:
            control.value = value
            moves += 1
    return moves


def write_chinese_into_every_text(figure: Figure) -> tuple[int, list[Text]]:
    """Append :data:`SAMPLE` to every text of ``figure`` that uses the default families (not maths);
    returns how many, and the texts with a family of their own, which get no fallback unless they ask
    for it (:func:`conv_lessons.fonts.cjk_fallback`)."""
    written, own_family = 0, []
    default = list(matplotlib.rcParams["font.family"])
    for text in figure.findobj(Text):
        content = text.get_text()
        if not content or "$" in content:
            continue
        if list(text.get_fontfamily()) != default:
            own_family.append(text)
            continue
        text.set_text(content + SAMPLE)
        written += 1
    return written, own_family


# ------------------------------------------------------------------------------ the font itself


def test_the_shipped_font_covers_every_character_a_chinese_figure_may_draw():
    for path in fonts.font_paths():
        assert path.is_file(), f"{path} is missing: {REGENERATE}"
        lacking = subset_font.missing(path)
        assert not lacking, (f"{path.name} lacks {len(lacking)} character(s) of conv_lessons/locale/zh.json or of the "
                             f"Chinese lessons' strings: {''.join(lacking)!r}; {REGENERATE}")
    assert set(SAMPLE) <= subset_font.covered(fonts.font_paths()[0])


def test_a_new_chinese_string_fails_the_coverage_check_until_the_font_is_regenerated(tmp_path):
    root = tmp_path / "project"
    (root / "conv_lessons" / "locale").mkdir(parents=True)
    (root / "lessons" / "zh").mkdir(parents=True)
    table = {"demo.label": "卷积核", "demo.rare": "饕餮的卷积核"}  # 饕餮: not a word of the lessons
    (root / "conv_lessons" / "locale" / "zh.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    (root / "lessons" / "zh" / "01_x.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n\n"
        '```{code-cell} ipython3\n%matplotlib inline\nprint(f"第 {1} 轮：鼙鼓")\n```\n', encoding="utf-8")
    lacking = subset_font.missing(fonts.font_paths()[0], root)
    assert lacking == sorted("饕餮鼙鼓"), lacking


def test_the_font_is_renamed_and_ships_with_its_licence():
    from fontTools.ttLib import TTFont

    for path, style in zip(fonts.font_paths(), ("Regular", "Bold"), strict=True):
        with TTFont(path, lazy=True) as font:
            assert font["name"].getDebugName(1) == fonts.FAMILY and font["name"].getDebugName(2) == style
            assert "SIL Open Font License" in font["name"].getDebugName(13)
    licence = (fonts.font_paths()[0].parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence and "Noto Sans CJK SC" in licence


# ------------------------------------------------------------------------------------ the switch


def test_chinese_adds_the_font_after_the_default_and_english_removes_it():
    before = list(matplotlib.rcParams["font.family"])
    i18n.set_language("zh")
    assert matplotlib.rcParams["font.family"] == [*before, fonts.FAMILY]
    i18n.set_language("zh")  # twice: still once
    assert matplotlib.rcParams["font.family"] == [*before, fonts.FAMILY] and fonts.uses_cjk_font()
    regular, bold = (str(p) for p in fonts.font_paths())
    assert font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY)) == regular
    assert font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY, weight="bold")) == bold
    # Latin text keeps the default font first; the CJK font is the fallback after it.
    found = font_manager.fontManager._find_fonts_by_props(font_manager.FontProperties())
    assert [Path(p).name for p in found][-1] == Path(regular).name and len(found) == len(before) + 1
    i18n.set_language("en")
    assert matplotlib.rcParams["font.family"] == before and not fonts.uses_cjk_font()


def test_the_language_switch_imports_matplotlib_only_for_chinese():
    script = ("import sys\nimport conv_lessons\nfrom conv_lessons import set_language\nset_language('en')\n"
              "assert 'matplotlib' not in sys.modules, 'set_language(\"en\") imported matplotlib'\n"
              "set_language('zh')\nimport matplotlib\nprint(matplotlib.rcParams['font.family'])\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert fonts.FAMILY in run.stdout


# ---------------------------------------------------------------------------- drawing in Chinese


def test_chinese_is_drawn_with_chinese_glyphs_not_boxes(caplog):
    """Two different characters give different pictures in Chinese; without the font both are the
    same box (tofu).  Through matplotlib's Agg renderer and the explorers' glyph-caching one."""

    def static(text: str) -> np.ndarray:
        figure = Figure(figsize=(0.6, 0.6), dpi=80)
        figure.text(0.1, 0.3, text, fontsize=20)
        return pixels(png_of(figure))

    def cached(text: str) -> np.ndarray:
        view = figure_widget.FigureView(figsize=(0.6, 0.6), dpi=80)
        view.animate(view.figure.text(0.1, 0.3, text, fontsize=20))
        view.render()
        return pixels(view.png())

    with bare_machine():
        for draw in (static, cached):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=GLYPH_MISSING)
                tofu = [draw(char) for char in "卷积"]
            assert np.array_equal(tofu[0], tofu[1]), "without the font, every CJK character is the same box"
            i18n.set_language("zh")
            with no_missing_glyphs(caplog):
                chinese = [draw(char) for char in "卷积"]
            i18n.set_language("en")
            assert not np.array_equal(chinese[0], chinese[1]), f"{draw.__name__}: 卷 and 积 look the same"
            assert not np.array_equal(chinese[0], tofu[0]), f"{draw.__name__}: 卷 is drawn as a box"
            assert (chinese[0] < 128).sum() > 20, f"{draw.__name__}: 卷 is not drawn at all"


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_every_static_figure_draws_in_chinese_without_missing_glyphs(key, caplog):
    with bare_machine():
        i18n.set_language("zh")
        with no_missing_glyphs(caplog):
            figure = draw_figure(key)
            png_of(figure)
            written, _ = write_chinese_into_every_text(figure)
            png_of(figure)
        assert written > 0, f"{key}: no text to write Chinese into"


@pytest.mark.parametrize("name", explorers.__all__)
def test_every_explorer_draws_in_chinese_while_its_controls_move(name, caplog):
    with bare_machine():
        i18n.set_language("zh")
        with no_missing_glyphs(caplog):
            explorer = getattr(explorers, name)()
            assert move_every_control(explorer) >= len(explorer.controls)
            assert explorer.message.value == "", explorer.message.value
            written, _ = write_chinese_into_every_text(explorer.view.figure)
            assert written > 0, f"{name}: no text to write Chinese into"
            explorer.view.invalidate()
            explorer.view.render()


def test_every_catalogue_and_lesson_string_draws_without_missing_glyphs(caplog):
    """Every Chinese string the package or a lesson may draw, drawn in a figure (and a catalogue
    with a string the font lacks is caught: the check can fail)."""
    strings = list(i18n.catalogue("zh").values())
    strings += ["X ★ K（水平边缘）", "原始照片", "标准化后", "第 2 轮的损失"]  # a few, while zh.json is being filled
    with bare_machine():
        i18n.set_language("zh")
        with no_missing_glyphs(caplog):
            figure = Figure(figsize=(4, 0.3 * len(strings) + 0.5), dpi=40)
            for row, text in enumerate(strings):
                figure.text(0.01, 1 - (row + 1) / (len(strings) + 1), text.replace("$", ""), fontsize=8)
            png_of(figure)
        figure = Figure(figsize=(2, 1), dpi=40)
        figure.text(0.1, 0.5, "饕餮", fontsize=8)  # not in the subset
        with pytest.raises(UserWarning, match=GLYPH_MISSING), warnings.catch_warnings():
            warnings.filterwarnings("error", message=GLYPH_MISSING)
            png_of(figure)


def test_a_text_with_its_own_family_needs_cjk_fallback(caplog):
    """``family="monospace"`` has no fallback (the correlation explorer's written sum is such a text);
    ``family=cjk_fallback("monospace")`` draws Chinese in it."""
    with bare_machine():
        i18n.set_language("zh")
        figure = Figure(figsize=(2, 1), dpi=40)
        figure.text(0.1, 0.5, "和 = 19", family="monospace")
        with pytest.raises(UserWarning, match=GLYPH_MISSING), warnings.catch_warnings():
            warnings.filterwarnings("error", message=GLYPH_MISSING)
            png_of(figure)
        figure = Figure(figsize=(2, 1), dpi=40)
        figure.text(0.1, 0.5, "和 = 19", family=fonts.cjk_fallback("monospace"))
        with no_missing_glyphs(caplog):
            png_of(figure)
