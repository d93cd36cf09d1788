"""The receptive-field explorer and the lesson-04 figures, driven from Python as a learner would drive them."""

import html
import io

import ipywidgets as widgets
import numpy as np
import pytest
from layout_estimates import MIN_TRACK, estimated_track
from matplotlib.figure import Figure
from PIL import Image

from conv_lessons.explorers import receptive_field_explorer
from conv_lessons.explorers.receptive_field import STACK
from conv_lessons.figures import feature_map_figure, receptive_field_figure
from conv_lessons.receptive_field import feature_map_size, receptive_field, receptive_field_region

PHOTO_SHAPE = (225, 192)


@pytest.fixture
def explorer():
    return receptive_field_explorer()


def png(explorer) -> bytes:
    return explorer.view.png()  # the whole picture (the explorer shows it as one image per panel)


def shown_pixel(explorer, x: float, y: float) -> np.ndarray:
    """The RGB colour of the shown PNG at photo pixel (x = column, y = row) of the photo panel."""
    image = np.asarray(Image.open(io.BytesIO(png(explorer))).convert("RGB"), dtype=float)
    px, py = explorer.picture.photo_ax.transData.transform((x, y))
    return image[int(round(image.shape[0] - py)), int(round(px))]


def is_box_orange(rgb: np.ndarray) -> bool:
    return rgb[0] > 180 and rgb[0] - rgb[2] > 120  # the box's orange, not the grey photo


def readout(explorer) -> str:
    return html.unescape(explorer.readout.value)


def settings(explorer) -> tuple[list[int], list[int], list[int]]:
    c = explorer.controls
    depth = c["depth"].value
    return [c["kernel"].value] * depth, [c["stride"].value] * depth, [c["dilation"].value] * depth


