"""The cross-correlation explorer, driven from Python as a learner would drive it."""

import html
import io
import re

import ipywidgets as widgets
import numpy as np
import pytest
from layout_estimates import MIN_TRACK, px, text_width
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from test_i18n_explorers import shown_texts

from conv_lessons import set_language
from conv_lessons.explorers import correlation_explorer
from conv_lessons.figures import correlation_figure, correlation_vs_convolution_figure
from conv_lessons.figures.correlation import written_sum


def pixel(explorer, panel: int, x: float, y: float) -> np.ndarray:
    """The RGB colour of the shown PNG at data point (x, y) of panel 0 (input), 1 (kernel) or 2 (output)."""
    image = np.asarray(Image.open(io.BytesIO(explorer.view.image.value)).convert("RGB"), dtype=float)
    px, py = explorer.row.axes[panel].transData.transform((x, y))
    return image[int(round(image.shape[0] - py)), int(round(px))]


def is_highlighted(rgb: np.ndarray) -> bool:
    return rgb[0] - rgb[2] > 25  # orange tint: red well above blue (the plain cells are white to pale blue)


def is_pending(rgb: np.ndarray) -> bool:
    return abs(rgb[0] - rgb[2]) < 6 and 190 < rgb[0] < 235  # flat light grey


@pytest.fixture
def explorer():
    return correlation_explorer()


READOUT = 100  # pixels of a slider beside its label and track: the number readout and margins (measured)
BUTTON_PADDING = 30  # pixels of a button around its label (padding and border)


