"""Every public function refuses bad input with a clear TypeError/ValueError naming the argument."""

import math
import warnings

import numpy as np
import pytest
import torch

from conv_lessons import (
    Conv2D,
    conv_output_shape,
    convolve2d,
    corr2d,
    corr2d_fast,
    corr2d_matmul,
    diagonal_image,
    edge_image,
    effective_receptive_field,
    erf_by_depth,
    feature_map_size,
    fit_sqrt_growth,
    get_kernel,
    learn_kernel,
    output_shape,
    pad2d,
    receptive_field,
    receptive_field_region,
    sample_photo,
    stable_lr_limit,
)

X = torch.arange(9.0).reshape(3, 3)
K = torch.ones(2, 2)
CORRELATIONS = [corr2d, corr2d_fast, convolve2d]


def raises(exc, *words):
    """Context manager: the error is `exc` and its message contains every word."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{w})" for w in words))


@pytest.mark.parametrize("fn", CORRELATIONS)
@pytest.mark.parametrize("kernel", [torch.ones(4, 1), torch.ones(1, 4), torch.ones(4, 4)])
def test_kernel_larger_than_input(fn, kernel):
    with raises(ValueError, "K:", r"3×3", r"smaller kernel"):
        fn(X, kernel)


@pytest.mark.parametrize("fn", CORRELATIONS)
@pytest.mark.parametrize("bad", [torch.ones(3), torch.ones(1, 1, 3, 3), torch.tensor(1.0)])
def test_input_not_2d(fn, bad):
    with raises(ValueError, "X:", "2-D", str(tuple(bad.shape)).replace("(", r"\(").replace(")", r"\)")):
        fn(bad, K)


def test_4d_input_names_the_reshape_fix():
    with raises(ValueError, r"X\.reshape\(3, 3\)"):
        corr2d(torch.ones(1, 1, 3, 3), K)


@pytest.mark.parametrize("fn", CORRELATIONS)
@pytest.mark.parametrize("bad", [torch.ones(0, 3), torch.ones(3, 0)])
def test_empty_input(fn, bad):
    with raises(ValueError, "X:", "non-empty"):
        fn(bad, K)


@pytest.mark.parametrize("fn", CORRELATIONS)
def test_empty_kernel(fn):
    with raises(ValueError, "K:", "non-empty"):
        fn(X, torch.ones(0, 2))


@pytest.mark.parametrize("fn", CORRELATIONS)
@pytest.mark.parametrize("bad", ["image", None, 3.0, {"a": 1}])
def test_not_a_tensor(fn, bad):
    with raises(TypeError, "X:", "2-D torch.Tensor"):
        fn(bad, K)


@pytest.mark.parametrize("fn", CORRELATIONS)
def test_ragged_list(fn):
    with raises(TypeError, r"X\[1\]:", "same length"):
        fn([[1, 2, 3], [4, 5]], K)


def test_complex_tensor_refused():
    with raises(TypeError, "K:", "real"):
        corr2d(X, torch.ones(2, 2, dtype=torch.complex64))


@pytest.mark.parametrize("size", [0, -1, 2.5, "2", (2, 0), (2,), None, True])
def test_conv2d_bad_kernel_size(size):
    with pytest.raises((TypeError, ValueError), match="kernel_size"):
        Conv2D(size)


def test_conv2d_forward_checks_input():
    layer = Conv2D((1, 2))
    with raises(ValueError, "Conv2D kernel", "smaller kernel"):
        layer(torch.ones(3, 1))
    with raises(ValueError, "x:", "2-D"):
        layer(torch.ones(3))


Y = torch.zeros(6, 7)


@pytest.mark.parametrize("lr", [0, -0.1, math.inf, math.nan, "0.1", None])
def test_learn_kernel_bad_lr(lr):
    with pytest.raises((TypeError, ValueError), match="lr"):
        learn_kernel(edge_image(), Y, lr=lr)


@pytest.mark.parametrize("epochs", [-1, 2.0, "3"])
def test_learn_kernel_bad_epochs(epochs):
    with pytest.raises((TypeError, ValueError), match="num_epochs"):
        learn_kernel(edge_image(), Y, num_epochs=epochs)


def test_learn_kernel_y_shape_mismatch_names_expected_shape():
    with raises(ValueError, "Y:", r"\(6, 7\)", r"\(6, 8\)"):
        learn_kernel(edge_image(), torch.zeros(6, 8))


def test_learn_kernel_kernel_bigger_than_image():
    with raises(ValueError, "kernel_size"):
        learn_kernel(edge_image(), torch.zeros(1, 1), kernel_size=(7, 2))


def test_learn_kernel_bad_callback_and_seed():
    with raises(TypeError, "callback"):
        learn_kernel(edge_image(), Y, callback=3)
    with pytest.raises(ValueError, match="seed"):
        learn_kernel(edge_image(), Y, seed=-1)


def test_stable_lr_limit_checks_arguments():
    with pytest.raises(ValueError, match="kernel_size"):
        stable_lr_limit(edge_image(), (9, 9))
    with pytest.raises(TypeError, match="X"):
        stable_lr_limit("x")


@pytest.mark.parametrize(
    "args, exc, word",
    [
        (([],), TypeError, "kernel_sizes"),
        (([3, 0],), ValueError, r"kernel_sizes\[1\]"),
        (([3, 2.5],), TypeError, r"kernel_sizes\[1\]"),
        (([3, 3], [2]), ValueError, "strides"),
        (([3, 3], [2, 0]), ValueError, r"strides\[1\]"),
        (([3, 3], None, [1, 2, 3]), ValueError, "dilations"),
        (("33",), TypeError, "kernel_sizes"),
    ],
)
def test_receptive_field_bad_arguments(args, exc, word):
    with pytest.raises(exc, match=word):
        receptive_field(*args)


def test_receptive_field_region_bad_position():
    with pytest.raises(TypeError, match="position"):
        receptive_field_region([3], 5)
    with pytest.raises(ValueError, match=r"position\[0\]"):
        receptive_field_region([3], (-1, 0))
    with raises(ValueError, r"position\[1\]", "0 to 5"):
        receptive_field_region([3], (0, 6), input_shape=(8, 8))


def test_feature_map_size_stack_too_deep():
    with raises(ValueError, r"kernel_sizes\[2\]", "at most 1 pixels"):
        feature_map_size(8, [3, 3, 3], [2, 1, 1])  # 8 → 3 → 1, then a 3-pixel kernel cannot fit


@pytest.mark.parametrize("size", [0, 1, 2.0])
def test_diagonal_image_bad_size(size):
    with pytest.raises((TypeError, ValueError), match="size"):
        diagonal_image(size)


@pytest.mark.parametrize("size", [0, 4, "big"])
def test_sample_photo_bad_size(size):
    with pytest.raises((TypeError, ValueError), match="size"):
        sample_photo(size)


def test_unknown_kernel_name_lists_the_names():
    with raises(ValueError, "name", "sobel x"):
        get_kernel("sobel")


# -- issue 9, "Messages that mislead": each case names its argument now ---------------------------


@pytest.mark.parametrize("call", [
    lambda seed: learn_kernel(edge_image(), Y, seed=seed),
    lambda seed: erf_by_depth(2, 3, seed=seed),
    lambda seed: effective_receptive_field(2, 3, seed=seed),
])
def test_a_seed_beyond_what_torch_accepts_names_seed_and_its_range(call):
    with raises(ValueError, "seed:", r"0 to 2\*\*64 − 1", "18446744073709551616"):
        call(2**64)
    call(2**64 - 1)  # the largest seed torch.Generator takes still works


@pytest.mark.parametrize("where", ["X", "Y"])
def test_learn_kernel_with_nan_data_says_the_data_holds_nan_not_that_lr_is_too_large(where):
    X, Y_ = edge_image(), corr2d(edge_image(), torch.tensor([[1.0, -1.0]]))
    (X if where == "X" else Y_)[2, 3] = math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DivergenceWarning "stable only for lr < nan"
        with raises(ValueError, f"{where}: expected finite numbers", rf"nan at {where}\[2, 3\]"):
            learn_kernel(X, Y_)


def test_corr2d_matmul_names_X_not_an_argument_the_caller_never_passed():
    assert torch.equal(corr2d_matmul(torch.ones(65, 64), torch.ones(1, 1)), torch.ones(65, 64))  # 69 MB: fine now
    with raises(ValueError, "^X:", r"shape \(130, 130\)", "256 MB", "im2col"):
        corr2d_matmul(torch.zeros(130, 130), torch.ones(3, 3))


def test_conv_output_shape_takes_one_number_for_a_square_and_names_bad_shapes():
    assert conv_output_shape(5, 3) == (3, 3)
    assert conv_output_shape(5, (3, 1), padding=1) == (5, 7)
    with raises(TypeError, "input_shape:", "'ab'"):
        conv_output_shape("ab", 3)
    with raises(TypeError, "kernel_shape:"):
        conv_output_shape(5, None)


def test_output_shape_checks_its_shapes():
    assert output_shape(3, 2) == (2, 2)
    with raises(TypeError, "input_shape:"):
        output_shape("ab", (1, 1))
    with raises(ValueError, "kernel_shape:", "no larger than the input"):
        output_shape((3, 3), (4, 4))


def test_get_kernel_with_a_list_names_the_argument():
    with raises(TypeError, "name:", r"\['x'\] \(list\)", "sobel x"):
        get_kernel(["x"])


def test_pad2d_mode_that_is_not_text_names_mode():
    with raises(TypeError, "mode:", "'zeros'", "dtype <U5"):
        pad2d(torch.ones(3, 3), mode=np.array("zeros"))


def test_fit_sqrt_growth_refuses_text_and_a_fit_with_one_depth_instead_of_nan():
    with raises(TypeError, r"depths\[0\]:", "a number", "'1'"):
        fit_sqrt_growth(["1", "2"], [1.0, 2.0])
    with raises(ValueError, "depths:", "two different depths", "L = 2"):
        fit_sqrt_growth([2, 2], [1.0, 2.0])
    assert fit_sqrt_growth(np.array([1, 4]), torch.tensor([1.0, 2.0])) == pytest.approx((1.0, 0.5))  # σ = √L


def test_receptive_field_refuses_bytes_instead_of_reading_them_as_numbers():
    with raises(TypeError, "kernel_sizes:", "bytes"):
        receptive_field(b"\x03\x03")
    assert receptive_field(np.array([3, 3])) == 5


def test_a_depth_beyond_the_limit_names_depth():
    with raises(ValueError, "^depth:", "at most 64"):
        effective_receptive_field(65)
