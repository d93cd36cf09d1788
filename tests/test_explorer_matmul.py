"""The matrix-multiplication explorer: every control redraws W and its counts; bad sizes give a message."""

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from conv_lessons import set_language
from conv_lessons.explorers import matmul_explorer
from conv_lessons.explorers.matmul import MatmulExplorer
from conv_lessons.figures import conv_matrix_figure, im2col_figure, matmul_figure
from conv_lessons.figures.matmul import PALETTE, counts_text, row_text, weight_index_map
from conv_lessons.matrix import conv_matrix
from conv_lessons.style import HIGHLIGHT


@pytest.fixture
def explorer():
    return matmul_explorer()


def move(explorer, name, value):
    """Set a control; return (image changed, readout changed)."""
    image, readout = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    return explorer.view.image.value != image, explorer.readout.value != readout


def matrix_raster(explorer):
    return np.asarray(explorer.picture.matrix.image.get_array())


def test_starts_with_a_picture_and_the_counts(explorer):
    assert isinstance(explorer, MatmulExplorer)
    assert bytes(explorer.view.image.value).startswith(b"\x89PNG")
    text = explorer.readout.value
    for words in ("W is 9 × 25 = 225 entries", "Non-zero: 81 (36.0%)", "zeros: 64.0%", "9 distinct (a…i)",
                  "each used 9 times", "Row 0 of W = output pixel (0, 0)", "a→0, b→1, c→2, d→5"):
        assert words in text
    assert explorer.message.value == ""


@pytest.mark.parametrize(("name", "value"), [("n_h", 7), ("n_w", 3), ("k_h", 2), ("k_w", 1), ("row", 5)])
def test_every_control_redraws_and_updates_the_readout(explorer, name, value):
    assert move(explorer, name, value) == (True, True)


def test_sizes_change_the_counts_as_the_formula_says(explorer):
    move(explorer, "n_h", 8)
    move(explorer, "n_w", 8)
    move(explorer, "k_h", 4)
    move(explorer, "k_w", 4)
    assert "W is 25 × 64 = 1,600 entries" in explorer.readout.value
    assert "16 distinct (a…p), each used 25 times = 400 entries" in explorer.readout.value


def test_the_row_slider_follows_the_output_size(explorer):
    move(explorer, "row", 8)
    move(explorer, "n_h", 3)  # output 1×3: W has 3 rows, the row slider is clamped
    assert explorer.controls["row"].max == 2
    assert explorer.controls["row"].value == 2
    assert "Row 2 of W = output pixel (0, 2)" in explorer.readout.value


