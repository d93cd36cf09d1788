"""The training explorer and the lesson-03 figures, driven from Python as a learner would drive them."""

import html
import io
import math
import re

import ipywidgets as widgets
import numpy as np
import pytest
import torch
from layout_estimates import MIN_TRACK, estimated_track
from matplotlib.figure import Figure
from PIL import Image

from conv_lessons import edge_image, learn_kernel, loss_hessian, stable_lr_limit
from conv_lessons.explorers import training_explorer
from conv_lessons.figures import learned_kernel_figure, training_figure
from conv_lessons.figures.training import chapter_problem, run_training


@pytest.fixture
def explorer():
    return training_explorer()


def png(explorer) -> bytes:
    return bytes(explorer.view.image.value)


def readout_kernel(explorer) -> list[float]:
    match = re.search(r"kernel \[([-0-9.e+]+), ([-0-9.e+]+)\]", explorer.readout.value)
    assert match, explorer.readout.value
    return [float(match.group(1)), float(match.group(2))]


def test_builds_with_no_arguments_into_one_container(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert explorer.view.image in explorer.children and explorer.message in explorer.children
    assert png(explorer).startswith(b"\x89PNG")
    assert set(explorer.controls) == {"lr", "epochs", "seed"}
    assert explorer.controls["lr"].value == pytest.approx(0.03)
    assert explorer.controls["epochs"].value == 10


def test_default_run_is_the_chapters_and_learns_about_1_minus_1(explorer):
    torch.manual_seed(0)
    _, losses = learn_kernel(*chapter_problem()[::2], lr=0.03, num_epochs=10)
    assert explorer.run.losses[-1] == pytest.approx(losses[-1])  # seed 0 = torch.manual_seed(0) then the loop
    w0, w1 = readout_kernel(explorer)
    assert w0 == pytest.approx(1.0, abs=0.05) and w1 == pytest.approx(-1.0, abs=0.05)
    assert "loss at epoch 10: 0.04334" in explorer.readout.value
    assert "stable for lr < 2/λ_max = 2/60 = 0.03333" in html.unescape(explorer.readout.value)
    assert explorer.message.value == ""  # no warning for a stable rate


def test_readout_gives_both_factors_one_minus_lr_lambda(explorer):
    assert "(λ = 60) |-0.800| = 0.800" in explorer.readout.value
    assert "(λ = 12) |+0.640| = 0.640" in explorer.readout.value


def test_too_high_learning_rate_explains_the_divergence_instead_of_raising(explorer):
    before = png(explorer)
    explorer.controls["lr"].value = 0.04
    assert png(explorer) != before
    message = explorer.message.value
    assert "Diverges" in message and "conv-lessons-error" in message
    assert "2/λ_max = 2/60 = 0.03333" in message
    assert "1 − lr·λ_max = -1.400" in message
    assert "grew from 19.2 to 896" in message  # what happened in this run (10 epochs)
    explorer.controls["lr"].value = 0.02
    assert explorer.message.value == ""


def test_exploding_loss_keeps_the_plot_readable(explorer):
    explorer.controls["lr"].value = 0.1
    explorer.controls["epochs"].value = 60
    run = explorer.run
    first = run.first_overflow()
    assert first is not None and np.isfinite(run.losses[: first - 1]).all()  # it overflowed ...
    assert f"overflowed to inf/nan at epoch {first}" in explorer.message.value  # ... and says when
    picture = explorer.picture
    low, high = picture.axes[1].get_ylim()
    assert math.isfinite(low) and math.isfinite(high) and high <= 1e40
    assert f"inf/nan from epoch {first}" in picture.overflow_text.get_text()
    escape = int(np.flatnonzero((np.abs(run.weights) > 2.5).any(axis=1))[0])
    assert f"leave this window at epoch {escape}" in picture.escape_text.get_text()
    x, y = picture.w0_line.get_data()
    assert len(x) == escape + 1  # the weights are drawn until they leave the window, not beyond
    image = Image.open(io.BytesIO(png(explorer)))
    assert image.size == explorer.view.canvas.get_width_height()


def test_seed_changes_the_random_start_but_not_the_target(explorer):
    start = explorer.run.weights[0].copy()
    before = png(explorer)
    explorer.controls["seed"].value = 3
    assert not np.allclose(explorer.run.weights[0], start)
    assert png(explorer) != before
    w0, w1 = readout_kernel(explorer)
    assert w0 == pytest.approx(1.0, abs=0.1) and w1 == pytest.approx(-1.0, abs=0.1)
    assert "(seed 3)" in explorer.readout.value


def test_more_epochs_get_closer_and_redraw(explorer):
    loss_10 = explorer.run.losses[-1]
    before = png(explorer)
    explorer.controls["epochs"].value = 40
    assert png(explorer) != before
    assert len(explorer.run.losses) == 40 and len(explorer.run.weights) == 41
    assert explorer.run.losses[-1] < loss_10 / 1000
    assert "after 40 epochs" in explorer.readout.value


def test_retraining_does_not_touch_the_global_random_state_or_thread_count(explorer):
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    explorer.controls["seed"].value = 5
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_loss_hessian_of_the_chapter_image_is_36_24_24_36_with_eigenvalues_12_and_60():
    H = loss_hessian(edge_image(), (1, 2))
    assert H.tolist() == [[36.0, 24.0], [24.0, 36.0]]
    assert torch.linalg.eigvalsh(H).tolist() == pytest.approx([12.0, 60.0])
    assert 2 / torch.linalg.eigvalsh(H)[-1].item() == pytest.approx(stable_lr_limit(edge_image(), (1, 2)))


def test_loss_hessian_is_the_curvature_autograd_finds():
    X = torch.rand(5, 6)
    w = torch.zeros(4, dtype=torch.float64)
    Y = torch.rand(4, 5, dtype=torch.float64)

    def loss(weights):
        windows = torch.nn.functional.unfold(X.double()[None, None], (2, 2))[0].T
        return ((windows @ weights - Y.flatten()) ** 2).sum()

    torch.testing.assert_close(torch.autograd.functional.hessian(loss, w), loss_hessian(X, (2, 2)))


def test_run_training_records_the_loop_and_survives_overflow():
    X, _, Y = chapter_problem()
    run = run_training(X, Y, lr=0.2, num_epochs=50, seed=0)
    assert run.weights.shape == (51, 2) and run.losses.shape == (50,)
    assert run.diverged_numerically and run.first_overflow() is not None


def test_static_figures_are_figures_with_the_panels():
    figure = training_figure()
    assert isinstance(figure, Figure) and len(figure.axes) == 3
    assert "converges" in figure._suptitle.get_text()
    assert "DIVERGES" in training_figure(lr=0.04)._suptitle.get_text()
    comparison = learned_kernel_figure(torch.tensor([[1.01, -0.97]]), torch.tensor([[1.0, -1.0]]))
    texts = [t.get_text() for ax in comparison.axes[:3] for t in ax.texts]
    assert texts == ["1.010", "-0.970", "1.000", "-1.000", "0.0100", "0.0300"]
    tiny = learned_kernel_figure(torch.tensor([[1.0, -0.0001]]), torch.tensor([[1.0, 0.0]]))
    assert [t.get_text() for t in tiny.axes[0].texts] == ["1.000", "0.000"]  # no "-0.000"


def test_static_figure_rejects_bad_settings_clearly():
    with pytest.raises(ValueError, match="lr: expected a positive finite number"):
        training_figure(lr=-1)
    with pytest.raises(ValueError, match="learned: expected the shape of true"):
        learned_kernel_figure(torch.ones(3, 3), torch.ones(1, 2))


def front_end_value(slider: widgets.FloatLogSlider, value: float) -> float:
    """What the browser sends back for ``value``: noUiSlider snaps the exponent to min + k·step
    (it does so as soon as the slider is drawn), and the page sends base**exponent."""
    exponent = math.log10(value)
    k = round((exponent - slider.min) / slider.step)
    return slider.base ** (slider.min + k * slider.step)


def test_learning_rate_starts_at_exactly_the_chapters_0_03_also_after_the_browser_snaps_it(explorer):
    slider = explorer.controls["lr"]
    assert slider.value == 0.03
    steps = (math.log10(0.03) - slider.min) / slider.step
    assert steps == pytest.approx(round(steps), abs=1e-6)  # 0.03 is on the slider's grid ...
    assert slider.base ** slider.max > 0.04 and slider.base ** slider.min <= 0.001  # ... which spans the lesson's rates
    slider.value = front_end_value(slider, 0.03)  # what the page sends back when it draws the slider
    assert explorer.run.lr == 0.03  # trained with exactly 0.03, ...
    assert "lr = 0.03;" in explorer.readout.value  # ... and said so
    assert f"{slider.value:{slider.readout_format}}" == "0.03"  # the slider's own readout


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_slider_track_is_at_least_120_px_beside_its_label_in_both_languages(language):
    from conv_lessons import i18n

    i18n.set_language(language)
    try:
        explorer = training_explorer()
        for name, control in explorer.controls.items():
            longest = max(len(f"{v:{control.readout_format}}") for v in (control.base ** control.min, 0.0302)) \
                if name == "lr" else len(str(control.max))
            assert estimated_track(control, longest) >= MIN_TRACK, (name, control.description)
        explorer.close()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("path", ["lessons/03_learning_a_kernel.md", "lessons/zh/03_learning_a_kernel.md"])
def test_lesson_03_says_the_rate_belongs_to_the_summed_loss(path):
    """Issue 11 item 10: lr = 0.03 is for the book's summed loss l.sum(); with l.mean() every
    gradient is Y.numel() times smaller and the same steps need a rate that many times larger."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / path).read_text(encoding="utf-8")
    X, _, Y = chapter_problem()
    n = Y.numel()
    paragraph = next(p for p in source.split("\n\n") if "l.sum()" in p and "l.mean()" in p)
    assert str(n) in paragraph and f"0.03 × {n} = {0.03 * n:g}" in paragraph
    assert f"{n}/30 = {n / 30:g}" in source  # the mean loss's limit, in Going deeper
    assert stable_lr_limit(X, (1, 2)) * n == pytest.approx(n / 30)
    explorer_at = source.index("training_explorer()")
    assert source.index(paragraph) < explorer_at  # said before the learner plays with the rate
