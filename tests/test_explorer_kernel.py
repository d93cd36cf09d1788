"""The kernel explorer (with the padding/stride preview), driven from Python as a learner would."""

import html
import re

import ipywidgets as widgets
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from layout_estimates import MIN_TRACK, px, text_width
from matplotlib.figure import Figure
from matplotlib.text import Text
from test_i18n_explorers import shown_texts

from conv_lessons import edge_image, get_kernel, kernel_names, set_language
from conv_lessons.explorers import kernel_explorer
from conv_lessons.explorers.kernel import output_size_text, parse_kernel_entry, suggested_display
from conv_lessons.figures import kernel_comparison_figure, kernel_figure
from conv_lessons.figures.kernel import display_values, load_image
from conv_lessons.i18n import text
from conv_lessons.padding import conv_output_size, pad2d

TORCH_MODE = {"zeros": "constant", "replicate": "replicate", "reflect": "reflect", "circular": "circular"}


def png(explorer) -> tuple[bytes, ...]:
    """What the page shows: the PNG of each image (the input part, then the kernel and output)."""
    return tuple(bytes(image.value) for image in explorer.view.images)


def kernel_of(explorer) -> list[list[str]]:
    return [[box.value for box in row] for row in explorer.cells]


@pytest.fixture
def explorer():
    return kernel_explorer()


