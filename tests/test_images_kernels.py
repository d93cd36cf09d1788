"""The lessons' images and the kernel catalog do what the lessons say they do."""

import pytest
import torch

from conv_lessons import KERNELS, corr2d, diagonal_image, edge_image, get_kernel, kernel_names, sample_photo


def test_edge_image_is_the_chapters():
    X = edge_image()
    assert X.shape == (6, 8) and X.dtype == torch.float32
    assert X[0].tolist() == [1, 1, 0, 0, 0, 0, 1, 1]
    assert torch.equal(X, X[0].expand(6, 8))


def test_diagonal_image_has_one_step_per_row_and_column():
    X = diagonal_image(6)
    assert X.shape == (6, 6)
    assert torch.equal(X, torch.tril(torch.ones(6, 6)))
    steps = (X[:, :-1] != X[:, 1:]).sum(dim=1)
    assert steps[:-1].tolist() == [1] * 5  # the last row is all ones


def test_sample_photo_is_a_real_grayscale_photo_shipped_with_matplotlib():
    photo = sample_photo()
    assert photo.dim() == 2 and min(photo.shape) >= 256
    assert photo.dtype == torch.float32
    assert 0.0 <= float(photo.min()) and float(photo.max()) <= 1.0
    assert float(photo.std()) > 0.1  # a picture, not a flat field
    smaller = sample_photo(size=128)
    assert min(smaller.shape) == 128
    assert abs(smaller.shape[0] / smaller.shape[1] - photo.shape[0] / photo.shape[1]) < 0.02


def test_sample_photo_returns_a_copy():
    photo = sample_photo(64)
    photo.zero_()
    assert float(sample_photo(64).max()) > 0


def test_catalog_names_and_descriptions_match():
    assert list(KERNELS) == kernel_names()
    for name in ("chapter [[1, -1]]", "sobel x", "sobel y", "laplacian", "box blur", "gaussian blur", "sharpen",
                 "identity", "diagonal edge", "chapter [[1, -1]].T"):
        assert name in KERNELS


def test_get_kernel_returns_a_fresh_tensor():
    K = get_kernel("sobel x")
    K.zero_()
    assert get_kernel("sobel x").abs().sum() == 8


def test_chapter_kernel_and_transpose():
    assert get_kernel("chapter [[1, -1]]").tolist() == [[1.0, -1.0]]
    assert torch.equal(get_kernel("chapter [[1, -1]].T"), get_kernel("chapter [[1, -1]]").T)


@pytest.mark.parametrize("name", ["box blur", "gaussian blur", "sharpen", "identity"])
def test_smoothing_like_kernels_keep_a_flat_image_flat(name):
    flat = torch.full((5, 5), 0.25)
    torch.testing.assert_close(corr2d(flat, get_kernel(name)), torch.full((3, 3), 0.25))


def test_identity_crops():
    X = torch.arange(25.0).reshape(5, 5)
    assert torch.equal(corr2d(X, get_kernel("identity")), X[1:4, 1:4])


@pytest.mark.parametrize("name", ["laplacian", "sobel x", "sobel y", "chapter [[1, -1]]"])
def test_derivative_kernels_ignore_a_flat_image(name):
    assert corr2d(torch.full((5, 5), 3.0), get_kernel(name)).abs().max() == 0


def test_laplacian_is_zero_on_a_linear_ramp():
    ramp = torch.arange(6.0).expand(6, 6) + 2 * torch.arange(6.0)[:, None]
    assert corr2d(ramp, get_kernel("laplacian")).abs().max() == 0


def test_sobel_directions():
    vertical_edge = (torch.arange(6) >= 3).float().expand(6, 6)  # dark left, bright right
    assert corr2d(vertical_edge, get_kernel("sobel x")).max() == 4
    assert corr2d(vertical_edge, get_kernel("sobel y")).abs().max() == 0
    assert corr2d(vertical_edge.T, get_kernel("sobel y")).max() == 4


def test_diagonal_kernel_finds_the_diagonal_edge():
    Y = corr2d(diagonal_image(6), get_kernel("diagonal edge"))
    assert Y.min() == 0 and Y.max() == 1
    band = torch.ones(5, 5).triu().tril(1)  # the diagonal and the cells just above it
    assert torch.equal(Y, band)
    # the chapter's kernel and its transpose both respond along the diagonal too
    assert torch.count_nonzero(corr2d(diagonal_image(6), get_kernel("chapter [[1, -1]]"))) == 5


def test_public_names_are_the_functions_not_same_named_modules():
    import importlib

    import conv_lessons

    importlib.import_module("conv_lessons.receptive_field")  # a submodule import must not shadow the function
    from conv_lessons import receptive_field

    assert callable(receptive_field) and receptive_field([2, 2]) == 3
    for name in conv_lessons.__all__:
        assert not isinstance(getattr(conv_lessons, name), type(conv_lessons)), name
