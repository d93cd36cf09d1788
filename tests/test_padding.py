"""Padding and stride (the next chapter's preview) against PyTorch's own F.pad and F.conv2d."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_lessons.padding import (
    PADDING_MODES,
    conv_output_shape,
    conv_output_size,
    corr2d_padded,
    pad2d,
    padding_limit,
)

TORCH_MODE = {"zeros": "constant", "replicate": "replicate", "reflect": "reflect", "circular": "circular"}


def torch_pad(X: torch.Tensor, p_h: int, p_w: int, mode: str) -> torch.Tensor:
    return F.pad(X[None, None], (p_w, p_w, p_h, p_h), mode=TORCH_MODE[mode])[0, 0]


@st.composite
def padded_setups(draw):
    """An input, a kernel that fits the padded input, a padding the mode allows, a stride."""
    mode = draw(st.sampled_from(PADDING_MODES))
    n_h, n_w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    limit_h, limit_w = (padding_limit(n, mode) for n in (n_h, n_w))
    p_h = draw(st.integers(0, 3 if limit_h is None else min(3, limit_h)))
    p_w = draw(st.integers(0, 3 if limit_w is None else min(3, limit_w)))
    k_h, k_w = draw(st.integers(1, n_h + 2 * p_h)), draw(st.integers(1, n_w + 2 * p_w))
    s_h, s_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn((n_h, n_w), generator=generator, dtype=torch.float64)
    K = torch.randn((k_h, k_w), generator=generator, dtype=torch.float64)
    return X, K, (p_h, p_w), (s_h, s_w), mode


@settings(max_examples=150, deadline=None)
@given(padded_setups())
def test_pad2d_equals_torch_pad(setup):
    X, _, (p_h, p_w), _, mode = setup
    assert torch.equal(pad2d(X, (p_h, p_w), mode), torch_pad(X, p_h, p_w, mode))


@settings(max_examples=150, deadline=None)
@given(padded_setups())
def test_corr2d_padded_equals_torch_conv2d(setup):
    X, K, (p_h, p_w), (s_h, s_w), mode = setup
    expected = F.conv2d(torch_pad(X, p_h, p_w, mode)[None, None], K[None, None], stride=(s_h, s_w))[0, 0]
    Y = corr2d_padded(X, K, (p_h, p_w), (s_h, s_w), mode)
    assert Y.shape == expected.shape == conv_output_shape(X.shape, K.shape, (p_h, p_w), (s_h, s_w))
    torch.testing.assert_close(Y, expected)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 12), k=st.integers(1, 12), p=st.integers(0, 4), s=st.integers(1, 4))
def test_conv_output_size_is_the_shape_torch_computes(n, k, p, s):
    conv = lambda: F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), padding=(p, 0), stride=(s, 1))  # noqa: E731
    if k > n + 2 * p:
        with pytest.raises(RuntimeError):
            conv()
        with pytest.raises(ValueError, match="Invalid setup"):
            conv_output_size(n, k, p, s)
    else:
        assert conv_output_size(n, k, p, s) == conv().shape[2] == (n - k + 2 * p) // s + 1


def test_zero_padding_matches_conv2d_padding_argument():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    Y = corr2d_padded(X, K, padding=1)
    assert torch.equal(Y, F.conv2d(X[None, None], K[None, None], padding=1)[0, 0])
    assert Y.shape == (4, 4)
    # the chapter's four numbers sit in the middle, untouched by the zeros around them
    assert Y[1:3, 1:3].tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_same_padding_and_stride_two_sizes_learners_see():
    assert conv_output_size(8, 3, padding=1) == 8  # padding (k − 1)/2 keeps the size
    assert conv_output_size(8, 3, padding=1, stride=2) == 4  # stride 2 halves it
    assert conv_output_size(225, 3, padding=4, stride=2) == 116
    assert conv_output_shape((6, 8), (1, 2)) == (6, 7)


def test_each_mode_fills_the_border_as_described():
    X = torch.tensor([[1.0, 2.0, 3.0]])
    assert pad2d(X, (0, 2), "zeros").tolist() == [[0, 0, 1, 2, 3, 0, 0]]
    assert pad2d(X, (0, 2), "replicate").tolist() == [[1, 1, 1, 2, 3, 3, 3]]
    assert pad2d(X, (0, 2), "reflect").tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert pad2d(X, (0, 2), "circular").tolist() == [[2, 3, 1, 2, 3, 1, 2]]


@pytest.mark.parametrize("mode", ["zeros", "replicate", "reflect", "circular"])
def test_gradients_flow_like_torch(mode):
    X = torch.randn(5, 6, dtype=torch.float64, requires_grad=True)
    K = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    corr2d_padded(X, K, padding=2, stride=2, mode=mode).pow(2).sum().backward()
    X2, K2 = X.detach().clone().requires_grad_(), K.detach().clone().requires_grad_()
    F.conv2d(torch_pad(X2, 2, 2, mode)[None, None], K2[None, None], stride=2).pow(2).sum().backward()
    torch.testing.assert_close(X.grad, X2.grad)
    torch.testing.assert_close(K.grad, K2.grad)


def test_reflect_padding_larger_than_the_input_allows_is_an_invalid_setup():
    X = torch.ones(6, 8)
    assert pad2d(X, 5, "reflect").shape == (16, 18)
    with pytest.raises(RuntimeError):
        F.pad(X[None, None], (6, 6, 6, 6), mode="reflect")
    with pytest.raises(ValueError, match=r"padding: expected at most 5 on the height axis.*Invalid setup"):
        pad2d(X, 6, "reflect")
    with pytest.raises(ValueError, match="at most 5"):
        corr2d_padded(X, torch.ones(3, 3), padding=6, mode="reflect")
    assert padding_limit(6, "reflect") == 5 and padding_limit(6, "circular") == 6
    assert padding_limit(6, "zeros") is None


def test_kernel_larger_than_the_padded_input_is_an_invalid_setup():
    expected = r"kernel height k_h: expected at most n \+ 2p = 3 \+ 2·1 = 5 .*got 6\. Invalid setup.*padding ≥ 2"
    with pytest.raises(ValueError, match=expected):
        corr2d_padded(torch.ones(3, 3), torch.ones(6, 1), padding=1)
    assert corr2d_padded(torch.ones(3, 3), torch.ones(6, 1), padding=2).shape == (2, 7)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: pad2d(torch.ones(3, 3), 1, "mirror"), ValueError, "mode: expected one of 'zeros'"),
        (lambda: pad2d(torch.ones(3, 3), -1), ValueError, "padding: expected a whole number, 0 or more"),
        (lambda: pad2d(torch.ones(3, 3), 1.5), TypeError, "padding: expected a whole number"),
        (lambda: pad2d(torch.ones(3, 3), (1, 2, 3)), TypeError, r"padding: expected one whole number or a"),
        (lambda: corr2d_padded(torch.ones(3, 3), torch.ones(2, 2), stride=0), ValueError, "stride: expected a pos"),
        (lambda: corr2d_padded(torch.ones(3), torch.ones(2, 2)), ValueError, r"X: expected a 2-D tensor"),
        (lambda: conv_output_size(0, 1), ValueError, "n: expected a positive whole number"),
    ],
)
def test_bad_arguments_get_clear_messages(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_pad2d_returns_a_new_tensor_even_without_padding():
    X = torch.ones(2, 2)
    padded = pad2d(X, 0, "replicate")
    padded[0, 0] = 5.0
    assert X[0, 0] == 1.0
