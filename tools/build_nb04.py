"""Write notebooks/04_feature_maps_and_receptive_fields.ipynb (unexecuted); run
tools/execute_notebooks.py on it next."""


from nbbuild import write_notebook

NAV = ("[Index](index.ipynb) · ← Previous: [03 Learning a kernel](03_learning_a_kernel.ipynb) · "
       "Next: [05 Convolution as matrix multiplication](05_convolution_as_matrix_multiplication.ipynb) →")

CELLS = [
    ("md", NAV),
    ("md", "# 04 Feature maps and receptive fields"),
    ("md", """The output of a convolutional layer (卷积层) is called a **feature map** (特征图): the same kernel \
(卷积核) is slid over every position, so the output maps *where* in the image its feature — the pattern the \
kernel responds to — occurs. This lesson first looks at several feature maps of one photo, then asks how much of \
the input one element of a feature map can see: its **receptive field** (感受野)."""),
    ("code", """%matplotlib inline
import torch

from conv_lessons import Conv2D, get_kernel, sample_photo
from conv_lessons.checks import check_cheaper_stack, check_deepest_stack, check_receptive_field
from conv_lessons.explorers.receptive_field import (feature_map_figure, receptive_field_explorer,
                                                    receptive_field_figure)
from conv_lessons.feature_maps import feature_maps, path_counts
from conv_lessons.receptive_field import feature_map_size, receptive_field, receptive_field_region

_ = torch.manual_seed(0)  # Conv2D starts from random weights: the same ones on every run"""),
    ("md", """## Feature maps

Seven 3×3 kernels of lesson 02, each slid over a 225×192 photo, give seven feature maps of 223×190 (a 3×3 window \
fits 225 − 3 + 1 = 223 times down and 192 − 3 + 1 = 190 times across; no padding, 填充, here). Stacked, they \
form a 7×223×190 tensor: what one convolutional layer with seven output channels computes (multiple channels are \
the next section of the book)."""),
    ("code", """photo = sample_photo(192)
names = ["identity", "sobel x", "sobel y", "laplacian", "gaussian blur", "box blur", "sharpen"]
maps = feature_maps(photo, [get_kernel(name) for name in names])
print(photo.shape, "→", maps.shape)"""),
    ("code", "feature_map_figure(photo, names)"),
    ("md", """The edge detectors' weights sum to zero, so their maps are signed: zero (white) where the photo is \
flat, red where it gets brighter to the right (Sobel x) or downwards (Sobel y), blue where it gets darker. Their \
colour scale ends at the 99.5th percentile of the response, so a few very strong edges do not wash out the rest. \
Blur and sharpen weights sum to 1: their maps are the photo again, softened or crisper, on its 0 (black) to \
1 (white) scale."""),
    ("md", """## Receptive field

The chapter's definition: the receptive field of an element x of some layer is the set of all elements, in all \
previous layers, that can affect x during forward propagation.

The chapter's example: a 2×2 kernel on a 3×3 input gives a 2×2 output; a second 2×2 layer on that gives 1×1. \
The single output depends on all four elements of the first output, and through them on all nine inputs."""),
    ("code", """X = torch.arange(9.0).reshape(3, 3).requires_grad_()
layer1, layer2 = Conv2D((2, 2)), Conv2D((2, 2))
Y1 = layer1(X)
Y2 = layer2(Y1)
print(Y1.shape, Y2.shape)"""),
    ("md", """Autograd says what the output sees: the gradient of Y2[0, 0] with respect to X is nonzero exactly \
where a change of X changes the output."""),
    ("code", """Y2[0, 0].backward()
print(X.grad)
print("the output sees every input:", bool((X.grad != 0).all()))"""),
    ("md", """How much each input counts depends on the weights. With every weight equal to 1 the gradient counts \
the paths from an input through the layers up to the output: the centre is reached in four ways, the corners in \
one."""),
    ("code", """with torch.no_grad():
    for layer in (layer1, layer2):
        layer.weight.fill_(1.0)
X.grad = None
layer2(layer1(X))[0, 0].backward()
X.grad"""),
    ("md", """The picture of the chapter's example. **Left**, a side view: one row of every layer, input at the \
bottom; each line is one kernel weight reading one element of the layer below, and beside each row its \
receptive field r and its jump J (how many input pixels apart its elements are). **Right**, the 3×3 input, \
shaded and numbered by the number of paths."""),
    ("code", "receptive_field_figure(depth=2, kernel_size=2, input_size=3)"),
    ("md", """## The formula

Stack layers with kernel sizes $k_1, k_2, \\dots$ and strides (步幅) $s_1, s_2, \\dots$. Layer $l$ widens the \
field by $k_l - 1$ of its own inputs, and neighbouring inputs of layer $l$ are $J_{l-1} = s_1 s_2 \\cdots s_{l-1}$ \
input pixels apart (the jump; $J_0 = 1$). So

$$r = 1 + \\sum_{l} (k_l - 1) \\prod_{i<l} s_i .$$

A dilated kernel with dilation $d$ spreads its $k$ taps $d$ pixels apart, so it covers $d\\,(k - 1) + 1$ pixels: \
use that in place of $k$."""),
    ("code", """print(receptive_field([2, 2]))  # the chapter's example
print(receptive_field([3, 3], [2, 2]))  # two 3×3 layers with stride 2: 1 + 2·1 + 2·2
print(receptive_field([3, 3, 3]), receptive_field([7]))  # three 3×3 layers see as far as one 7×7
print(receptive_field([3, 3], dilations=[1, 2]))  # the dilated 3×3 covers 5 pixels: 1 + 2 + 4"""),
    ("md", """The same numbers come out of following one output back down through the layers. `path_counts` lists, \
for every layer, which elements the output reads (along one axis) and along how many paths; here two 3×3 \
layers with stride 2:"""),
    ("code", """for layer, paths in enumerate(path_counts([3, 3], 0, strides=[2, 2])):
    print(f"layer {layer}: elements {paths.start}–{paths.stop - 1}, paths {paths.counts.tolist()}, "
          f"r = {paths.field}, J = {paths.jump}")"""),
    ("md", """Layer 0 is the input: the output reads 7 input pixels, and the pixels where two windows of the first \
layer overlap are counted twice."""),
    ("md", """## On the photo

Three 3×3 layers with stride 2 on the 225×192 photo: the feature maps shrink to 27×23 while one output sees a \
15×15 patch. Output (i, j) sees the patch starting at input pixel (i·J, j·J), with J = 2·2·2 = 8."""),
    ("code", """kernels, strides = [3, 3, 3], [2, 2, 2]
print("last feature map:", [feature_map_size(n, kernels, strides) for n in photo.shape])
print("receptive field:", receptive_field(kernels, strides))
print("output (9, 8) sees rows and columns:", receptive_field_region(kernels, (9, 8), strides,
                                                                    input_shape=tuple(photo.shape)))"""),
    ("code", "receptive_field_figure(depth=3, kernel_size=3, stride=2, position=(9, 8))"),
    ("md", """## Explorer

Change the depth, kernel size, stride and dilation: the side view, the input patch and the box on the photo \
follow, and the readout writes the formula out with your numbers. Move the output row and column: the box jumps \
J pixels at a time. Try stride 1 against stride 2 at depth 3; one layer with dilation 2 (look at the holes); and \
depth 5 with kernel 7 and stride 3 (too deep for this photo: the explorer says why)."""),
    ("code", "# NBVAL_IGNORE_OUTPUT\nreceptive_field_explorer()"),
    ("md", """## Exercises

Replace each `...` with your answer and run the cell: the check says whether it is right and, if not, what to \
look at, without giving the answer away. Worked solutions: \
[04 Feature maps and receptive fields — solutions](solutions/04_feature_maps_and_receptive_fields_solutions.ipynb)."""),
    ("md", """**Exercise 1.** Work out by hand the receptive field of three 3×3 layers with stride 1, and then \
with stride 2 in every layer. Check your answers with `receptive_field`.

*Hint:* every layer adds (k − 1)·J, where J is the product of the strides of the layers *before* it. With \
stride 1, J stays 1; with stride 2 it doubles from layer to layer."""),
    ("code", """r_stride1 = ...  # a whole number: the receptive field of three 3×3 layers with stride 1
r_stride2 = ...  # a whole number: the same with stride 2 in every layer
check_receptive_field(r_stride1, kernel_sizes=[3, 3, 3], strides=[1, 1, 1])
check_receptive_field(r_stride2, kernel_sizes=[3, 3, 3], strides=[2, 2, 2])"""),
    ("md", """**Exercise 2.** A stack of L 3×3 layers sees as far as one (2L + 1)×(2L + 1) layer. Count the \
weights of each (one channel in, one out). From which L on is the stack cheaper, and what else does it gain?

*Hint:* compare 9L with (2L + 1)². Then think about the nonlinearity that sits between two layers of a real \
network (VGG builds its networks from 3×3 stacks for these reasons)."""),
    ("code", """cheaper_from = ...  # a whole number: the smallest L for which L 3×3 layers have fewer weights
check_cheaper_stack(cheaper_from)"""),
    ("md", """**Exercise 3.** Where in a stack does a stride enlarge the receptive field most? Compare \
`receptive_field([3, 3, 3], [2, 1, 1])` with `receptive_field([3, 3, 3], [1, 1, 2])`.

*Hint:* a stride widens only the layers *after* it. The last layer's stride changes the jump J and the size of \
the feature map, not r."""),
    ("code", """r_first = ...  # a whole number: the receptive field with strides [2, 1, 1]
r_last = ...  # a whole number: the receptive field with strides [1, 1, 2]
check_receptive_field(r_first, kernel_sizes=[3, 3, 3], strides=[2, 1, 1])
check_receptive_field(r_last, kernel_sizes=[3, 3, 3], strides=[1, 1, 2])"""),
    ("md", """**Exercise 4.** With one dilated 3×3 layer (d = 2), which pixels inside its field does an output \
*not* see? Now stack three 3×3 layers with dilations 1, 2 and 4: what is r, and are there holes left?

*Hint:* set the explorer to one layer with dilation 2 and look at the input patch; \
`path_counts([3, 3, 3], 0, dilations=[1, 2, 4])[0].counts` gives the number of paths to every input pixel of \
the field (0 = a hole). WaveNet and DeepLab grow their receptive fields this way."""),
    ("code", """r_dilated = ...  # a whole number: r of three 3×3 layers with dilations 1, 2 and 4
check_receptive_field(r_dilated, kernel_sizes=[3, 3, 3], dilations=[1, 2, 4])"""),
    ("md", """**Exercise 5.** How many 5×5 layers with stride 2 fit on the 225×192 photo before a feature map \
becomes smaller than the kernel? What is the receptive field of the deepest one that fits?

*Hint:* `feature_map_size(192, [5] * L, [2] * L)` raises a `ValueError` when the stack does not fit; the \
explorer says so too (kernel 5, stride 2, more and more depth)."""),
    ("code", """depth = ...  # a whole number: how many 5×5 layers with stride 2 fit on the 225×192 photo
field = ...  # a whole number: the receptive field of the deepest of them (pixels along one axis)
check_deepest_stack(depth, field, input_shape=(225, 192), kernel_size=5, stride=2)"""),
    ("md", NAV),
]


def main() -> None:
    write_notebook(CELLS, "04_feature_maps_and_receptive_fields.ipynb", id_prefix="nb04")


if __name__ == "__main__":
    main()
