"""The presenter size (issue 14): ``conv_lessons.set_display_scale(1.5)`` draws every explorer built
afterwards 1.5 times larger for a projector, with the same content, and ``set_display_scale(1)``
goes back.  Bad values get a message naming the range and the fix, in the lesson's language.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

import ipywidgets as widgets
import pytest
from matplotlib.text import Text

import conv_lessons
from conv_lessons import explorers, i18n, style
from conv_lessons.explorers.base import Explorer, MessageBox, Readout


@pytest.fixture(autouse=True)
def laptop_size_after() -> Iterator[None]:
    """Every test leaves the scale at 1 and the language English, whatever it did."""
    yield
    style.set_display_scale(1)
    i18n.set_language("en")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def picture_size(explorer: Explorer) -> tuple[int, int]:
    """The explorer's whole picture in pixels: its images side by side."""
    sizes = [png_size(image.value) for image in explorer.view.images]
    return sum(w for w, _ in sizes), max(h for _, h in sizes)


def texts(explorer: Explorer) -> tuple[list[str], list[str]]:
    """What the explorer says: the texts in its figure, and its HTML readouts with styles removed."""
    drawn = sorted(t.get_text() for t in explorer.view.figure.findobj(Text) if t.get_text())
    html = [re.sub(r' style="[^"]*"', "", w.value) for w in _widgets(explorer) if isinstance(w, widgets.HTML)]
    return drawn, html


def _widgets(explorer: widgets.Widget) -> list[widgets.Widget]:
    found, stack = [], [explorer]
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(getattr(item, "children", ()))
    return found


def control_widths(explorer: Explorer) -> dict[str, float]:
    """Each control's CSS width in px (the controls that set one)."""
    found = {}
    for name, control in explorer.controls.items():
        value = getattr(control.layout, "width", None)
        if value and value.endswith("px"):
            found[name] = float(value[:-2])
    return found


@pytest.mark.parametrize("name", explorers.__all__)
def test_every_explorer_is_drawn_larger_with_the_same_content(name: str) -> None:
    laptop = getattr(explorers, name)()
    style.set_display_scale(1.5)
    projector = getattr(explorers, name)()
    (w1, h1), (w2, h2) = picture_size(laptop), picture_size(projector)
    assert w2 == pytest.approx(1.5 * w1, abs=2) and h2 == pytest.approx(1.5 * h1, abs=2), \
        f"{name}: {w1}×{h1} px at scale 1, {w2}×{h2} px at 1.5"
    assert texts(projector) == texts(laptop), f"{name}: the presenter size changed what the explorer says"
    assert "font-size:1.5em" in projector.message.value or projector.message.value == ""
    for control, px in control_widths(laptop).items():
        assert control_widths(projector)[control] == pytest.approx(1.5 * px, abs=1), control
    style.set_display_scale(1)
    again = getattr(explorers, name)()
    assert picture_size(again) == (w1, h1), f"{name}: set_display_scale(1) did not give the laptop size back"
    for explorer in (laptop, projector, again):
        explorer.close()


def test_readouts_and_messages_grow_with_the_scale() -> None:
    readout, message = Readout(), MessageBox()
    readout.show("a")
    message.show_error("b")
    assert "font-size" not in readout.value and "font-size" not in message.value
    style.set_display_scale(2)
    readout.show("a")
    assert "font-size:2em" in readout.value
    readout.show("a", size="12px")
    assert "font-size:24px" in readout.value
    message.show_info("b")
    assert "font-size:2em" in message.value


def test_the_package_exports_the_switch() -> None:
    conv_lessons.set_display_scale(1.5)
    assert conv_lessons.display_scale() == 1.5
    conv_lessons.set_display_scale(1)
    assert conv_lessons.display_scale() == 1.0
    assert "set_display_scale" in conv_lessons.__all__


@pytest.mark.parametrize("bad, error", [(0, ValueError), (0.4, ValueError), (3.5, ValueError),
                                        (float("nan"), ValueError), (float("inf"), ValueError),
                                        ("1.5", TypeError), (True, TypeError), (None, TypeError)])
def test_a_bad_scale_names_the_range_and_keeps_the_old_one(bad: object, error: type[Exception]) -> None:
    style.set_display_scale(1.5)
    with pytest.raises(error) as raised:
        style.set_display_scale(bad)
    assert str(raised.value).startswith("scale: expected a number from 0.5 to 3.0")
    assert "set_display_scale(1.5)" in str(raised.value)
    assert style.display_scale() == 1.5


def test_the_message_is_chinese_in_the_chinese_edition() -> None:
    i18n.set_language("zh")
    with pytest.raises(ValueError) as raised:
        style.set_display_scale(10)
    assert "0.5 到 3.0" in str(raised.value) and "投影" in str(raised.value)
