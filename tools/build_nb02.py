"""Write notebooks/02_edge_detection.ipynb (unexecuted); then run tools/execute_notebooks.py on it.

Usage: python tools/build_nb02.py && python tools/execute_notebooks.py notebooks/02_edge_detection.ipynb
"""

from __future__ import annotations

from nbbuild import write_notebook

NAV = ("[Index](index.ipynb) · ← Previous: [01 Cross-correlation](01_cross_correlation.ipynb) · "
       "Next: [03 Learning a kernel](03_learning_a_kernel.ipynb) →")

CELLS: list[tuple[str, str]] = [
    ("md", NAV),
    ("md", "# 02 Edge detection"),
    ("md", """\
A kernel (卷积核) of just two numbers, `[[1, -1]]`, finds edges: places where the brightness changes.
This lesson applies it to the chapter's toy image, finds out which edges it sees and which it misses,
then moves to a real photograph and to other kernels (Sobel, Laplacian, blur, sharpen)."""),
    ("code", """\
%matplotlib inline
import torch

from conv_lessons import corr2d, corr2d_fast, diagonal_image, edge_image, sample_photo
from conv_lessons.checks import (check_blur_kernel, check_diagonal_edges, check_direction_kernel,
                                 check_min_kernel_size, check_second_derivative)
from conv_lessons.explorers import kernel_explorer
from conv_lessons.explorers.kernel import kernel_comparison_figure, kernel_figure
from conv_lessons.padding import conv_output_size

_ = torch.manual_seed(0)  # nothing here is random; seeded anyway, like every lesson"""),
    ("md", """\
## An image with two edges

The chapter's image is 6×8 pixels: 1 is white, 0 is black. Columns 2 to 5 form a black band, so
reading left to right there is a white→black edge between columns 1 and 2, and a black→white edge
between columns 5 and 6. (`edge_image()` builds it as `torch.ones((6, 8))` with `X[:, 2:6] = 0`.)"""),
    ("code", """\
X = edge_image()
X"""),
    ("md", """\
## The kernel K = [[1, −1]]

Cross-correlating with `K` computes, at every position, `Y[i, j] = x[i, j] − x[i, j+1]`: a pixel minus
its right-hand neighbour. That is a finite difference along the **width** axis. Where two neighbours
are equal it gives 0; at an edge it does not."""),
    ("code", """\
K = torch.tensor([[1.0, -1.0]])
Y = corr2d(X, K)
Y"""),
    ("md", """\
**1** marks the white→black edge (1 − 0) and **−1** the black→white edge (0 − 1); everything else is 0.
The output is 6×7: a 1×2 kernel fits 8 − 2 + 1 = 7 times across. On a colour map centred at zero
(blue −1, white 0, red +1) both edges show equally well. The orange box marks the first window:"""),
    ("code", 'kernel_figure("edge", K)'),
    ("md", """\
## K sees only vertical edges

Transpose the image: its edges are now horizontal, and `K`, which compares left and right neighbours,
finds nothing. The output is all zeros (8×5):"""),
    ("code", "corr2d(X.t(), K)"),
    ("md", """\
The transposed kernel `K.t()` = `[[1], [−1]]` compares each pixel with the one **below** it,
x[i, j] − x[i+1, j], so it finds the horizontal edges:"""),
    ("code", "corr2d(X.t(), K.t())"),
    ("code", """\
kernel_comparison_figure([
    ("X.T ⋆ K", X.t(), K),
    ("X.T ⋆ K.T", X.t(), K.t()),
])"""),
    ("md", """\
## Diagonal edges (the chapter's first exercise)

An image whose only edge is the diagonal: ones on and below it, zeros above. What do `K`, the
transposed image and the transposed kernel give?"""),
    ("code", """\
D = diagonal_image()
corr2d(D, K)"""),
    ("code", """\
kernel_comparison_figure([
    ("D ⋆ K", D, K),
    ("D.T ⋆ K", D.t(), K),
    ("D ⋆ K.T", D, K.t()),
])"""),
    ("md", """\
A diagonal edge is both a left-right change and a top-bottom change, so **both** `K` and `K.T` respond.
Every row of `D` steps from 1 to 0 once (white→black: +1 for `K`); `D.T` steps from 0 to 1 (−1);
`K.T` looks downwards, and every column of `D` steps from 0 to 1 going down (−1). The response is
a thin diagonal line, one pixel per row."""),
    ("md", """\
## A real photograph

The same kernel on a photograph (Grace Hopper, shipped with matplotlib), 225×192 pixels in [0, 1].
The signed output is red where a pixel is brighter than its right neighbour and blue where it is
darker: outlines that run up and down light up, outlines that run left to right stay faint."""),
    ("code", """\
photo = sample_photo(size=192)
print(photo.shape, corr2d_fast(photo, K).shape)"""),
    ("code", 'kernel_figure("photo", K)'),
    ("md", """\
`corr2d_fast` gives the same numbers as the loop of `corr2d`, without a Python loop over the 43 000
output positions. The **Sobel** kernel is a smoothed version of `K` (a difference across the window,
averaged over three rows, weighted 1-2-1), so edges are stronger and noise weaker:"""),
    ("code", 'kernel_figure("photo", "sobel x")'),
    ("md", """\
## Padding and stride: a preview of the next chapter

The output is smaller than the input: each axis loses k − 1 pixels. **Padding** (填充) adds p pixels on
every side first; **stride** (步幅) moves the window s pixels per step. Each axis of the output then has
⌊(n − k + 2p)/s⌋ + 1 elements. For n = 8 and a 3-wide kernel: no padding, padding 1, padding 1 with stride 2:"""),
    ("code", "conv_output_size(8, 3), conv_output_size(8, 3, padding=1), conv_output_size(8, 3, padding=1, stride=2)"),
    ("md", """\
Padding with zeros keeps the size but invents edges: at the border, the black padding sits next to
white pixels. Below, the Sobel kernel answers ±3 and ±4 in the first and last columns although the
image has no edge there. In the explorer, switch the padding to *replicate* or *reflect* and those
edges disappear."""),
    ("code", 'kernel_figure("edge", "sobel x", padding=1, mode="zeros")'),
    ("md", """\
## Explore

Choose an image and a kernel from the menu, then edit its values (numbers such as `-1`, `0.5` or `1/9`).
*display* shows the output **signed** (negative responses blue), as an **absolute value** (edge
strength in either direction) or **clipped to [0, 1]**, as it would look saved as an image. Clipping
loses every negative response: half of the edges. Padding and stride preview the next chapter;
the readout gives ⌊(n − k + 2p)/s⌋ + 1 for each axis."""),
    ("code", "# NBVAL_IGNORE_OUTPUT\nkernel_explorer()"),
    ("md", """\
## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to
look at, without giving the answer away. Worked solutions:
[02 Edge detection — solutions](solutions/02_edge_detection_solutions.ipynb)."""),
    ("md", """\
**Exercise 1.** Design a kernel that detects edges orthogonal to a direction v = (v_h, v_w): it should
respond where the brightness changes along v and give 0 where it changes only across v.

<details><summary>Hint</summary>

`K` takes a difference along the width, `K.T` along the height. A change along v is the directional
difference v_w·(width difference) + v_h·(height difference); put both in one 2×2 kernel. Check it on the
diagonal image in the explorer (with *transpose* on and off).
</details>"""),
    ("code", """\
K_v = ...  # your kernel for v = (1, 2) (1 down, 2 right): a 2-D tensor, e.g. torch.tensor([[a, b], [c, d]])
check_direction_kernel(K_v, v=(1, 2))"""),
    ("md", """\
**Exercise 2.** What does a kernel for the second derivative look like? What is its minimum size?

<details><summary>Hint</summary>

Take the difference of the differences: cross-correlating with `[[1, -1]]` twice is the same as once
with `[[1, -2, 1]]`. Count how many pixels along the axis that needs. The Laplacian preset does it
along both axes.
</details>"""),
    ("code", """\
K_2 = ...  # your second-derivative kernel: a 2-D tensor such as torch.tensor([[a, b, c]])
size_2 = ...  # a whole number: the fewest pixels along the axis that a second derivative needs
check_second_derivative(K_2)
check_min_kernel_size(size_2, order=2)"""),
    ("md", """\
**Exercise 3.** Design a kernel that blurs an image (the chapter asks for an integral: a sum over a
neighbourhood). What must its weights add up to so that a flat grey area keeps its brightness?

<details><summary>Hint</summary>

Average the window: every weight equal, all adding up to 1 (in a 3×3 window, `1/9` each). Compare the
*box blur* and *gaussian blur* presets on the photo.
</details>"""),
    ("code", """\
K_blur = ...  # your blur kernel: a 2-D tensor such as torch.tensor([[a, b, c], [d, e, f], [g, h, i]])
check_blur_kernel(K_blur)"""),
    ("md", """\
**Exercise 4.** What is the minimum size of a kernel that computes a derivative of order d?

<details><summary>Hint</summary>

The first derivative needs 2 pixels (`[[1, -1]]`), the second 3 (`[[1, -2, 1]]`). Each further
difference adds one pixel.
</details>"""),
    ("code", """\
def min_size(d):
    ...  # return a whole number: the minimum kernel size for a derivative of order d


check_min_kernel_size(min_size)  # tries d = 1 … 8"""),
    ("md", """\
**Exercise 5.** The chapter's first exercise, on paper: take the 4×4 image with a diagonal edge,
`X4 = diagonal_image(4)` (ones on and below the diagonal, zeros above). Without running `corr2d`, write
down `corr2d(X4, K)`, `corr2d(X4.T, K)` and `corr2d(X4, K.T)`.

<details><summary>Hint</summary>

Start with the shapes: (n_h − k_h + 1) × (n_w − k_w + 1). `K` computes x[i, j] − x[i, j+1] (left minus
right), `K.T` computes x[i, j] − x[i+1, j] (top minus bottom). Write `X4` and `X4.T` out first, then go
row by row. The 8×8 version is in the section *Diagonal edges* above.
</details>"""),
    ("code", """\
X4 = diagonal_image(4)
Y_K = ...  # your prediction of corr2d(X4, K): a 2-D tensor such as torch.tensor([[...], [...]])
Y_XT = ...  # your prediction of corr2d(X4.T, K), a 2-D tensor
Y_KT = ...  # your prediction of corr2d(X4, K.T), a 2-D tensor
check_diagonal_edges(Y_K, case="K", X=X4)
check_diagonal_edges(Y_XT, case="X.T", X=X4)
check_diagonal_edges(Y_KT, case="K.T", X=X4)"""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "02_edge_detection.ipynb", id_prefix="nb02")


if __name__ == "__main__":
    main()