def test_the_drawn_matrix_is_coloured_by_weight_and_outlines_the_row(explorer):
    raster = matrix_raster(explorer)[..., :3] / 255
    index = weight_index_map((5, 5), (3, 3))
    cell = explorer.picture.matrix.width // 25
    cell = min(cell, explorer.picture.matrix.height // 9)
    for (r, c) in [(4, 6), (8, 18), (5, 0), (3, 2)]:
        colour = raster[r * cell + cell // 2, c * cell + cell // 2]
        expected = PALETTE[index[r, c]] if index[r, c] >= 0 else np.ones(3)
        assert np.allclose(colour, expected, atol=0.01), (r, c)
    move(explorer, "row", 4)
    raster = matrix_raster(explorer)[..., :3] / 255
    orange = np.array(to_rgb(HIGHLIGHT))
    assert np.allclose(raster[4 * cell - 1, 3 * cell], orange, atol=0.01)  # the outline above row 4


def test_kernel_larger_than_input_gives_a_message_and_keeps_the_picture(explorer):
    move(explorer, "n_h", 2)
    before = explorer.view.image.value
    explorer.controls["k_h"].value = 4
    assert "kernel_shape" in explorer.message.value and "smaller kernel" in explorer.message.value
    assert explorer.view.image.value == before
    assert explorer.controls["row"].disabled
    explorer.controls["k_h"].value = 2
    assert explorer.message.value == ""
    assert not explorer.controls["row"].disabled
    assert explorer.view.image.value != before


def test_weight_index_map_matches_the_matrix():
    K = torch.arange(1.0, 7.0).reshape(2, 3)  # distinct, non-zero weights
    W = conv_matrix((4, 5), K)
    index = weight_index_map((4, 5), (2, 3))
    assert np.array_equal(index >= 0, W.numpy() != 0)
    assert np.array_equal(K.flatten().numpy()[index[index >= 0]], W.numpy()[index >= 0])


def test_counts_and_row_texts():
    assert "W is 4 × 9 = 36 entries" in counts_text((3, 3), (2, 2))
    assert "Row 3 of W = output pixel (1, 1): its window puts the weights in columns a→4, b→5, c→7, d→8" in row_text(
        (3, 3), (2, 2), 3)
    with pytest.raises(ValueError, match="row"):
        row_text((3, 3), (2, 2), 4)


def test_static_figures():
    for figure in (matmul_figure(), matmul_figure((8, 8), (4, 4), row=24), conv_matrix_figure(),
                   conv_matrix_figure((3, 3), [[1, -1]]), im2col_figure(), im2col_figure(torch.ones(4, 5), [[1, 2]])):
        assert isinstance(figure, Figure)
    with pytest.raises(ValueError, match="row"):
        matmul_figure((3, 3), (2, 2), row=4)
    with pytest.raises(ValueError, match="at most"):
        matmul_figure((9, 9), (3, 3))
    with pytest.raises(ValueError, match="small case"):
        conv_matrix_figure((8, 8))


def test_the_row_slider_repaints_only_what_it_moves(explorer):
    """Moving the row leaves the kernel panel's bitmap untouched (no work for a panel that did not
    change) and changes the input, output and W panels."""
    panels = {name: getattr(explorer.picture, name).image for name in ("kernel", "input", "output", "matrix")}
    before = {name: image.get_array() for name, image in panels.items()}
    move(explorer, "row", 4)
    after = {name: image.get_array() for name, image in panels.items()}
    assert after["kernel"] is before["kernel"]
    for name in ("input", "output", "matrix"):
        assert not np.array_equal(after[name], before[name]), name
    move(explorer, "n_h", 6)  # a new input size: the kernel still stays, W is repainted
    assert explorer.picture.kernel.image.get_array() is before["kernel"]
    assert explorer.picture.matrix.image.get_array().shape == before["matrix"].shape
    move(explorer, "k_w", 2)
    assert explorer.picture.kernel.image.get_array() is not before["kernel"]


def test_coming_back_to_a_state_draws_the_same_picture(explorer):
    first = explorer.view.image.value
    move(explorer, "row", 3)
    move(explorer, "n_w", 7)
    move(explorer, "n_w", 5)
    move(explorer, "row", 0)
    assert explorer.view.image.value == first


def label_px(text):
    """A label's width on screen, roughly: a CJK character is about 14 px at 13 px, a Latin one 7.75
    (measured in JupyterLab: "kernel height k_h" and "kernel size k" in sliders 230 and 260 px wide left
    tracks of 22 and 83 px, so label + readout + margins = 17·7.75 + 76 px)."""
    return sum(14 if ord(ch) > 0x2E80 else 7.75 for ch in text)


SLIDER_OVERHEAD = 80  # px of a slider that are neither its label nor its track: readout and margins


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_slider_leaves_a_track_of_at_least_120_px(language):
    """Issue 11 item 5: the size sliders had a 22 px track; the widget's width must hold its label,
    the readout and margins and a 120 px track, in either language."""
    set_language(language)
    try:
        explorer = matmul_explorer()
        for name, control in explorer.controls.items():
            total = float(control.layout.width.removesuffix("px"))
            assert total - label_px(control.description) - SLIDER_OVERHEAD >= 120, (language, name, control.description)
        explorer.close()
    finally:
        set_language("en")


def test_the_chinese_explorer_reads_in_chinese_with_the_same_numbers():
    set_language("zh")
    try:
        explorer = matmul_explorer()
        assert explorer.controls["k_h"].description == "卷积核高度 k_h"
        text = explorer.readout.value
        assert "W 的形状是 9 × 25，共 225 个元素" in text
        assert "共享权重：9 个不同的权重（a…i），每个用了 9 次，共 81 个元素" in text
        assert "W 的第 0 行 = 输出像素 (0, 0)" in text
        explorer.controls["n_h"].value = 2
        explorer.controls["k_h"].value = 4
        assert "kernel_shape：应为不大于输入（2×5）的卷积核" in explorer.message.value
        explorer.close()
    finally:
        set_language("en")
