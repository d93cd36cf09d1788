"""The lessons in reading order: one record per lesson, the single source of every lesson list.

The prev/next line at the top and bottom of each lesson and solutions notebook, and the index's
table of lessons, are written from ``LESSONS`` by ``tools/add_navigation.py`` (``make sync`` runs
it); ``tests/test_navigation.py`` fails when a notebook's navigation disagrees with this list.  To
add, rename or reorder a lesson, edit ``LESSONS`` and run ``make sync``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INDEX", "LESSONS", "Lesson"]

#: File stem of the index (``lessons/index.md`` ↔ ``notebooks/index.ipynb``).
INDEX = "index"


@dataclass(frozen=True)
class Lesson:
    """One lesson: its file stem (``01_cross_correlation``), its title and a one-line summary.

    The stem names the MyST source ``lessons/<stem>.md``, the notebook ``notebooks/<stem>.ipynb``
    and the solutions ``…/solutions/<stem>_solutions…``; it starts with the lesson's two-digit number.
    """

    stem: str
    title: str
    summary: str

    @property
    def number(self) -> str:
        """The two-digit lesson number, ``"01"`` for ``01_cross_correlation``."""
        return self.stem[:2]

    @property
    def notebook(self) -> str:
        """The lesson's notebook file name, relative to the notebooks folder."""
        return f"{self.stem}.ipynb"

    @property
    def solutions(self) -> str:
        """The solutions notebook, relative to the notebooks folder."""
        return f"solutions/{self.stem}_solutions.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson("01_cross_correlation", "Cross-correlation",
           "The window that slides over an image (互相关), `corr2d` and its 19/25/37/43, the `Conv2D` layer "
           "(卷积层), and why a \"convolution\" layer computes a cross-correlation"),
    Lesson("02_edge_detection", "Edge detection",
           "The kernel [[1, −1]] finds vertical edges in a 6×8 image, its transpose finds horizontal ones; "
           "Sobel, blur and sharpen on a real photograph; padding (填充) and stride (步幅) as a preview"),
    Lesson("03_learning_a_kernel", "Learning a kernel",
           "Gradient descent recovers [[1, −1]] from input and output alone; why lr = 0.03 works and 0.04 "
           "diverges; learning a 3×3 Sobel kernel from a photo"),
    Lesson("04_feature_maps_and_receptive_fields", "Feature maps and receptive fields",
           "A stack of feature maps (特征图), and how far one output can see (感受野): r = 1 + Σ (k − 1)·Π s"),
    Lesson("05_convolution_as_matrix_multiplication", "Convolution as matrix multiplication",
           "The sparse, weight-shared matrix behind every convolution, im2col, and why its transpose is the "
           "gradient"),
    Lesson("06_effective_receptive_fields", "Effective receptive fields",
           "The part of the receptive field that matters grows like √depth and looks Gaussian"),
)

