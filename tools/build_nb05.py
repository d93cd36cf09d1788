"""Write notebooks/05_convolution_as_matrix_multiplication.ipynb (unexecuted); run
tools/execute_notebooks.py on it next."""


from nbbuild import write_notebook

NAV = ("[Index](index.ipynb) · ← Previous: [04 Feature maps and receptive fields]"
       "(04_feature_maps_and_receptive_fields.ipynb) · "
       "Next: [06 Effective receptive fields](06_effective_receptive_fields.ipynb) →")

CELLS = [
    ("md", NAV),
    ("md", "# 05 Convolution as matrix multiplication"),
    ("md", """A convolutional layer (卷积层) computes a cross-correlation (互相关): every output is a weighted sum \
of input pixels. A function made of weighted sums is *linear*, and every linear function of a vector is a matrix. \
So flatten the input X into a vector, and there is one matrix W with

**corr2d(X, K).flatten() = W @ X.flatten()**

This lesson builds W, looks at it (mostly zeros; the same few weights over and over), meets the form libraries \
actually compute (im2col), and uses W's transpose to see how a convolution sends gradients back. It answers \
the chapter's last exercise: how to write cross-correlation as a matrix multiplication."""),
    ("code", """%matplotlib inline
import torch
import torch.nn.functional as F

from conv_lessons import corr2d, corr2d_fast, get_kernel, sample_photo
from conv_lessons.checks import check_conv_matrix_nonzeros, check_corr2d_matmul, check_input_gradient
from conv_lessons.explorers.matmul import conv_matrix_figure, im2col_figure, matmul_explorer, matmul_figure
from conv_lessons.matrix import conv_matrix, conv_matrix_counts, corr2d_matmul, im2col, window_indices
from conv_lessons.source import show_source

_ = torch.manual_seed(0)  # the random test shapes below are the same on every run"""),
    ("md", """## The matrix W

The chapter's 3×3 input X and 2×2 kernel (卷积核) K. `X.flatten()` reads X row by row: 9 numbers, pixel p is \
X[p // 3, p % 3]. The output has 2×2 = 4 numbers, so W has 4 rows (one per output pixel) and 9 columns (one per \
input pixel)."""),
    ("code", """X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
W = conv_matrix(X.shape, K)
print(W)"""),
    ("md", """Row 0 is output Y[0, 0]. Its window covers pixels 0, 1 (top row) and 3, 4 (next row), so those columns \
hold K's weights 0, 1, 2, 3 and every other entry is 0. Row 1 is the same window one pixel to the right: the same \
weights, shifted one column."""),
    ("code", """print(W @ X.flatten())
print(corr2d(X, K).flatten())
print(corr2d_matmul(X, K))"""),
    ("md", """The same [[19, 25], [37, 43]] as lesson 01. To build W, the package first lists, for each output \
pixel (row of W), the input pixel under each kernel weight; row r, entry p·k_w + q is the pixel that weight \
K[p, q] multiplies:"""),
    ("code", "window_indices(X.shape, K.shape)"),
    ("md", "…and then puts the weights in those places:"),
    ("code", "show_source(conv_matrix)"),
    ("md", """## A picture of W

A 4×4 input gives a 9×16 W. Each kernel weight has its own colour; white cells are zeros that no weight ever \
reaches. Thick lines separate the image rows: a block of columns is one row of X, a block of rows is one row of \
Y."""),
    ("code", "conv_matrix_figure((4, 4), K)"),
    ("md", """Three things to see:

* **Mostly zeros.** 36 of the 144 entries can be non-zero: a row only touches its own window.
* **The same four numbers everywhere.** Down a block, each row is the row above shifted one column to the right: \
every weight runs along a diagonal. At the end of an image row the window jumps to the next line, so the pattern \
jumps too. (A matrix made of such shifted blocks is called *doubly block Toeplitz*.)
* **K[0, 0] = 0 is still a weight.** Its cells say "0" in its colour: training could change it. The white cells \
are zeros by construction."""),
    ("md", """## Equal to corr2d for any shapes

Not just square inputs and square kernels: random inputs and kernels of several shapes, including 1×N and N×1 \
kernels (the tests check hundreds more)."""),
    ("code", """for x_shape, k_shape in [((6, 8), (1, 2)), ((5, 4), (3, 1)), ((7, 7), (3, 3)), ((4, 9), (4, 2))]:
    Xr, Kr = torch.randn(x_shape), torch.randn(k_shape)
    same = torch.allclose(corr2d_matmul(Xr, Kr), corr2d(Xr, Kr), atol=1e-5)
    print(f"X {x_shape}, K {k_shape}: W is {tuple(conv_matrix(x_shape, Kr).shape)}, equal to corr2d: {same}")"""),
    ("md", """## Sparse, and sharing its weights

A fully connected layer between the same input and output would have a separate weight in every entry of W. \
The convolution has k_h·k_w distinct weights, each used once per row (once per output pixel): **weight \
sharing**. Everything else is zero: **sparsity**."""),
    ("code", """for x_shape, k_shape in [((3, 3), (2, 2)), ((28, 28), (5, 5)), ((225, 192), (3, 3))]:
    c = conv_matrix_counts(x_shape, k_shape)
    print(f"input {x_shape}, kernel {k_shape}: W is {c.rows}×{c.columns} = {c.entries:,} entries, "
          f"{c.zero_fraction:.2%} zeros, {c.distinct_weights} distinct weights, "
          f"each used {c.uses_per_weight:,} times")"""),
    ("md", """For the 225×192 photo of lesson 04, W would hold 1.8 billion entries (7.3 GB as float32) to store nine \
numbers. Nobody builds it."""),
    ("md", """## im2col: windows as columns

What libraries do instead is turn the problem around: keep the kernel small and unfold the *input*. \
`im2col(X, K.shape)` copies each window of X into a column, so the whole cross-correlation is one row vector \
(the flattened kernel) times one matrix."""),
    ("code", """columns = im2col(X, K.shape)
print(columns)
print(K.flatten() @ columns)"""),
    ("code", "im2col_figure(X, K)"),
    ("md", """PyTorch's `torch.nn.functional.unfold` does exactly this (with a batch and a channel axis), and it is \
how many convolution routines turn the work into one fast matrix product (GEMM)."""),
    ("code", """print(torch.equal(columns, F.unfold(X[None, None], K.shape)[0]))
photo = sample_photo(192)
sobel = get_kernel("sobel x")
photo_columns = im2col(photo, sobel.shape)
Y = (sobel.flatten() @ photo_columns).reshape(223, 190)
print(tuple(photo_columns.shape), torch.allclose(Y, corr2d_fast(photo, sobel), atol=1e-5))"""),
    ("md", """The price: each pixel is copied into up to k_h·k_w columns (9×, here), but 9 × 42,370 numbers is far \
less than 1.8 billion."""),
    ("md", """## The transpose sends the gradient back

If Y = W x, then for a loss ℓ, ∂ℓ/∂x = Wᵀ (∂ℓ/∂Y): the same matrix, transposed. Check it against autograd with \
the chapter's X and K and an upstream gradient G (what ∂ℓ/∂Y would be)."""),
    ("code", """X.requires_grad_(True)
G = torch.tensor([[1.0, -1.0], [2.0, 0.5]])
(corr2d(X, K) * G).sum().backward()  # a loss whose gradient with respect to Y is G
print(X.grad)
print((W.T @ G.flatten()).reshape(3, 3))
print("equal:", torch.allclose(X.grad, (W.T @ G.flatten()).reshape(3, 3)))"""),
    ("md", """Read Wᵀ row by row: input pixel p collects, from every window it is part of, the weight it was \
multiplied by, times that window's G. Pixel 4 (the centre) is in all four windows: 3·1 + 2·(−1) + 1·2 + 0·0.5 = 3. \
That is again a sliding-window sum — a *full* convolution of G with K (exercise 4). Deep-learning libraries call \
it a **transposed convolution**, and use it both for the backward pass and to make feature maps larger."""),
    ("md", """## Explorer

Change the input and kernel sizes and watch W: its size grows with the *square* of the input side, but the \
number of distinct weights only with the kernel. The readout counts the zeros and the shared weights. Move \
*row of W*: the outlined row of W is the outlined window of X and the outlined pixel of Y. Try a 1×1 kernel (W \
is the identity), a kernel as large as the input (W is one row), and a 1×2 kernel on a 3×8 input."""),
    ("code", "# NBVAL_IGNORE_OUTPUT\nmatmul_explorer()"),
    ("md", "The explorer's picture for a 5×5 input and a 3×3 kernel, with row 6 (output pixel (2, 0)) outlined:"),
    ("code", "matmul_figure((5, 5), (3, 3), row=6)"),
    ("md", """## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to \
look at, without giving the answer away. Worked solutions: \
[05 Convolution as matrix multiplication — solutions](solutions/05_convolution_as_matrix_multiplication_solutions.ipynb)."""),
    ("md", """**Exercise 1.** Write down by hand the matrix W for a 2×3 input and the chapter's edge kernel \
K = [[1, −1]], so that W @ X.flatten() == corr2d(X, K).flatten().

*Hint:* how many output pixels are there, and how many input pixels? Each row has one 1 and one −1, in the \
columns of the two pixels its window covers."""),
    ("code", """W_hand = ...  # your matrix, e.g. torch.tensor([[...], [...], ...])
check_corr2d_matmul(W_hand, input_shape=(2, 3), K=[[1, -1]])"""),
    ("md", """**Exercise 2.** Write your own `my_corr2d_matmul(X, K)` that computes corr2d with one matrix product \
(build W with loops, or unfold the windows into columns); the check tries it on eight shapes.

*Hint:* for im2col, the window of output (i, j) is X[i:i + k_h, j:j + k_w]; flatten each window into a column \
with `torch.stack([...], dim=1)`, multiply by K.flatten(), reshape to (n_h − k_h + 1, n_w − k_w + 1)."""),
    ("code", """def my_corr2d_matmul(X, K):
    ...  # your code


check_corr2d_matmul(my_corr2d_matmul)"""),
    ("md", """**Exercise 3.** For a 28×28 image (the size of MNIST digits) and a 5×5 kernel, how many entries of W \
can be non-zero? Compare with a fully connected layer between the same input and output.

*Hint:* one row per output pixel; how many weights in each row? Try it in the explorer on a smaller case first."""),
    ("code", """nonzeros = ...  # a number
check_conv_matrix_nonzeros(nonzeros)"""),
    ("md", """**Exercise 4.** Without building W, write `input_gradient(G, K)` returning Wᵀ @ G.flatten() reshaped \
to X's shape, from a gradient G of the output's shape.

*Hint:* pad G with k_h − 1 rows of zeros above and below and k_w − 1 columns left and right \
(`F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1))`), then slide a window: cross-correlate with K flipped in both \
axes (that is `convolve2d`). Compare with `X.grad` above."""),
    ("code", """def input_gradient(G, K):
    ...  # your code


check_input_gradient(input_gradient)"""),
    ("md", """**Exercise 5.** With stride (步幅) 2, the window jumps two pixels at a time. Which rows of W remain? \
And with zero padding (填充) of 1, what happens to W's columns?

*Hint:* stride keeps every other output pixel, i.e. a subset of W's rows. Padding adds input pixels that are always \
0: their columns multiply zeros, so they can be dropped, while new rows appear for the windows that now overlap \
the border. The next section of the book covers both."""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "05_convolution_as_matrix_multiplication.ipynb", id_prefix="nb05")


if __name__ == "__main__":
    main()
