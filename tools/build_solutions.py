"""Write notebooks/solutions/NN_…_solutions.ipynb (unexecuted), one per lesson; then execute them.

Usage: python tools/build_solutions.py && python tools/execute_notebooks.py notebooks/solutions/*.ipynb

Each solutions notebook answers the exercises of one lesson: the answer, a short explanation and,
where the lesson's exercise cell calls a self-check, the same check called with the answer (it must
print a ✓ line; tests/test_solutions.py checks that every check of every lesson is answered here).
"""

from __future__ import annotations

from nbbuild import write_notebook

#: (number, lesson file, title) in reading order.
LESSONS = [
    ("01", "01_cross_correlation.ipynb", "Cross-correlation"),
    ("02", "02_edge_detection.ipynb", "Edge detection"),
    ("03", "03_learning_a_kernel.ipynb", "Learning a kernel"),
    ("04", "04_feature_maps_and_receptive_fields.ipynb", "Feature maps and receptive fields"),
    ("05", "05_convolution_as_matrix_multiplication.ipynb", "Convolution as matrix multiplication"),
    ("06", "06_effective_receptive_fields.ipynb", "Effective receptive fields"),
]


def solutions_file(lesson_file: str) -> str:
    """``01_cross_correlation.ipynb`` → ``01_cross_correlation_solutions.ipynb``."""
    return lesson_file.replace(".ipynb", "_solutions.ipynb")


def navigation(index: int) -> str:
    number, lesson, title = LESSONS[index]
    parts = ["[Index](../index.ipynb)", f"[Lesson {number} {title}](../{lesson})"]
    if index > 0:
        prev_number, prev_lesson, prev_title = LESSONS[index - 1]
        parts.append(f"← Previous: [{prev_number} {prev_title} — solutions]({solutions_file(prev_lesson)})")
    if index < len(LESSONS) - 1:
        next_number, next_lesson, next_title = LESSONS[index + 1]
        parts.append(f"Next: [{next_number} {next_title} — solutions]({solutions_file(next_lesson)}) →")
    return " · ".join(parts)


def intro(number: str, lesson: str) -> str:
    return (f"Worked solutions to the exercises of [lesson {number}](../{lesson}). Try each exercise in the lesson "
            "first: its check tells you whether you are right without giving the answer away. Here every answer "
            "comes with a short explanation and, where the lesson has a check, the same check, passing (✓).")


SOLUTIONS: dict[str, list[tuple[str, str]]] = {}

# ------------------------------------------------------------------------------------------ 01

