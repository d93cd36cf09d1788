"""The package-wide policies of conv_lessons.validation, checked on every public function they cover.

* Complex numbers are refused everywhere, nested lists and NumPy arrays included (issue 9, item 7).
* NaN and ±inf are refused in every image and kernel, so no function returns NaN because its input
  held one, and all functions agree (issue 9, item 4).
* Lists and NumPy arrays of any real dtype become float32 tensors (the README's promise).
* One size budget: no tensor above MEMORY_BUDGET bytes, no loop above LOOP_BUDGET steps, refused
  before allocating, with a message naming the argument, the size needed and the limit.
"""

import math
import re
import time

import numpy as np
import pytest
import torch

from conv_lessons import (
    Conv2D,
    conv_matrix,
    convolve2d,
    corr2d,
    corr2d_fast,
    corr2d_matmul,
    corr2d_padded,
    diagonal_image,
    edge_image,
    effective_receptive_field,
    erf_by_depth,
    im2col,
    learn_kernel,
    loss_hessian,
    pad2d,
    sample_photo,
    stable_lr_limit,
)
from conv_lessons.feature_maps import feature_maps, path_counts
from conv_lessons.matrix import window_indices
from conv_lessons.validation import LOOP_BUDGET, MEMORY_BUDGET, as_matrix, size_text

X3 = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
K2 = [[0.0, 1.0], [2.0, 3.0]]


def with_value(rows, i, j, value):
    rows = [list(row) for row in rows]
    rows[i][j] = value
    return rows


# Every public function that takes an image or a kernel, as f(X, K) with the name it gives each one.
TAKERS = {
    "corr2d": (lambda X, K: corr2d(X, K), "X", "K"),
    "corr2d_fast": (lambda X, K: corr2d_fast(X, K), "X", "K"),
    "convolve2d": (lambda X, K: convolve2d(X, K), "X", "K"),
    "corr2d_matmul": (lambda X, K: corr2d_matmul(X, K), "X", "K"),
    "corr2d_padded": (lambda X, K: corr2d_padded(X, K, padding=1), "X", "K"),
    "conv_matrix": (lambda X, K: (as_matrix(X, "X"), conv_matrix((3, 3), K)), "X", "K"),
    "im2col": (lambda X, K: (im2col(X, (2, 2)), as_matrix(K, "K")), "X", "K"),
    "pad2d": (lambda X, K: (pad2d(X, 1), as_matrix(K, "K")), "X", "K"),
    "feature_maps": (lambda X, K: feature_maps(X, [K]), "image", r"kernels\[0\]"),
    "Conv2D": (lambda X, K: Conv2D((2, 2))(X), "x", None),
    "learn_kernel": (lambda X, K: learn_kernel(X, K, (2, 2), num_epochs=1), "X", "Y"),  # K plays Y (2×2)
    "loss_hessian": (lambda X, K: loss_hessian(X, (2, 2)), "X", None),
    "stable_lr_limit": (lambda X, K: stable_lr_limit(X, (2, 2)), "X", None),
    "effective_receptive_field": (lambda X, K: effective_receptive_field(2, weights=K), None, "weights"),
}


@pytest.mark.parametrize("name", sorted(TAKERS))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_every_function_refuses_nan_and_inf_naming_the_argument_and_position(name, bad):
    call, x_name, k_name = TAKERS[name]
    for where, X, K in (("X", with_value(X3, 1, 2, bad), K2), ("K", X3, with_value(K2, 0, 1, bad))):
        arg = x_name if where == "X" else k_name
        if arg is None:
            continue
        for convert in (lambda rows: rows, torch.tensor, np.array):  # lists, tensors, NumPy arrays
            position = r"\[1, 2\]" if where == "X" else r"\[0, 1\]"
            with pytest.raises(ValueError, match=f"(?s)^{arg}: expected finite numbers.*{position}"):
                call(convert(X), convert(K))


def test_corr2d_matmul_and_corr2d_agree_on_nan_by_refusing_it():
    """Issue 9, item 4: a NaN pixel used to turn every output of corr2d_matmul NaN (0·NaN in W @ x)."""
    X = torch.arange(16.0).reshape(4, 4)
    X[0, 0] = math.nan
    for fn in (corr2d, corr2d_fast, corr2d_matmul, convolve2d):
        with pytest.raises(ValueError, match=r"X: expected finite numbers .*nan at X\[0, 0\]"):
            fn(X, torch.ones(2, 2))


def test_numbers_too_large_for_float32_are_refused_not_turned_into_inf():
    for X in ([[1e39, 0.0], [0.0, 0.0]], np.array([[1e39, 0.0], [0.0, 0.0]])):
        with pytest.raises(ValueError, match=r"X: expected numbers that fit in float32 .*1e\+39 at X\[0, 0\]"):
            corr2d(X, [[1.0]])


@pytest.mark.parametrize("name", sorted(TAKERS))
def test_every_function_refuses_complex_numbers_in_nested_lists(name):
    """Issue 9, item 7: corr2d([[1+5j, 2], [3, 4]], [[1.]]) silently gave [[1, 2], [3, 4]]."""
    call, x_name, k_name = TAKERS[name]
    if x_name is not None:
        with pytest.raises(TypeError, match=rf"{x_name}\[0\]\[1\]: expected a real number, got \(1\+5j\)"):
            call(with_value(X3, 0, 1, 1 + 5j), K2)
    if k_name is not None:
        with pytest.raises(TypeError, match=rf"{k_name}\[1\]\[0\]: expected a real number"):
            call(X3, with_value(K2, 1, 0, 2j))


