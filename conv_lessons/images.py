"""The images the lessons work on: the chapter's toy pictures and one real photograph."""

from __future__ import annotations

import functools

import numpy as np
import torch

from .i18n import text
from .validation import as_positive_int, check_memory, message

__all__ = ["edge_image", "diagonal_image", "sample_photo"]


def edge_image() -> torch.Tensor:
    """The chapter's 6×8 image: ones (white) with a black band of zeros in columns 2–5.

    Reading left to right, column 1→2 is a white→black edge and column 5→6 black→white.
    """
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    return X


def diagonal_image(size: int = 8) -> torch.Tensor:
    """A ``size``×``size`` image whose only edge is the diagonal (the chapter's first exercise).

    Ones on and below the main diagonal, zeros above it, so every row and every column contains
    exactly one step from 0 to 1.
    """
    size = as_positive_int(size, "size")
    if size < 2:
        raise ValueError(message("size", text("images.diagonal_size"), str(size)))
    check_memory("size", repr(size), 4 * size * size, text("images.diagonal_what", shape=f"{size}×{size}"),
                 text("images.smaller_size"))
    return torch.tril(torch.ones((size, size)))


#: The photograph's (height, width) at full size.
PHOTO_SHAPE = (600, 512)


def _photo_shape(size: int) -> tuple[int, int]:
    """(height, width) of the photo resized so that its shorter side is ``size`` (as PIL rounds it)."""
    height, width = PHOTO_SHAPE
    scale = size / min(width, height)
    return round(height * scale), round(width * scale)


@functools.lru_cache(maxsize=4)
def _photo(size: int | None) -> torch.Tensor:
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as handle:  # ships inside matplotlib
        image = Image.open(handle).convert("L")
        image.load()
    if size is not None:
        width, height = image.size
        scale = size / min(width, height)
        image = image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
    pixels = np.array(image, dtype=np.float32)  # a fresh, writable array: no other copy is made
    pixels /= 255.0
    return torch.from_numpy(pixels)


def sample_photo(size: int | None = None) -> torch.Tensor:
    """A real photograph (Grace Hopper, shipped with matplotlib) as a grayscale 2-D tensor.

    Values are floats in [0, 1] (0 black, 1 white).  At full size it is 600×512 (height×width);
    ``size`` resizes it so the shorter side is ``size`` pixels.  Nothing is downloaded.
    """
    if size is not None:
        size = as_positive_int(size, "size")
        if size < 8:
            raise ValueError(message("size", text("images.photo_size"), str(size)))
        height, width = _photo_shape(size)
        check_memory("size", repr(size), 4 * height * width, text("images.photo_what", shape=f"{height}×{width}"),
                     text("images.photo_fix", shape=f"{PHOTO_SHAPE[0]}×{PHOTO_SHAPE[1]}", largest=min(PHOTO_SHAPE)))
    return _photo(size).clone()