SOLUTIONS["01"] = [
    ("code", """\
import torch
import torch.nn.functional as F

from conv_lessons import Conv2D, convolve2d, corr2d, output_shape
from conv_lessons.checks import (check_conv2d_autograd, check_corr2d_matmul, check_kernel_shape, check_output_shape,
                                 check_same_as_convolution)

_ = torch.manual_seed(0)  # Conv2D starts from random weights: the same ones on every run
X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])"""),
    ("md", """\
**Exercise 1.** Cross-correlation as one matrix multiplication: a 4×9 matrix `W` with
`W @ X.reshape(-1) == corr2d(X, K).reshape(-1)`; then a function for any shapes.

`X.reshape(-1)` lists the pixels row by row: pixel (r, c) is entry 3r + c. Row 0 of `W` computes `Y[0, 0]`, whose
window covers pixels 0, 1, 3, 4, so those columns hold `K[0, 0]`, `K[0, 1]`, `K[1, 0]`, `K[1, 1]` = 0, 1, 2, 3.
Each following row is the same pattern moved to its own window: one column right for `Y[0, 1]`, one image row
(3 columns) further for `Y[1, 0]`."""),
    ("code", """\
W = torch.tensor([
    [0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0],  # Y[0, 0]: pixels 0, 1, 3, 4
    [0.0, 0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0],  # Y[0, 1]: pixels 1, 2, 4, 5
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0, 0.0],  # Y[1, 0]: pixels 3, 4, 6, 7
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0],  # Y[1, 1]: pixels 4, 5, 7, 8
])
print(W @ X.reshape(-1))
check_corr2d_matmul(W)"""),
    ("md", """\
For any shapes, put weight `K[p, q]` of output (i, j)'s window in row `i * out_w + j` (the output, flattened) and
column `(i + p) * n_w + (j + q)` (the input pixel under it). Lesson 05 builds this matrix in the package
(`conv_matrix`) and shows the faster im2col form."""),
    ("code", """\
def my_corr2d_matmul(X, K):
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros(out_h * out_w, n_h * n_w, dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(k_h):
                for q in range(k_w):
                    W[i * out_w + j, (i + p) * n_w + (j + q)] = K[p, q]
    return (W @ X.reshape(-1)).reshape(out_h, out_w)


check_corr2d_matmul(my_corr2d_matmul)"""),
    ("md", """\
**Exercise 2.** What happens when you differentiate through the hand-written `Conv2D`?

Run it: a fresh layer, the loss `conv(X).sum()`, `backward()`; then the same weights in `F.conv2d`."""),
    ("code", """\
conv = Conv2D(kernel_size=(2, 2))
conv(X).sum().backward()
w = conv.weight.detach().clone().requires_grad_(True)
F.conv2d(X.reshape(1, 1, 3, 3), w.reshape(1, 1, 2, 2)).sum().backward()
print(conv.weight.grad)
print(w.grad.reshape(2, 2))
print(conv.bias.grad)"""),
    ("md", """\
No error, and the same gradients: each weight's gradient is the sum of the four inputs it multiplied (8 = 0 + 1 +
3 + 4 for `K[0, 0]`), and the bias, added to all four outputs, gets 4. `corr2d` writes `Y[i, j] = ...` into a
tensor made by `torch.zeros`; PyTorch's autograd records each such in-place write (as a copy into a slice) and
differentiates through it. The book's exercise dates from its MXNet version, whose autograd refused such
writes. So the answer is (b)."""),
    ("code", """\
observed = "b"
check_conv2d_autograd(observed)"""),
    ("md", """\
**Exercise 3.** Output shapes for the 6×8 edge image.

(n_h − k_h + 1) × (n_w − k_w + 1): a 1×2 kernel gives (6 − 1 + 1) × (8 − 2 + 1) = 6×7, a 3×3 kernel
(6 − 3 + 1) × (8 − 3 + 1) = 4×6. A 1×1 output needs n − k + 1 = 1 along both axes, so k = n: only a kernel as
large as the image itself, 6×8."""),
    ("code", """\
shape_1x2 = output_shape((6, 8), (1, 2))
shape_3x3 = output_shape((6, 8), (3, 3))
kernel_1x1 = (6, 8)
print(shape_1x2, shape_3x3, output_shape((6, 8), kernel_1x1))
check_output_shape(shape_1x2, input_shape=(6, 8), kernel_shape=(1, 2))
check_output_shape(shape_3x3, input_shape=(6, 8), kernel_shape=(3, 3))
check_kernel_shape(kernel_1x1, input_shape=(6, 8), out_shape=(1, 1))"""),
    ("md", """\
**Exercise 4.** For which kernels do cross-correlation and convolution agree on every input?

Convolution is cross-correlation with `torch.flip(K, dims=(0, 1))`, the kernel rotated by 180°. The two agree
for every input exactly when that rotation gives `K` back (if they agreed on every input but the kernels
differed, an input that is a single 1 among zeros would show the difference). `[[1, 2, 1]]`, a box blur,
the Laplacian and `[[1, 2], [2, 1]]` qualify; `[[1, -1]]` and Sobel do not: rotated, they change sign, so
their convolution is −1 times their cross-correlation."""),
    ("code", """\
def same_output(K):
    return torch.equal(K, torch.flip(K, dims=(0, 1)))


for kernel in ([[1.0, 2.0, 1.0]], [[1.0, -1.0]], [[1.0, 2.0], [2.0, 1.0]]):
    Kt = torch.tensor(kernel)
    print(kernel, same_output(Kt), torch.equal(corr2d(X, Kt), convolve2d(X, Kt)))
check_same_as_convolution(same_output)"""),
]

# ------------------------------------------------------------------------------------------ 02