def test_builds_with_no_arguments_into_one_container(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert explorer.view.widget in explorer.children and explorer.message in explorer.children
    assert png(explorer).startswith(b"\x89PNG")
    assert set(explorer.controls) == {"depth", "kernel", "stride", "dilation", "row", "col"}
    assert explorer.message.value == ""


def test_default_readout_writes_the_formula_out(explorer):
    text = readout(explorer)
    assert "r = 1 + Σ (k′ − 1)·J = 1 + 2·1 + 2·2 + 2·4 = 15" in text
    assert "total stride (jump) J = 2 · 2 · 2 = 8" in text
    assert "225×192 → 112×95 → 55×47 → 27×23" in text


@pytest.mark.parametrize("control, value", [("depth", 4), ("kernel", 5), ("stride", 1), ("dilation", 2),
                                            ("depth", 1)])
def test_r_readout_equals_the_package_formula_for_every_control(explorer, control, value):
    before = png(explorer)
    explorer.controls[control].value = value
    assert png(explorer) != before
    kernels, strides, dilations = settings(explorer)
    r = receptive_field(kernels, strides, dilations)
    formula = readout(explorer).split("\n")[0].split("   (")[0]  # "r = 1 + Σ … = r" (then the dilated k′)
    assert formula.endswith(f"= {r}")
    jump = int(np.prod(strides))
    assert f"= {jump}: neighbouring outputs" in readout(explorer)
    assert explorer.picture.span_text.get_text() == f"r = {r}"


def test_position_sliders_follow_the_feature_map_size(explorer):
    c = explorer.controls
    for stride in (1, 3, 2):
        c["stride"].value = stride
        kernels, strides, dilations = settings(explorer)
        rows, cols = (feature_map_size(n, kernels, strides, dilations) for n in PHOTO_SHAPE)
        assert (c["row"].max, c["col"].max) == (rows - 1, cols - 1)
        assert c["row"].value <= rows - 1 and c["col"].value <= cols - 1
        assert f"→ {rows}×{cols}\n" in readout(explorer)


def test_box_moves_by_the_total_stride_with_the_column_slider(explorer):
    c = explorer.controls
    c["row"].value, c["col"].value = 10, 10
    x0 = explorer.picture.photo_box.get_x()
    (r0, r1), (c0, c1) = receptive_field_region(*settings(explorer)[:1], (10, 10), *settings(explorer)[1:])
    assert (x0, explorer.picture.photo_box.get_y()) == (c0 - 0.5, r0 - 0.5)
    assert is_box_orange(shown_pixel(explorer, c0 - 0.5, (r0 + r1) / 2))  # the left edge is drawn there
    before = png(explorer)
    c["col"].value = 11
    assert png(explorer) != before
    assert explorer.picture.photo_box.get_x() == x0 + 8  # J = 8
    assert is_box_orange(shown_pixel(explorer, c0 + 8 - 0.5, (r0 + r1) / 2))
    assert f"output (10, 11) sees rows {r0}:{r1}, columns {c0 + 8}:{c1 + 8}" in readout(explorer)


def test_row_slider_moves_the_box_down(explorer):
    y0 = explorer.picture.photo_box.get_y()
    explorer.controls["row"].value += 1
    assert explorer.picture.photo_box.get_y() == y0 + 8


def test_box_stays_near_the_same_place_when_the_stack_changes(explorer):
    def centre():
        box = explorer.picture.photo_box
        return box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2

    before = centre()
    explorer.controls["stride"].value = 1
    after = centre()
    assert abs(after[0] - before[0]) <= 1 and abs(after[1] - before[1]) <= 1


def position(explorer) -> tuple[int, int]:
    return explorer.controls["row"].value, explorer.controls["col"].value


def drag(slider: widgets.IntSlider, presses: int = 10) -> list[int]:
    """The values of ``presses`` key presses on ``slider`` that go the way with more room first and
    turn back at an end, as a hand drags it (the browser benchmark's burst)."""
    values, now = [], slider.value
    way = 1 if slider.max - now >= now - slider.min else -1
    for _ in range(presses):
        if not slider.min <= now + way <= slider.max:
            way = -way
        now += way
        values.append(now)
    return values


@pytest.mark.parametrize("name", STACK)
def test_a_stack_slider_moved_there_and_back_comes_back_to_the_same_output(explorer, name):
    """The field stays centred on the photo pixel the learner chose: at every key press of a stack
    slider, the output shown is one whose field's centre is within half a jump of that pixel, and
    the slider dragged to its end and back shows the very output and picture it started from.
    (Re-centring from the last output rounded a little each press and drifted: kernel 3 → 7 kept
    row 9 although the field's centre had moved 14 pixels.)"""
    explorer.controls["col"].value += 3  # a place the learner chose, not the start
    start, picture = position(explorer), png(explorer)
    chosen = explorer.stack.centre(start)
    slider = explorer.controls[name]
    first = slider.value
    end = slider.max if slider.max - first >= first - slider.min else slider.min
    way = 1 if end > first else -1
    for value in [*range(first + way, end + way, way), *range(end - way, first - way, -way)]:
        slider.value = value
        if explorer.message.value:  # an impossible stack: the last one that fits stays
            continue
        centre = explorer.stack.centre(position(explorer))
        jump = explorer.stack.jump
        assert all(abs(c - p) <= jump / 2 for c, p in zip(centre, chosen, strict=True)), (name, value)
    assert slider.value == first and position(explorer) == start
    assert png(explorer) == picture


@pytest.mark.parametrize("name", STACK)
def test_key_presses_that_reach_the_kernel_together_end_where_they_end_one_by_one(name):
    """A drag sends key presses faster than the kernel draws, so several reach one update: the
    explorer must end where the same presses, each drawn, end (that is the picture the page showed
    ahead of the kernel, see ``explorers/frames.py``).  Ten presses, to the slider's end and back."""
    one_by_one, together = receptive_field_explorer(), receptive_field_explorer()
    slider = one_by_one.controls[name]
    values = drag(slider)
    done = 0
    for group in (1, 3, 6):  # presses that reach the kernel together: one, then three, then the rest
        for value in values[done:done + group]:
            one_by_one.controls[name].value = value
        with together.holding():
            for value in values[done:done + group]:
                together.controls[name].value = value
        together.flush()
        done += group
        where = f"{name} after {values[:done]}"
        assert together.controls[name].value == values[done - 1], where
        assert position(together) == position(one_by_one), where
        assert together.message.value == one_by_one.message.value, where
        assert png(together) == png(one_by_one), where


@pytest.mark.parametrize("order", [("kernel", "row"), ("row", "kernel")])
def test_a_row_chosen_in_the_same_update_as_a_new_stack_is_kept(order):
    """A learner who changes the kernel size and then, before the picture has caught up, the row,
    gets the row they chose (a new stack used to re-centre it away); either order ends where the
    same two moves, each drawn, end."""
    together, one_by_one = receptive_field_explorer(), receptive_field_explorer()
    moves = {"kernel": 5, "row": 3}
    with together.holding():
        for name in order:
            together.controls[name].value = moves[name]
    together.flush()
    for name in order:
        one_by_one.controls[name].value = moves[name]
    if order[-1] == "row":
        assert together.controls["row"].value == 3
    assert position(together) == position(one_by_one) and together.memory() == one_by_one.memory()
    assert png(together) == png(one_by_one)


def test_impossible_stack_shows_a_message_and_keeps_the_last_picture(explorer):
    c = explorer.controls
    c["kernel"].value = 7
    c["stride"].value = 3
    c["depth"].value = 3
    good = png(explorer)
    good_range = (c["row"].max, c["col"].max)
    c["depth"].value = 5  # 225 → 73 → 23 → 6: a 7×7 kernel no longer fits
    message = html.unescape(explorer.message.value)
    assert "Impossible stack" in message and "kernel_sizes[3]" in message and "at most 6 pixels" in message
    assert "last stack that fits (3 layers, k = 7, s = 3, d = 1)" in message
    assert png(explorer) == good and (c["row"].max, c["col"].max) == good_range
    c["col"].value = 0  # moving the output redraws the last good stack and keeps saying why
    assert "Impossible stack" in explorer.message.value
    assert "27×23" not in readout(explorer) and "→ 6×5" in readout(explorer)
    c["depth"].value = 2
    assert explorer.message.value == ""
    assert png(explorer) != good


def test_dilation_leaves_holes_in_the_input_patch(explorer):
    c = explorer.controls
    c["depth"].value = 1
    c["stride"].value = 1
    c["kernel"].value = 3
    c["dilation"].value = 2
    counts = np.asarray(explorer.picture.patch_image.get_array())
    rows, cols = np.nonzero(counts)
    inside = counts[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]  # the field's bounding box
    assert inside.shape == (5, 5)
    assert (inside == 0).sum() == 16 and (inside == 1).sum() == 9  # a 5×5 field with 9 taps
    assert "dilated kernel k′ = d·(k − 1) + 1 = 2·2 + 1 = 5" in readout(explorer)


def test_chapter_figure_shows_all_nine_inputs_counted_1_2_1():
    figure = receptive_field_figure(depth=2, kernel_size=2, input_size=3)
    assert isinstance(figure, Figure)
    grid_ax = figure.axes[1]
    numbers = [t.get_text() for t in grid_ax.texts if t.get_visible() and t.get_text()
               and t.get_text()[0].isdigit() and len(t.get_text()) == 1]
    assert numbers == ["1", "2", "1", "2", "4", "2", "1", "2", "1"]
    assert "receptive field: 3 input pixels (0:3)" in [t.get_text() for t in figure.axes[0].texts]


def test_photo_figure_has_three_panels_and_checks_the_position():
    figure = receptive_field_figure(depth=3, kernel_size=3, stride=2, position=(9, 8))
    titles = [ax.get_title() for ax in figure.axes]
    assert "output (9, 8) of the 27×23 feature map" in titles
    with pytest.raises(ValueError, match=r"position\[0\]: expected 0 to 26"):
        receptive_field_figure(depth=3, kernel_size=3, stride=2, position=(27, 0))
    with pytest.raises(ValueError, match="kernel_sizes"):
        receptive_field_figure(depth=5, kernel_size=7, stride=3)


def test_feature_map_figure_has_the_input_and_one_panel_per_kernel():
    figure = feature_map_figure(names=["sobel x", "gaussian blur"])
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible() and ax.get_title()]
    assert titles == ["input 225×192", "sobel x  →  223×190", "gaussian blur  →  223×190"]
    with pytest.raises(ValueError, match="name: expected one of"):
        feature_map_figure(names=["no such kernel"])


