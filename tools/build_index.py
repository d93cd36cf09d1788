"""Write notebooks/index.ipynb: the table of contents of the lessons (Markdown only)."""

from nbbuild import write_notebook

LESSONS = [
    ("01_cross_correlation.ipynb", "Cross-correlation",
     "the window that slides over an image (互相关), `corr2d` and its 19/25/37/43, the `Conv2D` layer (卷积层), "
     "and why a \"convolution\" layer computes a cross-correlation"),
    ("02_edge_detection.ipynb", "Edge detection",
     "the kernel [[1, −1]] finds vertical edges in a 6×8 image, its transpose finds horizontal ones; "
     "Sobel, blur and sharpen on a real photograph; padding (填充) and stride (步幅) as a preview"),
    ("03_learning_a_kernel.ipynb", "Learning a kernel",
     "gradient descent recovers [[1, −1]] from input and output alone; why lr = 0.03 works and 0.04 diverges; "
     "learning a 3×3 Sobel kernel from a photo"),
    ("04_feature_maps_and_receptive_fields.ipynb", "Feature maps and receptive fields",
     "a stack of feature maps (特征图), and how far one output can see (感受野): r = 1 + Σ (k − 1)·Π s"),
    ("05_convolution_as_matrix_multiplication.ipynb", "Convolution as matrix multiplication",
     "the sparse, weight-shared matrix behind every convolution, im2col, and why its transpose is the gradient"),
    ("06_effective_receptive_fields.ipynb", "Effective receptive fields",
     "the part of the receptive field that matters grows like √depth and looks Gaussian"),
]


def main() -> None:
    rows = "\n".join(f"{i}. [{title}]({name}): {summary}." for i, (name, title, summary) in enumerate(LESSONS, 1))
    solutions = ", ".join(f"[{name[:2]}](solutions/{name.replace('.ipynb', '_solutions.ipynb')})"
                          for name, _, _ in LESSONS)
    cells = [
        (
            "md",
            "# Convolutions for images: interactive lessons\n\n"
            "Lessons on the chapter *Convolutions for Images* (图像卷积) of *Dive into Deep Learning*. "
            "Read each lesson top to bottom and run its cells in order (Shift+Enter, or *Run → Run All Cells*). "
            "Every lesson has figures you can read without running anything, an **explorer** (sliders and "
            "menus: move them and watch the picture change) and exercises that check your own answers.",
        ),
        ("md", "## Lessons\n\n" + rows),
        (
            "md",
            "## How to use them\n\n"
            "- **Alone:** go through 01 → 06 in order; each lesson takes 20–40 minutes with its exercises.\n"
            "- **In class:** project a lesson, run it cell by cell, and use its explorer to ask \"what will "
            "happen if…?\" before moving a slider.\n"
            "- **Exercises:** replace the `...` in an exercise cell with your answer and run it; the check "
            "tells you whether it is right and, if not, what to look at — without giving the answer away. "
            "Worked solutions, one notebook per lesson: " + solutions + ".\n"
            "- Everything the lessons run is in the `conv_lessons` package; `show_source(...)` cells show "
            "its code, so what you read is what runs.",
        ),
    ]
    write_notebook(cells, "index.ipynb", id_prefix="index")


if __name__ == "__main__":
    main()