SOLUTIONS["02"] = [
    ("code", """\
import math

import torch

from conv_lessons import corr2d, diagonal_image
from conv_lessons.checks import (check_blur_kernel, check_diagonal_edges, check_direction_kernel,
                                 check_min_kernel_size, check_second_derivative)

_ = torch.manual_seed(0)  # nothing here is random; seeded anyway, like every lesson
K = torch.tensor([[1.0, -1.0]])"""),
    ("md", """\
**Exercise 1.** A kernel for edges orthogonal to a direction v = (v_h, v_w).

An edge orthogonal to v is where the brightness changes *along* v. The change along v is the directional
difference v_w·(width difference) + v_h·(height difference). `[[1, -1]]` is a width difference and
`[[1], [-1]]` a height difference; written into one 2×2 kernel (both anchored at the top-left pixel):

K_v = v_w·[[1, −1], [0, 0]] + v_h·[[1, 0], [−1, 0]] = [[v_h + v_w, −v_w], [−v_h, 0]]."""),
    ("code", """\
def direction_kernel(v):
    v_h, v_w = v
    return v_w * torch.tensor([[1.0, -1.0], [0.0, 0.0]]) + v_h * torch.tensor([[1.0, 0.0], [-1.0, 0.0]])


K_v = direction_kernel((1, 2))
K_v"""),
    ("md", """\
Try it on two brightness ramps: one rising along v = (1, 2), one rising across it (along (−2, 1)), i.e. with
its edges running along v. The first gives −(1² + 2²) = −5 everywhere, the second 0."""),
    ("code", """\
rows, cols = torch.meshgrid(torch.arange(5.0), torch.arange(5.0), indexing="ij")
print(corr2d(1 * rows + 2 * cols, K_v))
print(corr2d(-2 * rows + 1 * cols, K_v))
check_direction_kernel(K_v, v=(1, 2))"""),
    ("md", """\
**Exercise 2.** A second-derivative kernel and its minimum size.

The difference of differences: x[j] − 2·x[j+1] + x[j+2], the kernel `[[1, -2, 1]]` (along the width; its
transpose works along the height, and the Laplacian `[[0, 1, 0], [1, -4, 1], [0, 1, 0]]` does both). On
brightness j², whose second derivative is 2, it gives 2 everywhere; on a constant or a straight ramp, 0.

Its minimum size is 3: a kernel of 2 taps that gives 0 on a constant is a multiple of `[[1, -1]]`, and that
responds to a ramp. Three taps are the fewest that can give 0 on constants and ramps and still see a curve."""),
    ("code", """\
K_2 = torch.tensor([[1.0, -2.0, 1.0]])
print(corr2d(torch.arange(7.0)[None] ** 2, K_2))
print(corr2d(3 * torch.arange(7.0)[None] + 1, K_2))
size_2 = 3
check_second_derivative(K_2)
check_min_kernel_size(size_2, order=2)"""),
    ("md", """\
**Exercise 3.** A blur kernel.

Average the neighbourhood: equal, non-negative weights that add up to 1, e.g. 1/9 each in a 3×3 window. Because
they add up to 1, a flat grey area keeps its brightness; a Gaussian blur `[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16`
also adds up to 1 and weighs the centre more. (The chapter's "integral" is the sum over the window; dividing by
the number of pixels keeps the brightness.)"""),
    ("code", """\
K_blur = torch.ones((3, 3)) / 9
print(corr2d(torch.full((4, 4), 0.5), K_blur))
check_blur_kernel(K_blur)"""),
    ("md", """\
**Exercise 4.** The minimum size of a kernel for a derivative of order d.

d + 1. Taking differences d times gives the kernel with the binomial coefficients (−1)ᵏ·C(d, k), k = 0 … d:
d + 1 taps. Fewer cannot work: a kernel must give 0 on every polynomial of degree below d (1, j, …, j^(d−1)),
and with only d taps those are d independent conditions on d weights, which only the zero kernel meets."""),
    ("code", """\
def min_size(d):
    return d + 1


for d in range(1, 5):
    print(d, [(-1) ** k * math.comb(d, k) for k in range(d + 1)])
check_min_kernel_size(min_size)"""),
    ("md", """\
**Exercise 5.** The 4×4 diagonal image X4 (ones on and below the diagonal).

Each row of X4 steps from 1 to 0 once, right after the diagonal, so `K` (left minus right) marks that step
with +1: a diagonal line of 1s, shape 4×3 (the last row has no step). X4.T has ones on and *above* the
diagonal: each row steps from 0 to 1, so −1s. `K.T` (top minus bottom) compares each pixel with the one below:
going down, every column steps from 0 to 1 just below the diagonal: −1s, shape 3×4."""),
    ("code", """\
X4 = diagonal_image(4)
print(X4)
Y_K = torch.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]])
Y_XT = torch.tensor([[0, 0, 0], [-1, 0, 0], [0, -1, 0], [0, 0, -1]])
Y_KT = torch.tensor([[0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]])
check_diagonal_edges(Y_K, case="K", X=X4)
check_diagonal_edges(Y_XT, case="X.T", X=X4)
check_diagonal_edges(Y_KT, case="K.T", X=X4)"""),
]