def test_builds_with_no_arguments_on_the_photo_with_the_chapter_kernel(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert explorer.view.widget in explorer.children and explorer.message in explorer.children
    assert all(part.startswith(b"\x89PNG") for part in png(explorer))
    assert explorer.setup.X.shape == (225, 192)  # the photo, downsampled
    assert kernel_of(explorer) == [["1", "-1"]]
    assert explorer.setup.Y.shape == (225, 191)
    assert "width: ⌊(192 − 2 + 2·0)/1⌋ + 1 = 191" in explorer.readout.value
    assert "x[i, j] − x[i, j+1]" in explorer.note.value
    assert explorer.message.value == ""


def test_every_preset_loads_its_kernel_into_the_boxes_and_redraws(explorer):
    seen = {png(explorer)}
    for name in kernel_names()[1:]:
        explorer.controls["preset"].value = name
        K = get_kernel(name)
        assert len(explorer.cells) == K.shape[0] and len(explorer.cells[0]) == K.shape[1]
        assert (explorer.controls["k_h"].value, explorer.controls["k_w"].value) == tuple(K.shape)
        torch.testing.assert_close(explorer.setup.K, K)
        torch.testing.assert_close(explorer.setup.Y, F.conv2d(explorer.setup.X[None, None], K[None, None])[0, 0])
        seen.add(png(explorer))
        assert explorer.message.value == ""
    assert len(seen) == len(kernel_names())


def test_blur_presets_show_fractions_a_learner_can_read(explorer):
    explorer.controls["preset"].value = "box blur"
    assert kernel_of(explorer) == [["1/9"] * 3] * 3
    explorer.controls["preset"].value = "gaussian blur"
    assert kernel_of(explorer) == [["0.0625", "0.125", "0.0625"], ["0.125", "0.25", "0.125"],
                                   ["0.0625", "0.125", "0.0625"]]  # exact decimals stay decimals


def test_editing_a_value_changes_the_kernel_and_the_picture(explorer):
    before = png(explorer)
    explorer.cells[0][1].value = "-0.5"
    assert explorer.setup.K.tolist() == [[1.0, -0.5]]
    assert png(explorer) != before
    assert "your own kernel (edited from chapter [[1, -1]])" in explorer.note.value
    explorer.cells[0][0].value = "1/4"
    assert explorer.setup.K.tolist() == [[0.25, -0.5]]


@pytest.mark.parametrize(("typed", "complaint"), [
    ("abc", "expected a number, got 'abc'"),
    ("", "expected a number, got an empty box"),
    ("nan", "expected a finite number, got 'nan'"),
    ("inf", "expected a finite number, got 'inf'"),
    ("1/0", "division by zero"),
])
def test_a_bad_entry_names_the_cell_and_keeps_the_last_good_picture(explorer, typed, complaint):
    explorer.controls["image"].value = "edge"
    before, good = png(explorer), explorer.setup
    explorer.cells[0][1].value = typed
    message = explorer.message.value
    assert "kernel entry K[0, 1]" in message and complaint.replace("'", "&#x27;") in message
    assert "Type a number such as -1, 0.25 or 1/9" in message
    assert png(explorer) == before and explorer.setup is good
    assert explorer.cells[0][1].layout.border  # the bad box is outlined
    explorer.cells[0][1].value = "-1"
    assert explorer.message.value == ""
    assert not explorer.cells[0][1].layout.border


def test_display_modes_change_the_picture_and_keep_negative_responses_visible(explorer):
    explorer.controls["image"].value = "edge"
    pictures = {png(explorer)}
    output = explorer.panels.output
    assert output.get_array().min() == -1 and output.norm.vcenter == 0  # signed: −1 as visible as +1
    explorer.controls["display"].value = "absolute"
    pictures.add(png(explorer))
    assert output.get_array().min() == 0 and output.get_array().max() == 1
    assert np.count_nonzero(output.get_array()) == 12  # both edges, 6 rows each
    explorer.controls["display"].value = "clipped"
    pictures.add(png(explorer))
    assert np.count_nonzero(output.get_array()) == 6  # the black→white edge (−1) is gone
    assert len(pictures) == 3


def test_the_chapter_edge_image_gives_the_chapter_output(explorer):
    explorer.controls["image"].value = "edge"
    expected = torch.tensor([[0.0, 1, 0, 0, 0, -1, 0]] * 6)
    assert torch.equal(explorer.setup.Y, expected)
    explorer.controls["transpose"].value = True  # K on X.T: no vertical edges left
    assert explorer.setup.Y.shape == (8, 5) and not explorer.setup.Y.any()
    explorer.controls["preset"].value = "chapter [[1, -1]].T"  # K.T finds the horizontal ones
    assert explorer.setup.Y.abs().sum() == 12


def test_changing_the_kernel_size_keeps_the_values_that_still_fit(explorer):
    explorer.controls["k_w"].value = 3
    assert kernel_of(explorer) == [["1", "-1", "0"]]
    explorer.controls["k_h"].value = 2
    assert kernel_of(explorer) == [["1", "-1", "0"], ["0", "0", "0"]]
    explorer.controls["k_w"].value = 1
    assert explorer.setup.K.tolist() == [[1.0], [0.0]]


@pytest.mark.parametrize(("image", "preset", "mode", "padding", "stride"), [
    ("photo", "sobel x", "zeros", 1, 1),
    ("photo", "sobel y", "zeros", 3, 2),
    ("photo", "laplacian", "replicate", 2, 3),
    ("edge", "chapter [[1, -1]]", "reflect", 2, 2),
    ("diagonal", "diagonal edge", "circular", 4, 3),
    ("edge", "gaussian blur", "valid", 0, 4),
])
def test_padding_and_stride_readouts_match_the_formula_and_torch(explorer, image, preset, mode, padding, stride):
    c = explorer.controls
    c["image"].value, c["preset"].value = image, preset
    c["padding_mode"].value = mode
    c["padding"].value, c["stride"].value = padding, stride
    X, K = load_image(image), get_kernel(preset)
    p = 0 if mode == "valid" else padding
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    padded = F.pad(X[None, None], (p,) * 4, mode=TORCH_MODE.get(mode, "constant"))
    expected = F.conv2d(padded, K[None, None], stride=stride)[0, 0]
    assert explorer.setup.Y.shape == expected.shape == (conv_output_size(n_h, k_h, p, stride),
                                                        conv_output_size(n_w, k_w, p, stride))
    torch.testing.assert_close(explorer.setup.Y, expected)
    out_h, out_w = expected.shape
    assert f"height: ⌊({n_h} − {k_h} + 2·{p})/{stride}⌋ + 1 = {out_h}" in explorer.readout.value
    assert f"width: ⌊({n_w} − {k_w} + 2·{p})/{stride}⌋ + 1 = {out_w}" in explorer.readout.value
    assert explorer.message.value == ""


def test_padding_and_stride_controls_redraw(explorer):
    c = explorer.controls
    assert c["padding"].disabled  # "valid" means no padding
    before = png(explorer)
    c["padding_mode"].value = "zeros"
    assert not c["padding"].disabled and c["padding"].value == 1  # a padding mode starts at 1 pixel
    assert explorer.setup.Y.shape == (227, 193)
    after_padding = png(explorer)
    assert after_padding != before
    c["stride"].value = 2
    assert explorer.setup.Y.shape == (114, 97)
    assert png(explorer) not in (before, after_padding)
    c["padding_mode"].value = "replicate"
    torch.testing.assert_close(explorer.setup.padded, pad2d(explorer.setup.X, 1, "replicate"))


def test_reflect_padding_larger_than_the_image_allows_is_an_invalid_setup(explorer):
    c = explorer.controls
    c["image"].value = "edge"
    c["padding_mode"].value = "reflect"
    c["padding"].value = 5
    assert explorer.message.value == ""
    before, good = png(explorer), explorer.setup
    c["padding"].value = 6
    assert text("padding.invalid_setup") in explorer.message.value and "at most 5" in explorer.message.value
    assert png(explorer) == before and explorer.setup is good
    c["padding_mode"].value = "zeros"  # zeros allow any amount
    assert explorer.message.value == "" and explorer.setup.padding == 6


def test_a_kernel_larger_than_the_padded_input_is_an_invalid_setup(explorer):
    c = explorer.controls
    c["image"].value = "edge"
    c["k_h"].value = 7
    assert text("padding.invalid_setup") in explorer.message.value
    assert text("padding.kernel_height") in explorer.message.value
    assert "no output (k = 7 > n + 2p = 6)" in html.unescape(explorer.readout.value)
    c["padding_mode"].value = "zeros"  # one pixel of padding each side makes it fit
    assert explorer.message.value == "" and explorer.setup.Y.shape == (2, 9)


def test_output_size_text():
    assert output_size_text(6, 1, 0, 1, "height") == "height: ⌊(6 − 1 + 2·0)/1⌋ + 1 = 6"
    assert output_size_text(6, 7, 0, 1, "height") == "height: ⌊(6 − 7 + 2·0)/1⌋ + 1: no output (k = 7 > n + 2p = 6)"


@pytest.mark.parametrize(("text", "value"), [("-1", -1.0), (" 0.25 ", 0.25), ("1/9", 1 / 9), ("-2/16", -0.125),
                                             ("1e-2", 0.01)])
def test_parse_kernel_entry_reads_numbers_and_fractions(text, value):
    assert parse_kernel_entry(text) == pytest.approx(value)


def test_display_values_centres_signed_outputs_at_zero():
    values, cmap, norm = display_values(torch.tensor([[-2.0, 1.0]]), "signed")
    assert cmap == "RdBu_r" and (norm.vmin, norm.vcenter, norm.vmax) == (-2, 0, 2)
    values, _, norm = display_values(torch.tensor([[-2.0, 1.0]]), "clipped")
    assert values.tolist() == [[0.0, 1.0]] and (norm.vmin, norm.vmax) == (0, 1)
    with pytest.raises(ValueError, match="display: expected one of"):
        display_values(torch.zeros(2, 2), "log")


def test_static_figures_label_input_kernel_and_output():
    figure = kernel_figure("edge", "chapter [[1, -1]]")
    assert isinstance(figure, Figure)
    titles = [ax.get_title() for ax in figure.axes]
    assert {"input X (6×8)", "kernel K (1×2)", "output Y (6×7)"} <= set(titles)
    texts = [t.get_text() for t in figure.axes[2].texts]  # the output's values are written in
    assert texts.count("1") == 6 and texts.count("-1") == 6
    padded = kernel_figure("photo", "sobel x", padding=1, mode="zeros", stride=2)
    assert "output Y (113×96)" in [ax.get_title() for ax in padded.axes]
    X = edge_image()
    K = get_kernel("chapter [[1, -1]]")
    rows = kernel_comparison_figure([("X ⋆ K", X, "chapter [[1, -1]]"), ("X.T ⋆ K", X.T, K)])
    assert "output (8×5)" in [ax.get_title() for ax in rows.axes]
    with pytest.raises(ValueError, match="image: expected one of"):
        kernel_figure("cat")
    with pytest.raises(ValueError, match=text("padding.invalid_setup")):
        kernel_figure("edge", "sobel x", padding=6, mode="reflect")


@pytest.mark.parametrize(("typed", "complaint"), [
    ("1e39", "between -3.4e38 and 3.4e38"),  # finite for Python, inf in the float32 kernel
    ("-1e39", "between -3.4e38 and 3.4e38"),
    ("1e-50", "which would become 0"),
])
def test_entries_the_float32_kernel_cannot_hold_are_refused(explorer, typed, complaint):
    explorer.controls["image"].value = "edge"
    before, good = png(explorer), explorer.setup
    explorer.cells[0][1].value = typed
    message = html.unescape(explorer.message.value)
    assert "kernel entry K[0, 1]: expected a number the kernel's float32 values can hold" in message
    assert complaint in message and repr(typed) in message
    assert png(explorer) == before and explorer.setup is good
    assert torch.isfinite(explorer.setup.Y).all()


def test_a_kernel_whose_output_overflows_float32_is_refused(explorer):
    explorer.controls["image"].value = "edge"
    explorer.cells[0][0].value = "3e38"
    before = png(explorer)
    explorer.cells[0][1].value = "3e38"  # each fits float32, their sum over a white window does not
    assert "output overflows" in explorer.message.value
    assert png(explorer) == before and torch.isfinite(explorer.setup.Y).all()


def test_a_huge_entry_is_cut_in_the_message(explorer):
    explorer.cells[0][1].value = "x" * 100_000
    message = html.unescape(explorer.message.value)
    assert "kernel entry K[0, 1]: expected a number" in message and "(100,000 characters)" in message
    assert len(message) < 400


def test_resizing_the_kernel_keeps_what_was_typed_even_a_mistake(explorer):
    explorer.cells[0][1].value = "abc"
    assert "K[0, 1]" in explorer.message.value
    explorer.controls["k_h"].value = 2
    assert kernel_of(explorer) == [["1", "abc"], ["0", "0"]]  # not silently turned into 0
    assert "kernel entry K[0, 1]: expected a number, got &#x27;abc&#x27;" in explorer.message.value
    assert explorer.cells[0][1].layout.border
    explorer.cells[0][1].value = "-1"
    assert explorer.message.value == "" and explorer.setup.K.tolist() == [[1.0, -1.0], [0.0, 0.0]]


@pytest.mark.parametrize(("preset", "display", "why"), [
    ("box blur", "clipped", "add up to 1"),
    ("gaussian blur", "clipped", "add up to 1"),
    ("identity", "clipped", "add up to 1"),
    ("sharpen", "clipped", "add up to 1"),
    ("sobel x", "signed", "add up to 0"),
    ("laplacian", "signed", "add up to 0"),
    ("diagonal edge", "signed", "add up to 0"),
])
def test_a_preset_chooses_the_display_that_fits_it_and_says_why(explorer, preset, display, why):
    explorer.controls["preset"].value = preset
    assert explorer.controls["display"].value == display
    assert why in explorer.note.value
    if display == "clipped":  # a smoothing kernel's output is a photo again: grey, not a red "negative"
        assert explorer.panels.output.get_cmap().name == "gray"
        values = explorer.panels.output.get_array()
        assert values.min() >= 0 and values.max() <= 1 and values.mean() > 0.2
    else:
        assert explorer.panels.output.norm.vcenter == 0


def test_the_learner_can_still_switch_the_display_by_hand(explorer):
    explorer.controls["preset"].value = "box blur"
    blurred = png(explorer)
    explorer.controls["display"].value = "signed"
    assert explorer.controls["display"].value == "signed" and png(explorer) != blurred
    assert "add up to" not in explorer.note.value  # the reason was for the display the preset chose
    explorer.cells[0][0].value = "1"  # editing the kernel does not switch the display
    assert explorer.controls["display"].value == "signed"
    explorer.controls["preset"].value = "sobel x"
    assert explorer.controls["display"].value == "signed" and "add up to 0" in explorer.note.value
    explorer.controls["preset"].value = "gaussian blur"
    assert explorer.controls["display"].value == "clipped"
    explorer.cells[1][1].value = "0"  # no longer the preset: its reason is not shown
    assert "add up to" not in explorer.note.value


def test_suggested_display_reads_the_sum_and_signs_of_the_weights():
    assert suggested_display(torch.tensor([[1.0, -1.0]]))[0] == "signed"
    assert suggested_display(torch.full((3, 3), 1 / 9))[0] == "clipped"
    display, why = suggested_display(torch.ones(2, 2))
    assert display == "absolute" and "4" in why
    display, why = suggested_display(torch.tensor([[2.0, -1.0, 1.0]]))
    assert display == "signed" and "2" in why


def test_valid_padding_shows_p_0_on_every_path(explorer):
    c = explorer.controls
    padding = c["padding"]
    assert padding.disabled and padding.value == 0
    c["padding_mode"].value = "zeros"
    assert not padding.disabled and padding.value == 1
    padding.value = 2
    assert "p = 2" in explorer.readout.value
    c["padding_mode"].value = "valid"  # back to valid after p = 2: the slider shows what is used
    assert padding.disabled and padding.value == 0
    assert "p = 0" in explorer.readout.value and explorer.setup.padding == 0
    c["padding_mode"].value = "replicate"  # a padding mode brings back the padding last chosen
    assert not padding.disabled and padding.value == 2 and explorer.setup.padding == 2
    c["padding_mode"].value = "valid"
    padding.value = 3  # set from code while valid: valid still means none
    assert padding.value == 0 and explorer.setup.padding == 0 and "p = 0" in explorer.readout.value
    c["padding_mode"].value = "zeros"
    assert padding.value == 3 and explorer.setup.padding == 3


# -- layout and Chinese (issues 11, 12) --------------------------------------------------------------
READOUT = 100  # pixels of a slider beside its label and track: the number readout and margins (measured)
LABEL = 80  # JupyterLab's default description width
BUTTON_PADDING = 30  # pixels of a button around its label (padding and border)
SELECT = 150  # pixels of a Dropdown besides its option's text: label, margins, padding, arrow
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# PyTorch's padding and padding_mode names (and the lesson's "valid"): kept in Chinese
PYTHON_NAMES = {"valid", "zeros", "replicate", "reflect", "circular", "padding", "abc"}  # abc: typed below
PYTHON_NAMES |= {"Sobel"}  # a name, written as the Chinese lesson writes it


@pytest.fixture(params=["en", "zh"])
def language(request):
    set_language(request.param)
    yield request.param
    set_language("en")


def test_no_label_option_or_button_is_cut_and_sliders_keep_a_track(language):
    explorer = kernel_explorer()
    c = explorer.controls
    for name in ("padding", "stride"):
        assert px(c[name].layout.width) - LABEL - READOUT >= MIN_TRACK, name
        assert text_width(c[name].description) <= LABEL
    display = c["display"]
    for label in display._options_labels:
        assert text_width(label) + BUTTON_PADDING <= px(display.style.button_width), label
    for name in ("image", "preset", "padding_mode"):
        menu = c[name]
        assert text_width(menu.description) <= LABEL
        for label in menu._options_labels:
            assert text_width(label) + SELECT <= px(menu.layout.width), label
    assert text_width(c["transpose"].description) + 24 <= px(c["transpose"].layout.width)


def english_words(texts: list[str]) -> set[str]:
    return {word for t in texts for word in ENGLISH_WORD.findall(t)} - PYTHON_NAMES


def test_built_in_chinese_every_label_readout_note_and_message_is_chinese():
    set_language("zh")
    try:
        explorer = kernel_explorer()
        c = explorer.controls
        assert c["display"].value == "signed" and c["preset"].value == "chapter [[1, -1]]"  # values stay
        assert "高：" in explorer.readout.value and "卷积核" in explorer.note.value
        seen = shown_texts(explorer)
        c["preset"].value = "box blur"
        assert c["display"].value == "clipped" and "权重之和为 1" in explorer.note.value
        seen += shown_texts(explorer)
        c["padding_mode"].value = "reflect"
        c["image"].value = "edge"
        c["padding"].value = 6
        assert "设置无效" in explorer.message.value  # the catalogue's words, not "Invalid setup"
        seen += shown_texts(explorer)
        c["padding_mode"].value = "zeros"
        explorer.cells[0][1].value = "abc"
        assert "卷积核元素 K[0, 1]" in html.unescape(explorer.message.value)
        seen += shown_texts(explorer)
        assert all(CJK.search(c[name].description) for name in ("image", "transpose", "preset", "display"))
        assert english_words(seen) == set(), seen
    finally:
        set_language("en")


@pytest.mark.parametrize("make", [
    lambda: kernel_figure("edge", "chapter [[1, -1]]"),
    lambda: kernel_figure("photo", "sobel x", padding=1, mode="zeros", stride=2, title="Sobel x"),
    lambda: kernel_comparison_figure([("X ⋆ K", edge_image(), "chapter [[1, -1]]")]),
])
def test_static_figures_in_chinese(make):
    set_language("zh")
    try:
        texts = [t.get_text() for t in make().findobj(Text) if t.get_text()]
    finally:
        set_language("en")
    assert any(CJK.search(t) for t in texts)
    assert english_words(texts) == set(), texts


def test_a_display_chosen_after_the_preset_in_the_same_update_stays(explorer):
    c = explorer.controls
    with explorer.holding():  # both changes reach one update, as from a quick hand in the browser
        c["preset"].value = "box blur"
        c["display"].value = "absolute"
    assert c["display"].value == "absolute" and explorer.panels.output.get_cmap().name == "magma"
    with explorer.holding():
        c["display"].value = "signed"
        c["preset"].value = "gaussian blur"  # the preset came last: it chooses
    assert c["display"].value == "clipped"


def test_coming_back_to_an_image_draws_the_same_picture() -> None:
    """Another image (or the transposed one) and back draws exactly the first picture: the panels
    that a colour bar's divider places are put back where the cached background shows them (the
    output used to come back wider than its panel, over its colour bar)."""
    first = kernel_explorer()
    again = kernel_explorer()
    try:
        for name, there, back in (("image", 1, 0), ("transpose", True, False), ("image", 2, 0)):
            setattr(again.controls[name], "index" if name == "image" else "value", there)
            setattr(again.controls[name], "index" if name == "image" else "value", back)
            assert [bytes(i.value) for i in again.view.images] == [bytes(i.value) for i in first.view.images], name
    finally:
        first.close()
        again.close()
