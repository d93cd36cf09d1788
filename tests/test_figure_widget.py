"""The figure→widget plumbing every explorer relies on: FigureView (persistent figure → PNG → Image)."""

import io

import numpy as np
import pytest
from PIL import Image

from conv_lessons.explorers.base import MessageBox
from conv_lessons.explorers.figure_widget import FigureView, encode_png
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


def shown(view) -> bytes:
    return bytes(view.image.value)


def test_render_shows_a_png_of_the_figure_size(view):
    assert view.render() == 1  # one image sent
    png = shown(view)
    assert png.startswith(b"\x89PNG") and png == view.png()
    assert pixels(png).shape == (100, 200, 3)


def test_the_png_holds_exactly_the_canvas_pixels(view):
    view.render()
    rgba = np.asarray(view.canvas.buffer_rgba())
    assert np.array_equal(pixels(shown(view)), rgba[..., :3])
    for png_filter in ("none", "up"):
        assert np.array_equal(pixels(encode_png(rgba, png_filter)), rgba[..., :3])
    rng = np.random.default_rng(0)  # any pixels, and a tile cut out of a wider picture (not contiguous)
    noisy = rng.integers(0, 256, (7, 11, 4), dtype=np.uint8)
    for part in (noisy, noisy[:, 3:8], noisy[:1]):
        for png_filter in ("none", "up"):
            assert np.array_equal(pixels(encode_png(part, png_filter)), part[..., :3])


def test_changing_data_changes_the_picture_and_the_colour_bar(view):
    view.render()
    first = shown(view)
    view.plot.set_values(np.array([[0, 1, 2], [3, -4, 5], [6, 7, 8]]))
    view.render()
    assert shown(view) != first
    assert [t.get_text() for t in view.bar.labels] == ["8", "0", "-8"]


def test_an_unchanged_picture_is_not_sent_again(view):
    view.render()
    assert view.render() == 0  # same pixels: nothing encoded, nothing sent


def test_blitting_matches_a_full_redraw(view):
    view.render()
    view.plot.set_values(np.arange(9.0).reshape(3, 3) - 4)
    view.render()
    blitted = pixels(shown(view))
    view.invalidate()
    view.render()
    full = pixels(shown(view))
    assert np.array_equal(blitted, full)


def test_static_changes_need_invalidate(view):
    view.render()
    before = shown(view)
    view.plot.ax.set_title("something else")
    view.render()
    assert shown(view) == before  # cached background: the title is static
    view.invalidate()
    view.render()
    assert shown(view) != before


def test_tiles_send_only_the_part_that_changed():
    view = FigureView(figsize=(4, 2), dpi=50, tiles=(0.5,))
    left, right = view.figure.add_axes((0.05, 0.1, 0.4, 0.8)), view.figure.add_axes((0.55, 0.1, 0.4, 0.8))
    plots = [MatrixPlot(ax, np.zeros((2, 2)), signed=True) for ax in (left, right)]
    for plot in plots:
        view.animate(*plot.artists)
    assert view.render() == 2
    assert [int(image.width) for image in view.images] == [100, 100]
    first = [bytes(image.value) for image in view.images]
    plots[1].set_values(np.array([[1.0, -1.0], [0.0, 2.0]]))
    assert view.render() == 1
    assert bytes(view.images[0].value) == first[0] and bytes(view.images[1].value) != first[1]
    halves = np.hstack([pixels(bytes(image.value)) for image in view.images])
    assert np.array_equal(halves, pixels(view.png()))  # side by side they are the whole picture
    with pytest.raises(AttributeError, match="tiles"):
        _ = view.image


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
    view.draw()
    cached = pixels(view.png()).astype(int)
    view.invalidate()
    view.draw()
    cached_again = pixels(view.png()).astype(int)  # second draw: every string comes from the cache
    view.canvas = FigureCanvasAgg(view.figure)  # matplotlib's own text drawing
    view.invalidate()
    view.draw()
    plain = pixels(view.png()).astype(int)
    assert np.array_equal(cached, cached_again)
    ink = plain < 128  # the dark pixels of text and lines
    assert np.abs(cached - plain).mean() < 2.0  # glyphs land on the same pixels, give or take subpixels
    assert (cached[ink] < 128).mean() > 0.85


def test_numbers_are_written_one_way_everywhere():
    from conv_lessons.style import number, short_number, term

    assert number(-1e-14) == "0" and number(2.5) == "2.5" and number(19.0) == "19"
    assert number(float("nan")) == "nan" and number(float("-inf")) == "-inf"
    assert number(-0.0001, ".3f") == "0.000" and number(-0.25, ".3f") == "-0.250"  # never "-0.000"
    assert term(-2) == "(-2)" and term(3) == "3"  # a negative number inside a written-out sum
    assert short_number(1 / 9) == "0.11" and short_number(12.345) == "12.3" and short_number(-3e-9) == "0"
