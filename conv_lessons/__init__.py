"""conv_lessons: the code behind the "convolutions for images" lessons.

Every function a lesson notebook uses is importable from here, named as in *Dive into Deep
Learning* (``corr2d``, ``Conv2D``, ``X``, ``K``, ``lr``).  The interactive explorers live in
``conv_lessons.explorers``; the exercise self-checks in ``conv_lessons.checks``.
"""

from .correlation import convolve2d, corr2d, corr2d_fast, output_shape
from .effective_rf import effective_receptive_field, erf_by_depth, fit_sqrt_growth, learned_kernel
from .images import diagonal_image, edge_image, sample_photo
from .kernels import KERNELS, get_kernel, kernel_names
from .layers import Conv2D
from .matrix import conv_matrix, conv_matrix_counts, corr2d_matmul, im2col
from .padding import PADDING_MODES, conv_output_shape, conv_output_size, corr2d_padded, pad2d, padding_limit
from .receptive_field import feature_map_size, receptive_field, receptive_field_region
from .source import show_source
from .training import DivergenceWarning, learn_kernel, loss_hessian, stable_lr_limit

__version__ = "0.1.0"

__all__ = [
    "corr2d",
    "corr2d_fast",
    "convolve2d",
    "output_shape",
    "Conv2D",
    "learn_kernel",
    "stable_lr_limit",
    "loss_hessian",
    "DivergenceWarning",
    "receptive_field",
    "receptive_field_region",
    "feature_map_size",
    "edge_image",
    "diagonal_image",
    "sample_photo",
    "KERNELS",
    "get_kernel",
    "kernel_names",
    "show_source",
    "pad2d",
    "corr2d_padded",
    "conv_output_size",
    "conv_output_shape",
    "padding_limit",
    "PADDING_MODES",
    "conv_matrix",
    "corr2d_matmul",
    "im2col",
    "conv_matrix_counts",
    "effective_receptive_field",
    "erf_by_depth",
    "fit_sqrt_growth",
    "learned_kernel",
]
