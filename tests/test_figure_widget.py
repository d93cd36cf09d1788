"""The figure→widget plumbing every explorer relies on."""

import io

import numpy as np
import pytest
from PIL import Image

from conv_lessons.explorers.figure_widget import FigureView, MessageBox, guarded
from conv_lessons.figures import MatrixPlot
from conv_lessons.source import show_source, source_of


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture
def view():
    view = FigureView(figsize=(4, 2), dpi=50)
    ax = view.figure.add_subplot()
    view.plot = MatrixPlot(ax, np.zeros((3, 3)), title="input X", signed=True)
    view.bar = view.colorbar(view.plot.image, ax)
    view.animate(*view.plot.artists)
    return view


def test_render_shows_a_png_of_the_figure_size(view):
    png = view.render()
    assert png.startswith(b"\x89PNG") and view.image.value == png
    assert pixels(png).shape == (100, 200, 3)


def test_changing_data_changes_the_picture_and_the_colour_bar(view):
    first = view.render()
    view.plot.set_values(np.array([[0, 1, 2], [3, -4, 5], [6, 7, 8]]))
    second = view.render()
    assert first != second
    assert [t.get_text() for t in view.bar.labels] == ["8", "0", "-8"]


def test_blitting_matches_a_full_redraw(view):
    view.render()
    view.plot.set_values(np.arange(9.0).reshape(3, 3) - 4)
    blitted = pixels(view.render())
    view.invalidate()
    full = pixels(view.render())
    assert np.array_equal(blitted, full)


def test_static_changes_need_invalidate(view):
    before = view.render()
    view.plot.ax.set_title("something else")
    assert view.render() == before  # cached background: the title is static
    view.invalidate()
    assert view.render() != before


def test_guarded_observer_shows_bad_input_and_lets_bugs_through():
    message = MessageBox()

    def update(change):
        raise ValueError("K[0, 1]: expected a number, got 'x'. Type a number such as -1.")

    guarded(message, update)({"new": 1})
    assert "K[0, 1]: expected a number" in message.value and "conv-lessons-error" in message.value

    def broken(change):
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        guarded(message, broken)({"new": 1})


def test_message_box_escapes_html():
    message = MessageBox()
    message.show_info("<b>19</b> = 0×0 + 1×1")
    assert "&lt;b&gt;19" in message.value
    message.clear()
    assert message.value == ""


def test_source_shown_is_the_package_code():
    from conv_lessons import corr2d

    text = source_of(corr2d)
    assert text.startswith("def corr2d(") and "for i in range(Y.shape[0]):" in text
    assert "Compute 2-D cross-correlation" not in text  # the docstring is left out
    assert "Compute 2-D cross-correlation" in source_of(corr2d, docstring=True)
    assert show_source(corr2d).data == text
    with pytest.raises(TypeError, match="obj"):
        source_of(42)


def test_cached_text_drawing_looks_like_matplotlibs_own():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    view = FigureView(figsize=(4, 2), dpi=72)
    ax = view.figure.add_subplot()
    MatrixPlot(ax, np.arange(12.0).reshape(3, 4) - 5, title="input X  −1.5 ×0")
    cached = pixels(view.render()).astype(int)
    cached_again = pixels(view.render()).astype(int)  # second draw: every string comes from the cache
    view.canvas = FigureCanvasAgg(view.figure)  # matplotlib's own text drawing
    view.invalidate()
    plain = pixels(view.render()).astype(int)
    assert np.array_equal(cached, cached_again)
    ink = plain < 128  # the dark pixels of text and lines
    assert np.abs(cached - plain).mean() < 2.0  # glyphs land on the same pixels, give or take subpixels
    assert (cached[ink] < 128).mean() > 0.85