def test_builds_with_no_arguments_into_one_container_with_a_picture(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert explorer.view.image in explorer.children
    assert explorer.message in explorer.children
    assert bytes(explorer.view.image.value).startswith(b"\x89PNG")
    assert explorer.message.value == ""


def test_first_position_writes_out_the_chapters_first_sum(explorer):
    assert "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" in explorer.sum_readout.value
    assert is_highlighted(pixel(explorer, 0, 0.3, -0.3))  # top-left input cell is in the window
    assert not is_highlighted(pixel(explorer, 0, 2.3, 2.3))
    assert is_highlighted(pixel(explorer, 2, 0.3, -0.3))  # and so is the output cell it fills
    assert is_pending(pixel(explorer, 2, 1.3, 1.3))  # Y[1, 1] not computed yet


def test_last_position_highlights_the_bottom_right_window_and_shows_43(explorer):
    before = bytes(explorer.view.image.value)
    explorer.controls["position"].value = 3
    assert bytes(explorer.view.image.value) != before
    assert "Y[1, 1] = 4×0 + 5×1 + 7×2 + 8×3 = 43" in explorer.sum_readout.value
    assert is_highlighted(pixel(explorer, 0, 2.3, 2.3))
    assert is_highlighted(pixel(explorer, 0, 1.3, 1.3))
    assert not is_highlighted(pixel(explorer, 0, 0.3, -0.3))
    assert is_highlighted(pixel(explorer, 2, 1.3, 1.3))
    assert not is_pending(pixel(explorer, 2, 0.3, -0.3))  # every output is computed by now
    assert explorer.message.value == ""


def test_output_fills_in_row_by_row(explorer):
    explorer.controls["position"].value = 1
    assert "Y[0, 1] = 1×0 + 2×1 + 4×2 + 5×3 = 25" in explorer.sum_readout.value
    assert not is_pending(pixel(explorer, 2, 0.3, -0.3))
    assert is_pending(pixel(explorer, 2, 0.3, 1.3))  # the second row is still to come
    explorer.controls["position"].value = 2
    assert "Y[1, 0] = 3×0 + 4×1 + 6×2 + 7×3 = 37" in explorer.sum_readout.value
    assert not is_pending(pixel(explorer, 2, 0.3, 1.3))


def test_play_button_drives_the_position_and_speed_sets_its_interval(explorer):
    play, position = explorer.controls["play"], explorer.controls["position"]
    assert isinstance(play, widgets.Play)
    assert play.max == position.max == 3
    play.value = 2
    assert position.value == 2
    assert "= 37" in explorer.sum_readout.value
    intervals = {}
    for speed in ("slow", "medium", "fast"):
        explorer.controls["speed"].value = speed
        intervals[speed] = play.interval
    assert intervals["slow"] > intervals["medium"] > intervals["fast"] > 0


def test_size_sliders_show_the_output_shape_and_redraw(explorer):
    assert "(3 − 2 + 1) × (3 − 2 + 1) = <b>2 × 2</b>" in explorer.shape_readout.value
    before = bytes(explorer.view.image.value)
    explorer.controls["n_w"].value = 5
    assert "(3 − 2 + 1) × (5 − 2 + 1) = <b>2 × 4</b>" in explorer.shape_readout.value
    assert bytes(explorer.view.image.value) != before
    assert explorer.controls["position"].max == explorer.controls["play"].max == 7
    explorer.controls["k_h"].value = 3
    assert "(3 − 3 + 1) × (5 − 2 + 1) = <b>1 × 4</b>" in explorer.shape_readout.value
    assert explorer.controls["position"].max == 3
    explorer.controls["position"].value = 3
    # X is 0, 1, 2, … row by row at every size: the last window of a 3×5 input under a 3×2 kernel
    assert "Y[0, 3] = 3×0 + 4×1 + 8×2 + 9×3 + 13×4 + 14×5 = 169" in explorer.sum_readout.value


def test_shrinking_the_input_keeps_the_position_inside_the_new_output(explorer):
    explorer.controls["n_w"].value = 5
    explorer.controls["position"].value = 7
    explorer.controls["n_w"].value = 3
    assert explorer.controls["position"].value == 3
    assert "= 43" in explorer.sum_readout.value


def test_kernel_larger_than_the_input_is_a_message_not_a_traceback(explorer):
    explorer.controls["k_h"].value = 4
    assert "K: expected a kernel no larger than the input X (3×3), got shape (4, 2)" in explorer.message.value
    assert "no output: the kernel does not fit" in explorer.shape_readout.value
    assert explorer.controls["position"].disabled and explorer.controls["play"].disabled
    explorer.controls["k_h"].value = 2
    assert explorer.message.value == ""
    assert not explorer.controls["position"].disabled


def is_stale_grey(rgb: np.ndarray) -> bool:
    return abs(rgb[0] - rgb[2]) < 6 and 220 < rgb[0] < 228  # the flat grey over a stale picture


def test_a_kernel_that_does_not_fit_greys_out_the_stale_picture_until_it_fits_again(explorer):
    explorer.controls["position"].value = 3
    good = bytes(explorer.view.image.value)
    points = [(0, 0.3, -0.3), (0, 2.3, 2.3), (2, 1.3, 1.3), (2, 0.3, 0.3)]  # input and output cells
    assert not any(is_stale_grey(pixel(explorer, *point)) for point in points)
    explorer.controls["k_h"].value = 4  # the picture still holds the 3×3 input and 2×2 kernel: grey it out
    assert bytes(explorer.view.image.value) != good
    assert all(is_stale_grey(pixel(explorer, *point)) for point in points)
    assert explorer.sum_readout.value.count("Y[") == 0  # no stale sum either
    assert "4×2" in explorer.blank_text.get_text() and "3×3" in explorer.blank_text.get_text()
    explorer.controls["n_w"].value = 4  # still no fit: still grey, still the message
    assert all(is_stale_grey(pixel(explorer, *point)) for point in points)
    assert "got shape (4, 2)" in explorer.message.value
    explorer.controls["n_w"].value = 3
    explorer.controls["k_h"].value = 2  # fits again: the picture comes back, with its sum
    assert explorer.message.value == ""
    assert not any(is_stale_grey(pixel(explorer, *point)) for point in points)
    assert "= 43" in explorer.sum_readout.value
    assert bytes(explorer.view.image.value) == good


@pytest.mark.parametrize("way", [(4,), (3, 4), (3, 5, 4)], ids=["2→4", "2→3→4", "2→3→5→4"])
def test_nothing_of_the_stale_picture_shows_through_the_grey_whichever_way(explorer, way):
    """Over a kernel that does not fit, the picture is the flat grey and the message, nothing else:
    the orange weight labels (×0, ×1, …) of the last kernel that fit stayed on top of the grey when a
    larger kernel had made new ones (they were drawn after it), so the picture depended on the way
    there and the page showed another one than the kernel drew."""
    for k_h in way:
        explorer.controls["k_h"].value = k_h
    image = np.asarray(Image.open(io.BytesIO(explorer.view.image.value)).convert("RGB"), dtype=int)
    tinted = np.abs(image[..., 0] - image[..., 2]) > 12  # the labels' orange; the grey and the text are neutral
    assert not tinted.any(), f"{tinted.sum()} coloured pixels over the grey"
    fresh = correlation_explorer()
    fresh.controls["k_h"].value = 4
    assert bytes(explorer.view.image.value) == bytes(fresh.view.image.value)
    fresh.close()


def test_every_slider_keeps_a_track_and_every_speed_button_its_label(explorer):
    for name in ("n_h", "n_w", "k_h", "k_w", "position"):
        slider = explorer.controls[name]
        label = slider.style.description_width or "80px"  # JupyterLab's default label width
        assert px(slider.layout.width) - px(label) - READOUT >= MIN_TRACK, name
        assert text_width(slider.description) <= px(label), name  # the label is not cut
    speed = explorer.controls["speed"]
    assert all(text_width(label) + BUTTON_PADDING <= px(speed.style.button_width) for label in speed._options_labels)


def test_written_sum_brackets_negative_numbers():
    assert written_sum([[1.0, -2.0]], [[3.0, 1.0]], 0, 0) == "Y[0, 0] = 1×3 + (-2)×1 = 1"
    with pytest.raises(ValueError, match=r"inside 1×1, got \(0, 1\)"):
        written_sum([[1.0, -2.0]], [[3.0, 1.0]], 0, 1)


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]