# ------------------------------------------------------------------------------------------ 03

SOLUTIONS["03"] = [
    ("code", """\
import torch
import torch.nn.functional as F

from conv_lessons import Conv2D, corr2d, corr2d_fast, diagonal_image, edge_image, get_kernel, learn_kernel
from conv_lessons import sample_photo, stable_lr_limit
from conv_lessons.checks import check_conv2d_autograd, check_fastest_lr, check_stable_lr

_ = torch.manual_seed(0)  # Conv2D starts from random weights: the same ones on every run
torch.set_num_threads(1)  # these tensors are tiny: one thread is faster than two competing for the cores
X = edge_image()
K = torch.tensor([[1.0, -1.0]])
Y = corr2d(X, K)"""),
    ("md", """\
**Exercise 1.** Differentiating through the hand-written `Conv2D`.

There is no error message on this PyTorch: autograd records each `Y[i, j] = …` write and differentiates
through it. The gradient equals `F.conv2d`'s for the same weights:"""),
    ("code", """\
layer = Conv2D((1, 2))
((layer(X) - Y) ** 2).sum().backward()
w = layer.weight.detach().clone().requires_grad_(True)
((F.conv2d(X[None, None], w[None, None], layer.bias.detach()) - Y) ** 2).sum().backward()
print(layer.weight.grad)
print(w.grad)
observed = "b"
check_conv2d_autograd(observed)"""),
    ("md", """\
Training it with the chapter's loop and lr = 0.03 holds a surprise: the loss explodes. `Conv2D` has a **bias**
(the chapter's `nn.Conv2d` has `bias=False`), a third weight that multiplies a window of ones. With it the
bowl gets a steeper direction, λ_max ≈ 124 instead of 60, and the stable limit drops to 2/124 ≈ 0.016:"""),
    ("code", """\
windows = torch.cat([F.unfold(X[None, None], (1, 2))[0].T, torch.ones(42, 1)], dim=1)  # [x[i, j], x[i, j+1], 1]
print(torch.linalg.eigvalsh(2 * windows.T @ windows))


def train(lr, num_epochs, print_every):
    torch.manual_seed(0)
    layer = Conv2D((1, 2))
    for epoch in range(1, num_epochs + 1):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with torch.no_grad():
            layer.weight -= lr * layer.weight.grad
            layer.bias -= lr * layer.bias.grad
        if epoch % print_every == 0:
            print(f"epoch {epoch}, loss {loss.item():.4g}")
    return layer


_ = train(lr=0.03, num_epochs=10, print_every=2)"""),
    ("md", "With lr = 0.015, under the new limit, it learns the kernel and a bias near 0:"),
    ("code", """\
layer = train(lr=0.015, num_epochs=30, print_every=10)
print(layer.weight.data, layer.bias.data)"""),
    ("md", """\
**Exercise 2.** The learning rate that converges fastest.

Per epoch the error along (1, 1) is multiplied by 1 − 60·lr and along (1, −1) by 1 − 12·lr. The slower of
the two sets the speed. As lr grows, |1 − 12·lr| falls, while |1 − 60·lr| falls until lr = 1/60 and rises
after it. The best rate is where they are equal: 60·lr − 1 = 1 − 12·lr, so lr = 2/72 = **1/36 ≈ 0.0278**,
and both factors are 2/3. At the chapter's 0.03 the slower factor is 0.8. After 10 epochs:"""),
    ("code", """\
best_lr = 2 / (12 + 60)
for rate in (0.03, best_lr):
    conv2d, losses = learn_kernel(X, Y, kernel_size=(1, 2), lr=rate, num_epochs=10, seed=0)
    print(f"lr = {rate:.4f}: loss after 10 epochs {losses[-1]:.2e}")
check_fastest_lr(best_lr)"""),
    ("md", """\
**Exercise 3.** K.T on X.T.

The 2×1 windows of X.T hold exactly the pairs of pixels of the 1×2 windows of X, so P, H = 2PᵀP and its
eigenvalues 12 and 60 are the same, and so is the limit 2/60 = 1/30. Training converges to [[1], [−1]]:"""),
    ("code", """\
lr_limit_T = stable_lr_limit(X.T, (2, 1))
conv2d_T, _ = learn_kernel(X.T, corr2d(X.T, K.T), kernel_size=(2, 1), lr=0.03, num_epochs=10, seed=0)
print(lr_limit_T, conv2d_T.weight.data.reshape(2, 1))
check_stable_lr(lr_limit_T, X=X.T, kernel_size=(2, 1))"""),
    ("md", """\
**Exercise 4.** The diagonal image.

Its 8 rows hold 0, 1, …, 7 ones, so there are 28 windows (1, 1), 7 windows (1, 0) and 21 windows (0, 0).
PᵀP = [[28 + 7, 28], [28, 28]], H = [[70, 56], [56, 56]], with eigenvalues 63 ± √3185 ≈ 119.4 and 6.56. So the
limit is 2/119.4 ≈ **0.0167**: half the edge image's. The diagonal image has many more windows of two bright
pixels, (1, 1), which make the bowl steeper along (1, 1); and the flattest direction is much flatter, so
training is also slower. lr = 0.015 works, but needs many more epochs:"""),
    ("code", """\
D = diagonal_image()
P = F.unfold(D[None, None], (1, 2))[0].T
print(2 * P.T @ P, torch.linalg.eigvalsh(2 * P.T @ P))
lr_limit_D = stable_lr_limit(D, (1, 2))
conv2d_D, losses_D = learn_kernel(D, corr2d(D, K), kernel_size=(1, 2), lr=0.015, num_epochs=60, seed=0)
print(f"limit {lr_limit_D:.4f}; after 60 epochs at lr = 0.015: {conv2d_D.weight.data.reshape(1, 2)}")
check_stable_lr(lr_limit_D, X=diagonal_image(), kernel_size=(1, 2))"""),
    ("md", """\
**Exercise 5.** How many epochs the raw photo needs.

Train on the raw photo with the lesson's recipe (0.9 × its stable limit), record the largest error of the
kernel after every epoch, and compare with the normalised photo's error after 200 epochs:"""),
    ("code", """\
photo = sample_photo()[::8, ::8]
K3 = get_kernel("sobel x")
Xn = (photo - photo.mean()) / photo.std()
conv3, _ = learn_kernel(Xn, corr2d_fast(Xn, K3), kernel_size=(3, 3), lr=0.9 * stable_lr_limit(Xn, (3, 3)),
                        num_epochs=200, seed=0)
target = (conv3.weight.data.reshape(3, 3) - K3).abs().max().item()
errors = []
learn_kernel(photo, corr2d_fast(photo, K3), kernel_size=(3, 3), lr=0.9 * stable_lr_limit(photo, (3, 3)),
             num_epochs=800, seed=0,
             callback=lambda epoch, loss, weight: errors.append((weight.reshape(3, 3) - K3).abs().max().item()))
print(f"normalised photo, 200 epochs: {target:.4f}")
for epochs in (200, 400, 600, 800):
    print(f"raw photo, {epochs} epochs: {errors[epochs - 1]:.4f}")"""),
    ("md", """\
The raw photo reaches the normalised photo's accuracy between 400 and 600 epochs (after about 570):
roughly 3 times as many, as its 3 times larger λ_max/λ_min predicts. Each epoch shrinks the error
along the flattest direction by only 1 − lr·λ_min, and with lr fixed by λ_max that is 1 − 1.8·λ_min/λ_max."""),
]

