"""Write notebooks/06_effective_receptive_fields.ipynb (unexecuted); run tools/execute_notebooks.py on it next."""


from nbbuild import write_notebook

NAV = ("[Index](index.ipynb) · ← Previous: [05 Convolution as matrix multiplication]"
       "(05_convolution_as_matrix_multiplication.ipynb)")

CELLS = [
    ("md", NAV),
    ("md", "# 06 Effective receptive fields"),
    ("md", """Lesson 04 measured the receptive field (感受野) of an output: the input pixels that *can* change it. \
For L stacked k×k layers it is a square of L·(k − 1) + 1 pixels, growing linearly with depth. But how much does \
each of those pixels *actually* change the output? That is the gradient ∂y/∂x, and it is far from even: it is a \
bell, a Gaussian, whose width grows only like √L. Luo, Li, Urtasun and Zemel called it the **effective receptive \
field** (*Understanding the Effective Receptive Field in Deep Convolutional Neural Networks*, NeurIPS 2016). \
This lesson measures it."""),
    ("code", """%matplotlib inline
import math

import torch

from conv_lessons import receptive_field
from conv_lessons.checks import check_erf_growth, check_erf_std
from conv_lessons.effective_rf import effective_receptive_field, erf_by_depth, fit_sqrt_growth, learned_kernel
from conv_lessons.explorers.effective_rf import (effective_rf_explorer, effective_rf_figure, erf_depth_figure,
                                                 erf_growth_figure)

_ = torch.manual_seed(0)  # the random layers below are seeded too, so every run prints the same numbers"""),
    ("md", """## Counting paths

Take a stack of 3×3 layers with every weight 1/9 (a box blur) and one channel, and differentiate its centre \
output with respect to the input. Summed over the rows, and scaled by 3 per layer, the gradient counts the paths \
from each input column up to the output:"""),
    ("code", """for depth in range(1, 5):
    field = effective_receptive_field(depth, kernel_size=3, weights="uniform")
    (r0, r1), (c0, c1) = field.box
    paths = field.gradient[r0:r1, c0:c1].sum(0) * 3**depth
    print(f"depth {depth}: box {field.size[1]} px wide, paths per column {paths.round().int().tolist()}")"""),
    ("md", """Each layer lets a pixel's influence step one pixel left, stay, or step right. After L layers the \
counts are those of L dice with faces −1, 0, 1: a bell, by the central limit theorem. Variances add, one \
(k² − 1)/12 per layer, so the width (standard deviation) of the bell is

**σ = √(L·(k² − 1)/12)** (0.82·√L for k = 3),

while the box grows like L. At depth 4 the box is 9 pixels wide but the outermost columns are reached by 1 path \
of 81."""),
    ("md", """## Gradient maps

`effective_receptive_field(depth, kernel_size, weights)` computes the map: the gradient of the centre output \
with respect to every input pixel, as a share of the total (the backward pass autograd runs, lesson 05). \
Here 3×3 layers with *random* weights, as at the start of training. One random network's gradient has random signs, so the map averages the squared \
gradient over 64 random networks, as Luo et al. do. The dashed box is the theoretical receptive field, the circle \
has radius 2σ."""),
    ("code", "erf_depth_figure((1, 2, 4, 8, 16), kernel_size=3, weights=\"random\")"),
    ("md", """From depth 4 on, the corners of the box are black: pixels there are inside the receptive field but \
hardly move the output. The blob stays round even though the box is square: a 2-D Gaussian."""),
    ("md", """## Measuring the width

σ for every depth up to 16 and four kinds of stacks: uniform (1/9) weights, random weights, random weights with a \
ReLU after every layer, and the chapter's kernel as training learns it in lesson 03 (a 1×2 kernel)."""),
    ("code", """print(learned_kernel())
stacks = {"uniform": ("uniform", "none"), "random": ("random", "none"), "random+ReLU": ("random", "relu"),
          "learned": ("learned", "none")}
fields = {name: erf_by_depth(16, 3, weights, nonlinearity) for name, (weights, nonlinearity) in stacks.items()}
print(" L  box  " + "  ".join(f"{name:>11}" for name in fields))
for L in (1, 2, 4, 8, 16):
    print(f"{L:2}  {receptive_field([3] * L):3}  " + "  ".join(f"{fields[name][L - 1].sigma[1]:11.2f}"
                                                          for name in fields))"""),
    ("md", """The box gains 2 pixels with every layer. Fit σ ≈ a·√L to each column, and fit the power of L (the \
slope on log–log axes): for every stack it is close to ½."""),
    ("code", """depths = list(range(1, 17))
for name, stack in fields.items():
    a, power = fit_sqrt_growth(depths, [f.sigma[1] for f in stack])
    print(f"{name:>11}: σ ≈ {a:.2f}·√L, fitted power of L {power:.2f}")
print(f"{'exact':>11}: σ = {math.sqrt(8 / 12):.2f}·√L for uniform 3×3 layers (the formula above)")"""),
    ("code", "erf_growth_figure(kernel_size=3)"),
    ("md", """The uniform stack follows the formula exactly. The random stacks scatter around it: 64 networks are \
a small sample of a very wide distribution, and a ReLU silences some paths at random. The learned 1×2 kernel \
≈ [[1, −1]] spreads along the width only, over L + 1 pixels; its |gradient| is a binomial with σ = √L/2. \
The ReLU power of ½ is the random-network result of Luo et al.; in trained networks they found the effective \
field grows during training, but it stays far smaller than the theoretical one."""),
    ("md", """## A shrinking share of the box

The box has width 2L + 1; the bell's ±2σ (which holds about 95% of a 1-D Gaussian) spans 4σ ∝ √L. So the share \
of the box that matters falls like 1/√L:"""),
    ("code", """for L in (1, 4, 16):
    field = fields["uniform"][L - 1]
    print(f"depth {L:2}: box {field.size[1]:2} px, 4σ = {4 * field.sigma[1]:5.2f} px "
          f"({4 * field.sigma[1] / field.size[1]:.0%} of the box); the 2σ disc holds "
          f"{field.mass_within(2 * field.sigma[1]):.0%} of the gradient")"""),
    ("md", """The explorer's picture, for 8 random 3×3 layers: the map with its box and 2σ circle, the profile \
along the width beside a Gaussian of the same σ, and both sizes against depth."""),
    ("code", "effective_rf_figure(depth=8, kernel_size=3, weights=\"random\")"),
    ("md", """## Explorer

Move the depth: the dashed box grows by k − 1 pixels per layer, the blob much more slowly (right panel: a line \
against a √L curve). Change the kernel size (2–5, drawn at the same scale), the weights (random, uniform, the \
learned [[1, −1]]) and add a ReLU between layers. The readout gives σ, the share of the gradient inside the 2σ \
disc and the √L fit over all depths. (A setting you have not tried yet takes a moment to compute the first time.)"""),
    ("code", "# NBVAL_IGNORE_OUTPUT\neffective_rf_explorer()"),
    ("md", """## Why it matters

A network whose output must depend on a wide region (a large object, the context of a pixel) needs an *effective* \
field that wide, not just a theoretical one. Stacking more k×k layers buys it slowly (√L). Strides and pooling \
(next sections of the book) multiply every later layer's reach; dilated kernels spread taps apart (lesson 04); \
and training itself reshapes the weights so the field grows."""),
    ("md", """## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to \
look at, without giving the answer away. Worked solutions: \
[06 Effective receptive fields — solutions](solutions/06_effective_receptive_fields_solutions.ipynb)."""),
    ("md", """**Exercise 1.** Write σ(L), the width of the effective receptive field of L uniform 3×3 layers, as a \
function of L.

*Hint:* one layer spreads a pixel evenly over the offsets −1, 0, 1: what is their variance? Each extra layer adds \
an independent step. Check yourself against the table above; then try `check_erf_std(your_function, \
kernel_size=5)` for 5×5 layers."""),
    ("code", """def sigma(L):
    ...  # your formula


check_erf_std(sigma)"""),
    ("md", """**Exercise 2.** A network is made 4 times deeper (4L layers of the same kind instead of L). By what \
factor does the width of its effective receptive field grow? And its theoretical receptive field?

*Hint:* compare σ at depths 2 and 8, or 4 and 16, in the table or in the explorer."""),
    ("code", """factor = ...  # a number
check_erf_growth(factor)"""),
    ("md", """**Exercise 3.** How many 3×3 layers would a stack of uniform layers need before 4σ, the width that \
holds about 95% of the gradient, reaches 224 pixels (an ImageNet image)? How many for the theoretical receptive \
field?

*Hint:* solve 4·σ(L) = 224 with your σ from exercise 1, and 2L + 1 = 224. The gap is one reason real networks \
downsample with strides and pooling."""),
    ("md", """**Exercise 4.** In the explorer, choose random weights and switch the ReLU on and off at depth 16. \
What changes in the map, and what happens to the fitted power of L? Then try the learned kernel: why is its \
effective field a single row?

*Hint:* a ReLU passes a gradient only where its input was positive; the learned kernel is 1×2, so its theoretical \
field is 1 pixel tall at every depth."""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "06_effective_receptive_fields.ipynb", id_prefix="nb06")


if __name__ == "__main__":
    main()