RANGE_WITH_DASH = r"\d+\s*[–-]\s*\d+"  # "72–86": the closed range the lessons no longer use


@pytest.mark.parametrize("language", ["en", "zh"])
def test_regions_are_half_open_python_slices_in_readout_and_figures(language):
    """One convention everywhere (issue 11 item 8): rows 72:87 as receptive_field_region and X[72:87] say."""
    import re

    from matplotlib.text import Text

    from conv_lessons import i18n

    i18n.set_language(language)
    try:
        explorer = receptive_field_explorer()
        kernels, strides, dilations = settings(explorer)
        (r0, r1), (c0, c1) = receptive_field_region(kernels, explorer.position, strides, dilations,
                                                    input_shape=PHOTO_SHAPE)
        assert (r0, r1, c0, c1) == (72, 87, 64, 79)  # the lesson's example: output (9, 8) of three 3×3, stride 2
        assert f"{r0}:{r1}" in readout(explorer) and f"{c0}:{c1}" in readout(explorer)
        figure = receptive_field_figure(depth=3, kernel_size=3, stride=2, position=(9, 8))
        texts = [t.get_text() for t in figure.findobj(Text)]
        assert any(f"{r0}:{r1}" in t and f"{c0}:{c1}" in t for t in texts), texts  # the patch caption
        assert sum(f"{c0}:{c1}" in t for t in texts) == 2, texts  # ... and the side view's span
        for shown in [readout(explorer), *texts]:
            assert not re.search(RANGE_WITH_DASH, shown.replace("−", "")), shown
        explorer.close()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("path", ["lessons/04_feature_maps_and_receptive_fields.md",
                                  "lessons/zh/04_feature_maps_and_receptive_fields.md"])