# ------------------------------------------------------------------------------------------ 04

SOLUTIONS["04"] = [
    ("code", """\
import torch

from conv_lessons import feature_map_size, receptive_field
from conv_lessons.checks import check_cheaper_stack, check_deepest_stack, check_receptive_field
from conv_lessons.feature_maps import path_counts

_ = torch.manual_seed(0)  # nothing here is random; seeded anyway, like every lesson"""),
    ("md", """\
**Exercise 1.** Three 3×3 layers, stride 1 and stride 2.

Each layer adds (k − 1)·J, J the product of the strides before it. Stride 1: r = 1 + 2 + 2 + 2 = **7**.
Stride 2: J is 1, 2, 4 for the three layers, so r = 1 + 2·1 + 2·2 + 2·4 = **15**."""),
    ("code", """\
r_stride1, r_stride2 = 1 + 2 + 2 + 2, 1 + 2 * 1 + 2 * 2 + 2 * 4
print(receptive_field([3, 3, 3]), receptive_field([3, 3, 3], [2, 2, 2]))
check_receptive_field(r_stride1, kernel_sizes=[3, 3, 3], strides=[1, 1, 1])
check_receptive_field(r_stride2, kernel_sizes=[3, 3, 3], strides=[2, 2, 2])"""),
    ("md", """\
**Exercise 2.** L 3×3 layers against one (2L + 1)×(2L + 1) layer.

The stack has 9L weights, the single layer (2L + 1)². At L = 1 they are the same layer (9 and 9); from
**L = 2** on the stack is cheaper (18 < 25), and the gap grows with L² since the single layer's weights grow with
the square of its side. The stack also gains expressiveness: a real network puts a nonlinearity (ReLU) after
every layer, so L small layers compute a nonlinear function of the window that one large linear layer cannot."""),
    ("code", """\
for L in range(1, 6):
    print(f"L = {L}: stack {9 * L:3} weights, one {2 * L + 1}×{2 * L + 1} layer {(2 * L + 1) ** 2:3}")
cheaper_from = 2
check_cheaper_stack(cheaper_from)"""),
    ("md", """\
**Exercise 3.** Where does a stride enlarge the receptive field most?

In the first layer: a stride multiplies the jump J of every layer after it, so stride 2 in layer 1 doubles the
contribution of layers 2 and 3: r = 1 + 2·1 + 2·2 + 2·2 = **11**. In the last layer it widens nothing:
r = 1 + 2 + 2 + 2 = **7**, the same as without stride; it only halves the feature map."""),
    ("code", """\
r_first, r_last = 1 + 2 * 1 + 2 * 2 + 2 * 2, 1 + 2 + 2 + 2
print(receptive_field([3, 3, 3], [2, 1, 1]), receptive_field([3, 3, 3], [1, 1, 2]))
check_receptive_field(r_first, kernel_sizes=[3, 3, 3], strides=[2, 1, 1])
check_receptive_field(r_last, kernel_sizes=[3, 3, 3], strides=[1, 1, 2])"""),
    ("md", """\
**Exercise 4.** Dilated kernels.

One 3×3 layer with dilation 2 spans 5 pixels but reads only pixels 0, 2 and 4 along each axis: 9 of the 25
pixels of its field; the other 16 are holes. Dilations 1, 2, 4 give r = 1 + 2·1 + 2·2 + 2·4 = **15**, and
no holes: the first layer fills the gaps the second leaves, and those two the gaps of the third. Path counts
along one axis (0 would be a hole):"""),
    ("code", """\
print(path_counts([3], 0, dilations=[2])[0].counts)
print(path_counts([3, 3, 3], 0, dilations=[1, 2, 4])[0].counts)
r_dilated = 1 + 2 * 1 + 2 * 2 + 2 * 4
check_receptive_field(r_dilated, kernel_sizes=[3, 3, 3], dilations=[1, 2, 4])"""),
    ("md", """\
**Exercise 5.** 5×5 layers with stride 2 on the 225×192 photo.

Each layer maps n to ⌊(n − 5)/2⌋ + 1: 225 → 111 → 54 → 25 → 11 → 4 and 192 → 94 → 45 → 21 → 9 → 3. After
5 layers the map (4×3) is smaller than the kernel, so **5 layers** fit. The deepest sees
r = 1 + 4·(1 + 2 + 4 + 8 + 16) = **125** pixels: more than half the photo's width."""),
    ("code", """\
for L in range(1, 7):
    try:
        print(L, [feature_map_size(n, [5] * L, [2] * L) for n in (225, 192)], receptive_field([5] * L, [2] * L))
    except ValueError as error:
        print(L, "does not fit:", error)
depth, field = 5, receptive_field([5] * 5, [2] * 5)
check_deepest_stack(depth, field, input_shape=(225, 192), kernel_size=5, stride=2)"""),
]

