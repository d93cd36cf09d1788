"""Effective receptive fields: the gradient map of one output of a stack of layers, and how it grows."""

import math

import pytest
import torch
import torch.nn.functional as F

from conv_lessons import get_kernel, kernel_names, receptive_field
from conv_lessons.effective_rf import (
    MAX_DEPTH,
    _autograd_maps,
    _linear_maps,
    _relu_maps,
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


def unit(maps):
    """Each sample's map divided by its largest |value| (the fast paths rescale per layer by powers of two)."""
    return maps / maps.abs().amax(dim=(-2, -1), keepdim=True)


def test_linear_shortcut_equals_autograd():
    layers = torch.randn(7, 4, 1, 3, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    fast = list(_linear_maps(layers))
    slow = _autograd_maps(layers, torch.zeros(1, 4, 20, 20, dtype=torch.float64), relu=False)
    assert all(torch.allclose(unit(a), unit(b)) for a, b in zip(fast, slow, strict=True))


def test_relu_shortcut_equals_autograd():
    generator = torch.Generator().manual_seed(4)
    layers = torch.randn(6, 5, 1, 3, 2, generator=generator, dtype=torch.float64)
    start = torch.randn(1, 5, 16, 12, generator=generator, dtype=torch.float64)
    fast = list(_relu_maps(layers, start))
    slow = _autograd_maps(layers, start, relu=True)
    for a, b in zip(fast, slow, strict=True):
        assert a.shape == b.shape
        alive = b.abs().amax(dim=(-2, -1)) > 0  # a draw whose centre output is off has no gradient at all
        assert torch.equal(alive, a.abs().amax(dim=(-2, -1)) > 0)
        assert torch.allclose(unit(a[alive]), unit(b[alive]))


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
    ({"depth": 65}, ValueError, "depth"),
    ({"depth": 2, "weights": "gaussian"}, ValueError, "weights"),
    ({"depth": 2, "nonlinearity": "tanh"}, ValueError, "nonlinearity"),
    ({"depth": 2, "kernel_size": 0}, ValueError, "kernel_size"),
    ({"depth": 2, "weights": torch.tensor([[math.nan]])}, ValueError, "finite"),
    ({"depth": 2.5}, TypeError, "depth"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        effective_receptive_field(**kwargs)


# -- issue 9, item 5: every allowed depth gives a finite, correct σ ---------------------------------


def _sigma(maps):
    """σ along rows and columns of |map| (one map) or of the mean normalised map² (several draws)."""
    if maps.shape[0] == 1:
        weight = maps[0].abs()
    else:
        energy = maps**2
        totals = energy.sum((1, 2), keepdim=True)
        weight = torch.where(totals > 0, energy / totals, 0.0).mean(0)  # a draw with no gradient adds nothing
    weight = weight / weight.sum()
    sigma = []
    for p in (weight.sum(1), weight.sum(0)):
        x = torch.arange(len(p), dtype=torch.float64)
        mean = (p * x).sum()
        sigma.append(float(((p * (x - mean) ** 2).sum()).sqrt()))
    return tuple(sigma)


def float64_reference_sigmas(kernels, depths):
    """{depth: σ} computed the plain way: the delta sent back through every layer in float64 with no
    rescaling at all (float64 holds 9⁶⁴ and 10⁻¹⁹²), then measured on the receptive field."""
    grad = torch.ones((1, kernels.shape[1], 1, 1), dtype=torch.float64)
    sigmas = {}
    for depth, layer in enumerate(kernels.to(torch.float64), start=1):
        grad = F.conv_transpose2d(grad, layer, groups=kernels.shape[1])
        if depth in depths:
            sigmas[depth] = _sigma(grad[0])
    return sigmas


FIXED_KERNELS = {"ones(3, 3)": torch.ones(3, 3), "1e-3 kernel": torch.full((3, 3), 1e-3),
                 "1e-3 and 1e3": torch.tensor([[1e-3, 1.0], [1e3, -1e-3]]),
                 **{name: get_kernel(name) for name in kernel_names()}}


@pytest.mark.parametrize("name", sorted(FIXED_KERNELS))
def test_fixed_kernels_give_finite_correct_widths_at_every_allowed_depth(name):
    K = FIXED_KERNELS[name]
    fields = erf_by_depth(MAX_DEPTH, weights=K)  # depths 1 … 64 in one call
    assert len(fields) == MAX_DEPTH == 64
    for field in fields:
        assert all(math.isfinite(s) for s in field.sigma + field.centre)
        assert bool(torch.isfinite(field.gradient).all()) and float(field.gradient.sum()) == pytest.approx(1, abs=1e-5)
    expected = float64_reference_sigmas(K.expand(MAX_DEPTH, 1, 1, *K.shape), (1, 16, 47, 48, 63, 64))
    for depth, sigma in expected.items():
        assert fields[depth - 1].sigma == pytest.approx(sigma, rel=1e-5, abs=1e-6)


def test_the_exact_widths_of_the_issues_failing_cases():
    for K in (torch.ones(3, 3), torch.full((3, 3), 1e-3), get_kernel("box blur")):
        assert effective_receptive_field(64, weights=K).sigma == pytest.approx((math.sqrt(64 * 8 / 12),) * 2)
    assert effective_receptive_field(64, 3, "uniform").sigma == pytest.approx((math.sqrt(64 * 8 / 12),) * 2)
    gaussian = effective_receptive_field(64, weights=get_kernel("gaussian blur"))
    assert gaussian.sigma == pytest.approx((math.sqrt(64 / 2),) * 2)  # [1, 2, 1]/4 spreads by variance ½


@pytest.mark.parametrize("k", [5, 7])
def test_random_5x5_and_7x7_stacks_give_finite_correct_widths_up_to_depth_64(k):
    fields = erf_by_depth(MAX_DEPTH, k, "random", samples=3, seed=1)
    assert all(math.isfinite(s) and s > 0 for f in fields for s in f.sigma)
    generator = torch.Generator().manual_seed(1)
    layers = torch.randn((MAX_DEPTH, 3, 1, k, k), generator=generator)
    for depth, sigma in float64_reference_sigmas(layers, (48, 56, 64)).items():
        assert fields[depth - 1].sigma == pytest.approx(sigma, rel=1e-4)


def test_a_deep_relu_stack_of_ones_matches_float64_autograd():
    """ones(3, 3) with a ReLU: the activations reach 9⁴⁸ ≈ 10⁴⁶, beyond float32, by depth 48."""
    depth, samples = 48, 2
    fields = erf_by_depth(depth, weights=torch.ones(3, 3), nonlinearity="relu", samples=samples, seed=2)
    assert all(math.isfinite(s) and s > 0 for f in fields for s in f.sigma)
    generator = torch.Generator().manual_seed(2)
    size = fields[0].canvas
    start = torch.randn((1, samples) + size, generator=generator).double()
    layers = torch.ones(depth, samples, 1, 3, 3, dtype=torch.float64)
    maps = _autograd_maps(layers, start, relu=True)
    for field, local in zip(fields, maps, strict=True):
        assert field.sigma == pytest.approx(_sigma(local), rel=1e-5)


def test_a_relu_stack_that_switches_every_path_off_is_refused_not_measured_as_zero():
    with pytest.raises(ValueError, match="(?s)^nonlinearity: .*depth 2 .*switched off.*no effective receptive"):
        erf_by_depth(3, weights=-torch.ones(2, 2), nonlinearity="relu")  # relu(−x) ≥ 0, then −(…) ≤ 0: all off


def test_an_all_zero_kernel_is_refused():
    with pytest.raises(ValueError, match="weights: .*non-zero"):
        effective_receptive_field(2, weights=torch.zeros(2, 2))