def test_static_figure_shows_the_same_picture_with_its_sum():
    figure = correlation_figure(position=3)
    assert isinstance(figure, Figure)
    assert "Y[1, 1] = 4×0 + 5×1 + 7×2 + 8×3 = 43" in _texts(figure)
    with pytest.raises(ValueError, match=r"position: expected 0 … 3"):
        correlation_figure(position=4)


def test_convolution_figure_flips_the_kernel():
    texts = _texts(correlation_vs_convolution_figure())
    assert "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" in texts
    assert "conv[0, 0] = 0×3 + 1×2 + 3×1 + 4×0 = 5" in texts
    assert {"19", "25", "37", "43", "5", "11", "23", "29"} <= set(texts)


# -- in Chinese (issue 12) -------------------------------------------------------------------------
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
PYTHON_NAMES = {"corr", "convolve"}  # corr2d(X, K), convolve2d(X, K): code


@pytest.fixture
def chinese():
    set_language("zh")
    yield
    set_language("en")


def english_words(texts: list[str]) -> set[str]:
    return {word for t in texts for word in ENGLISH_WORD.findall(t)} - PYTHON_NAMES


def test_built_in_chinese_every_label_readout_and_message_is_chinese(chinese):
    explorer = correlation_explorer()
    controls = explorer.controls
    assert all(CJK.search(controls[name].description) for name in ("position", "speed", "n_h", "n_w", "k_h", "k_w"))
    assert controls["speed"]._options_labels == ("慢", "中", "快") and controls["speed"].value == "medium"
    assert "输出形状" in explorer.shape_readout.value
    controls["k_h"].value = 4
    texts = shown_texts(explorer)
    assert CJK.search(html.unescape(explorer.message.value)) and "没有输出" in explorer.shape_readout.value
    assert CJK.search(explorer.blank_text.get_text())
    assert english_words(texts) == set(), texts
    controls["k_h"].value = 2
    assert english_words(shown_texts(explorer)) == set()


def test_layout_fits_in_chinese_too(chinese):
    test_every_slider_keeps_a_track_and_every_speed_button_its_label(correlation_explorer())


@pytest.mark.parametrize("make", [lambda: correlation_figure(position=3), correlation_vs_convolution_figure])
def test_static_figures_in_chinese(chinese, make):
    texts = [t.get_text() for t in make().findobj(Text) if t.get_text()]
    assert any(CJK.search(t) for t in texts)
    assert english_words(texts) == set(), texts


def test_the_weight_labels_move_with_the_window_after_a_new_size():
    """After the sizes change, the ×k weight labels are drawn where the window is, not left where it
    was when the background was drawn: a state looks the same whichever way the learner got there."""
    moved, fresh = correlation_explorer(), correlation_explorer()
    try:
        moved.controls["position"].value = 1
        moved.controls["n_h"].value = 4
        moved.controls["position"].value = 0
        fresh.controls["n_h"].value = 4
        assert bytes(moved.view.image.value) == bytes(fresh.view.image.value)
        moved.controls["position"].value = 1
        fresh.controls["position"].value = 1
        assert bytes(moved.view.image.value) == bytes(fresh.view.image.value)
    finally:
        moved.close()
        fresh.close()