# ------------------------------------------------------------------------------------------ 05

SOLUTIONS["05"] = [
    ("code", """\
import torch
import torch.nn.functional as F

from conv_lessons import convolve2d, corr2d
from conv_lessons.checks import check_conv_matrix_nonzeros, check_corr2d_matmul, check_input_gradient
from conv_lessons.matrix import conv_matrix

_ = torch.manual_seed(0)  # the random inputs below are the same on every run"""),
    ("md", """\
**Exercise 1.** W for a 2×3 input and K = [[1, −1]].

The output is 2×2 (4 rows of W), the input has 6 pixels (6 columns). Output (i, j) is x[i, j] − x[i, j+1]:
row i·2 + j has 1 in column i·3 + j and −1 in the next column."""),
    ("code", """\
W_hand = torch.tensor([
    [1.0, -1.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 1.0, -1.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.0, -1.0],
])
print(torch.equal(W_hand, conv_matrix((2, 3), torch.tensor([[1.0, -1.0]]))))
check_corr2d_matmul(W_hand, input_shape=(2, 3), K=[[1, -1]])"""),
    ("md", """\
**Exercise 2.** `my_corr2d_matmul` with im2col: each window, flattened, becomes a column; the flattened kernel
times that matrix is the flattened output."""),
    ("code", """\
def my_corr2d_matmul(X, K):
    k_h, k_w = K.shape
    out_h, out_w = X.shape[0] - k_h + 1, X.shape[1] - k_w + 1
    columns = torch.stack([X[i:i + k_h, j:j + k_w].reshape(-1) for i in range(out_h) for j in range(out_w)], dim=1)
    return (K.reshape(-1) @ columns).reshape(out_h, out_w)


check_corr2d_matmul(my_corr2d_matmul)"""),
    ("md", """\
**Exercise 3.** Non-zeros of W for a 28×28 image and a 5×5 kernel.

The output is 24×24 = 576 pixels, one row each, with 25 weights per row: 576·25 = **14,400** entries that can
be non-zero, out of 576·784 = 451,584. A fully connected layer between the same input and output would need all
451,584 as separate weights; the convolution has 25."""),
    ("code", """\
nonzeros = 24 * 24 * 25
print(conv_matrix((28, 28), torch.ones(5, 5)).count_nonzero().item())
check_conv_matrix_nonzeros(nonzeros)"""),
    ("md", """\
**Exercise 4.** The input gradient without W: a full convolution of G with K (zero-pad G by k − 1 on every
side, then convolve, i.e. cross-correlate with K flipped). Checked against autograd on the chapter's X and K:"""),
    ("code", """\
def input_gradient(G, K):
    k_h, k_w = K.shape
    return convolve2d(F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1)), K)


X = torch.arange(9.0).reshape(3, 3).requires_grad_(True)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
G = torch.tensor([[1.0, -1.0], [2.0, 0.5]])
(corr2d(X, K) * G).sum().backward()
print(torch.allclose(X.grad, input_gradient(G, K)))
check_input_gradient(input_gradient)"""),
    ("md", """\
**Exercise 5.** Stride and padding in W.

With stride 2 only every other output pixel along each axis is computed: W keeps the rows of outputs (i, j)
with i and j even. With zero padding of 1, build W for the padded (n + 2)×(n + 2) input: its extra rows are the
new windows over the border; the columns of the padding pixels always multiply 0, so drop them. Checked against
`F.conv2d`:"""),
    ("code", """\
X5, K3 = torch.randn(5, 5), torch.randn(3, 3)
W5 = conv_matrix((5, 5), K3)  # 9×25: the output is 3×3
rows = [i * 3 + j for i in range(0, 3, 2) for j in range(0, 3, 2)]
strided = F.conv2d(X5[None, None], K3[None, None], stride=2).flatten()
print("stride 2:", torch.allclose(W5[rows] @ X5.flatten(), strided, atol=1e-5))
W7 = conv_matrix((7, 7), K3)  # the padded input is 7×7: 25 rows, 49 columns
inside = [(i + 1) * 7 + (j + 1) for i in range(5) for j in range(5)]
padded = F.conv2d(X5[None, None], K3[None, None], padding=1).flatten()
print("padding 1:", torch.allclose(W7[:, inside] @ X5.flatten(), padded, atol=1e-5))"""),
]

