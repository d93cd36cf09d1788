"""Effective receptive fields: the gradient map of one output of a stack of layers, and how it grows."""

import math

import pytest
import torch
import torch.nn.functional as F

from conv_lessons import receptive_field
from conv_lessons.effective_rf import (
    _autograd_maps,
    _linear_maps,
    effective_receptive_field,
    erf_by_depth,
    fit_sqrt_growth,
    learned_kernel,
)


def reference_gradient(kernels, size):
    """∂y/∂x of the central output of a stack of nn.functional.conv2d layers, by plain autograd."""
    x = torch.zeros((1, 1) + size, dtype=torch.float64, requires_grad=True)
    y = x
    for K in kernels:
        y = F.conv2d(y, K.to(torch.float64)[None, None])
    i, j = (y.shape[-2] - 1) // 2, (y.shape[-1] - 1) // 2
    y[0, 0, i, j].backward()
    return x.grad[0, 0]


@pytest.mark.parametrize("k", [2, 3, 5])
def test_uniform_stack_matches_autograd_and_its_exact_width(k):
    fields = erf_by_depth(6, k, "uniform")
    for field in fields:
        kernels = [torch.full((k, k), 1 / k**2)] * field.depth
        reference = reference_gradient(kernels, field.canvas).abs()
        assert torch.allclose(field.gradient.double(), reference / reference.sum(), atol=1e-6)
        # variances add: each layer spreads over k offsets, variance (k² − 1)/12
        assert field.sigma[0] == pytest.approx(math.sqrt(field.depth * (k * k - 1) / 12), rel=1e-5)
        assert field.sigma[1] == pytest.approx(field.sigma[0])


def test_the_gradient_lives_exactly_on_the_theoretical_box():
    for weights in ("uniform", "random"):
        for field in erf_by_depth(5, 3, weights):
            (r0, r1), (c0, c1) = field.box
            assert field.size == (receptive_field([3] * field.depth),) * 2 == (r1 - r0, c1 - c0)
            inside = field.gradient[r0:r1, c0:c1]
            assert float(inside.sum()) == pytest.approx(1.0, abs=1e-5)
            assert float(field.gradient.sum()) == pytest.approx(1.0, abs=1e-5)
            assert (inside > 0).all()  # every pixel of the box matters a little …
            centre = ((r0 + r1 - 1) / 2, (c0 + c1 - 1) / 2)
            assert field.centre == pytest.approx(centre, abs=0.3 if weights == "random" else 1e-6)


def test_most_of_the_box_hardly_matters_when_deep():
    field = effective_receptive_field(16, 3, "uniform")
    (r0, r1), (c0, c1) = field.box
    assert (r1 - r0) == 33
    assert field.mass_within(2 * field.sigma[1]) > 0.85  # … but a disc of radius 2σ ≈ 6.5 px holds most
    assert 4 * field.sigma[1] / field.size[1] < 0.4


def test_linear_shortcut_equals_autograd():
    layers = torch.randn(7, 4, 1, 3, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    fast = _linear_maps(layers)
    slow = _autograd_maps(layers, torch.zeros(1, 4, 20, 20, dtype=torch.float64), relu=False)
    assert all(torch.allclose(a, b) for a, b in zip(fast, slow, strict=True))


def test_random_stack_map_is_the_mean_energy_of_autograd_gradients():
    fields = erf_by_depth(4, 3, "random", samples=3, seed=5)
    generator = torch.Generator().manual_seed(5)
    layers = torch.randn((4, 3, 1, 3, 3), generator=generator)
    for field in fields:
        maps = []
        for s in range(3):
            g = reference_gradient([layers[d, s, 0] for d in range(field.depth)], field.canvas) ** 2
            maps.append(g / g.sum())
        expected = torch.stack(maps).mean(0)
        assert torch.allclose(field.gradient.double(), expected / expected.sum(), atol=1e-5)


@pytest.mark.parametrize(("weights", "nonlinearity", "low", "high"), [
    ("uniform", "none", 0.499, 0.501), ("learned", "none", 0.45, 0.55), ("random", "none", 0.4, 0.65),
    ("random", "relu", 0.4, 0.7),
])
def test_effective_width_grows_like_the_square_root_of_depth(weights, nonlinearity, low, high):
    fields = erf_by_depth(16, 3, weights, nonlinearity)
    depths = [f.depth for f in fields]
    a, power = fit_sqrt_growth(depths, [f.sigma[1] for f in fields])
    assert low < power < high
    sizes = [f.size[1] for f in fields]
    assert len({b - a for a, b in zip(sizes, sizes[1:], strict=False)}) == 1  # the theoretical size grows linearly


def test_learned_kernel_is_the_chapters_and_its_stack_is_binomial():
    K = learned_kernel()
    assert K.shape == (1, 2)
    assert torch.allclose(K, torch.tensor([[1.0, -1.0]], dtype=torch.float64), atol=0.05)
    field = effective_receptive_field(8, weights="learned")
    assert field.size == (1, 9)
    assert field.sigma[0] == 0
    assert field.sigma[1] == pytest.approx(math.sqrt(8) / 2, rel=0.02)  # binomial(8, ½) spread


def test_custom_kernel_stack():
    field = effective_receptive_field(3, weights=torch.ones(1, 3))
    assert field.weights == "custom" and field.size == (1, 7)
    row = field.gradient[field.box[0][0]]
    counts = torch.tensor([1.0, 3, 6, 7, 6, 3, 1])  # trinomial coefficients
    assert torch.allclose(row[field.box[1][0]:field.box[1][1]], counts / counts.sum())


def test_relu_stack_stays_in_the_box_and_is_normalised():
    field = effective_receptive_field(6, 3, "random", "relu")
    (r0, r1), (c0, c1) = field.box
    assert float(field.gradient[r0:r1, c0:c1].sum()) == pytest.approx(1.0, abs=1e-5)
    assert field.nonlinearity == "relu"


def test_deterministic_and_leaves_global_random_state_alone():
    torch.manual_seed(0)
    state = torch.get_rng_state()
    threads = torch.get_num_threads()
    a = effective_receptive_field(5, 3, "random", seed=2)
    b = effective_receptive_field(5, 3, "random", seed=2)
    c = effective_receptive_field(5, 3, "random", seed=3)
    assert torch.equal(a.gradient, b.gradient) and not torch.equal(a.gradient, c.gradient)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.get_num_threads() == threads


def test_fit_sqrt_growth():
    depths = list(range(1, 11))
    assert fit_sqrt_growth(depths, [2 * math.sqrt(L) for L in depths]) == pytest.approx((2.0, 0.5))
    assert fit_sqrt_growth(depths, [3.0 * L for L in depths])[1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same length"):
        fit_sqrt_growth([1, 2], [1.0])
    with pytest.raises(ValueError, match="positive"):
        fit_sqrt_growth([1, 2], [0.0, 1.0])


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"depth": 0}, ValueError, "depth"),
    ({"depth": 65}, ValueError, "max_depth"),
    ({"depth": 2, "weights": "gaussian"}, ValueError, "weights"),
    ({"depth": 2, "nonlinearity": "tanh"}, ValueError, "nonlinearity"),
    ({"depth": 2, "kernel_size": 0}, ValueError, "kernel_size"),
    ({"depth": 2, "weights": torch.tensor([[math.nan]])}, ValueError, "finite"),
    ({"depth": 2.5}, TypeError, "depth"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        effective_receptive_field(**kwargs)
