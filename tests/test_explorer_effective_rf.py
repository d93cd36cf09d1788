"""The effective-receptive-field explorer: the depth slider grows the box linearly, the blob like √L."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from conv_lessons.explorers import effective_rf_explorer
from conv_lessons.explorers.effective_rf import EffectiveRFExplorer
from conv_lessons.figures import effective_rf_figure, erf_depth_figure, erf_growth_figure
from conv_lessons.figures.effective_rf import erf_fields, erf_readout


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
