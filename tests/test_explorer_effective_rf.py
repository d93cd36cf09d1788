"""The effective-receptive-field explorer: the depth slider grows the box linearly, the blob like √L."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from conv_lessons import set_language
from conv_lessons.explorers import effective_rf_explorer
from conv_lessons.explorers.effective_rf import EffectiveRFExplorer
from conv_lessons.figures import effective_rf_figure, erf_depth_figure, erf_growth_figure
from conv_lessons.figures.effective_rf import (
    KERNEL_SIZES,
    SQRT_POWERS,
    erf_fields,
    erf_readout,
    grows_like_sqrt,
    power_law_fit,
)


@pytest.fixture(scope="module")
def explorer():
    return effective_rf_explorer()


def move(explorer, name, value):
    image, readout = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    return explorer.view.image.value != image, explorer.readout.value != readout


def test_starts_at_depth_8_with_random_3x3_layers(explorer):
    assert isinstance(explorer, EffectiveRFExplorer)
    assert bytes(explorer.view.image.value).startswith(b"\x89PNG")
    text = explorer.readout.value
    assert "depth 8, 3×3 random kernels: theoretical field 17×17 px" in text
    assert "fitted power of L" in text and explorer.message.value == ""


@pytest.mark.parametrize(("name", "value"), [("depth", 3), ("kernel_size", 5), ("nonlinearity", "relu"),
                                             ("weights", "uniform"), ("weights", "learned"), ("depth", 16)])
def test_every_control_redraws_and_updates_the_readout(explorer, name, value):
    assert move(explorer, name, value) == (True, True)


def test_uniform_readout_pins_the_exact_width(explorer):
    explorer.controls["weights"].value = "uniform"
    explorer.controls["nonlinearity"].value = "none"
    explorer.controls["kernel_size"].value = 3
    explorer.controls["depth"].value = 8
    assert "σ = 2.31 px" in explorer.readout.value  # √(8·(9 − 1)/12)
    assert "σ ≈ 0.82·√L (fitted power of L: 0.50" in explorer.readout.value
    explorer.controls["depth"].value = 2
    assert "theoretical field 5×5 px; effective σ = 1.15 px" in explorer.readout.value


def test_the_picture_shows_the_field_of_the_slider_depth(explorer):
    explorer.controls["weights"].value = "uniform"
    explorer.controls["kernel_size"].value = 3
    explorer.controls["depth"].value = 6
    field = erf_fields(3, "uniform", "none")[5]
    shown = np.asarray(explorer.picture.image.get_array())
    assert np.allclose(shown, field.gradient.numpy() / field.gradient.numpy().max())
    x, y = explorer.picture.box.get_xy()
    assert (explorer.picture.box.get_width(), explorer.picture.box.get_height()) == (13, 13)
    assert (x, y) == (-6.5, -6.5)  # centred on the output's input pixel
    assert explorer.picture.circle.width == pytest.approx(4 * math.sqrt(6 * 8 / 12))


def test_learned_kernel_disables_the_kernel_size(explorer):
    explorer.controls["weights"].value = "learned"
    assert explorer.controls["kernel_size"].disabled
    assert "1×2 learned [[1, −1]] kernels" in explorer.readout.value
    explorer.controls["weights"].value = "random"
    assert not explorer.controls["kernel_size"].disabled


def test_readout_function():
    fields = erf_fields(3, "uniform", "none")
    assert erf_readout(fields[15], fields).startswith("depth 16, 3×3 uniform 1/k² kernels: theoretical field 33×33 px")


def test_static_figures():
    for figure in (effective_rf_figure(), effective_rf_figure(4, 2, "uniform", "relu"),
                   effective_rf_figure(5, weights="learned"), erf_depth_figure(), erf_depth_figure((1, 3), 5),
                   erf_growth_figure()):
        assert isinstance(figure, Figure)
    with pytest.raises(ValueError, match="depth"):
        effective_rf_figure(17)
    with pytest.raises(ValueError, match="kernel_size"):
        effective_rf_figure(4, 7)
    with pytest.raises(ValueError, match="weights"):
        erf_depth_figure(weights="zeros")


def test_a_fit_that_does_not_follow_sqrt_L_is_not_reported_as_sqrt_L(explorer):
    """Learned [[1, −1]] + ReLU barely grows (fitted power ≈ 0.01): the readout gives the power law it found,
    the growth panel draws and names that power law, and nothing claims √L (issue 11, item 9)."""
    explorer.controls["weights"].value = "learned"
    explorer.controls["nonlinearity"].value = "relu"
    text = explorer.readout.value
    assert "σ ≈ 0.54·L^0.01 (fitted power of L: 0.01, far from ½): this field does not grow like √L" in text
    assert "·√L" not in text
    legend = [t.get_text() for t in explorer.picture.growth_legend.get_texts()]
    assert legend[2] == "fit 4·c·L^p (p = 0.01)"
    depths, fit = explorer.picture.fit.get_data()
    assert fit[-1] / fit[0] == pytest.approx((depths[-1] / depths[0]) ** 0.0109, rel=0.05)  # flat, not √L
    explorer.controls["nonlinearity"].value = "none"  # learned, linear: exactly √L/2
    assert "σ ≈ 0.50·√L (fitted power of L: 0.50" in explorer.readout.value
    assert explorer.picture.growth_legend.get_texts()[2].get_text() == "fit 4·a·√L"
    explorer.controls["weights"].value = "random"


@pytest.mark.parametrize(("power", "sqrt"), [(0.5, True), (0.35, True), (0.65, True), (0.34, False), (0.66, False),
                                             (0.01, False), (1.0, False)])
def test_the_sqrt_band(power, sqrt):
    assert grows_like_sqrt(power) is sqrt


def test_every_stack_the_explorer_offers_is_reported_by_what_its_fit_says():
    """Over every setting, √L is claimed exactly when the fitted power lies in SQRT_POWERS."""
    for setting in [(k, w, n) for k in range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1) for w in ("random", "uniform")
                    for n in ("none", "relu")] + [(2, "learned", "none"), (2, "learned", "relu")]:
        fields = erf_fields(*setting)
        a, power, c = power_law_fit(fields)
        text = erf_readout(fields[-1], fields)
        assert ("·√L (fitted power" in text) is (SQRT_POWERS[0] <= power <= SQRT_POWERS[1]), setting
        assert f"{power:.2f}" in text


def test_the_growth_figure_names_a_power_law_that_is_not_sqrt_L():
    figure = erf_growth_figure(2, settings=(("learned", "none"), ("learned", "relu")))
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any("learned [[1, −1]]: σ ≈ 0.50·√L (power 0.50)" in label for label in labels)
    assert any("learned [[1, −1]] + ReLU: σ ≈ 0.54·L^0.01 (power 0.01: not √L)" in label for label in labels)


@pytest.fixture
def chinese():
    set_language("zh")
    yield
    set_language("en")


def test_the_chinese_explorer_reads_in_chinese_with_the_same_numbers(chinese):
    explorer = effective_rf_explorer()
    c = explorer.controls
    assert [c[name].description for name in ("depth", "kernel_size", "weights", "nonlinearity")] == [
        "深度 L", "卷积核大小 k", "权重", "非线性"]
    assert c["weights"].options == (("随机", "random"), ("均匀 1/k²", "uniform"), ("学到的 [[1, −1]]", "learned"))
    assert "深度 8，3×3 随机卷积核：理论感受野 17×17 px" in explorer.readout.value
    c["weights"].value = "learned"
    c["nonlinearity"].value = "relu"
    assert "σ ≈ 0.54·L^0.01（拟合出的 L 的幂次：0.01，离 ½ 很远）：这个感受野不按 √L 增长" in explorer.readout.value
    explorer.close()


def test_toggle_buttons_fit_their_longest_label_in_both_languages(chinese):
    for language in ("en", "zh"):
        set_language(language)
        explorer = effective_rf_explorer()
        for name in ("weights", "nonlinearity"):
            control = explorer.controls[name]
            longest = max(sum(14 if ord(ch) > 0x2E80 else 7.5 for ch in label) for label, _ in control.options)
            assert float(control.style.button_width.removesuffix("px")) >= longest + 20, (language, name)
        explorer.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_slider_leaves_a_track_of_at_least_120_px(language):
    """Issue 11 item 5: the kernel-size slider had an 83 px track (see test_explorer_matmul's estimate)."""
    from test_explorer_matmul import SLIDER_OVERHEAD, label_px

    set_language(language)
    try:
        explorer = effective_rf_explorer()
        for name in ("depth", "kernel_size"):
            control = explorer.controls[name]
            total = float(control.layout.width.removesuffix("px"))
            assert total - label_px(control.description) - SLIDER_OVERHEAD >= 120, (language, name)
        explorer.close()
    finally:
        set_language("en")


def test_the_growth_curves_follow_the_setting_and_coming_back_draws_the_same_picture():
    """The growth curves live in a background kept per setting: switching away and back must show the
    same picture, and a new setting must redraw them (not keep the old curves)."""
    explorer = effective_rf_explorer()
    first = explorer.view.image.value
    explorer.controls["weights"].value = "uniform"
    uniform = explorer.view.image.value
    explorer.controls["depth"].value = 9
    explorer.controls["depth"].value = 8
    assert explorer.view.image.value == uniform
    explorer.controls["weights"].value = "random"
    assert explorer.view.image.value == first
    for name, value in (("kernel_size", 5), ("nonlinearity", "relu"), ("weights", "learned"), ("depth", 3)):
        explorer.controls[name].value = value
        explorer.view.invalidate()  # a full redraw from scratch must not change the picture
        assert explorer.view.render() == 0, name
    explorer.close()
