"""Cross-correlation as a matrix product: W, corr2d_matmul, im2col and the transpose as the input gradient."""

import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_lessons import corr2d, corr2d_fast
from conv_lessons.matrix import (
    conv_matrix,
    conv_matrix_counts,
    corr2d_matmul,
    im2col,
    window_indices,
)

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


@st.composite
def input_and_kernel(draw):
    """Random shapes (non-square inputs, 1×N and N×1 kernels included) and random values."""
    n_h, n_w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    k_h, k_w = draw(st.integers(1, n_h)), draw(st.integers(1, n_w))
    seed = draw(st.integers(0, 2**16))
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(n_h, n_w, generator=generator, dtype=torch.float64),
            torch.randn(k_h, k_w, generator=generator, dtype=torch.float64))


def test_chapter_matrix_is_pinned():
    # The 4×9 matrix lesson 05 prints: each row holds K's weights at the columns of its window.
    W = conv_matrix((3, 3), K)
    assert W.tolist() == [
        [0, 1, 0, 2, 3, 0, 0, 0, 0],
        [0, 0, 1, 0, 2, 3, 0, 0, 0],
        [0, 0, 0, 0, 1, 0, 2, 3, 0],
        [0, 0, 0, 0, 0, 1, 0, 2, 3],
    ]
    assert (W @ X.flatten()).tolist() == [19, 25, 37, 43]
    assert corr2d_matmul(X, K).tolist() == [[19, 25], [37, 43]]


@settings(max_examples=80, deadline=None)
@given(input_and_kernel())
def test_corr2d_matmul_equals_corr2d_and_conv2d(pair):
    X, K = pair
    expected = corr2d_fast(X, K)  # corr2d's numbers in float64 (corr2d itself fills the book's float32 zeros)
    assert torch.allclose(corr2d(X, K), expected.float(), atol=1e-5)
    assert torch.allclose(corr2d_matmul(X, K), expected)
    assert torch.allclose(conv_matrix(tuple(X.shape), K) @ X.flatten(), expected.flatten())
    assert torch.allclose(F.conv2d(X[None, None], K[None, None])[0, 0], expected)


@settings(max_examples=80, deadline=None)
@given(input_and_kernel())
def test_im2col_matches_unfold_and_gives_the_output(pair):
    X, K = pair
    columns = im2col(X, tuple(K.shape))
    assert torch.equal(columns, F.unfold(X[None, None], tuple(K.shape))[0])
    out_h, out_w = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    assert torch.allclose((K.flatten() @ columns).reshape(out_h, out_w), corr2d_fast(X, K))


@settings(max_examples=60, deadline=None)
@given(input_and_kernel())
def test_transpose_of_W_is_the_input_gradient(pair):
    X, K = pair
    X = X.clone().requires_grad_(True)
    Y = corr2d_fast(X, K)
    G = torch.randn(Y.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    (Y * G).sum().backward()
    W = conv_matrix(tuple(X.shape), K)
    assert torch.allclose(X.grad.flatten(), W.T @ G.flatten())


def test_W_is_differentiable_in_the_kernel():
    X = torch.randn(5, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    K1 = torch.randn(2, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64, requires_grad=True)
    K2 = K1.detach().clone().requires_grad_(True)
    (corr2d_matmul(X, K1) ** 2).sum().backward()
    (corr2d(X, K2) ** 2).sum().backward()
    assert torch.allclose(K1.grad, K2.grad)


def test_window_indices_are_the_columns_of_each_row():
    indices = window_indices((3, 4), (2, 2))
    assert indices.shape == (6, 4)
    assert indices[0].tolist() == [0, 1, 4, 5]
    assert indices[-1].tolist() == [6, 7, 10, 11]
    W = conv_matrix((3, 4), torch.arange(1.0, 5.0).reshape(2, 2))
    for row, columns in enumerate(indices.tolist()):
        assert torch.nonzero(W[row]).flatten().tolist() == sorted(columns)


@pytest.mark.parametrize(("input_shape", "kernel_shape"), [((3, 3), (2, 2)), ((28, 28), (5, 5)), ((4, 7), (1, 3)),
                                                          ((5, 2), (5, 2))])
def test_counts_agree_with_the_matrix(input_shape, kernel_shape):
    counts = conv_matrix_counts(input_shape, kernel_shape)
    W = conv_matrix(input_shape, torch.ones(kernel_shape))  # no zero weight: every structural slot shows
    assert (counts.rows, counts.columns) == tuple(W.shape)
    assert counts.entries == W.numel()
    assert counts.nonzero == int((W != 0).sum())
    assert counts.zero_fraction == pytest.approx(float((W == 0).float().mean()))
    assert counts.distinct_weights == kernel_shape[0] * kernel_shape[1]
    assert counts.uses_per_weight * counts.distinct_weights == counts.nonzero


def test_mnist_sized_counts_are_pinned():
    counts = conv_matrix_counts((28, 28), (5, 5))
    assert (counts.rows, counts.columns, counts.nonzero) == (576, 784, 14400)
    assert round(counts.zero_fraction, 4) == 0.9681


@pytest.mark.parametrize("fn", [lambda: conv_matrix((2, 2), torch.ones(3, 1)),
                                lambda: corr2d_matmul(torch.ones(2, 2), torch.ones(1, 3)),
                                lambda: im2col(torch.ones(2, 2), (3, 3)),
                                lambda: conv_matrix_counts((2, 2), (1, 3))])
def test_kernel_larger_than_input_is_refused(fn):
    with pytest.raises(ValueError, match="no larger than the input"):
        fn()


def test_passing_X_instead_of_its_shape_names_the_fix():
    with pytest.raises(TypeError, match=r"input_shape: .*X\.shape"):
        conv_matrix(X, K)


def test_a_matrix_too_large_points_to_im2col():
    side = 130
    with pytest.raises(ValueError, match="im2col"):
        corr2d_matmul(torch.zeros(side, side), torch.ones(1, 1))
    big = torch.zeros(256, 256)
    assert im2col(big, (3, 3)).shape == (9, 254 * 254)  # the practical form still works


@pytest.mark.parametrize("bad", ["abc", [[1, 2], [3]], torch.ones(3)])
def test_bad_kernels_are_refused_with_the_argument_named(bad):
    with pytest.raises((TypeError, ValueError), match=r"K(\[1\])?:"):
        conv_matrix((3, 3), bad)


def test_counts_of_a_huge_input_are_arithmetic_and_allocate_nothing():
    """Issue 9, item 8: conv_matrix_counts((20000, 20000), (3, 3)) built a 28.8 GB table just to count.
    Run where the process may not grow by more than 1 GB: building any table of that size fails there."""
    code = (
        "import resource, torch\n"
        "from conv_lessons import conv_matrix_counts\n"
        "size = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0]) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 2**30, resource.getrlimit(resource.RLIMIT_AS)[1]))\n"
        "c = conv_matrix_counts((20000, 20000), (3, 3))\n"
        "print(c.rows, c.columns, c.nonzero, c.distinct_weights, c.uses_per_weight)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = 19998 * 19998
    assert result.stdout.split() == [str(rows), str(20000 * 20000), str(rows * 9), "9", str(rows)]