# ------------------------------------------------------------------------------------------ 06

SOLUTIONS["06"] = [
    ("code", """\
import math

import torch

from conv_lessons import receptive_field
from conv_lessons.checks import check_erf_growth, check_erf_std
from conv_lessons.effective_rf import erf_by_depth, fit_sqrt_growth

_ = torch.manual_seed(0)  # the random layers below are seeded too, so every run prints the same numbers"""),
    ("md", """\
**Exercise 1.** σ(L) for L uniform 3×3 layers.

One layer moves a pixel's influence by −1, 0 or +1 with equal weight: variance (1 + 0 + 1)/3 = 2/3, in general
(k² − 1)/12 for k offsets. The L layers are L independent steps, and variances add: σ² = 2L/3, so
**σ(L) = √(2L/3) ≈ 0.82·√L**. For 5×5 layers, (25 − 1)/12 = 2 per layer: σ = √(2L)."""),
    ("code", """\
def sigma(L):
    return math.sqrt(L * (3**2 - 1) / 12)


check_erf_std(sigma)
check_erf_std(lambda L: math.sqrt(L * (5**2 - 1) / 12), kernel_size=5)"""),
    ("md", """\
**Exercise 2.** 4 times deeper.

σ grows like √L, so the effective width grows by **√4 = 2**. The theoretical field grows from 2L + 1 to
8L + 1: almost 4 times."""),
    ("code", """\
factor = sigma(16) / sigma(4)
print(factor, receptive_field([3] * 16) / receptive_field([3] * 4))
check_erf_growth(factor)"""),
    ("md", """\
**Exercise 3.** Depth for 4σ = 224 pixels.

4·√(2L/3) = 224 gives L = 3·56²/2 = **4704** layers; the theoretical field 2L + 1 reaches 224 at **L = 112**.
Real networks cannot stack thousands of layers for context: they downsample (strides, pooling), which
multiplies the reach of every later layer."""),
    ("code", """\
effective = math.ceil(3 * (224 / 4) ** 2 / 2)
theoretical = math.ceil((224 - 1) / 2)
print(effective, 4 * sigma(effective), theoretical, receptive_field([3] * theoretical))"""),
    ("md", """\
**Exercise 4.** ReLU, and the learned kernel.

A ReLU passes a gradient only where its input was positive, so it silences about half of the paths at random.
The map gets patchier from one network to the next, but the average over networks keeps its shape and its √L
growth: the fitted power of L stays near ½. The learned kernel ≈ [[1, −1]] is 1×2: its theoretical field is one
pixel tall at every depth, so its effective field is a single row (σ along the height is 0), with σ = √L/2
along the width."""),
    ("code", """\
depths = list(range(1, 17))
for weights, nonlinearity in (("random", "none"), ("random", "relu"), ("learned", "none")):
    stack = erf_by_depth(16, 3, weights, nonlinearity)
    a, power = fit_sqrt_growth(depths, [field.sigma[1] for field in stack])
    print(f"{weights:>7} {nonlinearity:>4}: σ at depth 16 (height, width) = "
          f"({stack[-1].sigma[0]:.2f}, {stack[-1].sigma[1]:.2f}), fitted power of L {power:.2f}")"""),
]


def build(index: int) -> list[tuple[str, str]]:
    number, lesson, title = LESSONS[index]
    nav = navigation(index)
    return [("md", nav), ("md", f"# {number} {title} — solutions"), ("md", intro(number, lesson)),
            *SOLUTIONS[number], ("md", nav)]


def main() -> None:
    for index, (number, lesson, _) in enumerate(LESSONS):
        write_notebook(build(index), f"solutions/{solutions_file(lesson)}", id_prefix=f"sol{number}")


if __name__ == "__main__":
    main()
