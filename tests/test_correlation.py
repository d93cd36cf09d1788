"""corr2d, corr2d_fast and convolve2d: the chapter's numbers, and agreement with PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_lessons import convolve2d, corr2d, corr2d_fast, edge_image, output_shape

X_BOOK = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K_BOOK = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
IMPLEMENTATIONS = [corr2d, corr2d_fast]


@pytest.mark.parametrize("fn", IMPLEMENTATIONS)
def test_chapter_example_is_19_25_37_43(fn):
    assert fn(X_BOOK, K_BOOK).tolist() == [[19.0, 25.0], [37.0, 43.0]]


@pytest.mark.parametrize("fn", IMPLEMENTATIONS)
def test_edge_detection_output_has_1_and_minus_1_columns(fn):
    Y = fn(edge_image(), torch.tensor([[1.0, -1.0]]))
    assert Y.shape == (6, 7)
    expected_row = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    assert Y.tolist() == [expected_row] * 6


@pytest.mark.parametrize("fn", IMPLEMENTATIONS)
def test_kernel_does_not_see_horizontal_edges_of_transposed_image(fn):
    Y = fn(edge_image().t(), torch.tensor([[1.0, -1.0]]))
    assert Y.shape == (8, 5)
    assert torch.count_nonzero(Y) == 0


def test_transposed_kernel_detects_horizontal_edges():
    Y = corr2d(edge_image().t(), torch.tensor([[1.0], [-1.0]]))
    assert Y.shape == (7, 6)
    assert Y[1].tolist() == [1.0] * 6 and Y[5].tolist() == [-1.0] * 6
    assert torch.count_nonzero(Y) == 12


def test_lists_and_integer_tensors_are_converted_to_float():
    Y = corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], torch.tensor([[0, 1], [2, 3]]))
    assert Y.dtype == torch.float32 and Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]
    assert corr2d_fast(np.arange(9.0).reshape(3, 3), K_BOOK).tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_corr2d_fills_the_books_float32_zeros_and_corr2d_fast_keeps_float64():
    Y = corr2d(X_BOOK.double(), K_BOOK)
    assert Y.dtype == torch.float32 and Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]  # Y = torch.zeros(...)
    assert corr2d_fast(X_BOOK.double(), K_BOOK).dtype == torch.float64


def test_numpy_arrays_of_any_dtype_become_float32():
    for array in (np.arange(9.0).reshape(3, 3), np.arange(9, dtype=np.int16).reshape(3, 3),
                  np.arange(9.0, dtype=np.float16).reshape(3, 3)):
        Y = corr2d_fast(array, K_BOOK)
        assert Y.dtype == torch.float32 and Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]


BOOK_CORR2D = """def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
"""


def test_show_source_of_corr2d_is_the_books_loop_and_nothing_else():
    from conv_lessons.source import source_of

    assert source_of(corr2d) == BOOK_CORR2D  # d2l's 7 lines, no argument checking in sight


def test_the_loop_shown_is_the_loop_that_runs(monkeypatch):
    from conv_lessons import chapter

    calls = []
    book = chapter.corr2d
    monkeypatch.setattr(chapter, "corr2d", lambda X, K: calls.append((X, K)) or book(X, K))
    assert corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]]).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    (X, K), = calls  # the public corr2d checked and converted the lists, then ran the book's code
    assert isinstance(X, torch.Tensor) and isinstance(K, torch.Tensor)


def test_convolution_flips_the_kernel():
    assert convolve2d(X_BOOK, K_BOOK).tolist() == corr2d(X_BOOK, torch.flip(K_BOOK, (0, 1))).tolist()
    # [[1, -1]] flipped is [[-1, 1]]: convolution reports the chapter's edges with the opposite sign
    assert torch.equal(convolve2d(edge_image(), torch.tensor([[1.0, -1.0]])),
                       -corr2d(edge_image(), torch.tensor([[1.0, -1.0]])))


def test_output_shape_formula():
    assert output_shape((6, 8), (1, 2)) == (6, 7)
    assert output_shape((3, 3), (2, 2)) == (2, 2)


def reference(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


shapes = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)).filter(
    lambda s: s[2] <= s[0] and s[3] <= s[1]
)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_all_three_agree_with_torch_conv2d(shape, seed):
    n_h, n_w, k_h, k_w = shape
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n_h, n_w, generator=generator, dtype=torch.float64)
    K = torch.randn(k_h, k_w, generator=generator, dtype=torch.float64)
    expected = reference(X, K)
    torch.testing.assert_close(corr2d(X, K), expected.float())  # the book's loop fills float32 zeros
    torch.testing.assert_close(corr2d_fast(X, K), expected)
    torch.testing.assert_close(convolve2d(X, K), reference(X, torch.flip(K, (0, 1))))


@settings(max_examples=40, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_gradients_agree_with_torch_conv2d(shape, seed):
    n_h, n_w, k_h, k_w = shape
    generator = torch.Generator().manual_seed(seed)
    X0 = torch.randn(n_h, n_w, generator=generator, dtype=torch.float64)
    K0 = torch.randn(k_h, k_w, generator=generator, dtype=torch.float64)
    upstream = torch.randn(n_h - k_h + 1, n_w - k_w + 1, generator=generator, dtype=torch.float64)

    def grads(fn):
        X, K = X0.clone().requires_grad_(), K0.clone().requires_grad_()
        (fn(X, K) * upstream).sum().backward()
        return X.grad, K.grad

    expected = grads(reference)
    for fn, tolerance in ((corr2d, {"rtol": 1e-5, "atol": 1e-5}), (corr2d_fast, {})):
        got = grads(fn)
        torch.testing.assert_close(got[0], expected[0], **tolerance)
        torch.testing.assert_close(got[1], expected[1], **tolerance)


def test_fast_is_differentiable_in_x_alone():
    X = X_BOOK.clone().requires_grad_()
    corr2d_fast(X, K_BOOK).sum().backward()
    assert X.grad.tolist() == [[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]]


@pytest.mark.parametrize("fn", IMPLEMENTATIONS + [convolve2d])
def test_one_by_n_kernels_and_full_size_kernel(fn):
    X = torch.arange(12.0).reshape(3, 4)
    assert fn(X, torch.ones(1, 4)).tolist() == [[6.0], [22.0], [38.0]]
    assert fn(X, torch.ones(3, 4)).tolist() == [[66.0]]
