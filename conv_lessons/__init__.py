"""conv_lessons: the code behind the "convolutions for images" lessons.

Every function a lesson notebook uses is importable from here, named as in *Dive into Deep
Learning* (``corr2d``, ``Conv2D``, ``X``, ``K``, ``lr``).  The interactive explorers live in
``conv_lessons.explorers``.
"""

from .correlation import convolve2d, corr2d, corr2d_fast, output_shape
from .images import diagonal_image, edge_image, sample_photo
from .kernels import KERNELS, get_kernel, kernel_names
from .layers import Conv2D
from .receptive_field import feature_map_size, receptive_field, receptive_field_region
from .training import DivergenceWarning, learn_kernel, stable_lr_limit

__all__ = [
    "corr2d",
    "corr2d_fast",
    "convolve2d",
    "output_shape",
    "Conv2D",
    "learn_kernel",
    "stable_lr_limit",
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
]

__version__ = "0.1.0"