def test_lesson_04_says_the_slice_convention_before_the_explorer_shows_a_region(path):
    """The convention is stated where a region first appears: at the explorer, in the core."""
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / path).read_text(encoding="utf-8")
    explorer = source.index("receptive_field_explorer()")
    said = [m.start() for m in re.finditer(r"`72:87`|X\[72:87\]", source)]
    assert said and said[0] < explorer, "state the half-open slice convention before the explorer"
    assert not re.search(r"(rows|行)\s*\d+\s*–\s*\d+", source)
    first_k_prime = source.index("k′")
    assert "d·(k − 1) + 1" in source[first_k_prime - 200: first_k_prime + 200], "define k′ where it is first used"


def shown(explorer) -> list[bytes]:
    return [bytes(image.value) for image in explorer.view.images]


def test_only_the_panels_that_changed_are_recomputed_and_drawn_and_one_image_is_sent(explorer):
    """Issue 13: away from the photo's border, moving the output moves only the box on the photo
    (the side view and the input patch look the same wherever the field is), so only the photo's
    artists are recomputed and drawn; at the border the input's edge cuts the side view's margin;
    a new stack redraws all three.  Every step sends one image."""
    view, picture = explorer.view, explorer.picture
    assert len(view.images) == 1
    recomputed: list[str] = []
    side, patch = picture._show_side, picture._show_patch
    picture._show_side = lambda *a: recomputed.append("side") or side(*a)
    picture._show_patch = lambda *a: recomputed.append("patch") or patch(*a)
    drawn: list[object] = []
    draw_artist = view.figure.draw_artist
    view.figure.draw_artist = lambda artist: drawn.append(artist.axes) or draw_artist(artist)
    for name in ("row", "col"):
        before = shown(explorer)
        recomputed.clear(), drawn.clear()
        explorer.controls[name].value += 1
        assert shown(explorer) != before
        assert recomputed == [] and drawn and set(drawn) == {picture.photo_ax}, (name, recomputed, set(drawn))
    recomputed.clear()
    explorer.controls["col"].value = 0
    assert "side" in recomputed
    recomputed.clear(), drawn.clear()
    explorer.controls["kernel"].value = 5
    assert {"side", "patch"} <= set(recomputed)
    assert {picture.side_ax, picture.grid_ax, picture.photo_ax} <= set(drawn)


