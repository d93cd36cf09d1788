"""Feature-map stacks and the per-layer paths behind a receptive field."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_lessons import corr2d, get_kernel, sample_photo
from conv_lessons.feature_maps import feature_maps, layer_geometry, path_counts
from conv_lessons.receptive_field import receptive_field


def test_feature_maps_stack_one_map_per_kernel_equal_to_corr2d():
    X = torch.arange(30.0).reshape(5, 6) % 7
    kernels = [get_kernel("sobel x"), get_kernel("laplacian"), get_kernel("box blur")]
    maps = feature_maps(X, kernels)
    assert maps.shape == (3, 3, 4)
    for fmap, K in zip(maps, kernels, strict=True):
        torch.testing.assert_close(fmap, corr2d(X, K))


def test_feature_maps_of_the_lesson_photo_have_the_lessons_shape():
    maps = feature_maps(sample_photo(192), [get_kernel(n) for n in ("identity", "sobel x", "sobel y")])
    assert maps.shape == (3, 223, 190)
    torch.testing.assert_close(maps[0], sample_photo(192)[1:-1, 1:-1])  # identity crops the border


def test_feature_maps_refuse_kernels_of_different_shapes_and_say_why():
    with pytest.raises(ValueError, match=r"kernels\[1\]: expected the shape of kernels\[0\], \(3, 3\)"):
        feature_maps(torch.ones(8, 8), [get_kernel("sobel x"), torch.tensor([[1.0, -1.0]])])
    with pytest.raises(TypeError, match="kernels: expected a non-empty list"):
        feature_maps(torch.ones(8, 8), [])
    with pytest.raises(ValueError, match="kernels\\[0\\]: expected a kernel no larger than the input image"):
        feature_maps(torch.ones(2, 2), [get_kernel("sobel x")])


def test_chapter_example_two_2x2_layers_count_paths_1_2_1():
    layers = path_counts([2, 2], 0)
    assert [p.counts.tolist() for p in layers] == [[1, 2, 1], [1, 1], [1]]
    assert [(p.start, p.stop) for p in layers] == [(0, 3), (0, 2), (0, 1)]
    assert [(p.jump, p.field) for p in layers] == [(1, 1), (1, 2), (1, 3)]


def test_stride_spreads_the_windows_so_only_overlaps_count_twice():
    inputs = path_counts([3, 3], 0, strides=[2, 2])[0]
    assert inputs.counts.tolist() == [1, 1, 2, 1, 2, 1, 1]
    assert (inputs.start, inputs.stop) == (0, 7)


def test_one_dilated_layer_leaves_holes():
    inputs = path_counts([3], 4, dilations=[2])[0]
    assert (inputs.start, inputs.counts.tolist()) == (4, [1, 0, 1, 0, 1])


def test_dilations_1_2_4_cover_15_pixels_without_holes():
    inputs = path_counts([3, 3, 3], 0, dilations=[1, 2, 4])[0]
    assert len(inputs.counts) == 15 == receptive_field([3, 3, 3], dilations=[1, 2, 4])
    assert (inputs.counts > 0).all()


def test_position_shifts_the_field_by_the_total_stride():
    first = path_counts([3, 3, 3], 0, strides=[2, 2, 2])[0]
    later = path_counts([3, 3, 3], 5, strides=[2, 2, 2])[0]
    assert later.start - first.start == 5 * 8
    assert torch.equal(later.counts, first.counts)


def test_layer_geometry_gives_jump_and_field_of_every_layer():
    assert layer_geometry([3, 3, 3], [2, 2, 2]) == [(1, 1), (2, 3), (4, 7), (8, 15)]


stacks = st.integers(1, 4).flatmap(lambda depth: st.tuples(
    st.lists(st.integers(1, 4), min_size=depth, max_size=depth),
    st.lists(st.integers(1, 3), min_size=depth, max_size=depth),
    st.lists(st.integers(1, 3), min_size=depth, max_size=depth),
))


@settings(max_examples=40, deadline=None)
@given(stacks, st.integers(0, 3))
def test_counts_equal_the_input_gradient_of_an_all_ones_stack(stack, index):
    """The number of paths is the gradient of the output w.r.t. each input pixel when every weight is 1
    (checked against torch's own conv1d), and the span of the input counts is the receptive field."""
    kernels, strides, dilations = stack
    layers = path_counts(kernels, index, strides, dilations)
    inputs = layers[0]
    assert inputs.stop - inputs.start == receptive_field(kernels, strides, dilations)
    length = inputs.stop + 1
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in zip(kernels, strides, dilations, strict=True):
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, index].backward()
    expected = torch.zeros(length, dtype=torch.int64)
    expected[inputs.start:inputs.stop] = inputs.counts
    assert torch.equal(x.grad[0, 0].round().to(torch.int64), expected)


def test_bad_stacks_get_clear_messages():
    with pytest.raises(ValueError, match="strides: expected one value per layer"):
        path_counts([3, 3], 0, strides=[2])
    with pytest.raises(ValueError, match=r"kernel_sizes\[0\]: expected a whole number ≥ 1"):
        path_counts([0], 0)
    with pytest.raises(ValueError, match="index: expected a whole number, 0 or more"):
        path_counts([3], -1)
