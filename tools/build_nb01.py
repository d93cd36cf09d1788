"""Write notebooks/01_cross_correlation.ipynb (unexecuted); then run tools/execute_notebooks.py on it.

Usage: python tools/build_nb01.py && python tools/execute_notebooks.py notebooks/01_cross_correlation.ipynb
"""

from __future__ import annotations

from nbbuild import write_notebook

NAV = "[Index](index.ipynb) · Next: [02 Edge detection](02_edge_detection.ipynb) →"

CELLS: list[tuple[str, str]] = [
    ("md", NAV),
    ("md", "# 01 Cross-correlation"),
    ("md", """\
A convolutional layer slides a small grid of weights, the **kernel** (卷积核), over an image and
computes one number per position. This lesson takes that operation apart: the sliding window, the
sum of products, the shape of the result, the layer built on it, and why deep-learning libraries
call it a convolution although it is a **cross-correlation** (互相关)."""),
    ("code", """\
%matplotlib inline
import torch
import torch.nn.functional as F

from conv_lessons import Conv2D, convolve2d, corr2d, output_shape
from conv_lessons.checks import (check_conv2d_autograd, check_corr2d_matmul, check_kernel_shape, check_output_shape,
                                 check_same_as_convolution)
from conv_lessons.explorers import correlation_explorer
from conv_lessons.explorers.correlation import correlation_figure, correlation_vs_convolution_figure
from conv_lessons.source import show_source

_ = torch.manual_seed(0)  # Conv2D starts from random weights: the same ones on every run"""),
    ("md", """\
## The sliding window

Place the kernel on the top-left corner of the input. Multiply each kernel weight by the input value
under it (**elementwise product**) and add the products up: that **sum** is the first output element.
Then move the window one step right; at the end of a row, go back to the left and one step down.
The window moves left→right, top→bottom, and visits every position where it fits inside the input."""),
    ("code", "correlation_figure(position=0)"),
    ("md", """\
The orange window covers 0, 1, 3 and 4; the small orange numbers are the kernel weights they are
multiplied by. The sum 0×0 + 1×1 + 3×2 + 4×3 = 19 becomes `Y[0, 0]`; the grey output cells are
not computed yet. At the last position the window covers 4, 5, 7, 8:"""),
    ("code", "correlation_figure(position=3)"),
    ("md", """\
## The output shape

A window of k_h × k_w cells fits in n_h − k_h + 1 vertical and n_w − k_w + 1 horizontal positions, so the
output has shape

**(n_h − k_h + 1) × (n_w − k_w + 1)**.

The output is smaller than the input. For a 3×3 input and a 2×2 kernel it is (3 − 2 + 1) × (3 − 2 + 1) = 2 × 2:"""),
    ("code", "output_shape((3, 3), (2, 2))"),
    ("md", """\
## `corr2d`: the chapter's loop

This is the package's `corr2d`, the loop from the chapter: one output element per iteration, each the
sum of the elementwise product of the kernel with one window."""),
    ("code", "show_source(corr2d)"),
    ("md", "Run it on the chapter's input `X` and kernel `K`:"),
    ("code", """\
X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
corr2d(X, K)"""),
    ("md", """\
## The convolutional layer (卷积层)

A **convolutional layer** cross-correlates its input with a kernel and adds a scalar **bias**. Both
are parameters, learned from data. Its output is also called a **feature map** (特征图). Here is the
chapter's `Conv2D`, as the package defines it:"""),
    ("code", "show_source(Conv2D)"),
    ("md", "A new layer starts with random weights (`torch.rand`) and a bias of zero:"),
    ("code", """\
conv = Conv2D(kernel_size=(2, 2))
conv.weight, conv.bias"""),
    ("md", "Give it the chapter's kernel and a bias of 1: the output is `corr2d(X, K) + 1`."),
    ("code", """\
with torch.no_grad():
    conv.weight.copy_(K)
    conv.bias.fill_(1.0)
Y = conv(X)
Y"""),
    ("md", """\
Training needs gradients. `backward()` fills `weight.grad` and `bias.grad`. For the loss `Y.sum()`,
each weight's gradient is the sum of the four input values it was multiplied by (weight `K[0, 0]`
met 0, 1, 3 and 4: gradient 8), and the bias, added to all four outputs, gets 4."""),
    ("code", """\
Y.sum().backward()
conv.weight.grad, conv.bias.grad"""),
    ("md", """\
## Explore

Press ▶ (or drag *position*) to slide the window. The input window, the kernel and the output cell
light up together, and the line under the picture writes out the sum. Change the input and kernel
sizes and watch the output shape (n_h − k_h + 1) × (n_w − k_w + 1). Make the kernel larger than the
input: there is no position where it fits."""),
    ("code", "# NBVAL_IGNORE_OUTPUT\ncorrelation_explorer()"),
    ("md", """\
## Cross-correlation vs convolution (卷积)

In mathematics, a **convolution** flips the kernel in both axes (rotates it by 180°) before sliding it.
Without the flip, the operation is a cross-correlation. Same input, same kernel, different sums:"""),
    ("code", "correlation_vs_convolution_figure()"),
    ("md", """\
PyTorch's `torch.nn.functional.conv2d`, the function behind `nn.Conv2d`, computes a
**cross-correlation**: it equals `corr2d`. A true convolution (`convolve2d`) equals `corr2d` with the
flipped kernel."""),
    ("code", """\
torch_Y = F.conv2d(X.reshape(1, 1, 3, 3), K.reshape(1, 1, 2, 2)).reshape(2, 2)
print(torch_Y)
print("F.conv2d equals corr2d:", torch.equal(torch_Y, corr2d(X, K)))
print("convolve2d equals corr2d with the flipped kernel:",
      torch.equal(convolve2d(X, K), corr2d(X, torch.flip(K, dims=(0, 1)))))"""),
    ("md", """\
For learning it makes no difference: a layer that learns its kernel from data learns the flipped
kernel if it is a convolution and the kernel itself if it is a cross-correlation, and the outputs are
the same. So deep learning keeps the name "convolution" for what is computed as a cross-correlation."""),
    ("md", """\
## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to
look at, without giving the answer away. Worked solutions:
[01 Cross-correlation — solutions](solutions/01_cross_correlation_solutions.ipynb)."""),
    ("md", """\
**Exercise 1.** Write the cross-correlation of the 3×3 input `X` with the 2×2 kernel `K` as one
matrix multiplication: find a 4×9 matrix `W` such that `W @ X.reshape(-1)` equals `corr2d(X, K).reshape(-1)`.
Then write a function `my_corr2d_matmul(X, K)` that builds such a matrix for any input and kernel shape
and returns the output.

<details><summary>Hint</summary>

Each row of `W` computes one output element. It holds the four kernel weights at the positions (in the
flattened input) of that output's window, and zeros elsewhere. Row 0 has `K[0, 0]`, `K[0, 1]` at columns
0, 1 and `K[1, 0]`, `K[1, 1]` at columns 3, 4. For the function: weight `K[p, q]` of the window of output
(i, j) goes to row `i * out_w + j` and column `(i + p) * n_w + (j + q)`.
</details>"""),
    ("code", """\
W = ...  # your 4×9 matrix, a 2-D tensor: torch.tensor([[...], ...]) with one row per output element
check_corr2d_matmul(W)  # for the 3×3 X and the 2×2 K above"""),
    ("code", """\
def my_corr2d_matmul(X, K):
    ...  # your code: build W for X.shape and K.shape, return (W @ X.reshape(-1)) reshaped to the output


check_corr2d_matmul(my_corr2d_matmul)  # tries your function on eight shapes"""),
    ("md", """\
**Exercise 2.** What happens when you differentiate through the hand-written `Conv2D`? Its `corr2d`
writes the output one element at a time (`Y[i, j] = ...`). Does `backward()` work, and are the
gradients right? (Older texts report an error here; check what the installed PyTorch does.)

<details><summary>Hint</summary>

Run `conv(X).sum().backward()` on a fresh layer and compare `conv.weight.grad` with the gradient of
`F.conv2d(X.reshape(1, 1, 3, 3), w.reshape(1, 1, 2, 2)).sum()` for a copy `w` of the weight that
requires grad. In-place writes into a tensor are recorded by autograd.
</details>"""),
    ("code", """\
# What does the installed PyTorch do? One of:
#   "a": backward() raises a RuntimeError about an in-place operation
#   "b": backward() works: conv.weight.grad and conv.bias.grad hold the right gradients
#   "c": backward() runs, but conv.weight.grad stays None
#   "d": backward() runs, but the gradients are all zero
observed = ...  # a string: "a", "b", "c" or "d"
check_conv2d_autograd(observed)"""),
    ("md", """\
**Exercise 3.** The chapter's edge image is 6×8. What is the output shape for a 1×2 kernel? For a 3×3
kernel? Which kernel shapes give a 1×1 output?

<details><summary>Hint</summary>

Use (n_h − k_h + 1) × (n_w − k_w + 1), then check with the size sliders of the explorer.
</details>"""),
    ("code", """\
shape_1x2 = ...  # a (rows, columns) pair: the output shape for the 6×8 image and a 1×2 kernel
shape_3x3 = ...  # a (rows, columns) pair: the same for a 3×3 kernel
kernel_1x1 = ...  # a (rows, columns) pair: the kernel shape that gives a 1×1 output
check_output_shape(shape_1x2, input_shape=(6, 8), kernel_shape=(1, 2))
check_output_shape(shape_3x3, input_shape=(6, 8), kernel_shape=(3, 3))
check_kernel_shape(kernel_1x1, input_shape=(6, 8), out_shape=(1, 1))"""),
    ("md", """\
**Exercise 4.** For which kernels do cross-correlation and convolution give the same output, for every input?

<details><summary>Hint</summary>

Convolution is cross-correlation with `torch.flip(K, dims=(0, 1))`. When is the flipped kernel the same
as the kernel? Try `[[1, 2, 1]]` and `[[1, -1]]`.
</details>"""),
    ("code", """\
def same_output(K):
    ...  # return True if corr2d(X, K) equals convolve2d(X, K) for every input X, else False


check_same_as_convolution(same_output)  # tries your function on 18 kernels"""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "01_cross_correlation.ipynb", id_prefix="nb01")


if __name__ == "__main__":
    main()