def test_drawing_only_the_changed_panels_gives_the_same_pixels_as_a_full_redraw(explorer):
    c = explorer.controls
    for name, value in (("row", 3), ("col", 20), ("depth", 2), ("row", 0), ("dilation", 3), ("col", 0),
                        ("stride", 1), ("kernel", 7), ("depth", 5), ("row", 50), ("col", 60)):
        c[name].value = value
        partial = np.asarray(explorer.view.canvas.buffer_rgba()).copy()
        explorer.view.invalidate()
        explorer.view.draw()  # everything, from scratch
        assert np.array_equal(partial, np.asarray(explorer.view.canvas.buffer_rgba())), (name, value)
        shown_now = np.concatenate([np.asarray(Image.open(io.BytesIO(bytes(image.value))).convert("RGBA"))
                                    for image in explorer.view.images], axis=1)
        assert np.array_equal(shown_now, partial)  # and the images on the page are exactly those pixels


@pytest.mark.parametrize("language", ["en", "zh"])
def test_colour_bar_labels_stay_clear_of_the_photo_at_the_largest_counts(language):
    """Issue 11 item 5: at depth 5 with 7×7 kernels the path counts reach millions; the colour
    bar's labels must fit between the bar and the photo (and inside the patch's image)."""
    from conv_lessons import i18n

    i18n.set_language(language)
    try:
        explorer = receptive_field_explorer()
        c = explorer.controls
        c["stride"].value, c["kernel"].value, c["depth"].value = 1, 7, 5
        renderer = explorer.view.canvas.get_renderer()
        bar = explorer.view._colorbars[0]
        photo = explorer.picture.photo_ax.get_window_extent(renderer)
        (_, grid_end), (photo_start, _) = explorer.view.panel_columns[1], explorer.view.panel_columns[2]
        assert max(float(t.get_text().replace("e+", "e")) for t in bar.labels) > 1e6
        for label in bar.labels:
            box = label.get_window_extent(renderer)
            assert box.x1 < photo.x0 - 2 and box.x1 <= grid_end, (label.get_text(), box, photo)
        for label in (explorer.picture.patch_label, explorer.picture.side_title, explorer.picture.photo_label,
                      *explorer.picture.row_names):
            box = label.get_window_extent(renderer)
            panel = [i for i, ax in enumerate((explorer.picture.side_ax, explorer.picture.grid_ax,
                                               explorer.picture.photo_ax)) if ax is label.axes][0]
            left, right = explorer.view.panel_columns[panel]
            assert left <= box.x0 and box.x1 <= right, (label.get_text(), box, (left, right))
        assert photo.x0 >= photo_start
        explorer.close()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_slider_track_is_at_least_120_px_beside_its_label_in_both_languages(language):
    from conv_lessons import i18n

    i18n.set_language(language)
    try:
        explorer = receptive_field_explorer()
        for name, control in explorer.controls.items():
            assert estimated_track(control, len(str(control.max))) >= MIN_TRACK, (name, control.description)
        explorer.close()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("settings_", [dict(depth=2, kernel_size=2, input_size=3),
                                       dict(depth=1, kernel_size=3, dilation=2, input_size=9),
                                       dict(depth=5, kernel_size=7, stride=1), dict(depth=3, kernel_size=3, stride=2)])
def test_static_figure_colour_bar_and_its_label_are_inside_the_figure_and_off_the_photo(language, settings_):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from conv_lessons import i18n

    i18n.set_language(language)
    try:
        figure = receptive_field_figure(**settings_)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        bar = figure.axes[-1]
        texts = [bar.yaxis.label, *(t for t in bar.get_yticklabels() if t.get_text())]
        assert bar.yaxis.label.get_text()
        photo = figure.axes[2].get_window_extent(renderer) if settings_.get("input_size") is None else None
        for text in texts:
            box = text.get_window_extent(renderer)
            assert 0 <= box.x0 and box.x1 <= figure.bbox.width, (text.get_text(), box)
            assert photo is None or box.x1 < photo.x0, (text.get_text(), box, photo)
    finally:
        i18n.set_language("en")
