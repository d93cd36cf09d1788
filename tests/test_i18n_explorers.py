"""Explorers and figures speak the lesson's language (issue 12).

After ``set_language("zh")`` every explorer and every static figure shows Chinese: control labels,
menu options, buttons, readouts, messages, titles, axis labels, legends and annotations.  Read as a
Chinese learner would: every text an explorer shows (after it is built and while each of its
controls moves) and every text a figure draws may hold no English word, only numbers, symbols and
the Python names and proper names the Chinese lessons use too (``lr``, ``corr2d``, Sobel, ReLU, …).
And the English edition is still English.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import ipywidgets as widgets
import pytest
from matplotlib.text import Text
from test_fonts import FIGURES, draw_figure, move_every_control

from conv_lessons import explorers, i18n

# Python names (PyTorch's padding modes among them), units and proper names a Chinese lesson writes in
# Latin letters too.
ALLOWED = {
    "lr", "corr2d", "corr2d_fast", "corr2d_matmul", "conv2d", "Conv2D", "im2col", "ReLU", "Sobel", "Prewitt",
    "Laplacian", "float32", "nan", "inf", "px", "dB", "min", "max", "argmax", "std", "mean", "sum", "reshape",
    "torch", "nn", "True", "False", "None", "Tensor", "PNG", "CNN", "d2l", "MSE", "log", "exp", "sqrt", "pad",
    "valid", "zeros", "replicate", "reflect", "circular", "same", "vmin", "vmax", "cmap", "RdBu", "gray",
    "magma", "ERF", "RF", "flatten", "shape",
}
# Words a Chinese text may hold: the ALLOWED names, a Python identifier with a digit or underscore
# (X_1, k_h, W2), single letters (X, K, k, s, p, d, L, σ, …) and unit/format noise.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language("en")


def english_words(text: str) -> list[str]:
    """The words of ``text`` a Chinese learner should not meet: 2+ letters, not a name in ALLOWED."""
    words = []
    text = text.replace("\\mathdefault", "")  # log-axis tick labels are mathtext: $\mathdefault{10^{-3}}$
    for word in WORD.findall(text):
        if len(word) < 2 or word in ALLOWED or any(c.isdigit() or c == "_" for c in word):
            continue
        words.append(word)
    return words


def shown_texts(explorer: widgets.Widget) -> list[str]:
    """Every text the explorer shows a learner: descriptions, option labels, buttons, HTML, figure texts."""
    found: list[str] = []
    stack = [explorer]
    while stack:
        item = stack.pop()
        stack.extend(getattr(item, "children", ()))
        description = getattr(item, "description", "")
        if description:
            found.append(description)
        tooltip = getattr(item, "tooltip", None)
        if tooltip:
            found.append(tooltip)
        found.extend(str(label) for label in getattr(item, "_options_labels", ()))
        if isinstance(item, widgets.HTML | widgets.Label) and item.value:
            found.append(html.unescape(re.sub(r"<[^>]+>", " ", item.value)))
    found.extend(t.get_text() for t in explorer.view.figure.findobj(Text) if t.get_visible() and t.get_text())
    return found


@pytest.mark.parametrize("name", explorers.__all__)
def test_every_explorer_is_chinese_in_the_chinese_edition(name: str) -> None:
    i18n.set_language("zh")
    explorer = getattr(explorers, name)()
    seen = shown_texts(explorer)
    assert any(CJK.search(text) for text in seen), f"{name}: no Chinese at all in {seen}"
    move_every_control(explorer)
    explorer.flush()
    seen += shown_texts(explorer)
    english = sorted({f"{word!r} in {text!r}" for text in seen for word in english_words(text)})
    assert not english, f"{name} in Chinese still shows English:\n" + "\n".join(english)
    explorer.close()


@pytest.mark.parametrize("name", explorers.__all__)
def test_every_explorer_is_english_by_default(name: str) -> None:
    explorer = getattr(explorers, name)()
    seen = shown_texts(explorer)
    assert not [text for text in seen if CJK.search(text)], f"{name}: Chinese in the English edition"
    explorer.close()


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_every_static_figure_is_chinese_in_the_chinese_edition(key: str) -> None:
    i18n.set_language("zh")
    figure = draw_figure(key)
    seen = [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]
    english = sorted({f"{word!r} in {text!r}" for text in seen for word in english_words(text)})
    assert not english, f"{key} in Chinese still shows English:\n" + "\n".join(english)
    assert any(CJK.search(text) for text in seen) or not any(WORD.search(t) for t in seen), \
        f"{key}: words but no Chinese in {seen}"
