"""The lessons in reading order: one record per lesson, the single source of every lesson list.

The prev/next line at the top and bottom of each lesson and solutions notebook, and the index's
table of lessons (with each lesson's core and full time), are written from ``LESSONS`` by
``tools/add_navigation.py`` (``make sync`` runs it); ``tests/test_navigation.py`` fails when a
notebook's navigation disagrees with this list, or when the index's 90-minute class plan disagrees
with the core times.  To add, rename or reorder a lesson, or to change a time, edit ``LESSONS`` and
run ``make sync``.

The times are estimates from each lesson's text: technical reading at about 150 words a minute,
0.3 minute per code cell run, 3–5 minutes of play per explorer, 1 minute per static figure, about
3 minutes per "Check yourself" cell, and 4–8 minutes per exercise (10–15 for one marked harder).
The **core** is everything before the lesson's "Going deeper" heading; **full** adds the going-deeper
sections and every exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CLASS_MINUTES", "INDEX", "LESSONS", "Lesson"]

#: File stem of the index (``lessons/index.md`` ↔ ``notebooks/index.ipynb``).
INDEX = "index"

#: The length of the class the index plans: the cores of lessons 01–04 in one class period.
CLASS_MINUTES = 90


@dataclass(frozen=True)
class Lesson:
    """One lesson: its file stem (``01_cross_correlation``), its title, a one-line summary, and the
    minutes a learner needs for its core and for all of it (estimates, see the module's docstring).

    The stem names the MyST source ``lessons/<stem>.md``, the notebook ``notebooks/<stem>.ipynb``
    and the solutions ``…/solutions/<stem>_solutions…``; it starts with the lesson's two-digit number.
    """

    stem: str
    title: str
    summary: str
    core_minutes: int
    full_minutes: int
    #: The Chinese edition's title and summary (d2l-zh's terms).
    title_zh: str = ""
    summary_zh: str = ""

    def title_in(self, language: str) -> str:
        """The title in ``language`` ("en" or "zh")."""
        return self.title_zh if language == "zh" else self.title

    def summary_in(self, language: str) -> str:
        """The one-line summary in ``language`` ("en" or "zh")."""
        return self.summary_zh if language == "zh" else self.summary

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
           "(卷积层), and why a \"convolution\" layer computes a cross-correlation",
           core_minutes=20, full_minutes=50,
           title_zh="互相关运算",
           summary_zh=("在图像上滑动的窗口（互相关运算），`corr2d` 和它的 19/25/37/43，"
                       "`Conv2D` 卷积层，以及为什么“卷积”层算的其实是互相关")),
    Lesson("02_edge_detection", "Edge detection",
           "The kernel [[1, −1]] finds vertical edges in a 6×8 image, its transpose finds horizontal ones; "
           "Sobel, blur and sharpen on a real photograph; padding (填充) and stride (步幅) as a preview",
           core_minutes=20, full_minutes=60,
           title_zh="边缘检测",
           summary_zh=("卷积核 [[1, −1]] 找出 6×8 图像中的垂直边缘，"
                       "它的转置找出水平边缘；在真实照片上试 Sobel、模糊和锐化；预习填充和步幅")),
    Lesson("03_learning_a_kernel", "Learning a kernel",
           "Gradient descent recovers [[1, −1]] from input and output alone; why lr = 0.03 works and 0.04 "
           "diverges; learning a 3×3 Sobel kernel from a photo",
           core_minutes=20, full_minutes=80,
           title_zh="学习卷积核",
           summary_zh=("只看输入和输出，梯度下降就能学回 [[1, −1]]；"
                       "为什么学习率 0.03 收敛而 0.04 发散；"
                       "从照片中学习 3×3 的 Sobel 卷积核")),
    Lesson("04_feature_maps_and_receptive_fields", "Feature maps and receptive fields",
           "Feature maps (特征映射) of a photo, which input pixels one output sees (感受野), and why deeper "
           "layers see further; going deeper: how strides and dilation widen the view",
           core_minutes=20, full_minutes=70,
           title_zh="特征映射和感受野",
           summary_zh=("照片的特征映射，一个输出能看到哪些输入像素（感受野），"
                       "为什么更深的层看得更远；深入：步幅和膨胀如何扩大视野")),
    Lesson("05_convolution_as_matrix_multiplication", "Convolution as matrix multiplication",
           "The sparse, weight-shared matrix behind every convolution, im2col, and why its transpose is the "
           "gradient",
           core_minutes=15, full_minutes=65,
           title_zh="卷积即矩阵乘法",
           summary_zh=("每个卷积背后那个稀疏、权重共享的矩阵，"
                       "im2col，以及为什么它的转置给出梯度")),
    Lesson("06_effective_receptive_fields", "Effective receptive fields",
           "The part of the receptive field that matters (有效感受野) grows like √depth and looks Gaussian",
           core_minutes=15, full_minutes=45,
           title_zh="有效感受野",
           summary_zh=("感受野中真正起作用的部分（有效感受野）按 √深度 增长，形状接近高斯分布")),
)