@pytest.mark.parametrize("complex_input", [
    [[1 + 5j, 2], [3, 4]], np.array([[1 + 5j, 2], [3, 4]]), torch.tensor([[1 + 5j, 2], [3, 4]]),
    np.array([[1 + 5j, 2], [3, 4]], dtype=object),
])
def test_the_issues_complex_example_is_refused_in_every_form(complex_input):
    with pytest.raises(TypeError, match="X.*real number"):
        corr2d(complex_input, [[1.0]])


def test_numpy_object_arrays_of_numbers_are_read_as_numbers():
    """Issue 9: a NumPy object array of numbers was told 'rows must all have the same length'."""
    X = np.array(X3, dtype=object)
    assert corr2d(X, K2).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    bad = np.array([[1, "x"], [3, 4]], dtype=object)
    with pytest.raises(TypeError, match=r"X\[0\]\[1\]: expected a number, got 'x' \(str\)"):
        corr2d(bad, [[1.0]])


def test_arrays_of_text_are_refused_with_their_dtype():
    with pytest.raises(TypeError, match="X: expected an array of numbers.*<U1"):
        corr2d(np.array([["a", "b"]]), [[1.0]])


def test_lists_and_arrays_become_float32_and_float_tensors_keep_their_dtype():
    for value in (X3, np.array(X3), np.array(X3, dtype=np.float64), np.array(X3, dtype=np.int64)):
        assert as_matrix(value, "X").dtype == torch.float32
    tensor = torch.tensor(X3, dtype=torch.float64, requires_grad=True)
    assert as_matrix(tensor, "X") is tensor  # used as it is: autograd flows through


# -- the size budget ---------------------------------------------------------------------------------

X_SMALL = torch.ones(3, 3)

# (call, the argument the message must name, the size it must state)
OVER_BUDGET = {
    "pad2d(X, 10**9)": (lambda: pad2d(X_SMALL, 10**9), "padding", "16 EB"),
    "pad2d(X, (20000, 20000))": (lambda: pad2d(X_SMALL, (20000, 20000)), "padding", "6.4 GB"),
    "diagonal_image(10**5)": (lambda: diagonal_image(10**5), "size", "40 GB"),
    "Conv2D((20000, 20000))": (lambda: Conv2D((20000, 20000)), "kernel_size", "1.6 GB"),
    "sample_photo(20000)": (lambda: sample_photo(20000), "size", "1.88 GB"),
    "effective_receptive_field(kernel_size=20000)": (lambda: effective_receptive_field(8, 20000), "kernel_size",
                                                     "GB"),
    "erf_by_depth(samples=10**7)": (lambda: erf_by_depth(16, 3, samples=10**7), "samples", "GB"),
    "conv_matrix((200, 200), K)": (lambda: conv_matrix((200, 200), torch.ones(1, 1)), "input_shape", "6.4 GB"),
    "corr2d_matmul(130×130)": (lambda: corr2d_matmul(torch.zeros(130, 130), torch.ones(3, 3)), "X", "1.11 GB"),
    "im2col(1000×1000, (500, 500))": (lambda: im2col(torch.zeros(1000, 1000), (500, 500)), "X, kernel_shape",
                                      "502 GB"),
    "window_indices": (lambda: window_indices((3000, 3000), (1000, 1000)), "input_shape, kernel_shape", "TB"),
    "loss_hessian((100, 100) kernel)": (lambda: loss_hessian(torch.zeros(100, 100), (100, 100)), "kernel_size",
                                        "800 MB"),
    "feature_maps(5000 kernels)": (lambda: feature_maps(torch.zeros(200, 200), [torch.ones(1, 1)] * 5000),
                                   "kernels", "800 MB"),
    "path_counts([10**9])": (lambda: path_counts([10**9], 0), "kernel_sizes", "8 GB"),
}

OVER_LOOP = {
    "learn_kernel(num_epochs=10**9)": (
        lambda: learn_kernel(edge_image(), torch.zeros(6, 7), num_epochs=10**9), "num_epochs", "1,000,000,000"),
    "corr2d on 400×400": (lambda: corr2d(torch.zeros(400, 400), torch.ones(1, 1)), "X", "160,000"),
    "corr2d_fast with a 400×400 kernel": (lambda: corr2d_fast(torch.zeros(400, 400), torch.ones(400, 400)), "K",
                                          "160,000"),
    "path_counts with 10**6 taps": (lambda: path_counts([500_000, 500_001], 0), "kernel_sizes", "1,000,001"),
}


def test_the_budget_is_the_stated_one():
    assert MEMORY_BUDGET == 256_000_000 and size_text(MEMORY_BUDGET) == "256 MB"
    assert LOOP_BUDGET == 100_000


@pytest.mark.parametrize("case", sorted(OVER_BUDGET))
def test_requests_over_the_memory_budget_are_refused_before_allocating(case):
    call, name, needed = OVER_BUDGET[case]
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert message.startswith(f"{name}: expected a size within the package's memory budget of 256 MB per tensor")
    assert re.search(rf"would need {re.escape(needed)}|would need [\d.,]+ {re.escape(needed)}", message), message
    assert time.perf_counter() - start < 2.0  # nothing of that size was built


@pytest.mark.parametrize("case", sorted(OVER_LOOP))
def test_loops_over_the_loop_budget_are_refused_before_running(case):
    call, name, steps = OVER_LOOP[case]
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert message.startswith(f"{name}: expected at most 100,000 ")
    assert "the package's loop budget" in message and f"would take {steps}" in message
    assert time.perf_counter() - start < 2.0
