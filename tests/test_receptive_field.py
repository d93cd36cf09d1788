"""receptive_field and receptive_field_region: the formula, checked by brute force with autograd."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conv_lessons import feature_map_size, receptive_field, receptive_field_region


def test_chapter_cases():
    assert receptive_field([2, 2]) == 3
    assert receptive_field([3, 3], [2, 2]) == 7
    assert receptive_field([3]) == 3
    assert receptive_field(5) == 5


def test_dilation_widens_the_kernel():
    assert receptive_field([3], dilations=[2]) == 5
    assert receptive_field([3, 3, 3], dilations=[1, 2, 4]) == 15  # WaveNet-style doubling


def brute_force_region(n, kernels, strides, dilations, position):
    """Which inputs have a nonzero gradient for one output (all-ones kernels, positive input)."""
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in zip(kernels, strides, dilations):
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, position[0], position[1]].backward()
    rows, cols = torch.nonzero(x.grad[0, 0], as_tuple=True)
    return y.shape[-1], (int(rows.min()), int(rows.max()) + 1), (int(cols.min()), int(cols.max()) + 1)


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2)), min_size=1, max_size=4),
    data=st.data(),
)
def test_formula_matches_autograd(layers, data):
    kernels, strides, dilations = (list(v) for v in zip(*layers))
    n = 40
    try:
        size = feature_map_size(n, kernels, strides, dilations)
    except ValueError:
        assume(False)  # the stack shrinks the map below a kernel: covered by test_bad_input
    position = (data.draw(st.integers(0, size - 1)), data.draw(st.integers(0, size - 1)))
    out_size, rows, cols = brute_force_region(n, kernels, strides, dilations, position)
    assert out_size == size
    region = receptive_field_region(kernels, position, strides, dilations, input_shape=(n, n))
    r = receptive_field(kernels, strides, dilations)
    # The formula gives the extent of the field; with dilation the field has holes, so compare bounds.
    assert region == (rows, cols)
    assert rows[1] - rows[0] == r


def test_deeper_stack_by_hand():
    # three 3×3 layers with strides 1, 2, 2: r = 1 + 2·1 + 2·1 + 2·2 = 9, total stride 4
    assert receptive_field([3, 3, 3], [1, 2, 2]) == 9
    assert receptive_field_region([3, 3, 3], (1, 2), [1, 2, 2]) == ((4, 13), (8, 17))


def test_chapter_two_layer_example_sees_all_nine_inputs():
    assert feature_map_size(3, [2, 2]) == 1
    assert receptive_field_region([2, 2], (0, 0), input_shape=(3, 3)) == ((0, 3), (0, 3))


@pytest.mark.parametrize(
    "n, kernels, strides, expected",
    [(3, [2, 2], [1, 1], 1), (8, [3], [1], 6), (9, [3], [3], 3), (224, [7, 3], [2, 2], 54)],
)
def test_feature_map_size(n, kernels, strides, expected):
    assert feature_map_size(n, kernels, strides) == expected
