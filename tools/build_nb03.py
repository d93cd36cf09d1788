"""Write notebooks/03_learning_a_kernel.ipynb (unexecuted); run tools/execute_notebooks.py on it next."""


from nbbuild import write_notebook

NAV = ("[Index](index.ipynb) · ← Previous: [02 Edge detection](02_edge_detection.ipynb) · "
       "Next: [04 Feature maps and receptive fields](04_feature_maps_and_receptive_fields.ipynb) →")

CELLS = [
    ("md", NAV),
    ("md", "# 03 Learning a kernel"),
    ("md", """In lesson 02 we *designed* the kernel (卷积核) K = [[1, −1]] that finds vertical edges. Can a \
convolutional layer (卷积层) find it by itself, given only the input image X and the output Y we want? The chapter \
shows that it can: start from a random kernel and improve it by gradient descent.

This lesson runs that loop, works out why its learning rate 0.03 works and 0.04 does not, and then learns a 3×3 \
kernel from a photograph."""),
    ("code", """%matplotlib inline
import warnings

import torch
import torch.nn.functional as F

from conv_lessons import (DivergenceWarning, corr2d, corr2d_fast, diagonal_image, edge_image, get_kernel,
                          learn_kernel, loss_hessian, sample_photo, stable_lr_limit)
from conv_lessons.checks import check_conv2d_autograd, check_fastest_lr, check_stable_lr
from conv_lessons.explorers.training import kernel_comparison_figure, training_explorer, training_figure
from conv_lessons.source import show_source

torch.manual_seed(0)
torch.set_num_threads(1)  # these tensors are tiny: one thread is faster than two competing for the cores"""),
    ("md", """## The data

X is the 6×8 image of lesson 02: ones (white) with a black band of zeros in columns 2–5. Y = corr2d(X, K) is 1 at \
the white→black edge and −1 at the black→white edge. From now on we pretend not to know K: only X and Y are given."""),
    ("code", """X = edge_image()
K = torch.tensor([[1.0, -1.0]])
Y = corr2d(X, K)
Y"""),
    ("md", """## The training loop

The chapter builds `nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)` — one input channel, one output channel, a \
1×2 kernel, no bias — and repeats: compute Ŷ, the summed squared error Σ (Ŷ − Y)², back-propagate, and step \
`weight -= lr * weight.grad`. The package's `learn_kernel` is that loop. Its code (the checks at the top turn \
mistakes into clear messages; the loop is at the bottom):"""),
    ("code", "show_source(learn_kernel)"),
    ("md", """The learning rate `lr` is a named variable, as in the chapter. One pass over the (single) image is one \
epoch; the loop prints the loss every 2 epochs."""),
    ("code", """lr = 3e-2  # learning rate
conv2d, losses = learn_kernel(X, Y, kernel_size=(1, 2), lr=lr, num_epochs=10, print_every=2)"""),
    ("md", "The loss fell from 19.2 (epoch 1) to 0.043. The learned kernel, reshaped to 1×2:"),
    ("code", "conv2d.weight.data.reshape((1, 2))"),
    ("md", """Close to [1, −1]. The picture of this run: **left**, the loss as a bowl over the two weights and the \
path gradient descent takes from its random start (green) to the target (star); **middle**, the loss per epoch; \
**right**, the two weights per epoch."""),
    ("code", "training_figure(lr=lr, num_epochs=10, seed=0)"),
    ("md", "The learned kernel beside the true one:"),
    ("code", "kernel_comparison_figure(conv2d.weight.data.reshape((1, 2)), K)"),
    ("md", """## How large may the learning rate be?

Each output is one window of X times the kernel. Stack the 6·7 = 42 windows as the rows of a matrix P (row \
[x[i, j], x[i, j+1]]) and the kernel as w = (w[0, 0], w[0, 1]). Then Ŷ = Pw and the loss is

L(w) = ‖Pw − y‖²,

a quadratic bowl in w. Its gradient is ∇L = 2Pᵀ(Pw − y) and its curvature, the Hessian **H = 2PᵀP**, is the \
same everywhere. One step w ← w − lr·∇L turns the error e = w − w* (w* = [1, −1]) into (I − lr·H)e. Along an \
eigenvector of H with eigenvalue λ the error is multiplied by **1 − lr·λ** every epoch, so it shrinks only if \
|1 − lr·λ| < 1, that is 0 < lr < 2/λ. The steepest direction decides: gradient descent is stable only for \
**lr < 2/λ_max**."""),
    ("md", """For our X, every row of the image has the windows (1, 1), (1, 0), (0, 0), (0, 0), (0, 0), (0, 1), \
(1, 1): Σ a² = 3, Σ b² = 3 and Σ ab = 2 per row. Six rows, times 2, give H = [[36, 24], [24, 36]], with \
eigenvalues 36 + 24 = **60** along (1, 1) and 36 − 24 = **12** along (1, −1). So lr < 2/60 = 1/30 ≈ 0.0333. \
Check it:"""),
    ("code", """P = F.unfold(X[None, None], (1, 2))[0].T  # the 42 windows of X, one per row
H = 2 * P.T @ P
print(H)
print(torch.linalg.eigvalsh(H))
print(f"stable for lr < {stable_lr_limit(X, (1, 2)):.4f}")"""),
    ("md", """The chapter's lr = 0.03 sits just under the limit. Each epoch multiplies the error along (1, 1) by \
1 − 0.03·60 = −0.8 (it flips sign every epoch: the zigzag across the bowl) and along (1, −1) by \
1 − 0.03·12 = 0.64. At lr = 0.04 the first factor is −1.4: that error grows by 40 % every epoch."""),
    ("code", """for rate in (0.03, 0.04):
    steep, shallow = (1 - rate * lam for lam in (60, 12))
    print(f"lr = {rate}: error × {steep:+.2f} along (1, 1), × {shallow:+.2f} along (1, -1) per epoch")"""),
    ("md", """Train at lr = 0.04 and see. `learn_kernel` warns with a `DivergenceWarning`; we catch the warning \
and print its message:"""),
    ("code", """with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    _, losses_04 = learn_kernel(X, Y, kernel_size=(1, 2), lr=0.04, num_epochs=10, seed=0)
print("losses:", [round(loss, 1) for loss in losses_04])
for warning in caught:
    if issubclass(warning.category, DivergenceWarning):
        print(warning.message)"""),
    ("md", """The loss drops at first (the error along the shallow direction still shrinks) and then doubles \
every epoch (1.4² ≈ 2): the path zigzags outwards along the steep direction."""),
    ("code", "training_figure(lr=0.04, num_epochs=10, seed=0)"),
    ("md", """## Learning a 3×3 kernel from a photo

The same loop learns any kernel. Take the Sobel x kernel of lesson 02 and a photograph — every 8th pixel of \
Grace Hopper's portrait, a 75×64 image, so training takes a fraction of a second — and filter it."""),
    ("code", """photo = sample_photo()[::8, ::8]  # every 8th pixel of the 600×512 photo
K3 = get_kernel("sobel x")
print(photo.shape)
K3"""),
    ("md", """### Normalise first

Photo pixels all lie between 0 and 1 and neighbours are nearly equal, so the nine pixels of a window mostly rise \
and fall together. For the loss bowl that means one very steep direction (all nine weights together: brightness) \
and some very flat ones. The steepest curvature λ_max sets the stable learning rate, the flattest λ_min the \
speed: their ratio λ_max/λ_min (the condition number) says roughly how many epochs we need.

Subtracting the mean and dividing by the standard deviation shrinks that ratio. Sobel x sums to zero, so the \
shifted photo has exactly the same edges. `loss_hessian` computes H = 2PᵀP as above:"""),
    ("code", """Xn = (photo - photo.mean()) / photo.std()
for name, image in (("raw", photo), ("normalised", Xn)):
    lam = torch.linalg.eigvalsh(loss_hessian(image, (3, 3)))
    print(f"{name:>10}: λ_max = {lam[-1]:6.0f}, λ_min = {lam[0]:4.0f}, λ_max/λ_min = {lam[-1] / lam[0]:.0f}")"""),
    ("md", """Train on the normalised photo just under its stable limit, lr = 0.9 · 2/λ_max. Then the steepest \
direction shrinks by |1 − 1.8| = 0.8 per epoch and the flattest by 1 − 1.8/58 ≈ 0.97, so 200 epochs leave about \
0.97²⁰⁰ ≈ 0.2 % of the starting error."""),
    ("code", """Yn = corr2d_fast(Xn, K3)  # the same numbers as corr2d, without the Python loop
lr3 = 0.9 * stable_lr_limit(Xn, (3, 3))
conv3, losses3 = learn_kernel(Xn, Yn, kernel_size=(3, 3), lr=lr3, num_epochs=200, seed=0)
print(f"lr = {lr3:.3g}; loss at epoch 1: {losses3[0]:.0f}, at epoch 200: {losses3[-1]:.1g}")"""),
    ("code", "kernel_comparison_figure(conv3.weight.data.reshape(3, 3), K3)"),
    ("md", "And on the raw photo, with the same recipe (0.9 × its own stable limit, 200 epochs)?"),
    ("code", """Y_raw = corr2d_fast(photo, K3)
lr_raw = 0.9 * stable_lr_limit(photo, (3, 3))
conv_raw, _ = learn_kernel(photo, Y_raw, kernel_size=(3, 3), lr=lr_raw, num_epochs=200, seed=0)
for name, layer in (("raw", conv_raw), ("normalised", conv3)):
    error = (layer.weight.data.reshape(3, 3) - K3).abs().max()
    print(f"{name:>10}: largest error in the learned kernel {error:.4f}")"""),
    ("md", """## Explorer

Move the learning rate across 0.0333 and watch the path in the bowl go from zigzagging inwards to zigzagging \
outwards; the readout gives both factors |1 − lr·λ|, and a rate that is too large is explained under the \
picture. Try a tiny rate such as 0.002, many epochs, and other seeds (other random starts)."""),
    ("code", "# NBVAL_IGNORE_OUTPUT\ntraining_explorer()"),
    ("md", """## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to \
look at, without giving the answer away. Worked solutions: \
[03 Learning a kernel — solutions](solutions/03_learning_a_kernel_solutions.ipynb)."""),
    ("md", """**Exercise 1.** The chapter asks what error message you get when you differentiate through the \
hand-written `Conv2D` class (lesson 01), whose `forward` is the `corr2d` loop writing `Y[i, j] = …` element by \
element. Try it: build `Conv2D((1, 2))`, compute `((layer(X) - Y) ** 2).sum()`, call `backward()` and look at \
`layer.weight.grad`. Then train it for 10 epochs with the loop above.

*Hint:* on the PyTorch installed here there is no error: autograd records each `Y[i, j] = …` assignment as an \
in-place copy into `Y` and differentiates through it. Check the gradient against `nn.Conv2d` with the same \
weights; the loop is just much slower than `nn.Conv2d`."""),
    ("code", """# What happens? One of:
#   "a": backward() raises a RuntimeError about an in-place operation
#   "b": backward() works: layer.weight.grad and layer.bias.grad hold the right gradients
#   "c": backward() runs, but layer.weight.grad stays None
#   "d": backward() runs, but the gradients are all zero
observed = ...  # a string: "a", "b", "c" or "d"
check_conv2d_autograd(observed)"""),
    ("md", """**Exercise 2.** Which learning rate makes the chapter's training converge fastest? Find it in the \
explorer, then on paper.

*Hint:* the slower of the two factors |1 − lr·60| and |1 − lr·12| sets the speed. As lr grows one of them \
falls and the other rises: where do they meet?"""),
    ("code", """best_lr = ...  # a number: the learning rate at which training on X (1×2 kernel) converges fastest
check_fastest_lr(best_lr)"""),
    ("md", """**Exercise 3.** Learn the kernel for K.T on X.T: use `corr2d(X.T, K.T)` as the output and \
`kernel_size=(2, 1)`. Is the stable limit the same as before? Why?

*Hint:* the 2×1 windows of X.T hold the same pairs of pixels as the 1×2 windows of X. Compare \
`stable_lr_limit(X.T, (2, 1))` with `stable_lr_limit(X, (1, 2))`."""),
    ("code", """lr_limit_T = ...  # a number: the largest stable learning rate for X.T and a 2×1 kernel
check_stable_lr(lr_limit_T, X=X.T, kernel_size=(2, 1))"""),
    ("md", """**Exercise 4.** Learn [[1, −1]] from the diagonal image of lesson 02 (`diagonal_image()` from \
`conv_lessons`). What is the largest stable learning rate now, and why is it different?

*Hint:* H = 2PᵀP depends only on the windows of the input. Count how often the windows (1, 1), (1, 0) and \
(0, 0) occur, or ask `stable_lr_limit(diagonal_image(), (1, 2))`."""),
    ("code", """lr_limit_D = ...  # a number: the largest stable learning rate for diagonal_image() and a 1×2 kernel
check_stable_lr(lr_limit_D, X=diagonal_image(), kernel_size=(1, 2))"""),
    ("md", """**Exercise 5.** How many epochs does the raw photo need to get as close to Sobel x as the \
normalised one did in 200?

*Hint:* its λ_max/λ_min is about 3 times larger, so expect about 3 times as many epochs. Measure \
`(layer.weight.data.reshape(3, 3) - K3).abs().max()` for a few numbers of epochs."""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "03_learning_a_kernel.ipynb", id_prefix="nb03")


if __name__ == "__main__":
    main()
