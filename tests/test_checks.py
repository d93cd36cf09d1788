"""The exercise self-checks: right answers pass, typical wrong ones get a hint (not the answer),
blanks and unreadable answers get a friendly line, never a traceback."""

import math

import pytest
import torch
import torch.nn.functional as F

from conv_lessons import Conv2D, convolve2d, corr2d, corr2d_fast, diagonal_image, edge_image
from conv_lessons.checks import (
    AUTOGRAD_CHOICES,
    CHECKS,
    CheckResult,
    autograd_outcome,
    check_blur_kernel,
    check_conv2d_autograd,
    check_conv_matrix_nonzeros,
    check_corr2d_matmul,
    check_diagonal_edges,
    check_direction_kernel,
    check_erf_growth,
    check_erf_std,
    check_input_gradient,
    check_min_kernel_size,
    check_second_derivative,
)
from conv_lessons.matrix import conv_matrix, corr2d_matmul, im2col

T = torch.tensor
CHAPTER_K = T([[1.0, -1.0]])


def passes(result):
    assert isinstance(result, CheckResult)
    assert result.passed and result.status == "correct" and bool(result), result.message
    assert result.message.startswith("✓ ")
    return result


def fails(result, *words):
    """A wrong answer: status 'wrong', a hint containing every word."""
    assert result.status == "wrong" and not result.passed and not result, result.message
    assert result.message.startswith("✗ ") and "not yet." in result.message
    for word in words:
        assert word in result.message, (word, result.message)
    return result


def unreadable(result, *words):
    assert result.status == "invalid" and not result.passed, result.message
    assert "can't check this answer." in result.message
    for word in words:
        assert word in result.message, (word, result.message)
    return result


# ---------------------------------------------------------------------------------------------
# The result object, printing, blanks
# ---------------------------------------------------------------------------------------------


def test_result_prints_once_and_its_repr_is_the_message(capsys):
    result = check_blur_kernel(torch.ones(3, 3) / 9)
    printed = capsys.readouterr().out
    assert printed == result.message + "\n"
    assert repr(result) == str(result) == result.message


def test_result_is_not_shown_twice_in_the_cell_that_printed_it(capsys, monkeypatch):
    from conv_lessons.checks import verdict

    monkeypatch.setattr(verdict, "_execution_count", lambda: 7)
    result = check_blur_kernel(torch.ones(2, 2) / 4)
    capsys.readouterr()
    result._ipython_display_()  # what IPython calls when the check is the cell's last line
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(verdict, "_execution_count", lambda: 8)  # shown again in a later cell
    result._ipython_display_()
    assert capsys.readouterr().out == result.message + "\n"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_turns_the_blank_into_a_fill_in_line(name, capsys):
    result = CHECKS[name](...)
    assert result.status == "blank" and not result.passed
    assert "fill in your answer: replace ... with" in result.message
    assert result.message.startswith("✎ ")
    assert capsys.readouterr().out.count("\n") == 1


def test_a_function_left_empty_is_a_blank_too():
    def my_corr2d_matmul(X, K):
        ...  # your code

    def my_input_gradient(G, K):
        """Return the gradient with respect to X."""
        pass

    assert check_corr2d_matmul(my_corr2d_matmul).status == "blank"
    assert check_input_gradient(my_input_gradient).status == "blank"
    assert check_erf_std(lambda L: ...).status == "blank"
    assert check_erf_std(lambda L: L).status == "wrong"


@pytest.mark.parametrize("name", sorted(CHECKS))
@pytest.mark.parametrize("answer", ["abc", None, [[1, 2], [3]], {"a": 1}, object()])
def test_every_check_answers_any_wrong_type_with_a_message_not_a_traceback(name, answer):
    result = CHECKS[name](answer)
    assert result.status in {"invalid", "wrong"} and not result.passed, result.message
    assert "Traceback" not in result.message


def test_checks_leave_the_learners_random_numbers_alone():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    check_conv2d_autograd("b")
    check_corr2d_matmul(lambda X, K: corr2d(X, K).clone())
    check_input_gradient(lambda G, K: G)
    assert torch.equal(torch.get_rng_state(), state)


# ---------------------------------------------------------------------------------------------
# Exercise 1: the diagonal image
# ---------------------------------------------------------------------------------------------

X_DIAG = diagonal_image()


@pytest.mark.parametrize(("case", "truth"), [("K", corr2d(X_DIAG, CHAPTER_K)), ("X.T", corr2d(X_DIAG.T, CHAPTER_K)),
                                            ("K.T", corr2d(X_DIAG, CHAPTER_K.T))])
def test_diagonal_predictions_pass_as_tensors_lists_and_ints(case, truth):
    passes(check_diagonal_edges(truth, case=case))
    passes(check_diagonal_edges(truth.tolist(), case=case))
    passes(check_diagonal_edges(truth.to(torch.int64), case=case))


def test_diagonal_truths_are_the_lines_the_lesson_describes():
    # K marks each row's 1→0 step with 1; X.T and K.T see the edge with −1s (not the answer key: the image's facts).
    assert "line of 1s" in check_diagonal_edges(corr2d(X_DIAG, CHAPTER_K)).message
    assert "line of −1s" in check_diagonal_edges(corr2d(X_DIAG.T, CHAPTER_K), case="X.T").message
    assert "line of −1s" in check_diagonal_edges(corr2d(X_DIAG, CHAPTER_K.T), case="K.T").message


def test_diagonal_shape_only_answer():
    passes(check_diagonal_edges((8, 7)))
    passes(check_diagonal_edges(torch.Size([7, 8]), case="K.T"))
    fails(check_diagonal_edges((7, 8)), "swapped")
    fails(check_diagonal_edges((8, 8)), "Wrong shape", "n_h − k_h + 1")


def test_diagonal_typical_mistakes_get_named():
    truth = corr2d(X_DIAG, CHAPTER_K)
    fails(check_diagonal_edges(-truth), "Off by a sign", "left minus right")
    fails(check_diagonal_edges(corr2d(X_DIAG.T, CHAPTER_K)), "another part", "X.T")
    fails(check_diagonal_edges(torch.zeros(8, 7)), "does respond")
    fails(check_diagonal_edges(torch.roll(truth, 1, dims=1)), "shifted by one pixel")
    fails(check_diagonal_edges(2 * truth), "right places")
    fails(check_diagonal_edges(torch.zeros(7, 8)), "swapped")
    fails(check_diagonal_edges(-corr2d(X_DIAG, CHAPTER_K.T), case="K.T"), "top minus bottom")


def test_diagonal_check_uses_the_learners_own_image():
    X = torch.flip(diagonal_image(6), dims=(1,))  # the other diagonal
    passes(check_diagonal_edges(corr2d(X, CHAPTER_K), X=X))
    fails(check_diagonal_edges(corr2d(diagonal_image(6), CHAPTER_K), X=X))
    unreadable(check_diagonal_edges(torch.zeros(1, 1), X=torch.ones(1, 1)), "too small")


def test_diagonal_unknown_case_is_the_authors_mistake():
    with pytest.raises(ValueError, match="case"):
        check_diagonal_edges(..., case="X")


# ---------------------------------------------------------------------------------------------
# Exercise 2a: direction v
# ---------------------------------------------------------------------------------------------

SOBEL_X = T([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # change along the columns (v = (0, 1))
SOBEL_Y = SOBEL_X.T  # change down the rows (v = (1, 0))


@pytest.mark.parametrize(("K", "v"), [
    (CHAPTER_K, (0, 1)), (-CHAPTER_K, (0, 1)), (5 * CHAPTER_K, (0, 1)), (CHAPTER_K.T, (1, 0)),
    (T([[-1.0, 0], [0, 1]]), (1, 1)), (T([[1.0, 0], [0, -1]]), (1, 1)), (T([[0.0, 1], [-1, 0]]), (1, -1)),
    (3 * SOBEL_Y + 4 * SOBEL_X, (3, 4)), (-(3 * SOBEL_Y + 4 * SOBEL_X), (0.6, 0.8)), (SOBEL_X, (0, 2)),
    (T([[-3.0, 2], [1, 0]]), (1, 2)), (T([[-1.0, 0, 1]]), (0, 1)),
])
def test_direction_kernels_that_are_right(K, v):
    passes(check_direction_kernel(K, v=v))


def test_direction_kernel_responds_as_the_exercise_says():
    # Rotated soft edges: strong response to change along v, none to change across it.
    K, v = T([[-1.0, 0], [0, 1]]), (1, 1)
    rows, cols = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
    along = corr2d((rows + cols) / 2**0.5, K)  # brightness rising along v
    across = corr2d((rows - cols) / 2**0.5, K)  # rising perpendicular to v: an edge running along v
    assert along.abs().min() > 1 and across.abs().max() < 1e-5
    passes(check_direction_kernel(K, v=v))


def test_direction_typical_mistakes():
    fails(check_direction_kernel(CHAPTER_K, v=(1, 0)), "wrong direction", "90°")
    fails(check_direction_kernel(T([[1.0, 1.0]]), v=(0, 1)), "flat image", "sum to zero")
    fails(check_direction_kernel(T([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]), v=(1, 1)), "second derivative")
    # Lesson 02 writes the direction as v = (v_h, v_w), so the feedback does too (issue 11, item 10).
    result = fails(check_direction_kernel(T([[-1.0, 0], [0, 1]]), v=(1, 2)), "away from v", "v_h and v_w")
    assert "v1" not in result.message and "v2" not in result.message
    fails(check_direction_kernel(T([[2.0]]), v=(1, 1)), "1×1")
    fails(check_direction_kernel(torch.zeros(2, 2), v=(1, 1)), "zero")
    unreadable(check_direction_kernel(T([1.0, -1.0]), v=(0, 1)), "1-D", "[[a, b, c]]")
    unreadable(check_direction_kernel(CHAPTER_K, v=(0, 0)), "non-zero")
    unreadable(check_direction_kernel(CHAPTER_K, v="up"), "(v_h, v_w)")


# ---------------------------------------------------------------------------------------------
# Exercise 2b: second derivative and minimum sizes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("K", "axis"), [
    (T([[1.0, -2, 1]]), "width"), (T([[1.0], [-2], [1]]), "height"), (T([[2.0, -4, 2]]), "width"),
    (T([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]), "both"), (T([[1.0, 1, 1], [1, -8, 1], [1, 1, 1]]), "both"),
    (T([[0.0, 0, 0], [1, -2, 1], [0, 0, 0]]), "width"), (T([[1.0, -1, -1, 1]]), "width"),
])
def test_second_derivative_kernels_that_are_right(K, axis):
    passes(check_second_derivative(K))
    passes(check_second_derivative(K, axis=axis))


def test_second_derivative_notes_a_kernel_larger_than_needed():
    assert "larger than it needs" in passes(check_second_derivative(T([[1.0, -1, -1, 1]]))).message
    assert "larger than it needs" not in passes(check_second_derivative(T([[1.0, -2, 1]]))).message
    # zeros around a minimal kernel do not count: its non-zero part is what it computes with
    assert "larger than it needs" not in passes(check_second_derivative(T([[0.0, 0, 0], [1, -2, 1]]))).message


def test_second_derivative_typical_mistakes_do_not_reveal_the_kernel():
    cases = [
        (T([[-1.0, 2, -1]]), "Off by a sign"),
        (CHAPTER_K, "first derivative"),
        (T([[1.0, -3, 3, -1]]), "higher derivative"),
        (T([[1.0, -2, 2]]), "flat image"),
        (T([[0.0, 2, 0], [1, -6, 1], [0, 2, 0]]), "differently"),
        (T([[1.0, -1], [-1, 1]]), "saddle"),
        (torch.zeros(1, 3), "zero"),
    ]
    for K, hint in cases:
        result = fails(check_second_derivative(K), hint)
        assert "1, −2, 1" not in result.message and "1, -2, 1" not in result.message
    fails(check_second_derivative(T([[1.0, -2, 1]]), axis="height"), "asks for one along the height")


def test_min_kernel_size_numbers():
    passes(check_min_kernel_size(3, order=2))
    passes(check_min_kernel_size(3.0, order=2))
    passes(check_min_kernel_size((1, 3), order=2))
    passes(check_min_kernel_size(5, order=4))
    fails(check_min_kernel_size(2, order=2), "too few")
    fails(check_min_kernel_size(5, order=2), "not the minimum")
    fails(check_min_kernel_size(2.5, order=2), "whole number")
    unreadable(check_min_kernel_size("3", order=2))


def test_min_kernel_size_counts_taps_in_good_grammar():
    """One tap, two taps: never "1 taps" (issue 11, item 10)."""
    result = fails(check_min_kernel_size(1, order=2), "too few")
    assert "You say 1 tap: too few" in result.message and "1 taps" not in result.message
    assert "You say 2 taps: too few" in fails(check_min_kernel_size(2, order=2)).message
    assert "gives 1 tap: too few" in fails(check_min_kernel_size(lambda d: 1)).message
    assert "gives 3 taps: they work" in fails(check_min_kernel_size(lambda d: d + 2)).message
    unreadable(check_min_kernel_size(lambda d: d + 1, order=2), "function")


def test_min_kernel_size_functions():
    passes(check_min_kernel_size(lambda d: d + 1))
    passes(check_min_kernel_size(lambda d: int(d) + 1.0))
    fails(check_min_kernel_size(lambda d: d), "too few")
    fails(check_min_kernel_size(lambda d: 2 * d + 1), "not the minimum")
    fails(check_min_kernel_size(lambda d: 2 if d == 1 else 2 * d + 1), "d = 2", "[[1, −1]]")
    unreadable(check_min_kernel_size(lambda d: 1 / 0), "ZeroDivisionError")
    unreadable(check_min_kernel_size(3), "function")
    for wrong in (lambda d: d, lambda d: 2 * d + 1):
        assert "d + 1" not in check_min_kernel_size(wrong).message


def test_min_kernel_size_bad_order_is_the_authors_mistake():
    with pytest.raises(ValueError, match="order"):
        check_min_kernel_size(3, order=0)


# ---------------------------------------------------------------------------------------------
# Exercise 2c: blur
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("K", [torch.ones(3, 3) / 9, T([[0.25, 0.5, 0.25]]), T([[1.0], [1.0]]) / 2,
                               T([[1.0, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16, T([[0.33, 0.33, 0.33]]),
                               torch.ones(5, 5) / 25])
def test_blur_kernels_that_are_right(K):
    result = passes(check_blur_kernel(K))
    assert "variance" in result.message


def test_blur_reports_how_much_noise_variance_is_left():
    assert "11%" in check_blur_kernel(torch.ones(3, 3) / 9).message  # Σw² = 1/9
    noise = torch.randn(400, 400, generator=torch.Generator().manual_seed(0))
    kept = corr2d_fast(noise, torch.ones(3, 3) / 9).var() / noise.var()
    assert abs(float(kept) - 1 / 9) < 0.01  # the number the check states is what happens to noise


def test_blur_typical_mistakes():
    fails(check_blur_kernel(torch.ones(3, 3)), "Not normalised", "9", "brighter")
    fails(check_blur_kernel(torch.ones(2, 2) / 8), "Not normalised", "darker")
    fails(check_blur_kernel(T([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])), "copies")
    fails(check_blur_kernel(T([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]])), "negative")
    fails(check_blur_kernel(torch.zeros(3, 3)), "zero")
    unreadable(check_blur_kernel(T([1 / 3, 1 / 3, 1 / 3])), "1-D")
    unreadable(check_blur_kernel(T([[math.nan, 0.5]])), "nan")


# ---------------------------------------------------------------------------------------------
# Exercise 3: autograd through Conv2D, as observed on the installed PyTorch
# ---------------------------------------------------------------------------------------------

def observe_conv2d_backward():
    """The experiment, run here independently of the check."""
    torch.manual_seed(0)
    conv = Conv2D((1, 2))
    X = edge_image()
    Y = corr2d(X, CHAPTER_K)
    try:
        ((conv(X) - Y) ** 2).sum().backward()
    except RuntimeError:
        return "a"
    if conv.weight.grad is None:
        return "c"
    weight = conv.weight.detach().clone().requires_grad_(True)
    ((F.conv2d(X[None, None], weight[None, None], conv.bias.detach())[0, 0] - Y) ** 2).sum().backward()
    if not conv.weight.grad.abs().sum():
        return "d"
    return "b" if torch.allclose(conv.weight.grad, weight.grad, atol=1e-5) else "?"


def test_autograd_outcome_is_what_this_pytorch_does():
    observed = observe_conv2d_backward()
    assert autograd_outcome()[0] == observed
    assert observed == "b"  # modern PyTorch records the in-place writes; lesson 03's text relies on it


def test_autograd_check_accepts_the_observed_choice_only():
    observed = autograd_outcome()[0]
    for spelling in (observed, observed.upper(), f"({observed})", f" {observed}) "):
        passes(check_conv2d_autograd(spelling))
    for letter in AUTOGRAD_CHOICES:
        if letter != observed:
            fails(check_conv2d_autograd(letter), "Run the experiment")
    assert "older editions" in check_conv2d_autograd("a").message
    unreadable(check_conv2d_autograd("e"), "'a', 'b', 'c', 'd'")
    unreadable(check_conv2d_autograd(2))


# ---------------------------------------------------------------------------------------------
# Exercise 4: cross-correlation as a matrix product
# ---------------------------------------------------------------------------------------------

def by_im2col(X, K):
    out_h, out_w = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return (K.reshape(-1) @ im2col(X, K.shape)).reshape(out_h, out_w)


def by_matrix(X, K):
    return (conv_matrix(tuple(X.shape), K) @ X.reshape(-1)).reshape(X.shape[0] - K.shape[0] + 1, -1)


def by_loops_into_a_matrix(X, K):
    """A learner's own W, built with loops."""
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros(out_h * out_w, n_h * n_w, dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(k_h):
                for q in range(k_w):
                    W[i * out_w + j, (i + p) * n_w + j + q] = K[p, q]
    return (W @ X.flatten()).reshape(out_h, out_w)


@pytest.mark.parametrize("fn", [by_im2col, by_matrix, by_loops_into_a_matrix, lambda X, K: by_im2col(X, K).numpy()])
def test_matmul_functions_that_are_right(fn):
    passes(check_corr2d_matmul(fn))


def test_matmul_matrices_that_are_right():
    passes(check_corr2d_matmul(conv_matrix((3, 3), T([[0.0, 1], [2, 3]]))))
    passes(check_corr2d_matmul(conv_matrix((3, 3), T([[0.0, 1], [2, 3]])).tolist()))
    passes(check_corr2d_matmul(conv_matrix((2, 3), CHAPTER_K), input_shape=(2, 3), K=[[1, -1]]))


def test_matmul_typical_mistakes():
    W = conv_matrix((3, 3), T([[0.0, 1], [2, 3]]))
    fails(check_corr2d_matmul(W.T), "transpose")
    fails(check_corr2d_matmul(conv_matrix((3, 3), T([[3.0, 2], [1, 0]]))), "convolution")
    columns_by_column = torch.arange(9).reshape(3, 3).T.reshape(-1)
    fails(check_corr2d_matmul(W[:, columns_by_column]), "column by column")
    one_wrong = W.clone()
    one_wrong[2, 4] = 7
    fails(check_corr2d_matmul(one_wrong), "1 of the 4 rows is wrong", "row 2")
    fails(check_corr2d_matmul(torch.zeros(4, 8)), "one column per input pixel")
    fails(check_corr2d_matmul(lambda X, K: K.reshape(-1) @ im2col(X, K.shape)), "reshape")
    fails(check_corr2d_matmul(lambda X, K: convolve2d(X, K)), "convolution")
    fails(check_corr2d_matmul(lambda X, K: corr2d(X, K).T * 1), "shape")
    fails(check_corr2d_matmul(corr2d_matmul), "package's own")
    fails(check_corr2d_matmul(corr2d), "package's own")
    def forgot_return(X, K):
        Y = by_im2col(X, K)  # noqa: F841

    unreadable(check_corr2d_matmul(forgot_return), "return")
    unreadable(check_corr2d_matmul(lambda X, K: X @ K), "RuntimeError")


def by_float32_zeros(X, K, dtype=torch.float32):
    """Issue 11, item 1: a learner's correct W built with torch.zeros (float32, the default dtype)."""
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros(out_h * out_w, n_h * n_w, dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(k_h):
                for q in range(k_w):
                    W[i * out_w + j, (i + p) * n_w + j + q] = K[p, q]
    return (W @ X.reshape(-1)).reshape(out_h, out_w)


def by_float64_zeros(X, K):
    """A correct W in float64: W @ X needs float64 X (with the book's float32 X it raises)."""
    return by_float32_zeros(X, K, dtype=torch.float64)


@pytest.mark.parametrize(("fn", "dtype"), [(by_float32_zeros, torch.float32), (by_float64_zeros, torch.float64)])
def test_a_correct_answer_passes_whatever_float_dtype_it_uses(fn, dtype):
    X, K = T([[0.0, 1, 2], [3, 4, 5], [6, 7, 8]], dtype=dtype), T([[0.0, 1], [2, 3]], dtype=dtype)
    assert fn(X, K).tolist() == [[19, 25], [37, 43]]
    passes(check_corr2d_matmul(fn))


@pytest.mark.parametrize("fn", [
    lambda X, K: corr2d(X, K),
    lambda X, K: corr2d_fast(X, K),
    lambda X, K: F.conv2d(X[None, None], K[None, None])[0, 0],
    lambda X, K: corr2d_matmul(X, K),  # the package's product, not the learner's
])
def test_the_right_numbers_without_a_matrix_product_are_not_accepted(fn):
    result = fails(check_corr2d_matmul(fn), "no matrix product ran in your function")
    assert "W[" not in result.message and "K.reshape" not in result.message  # a hint, not the answer


def test_a_complex_result_is_refused():
    """Issue 9, item 7: a function returning right + 5j was accepted (its imaginary part dropped)."""
    unreadable(check_corr2d_matmul(lambda X, K: by_float32_zeros(X, K) + 5j), "complex")
    unreadable(check_corr2d_matmul(lambda X, K: (by_float32_zeros(X, K) + 5j).tolist()), "complex")
    unreadable(check_corr2d_matmul(conv_matrix((3, 3), T([[0.0, 1], [2, 3]])) + 1j), "complex")


def test_deepest_stack_refuses_a_set_up_that_never_stops_instead_of_hanging():
    from conv_lessons.checks import check_deepest_stack

    with pytest.raises(ValueError, match="kernel_size: .*≥ 2"):
        check_deepest_stack(3, 5, kernel_size=1)
    with pytest.raises(ValueError, match="input_shape: .*loop budget"):
        check_deepest_stack(3, 5, input_shape=(10**6, 10**6), kernel_size=2, stride=1)


# ---------------------------------------------------------------------------------------------
# Lesson 05 and 06 checks
# ---------------------------------------------------------------------------------------------

def test_conv_matrix_nonzeros():
    result = passes(check_conv_matrix_nonzeros(14400))
    assert "451,584" in result.message
    passes(check_conv_matrix_nonzeros(T(14400)))
    passes(check_conv_matrix_nonzeros(16, input_shape=(3, 3), kernel_shape=(2, 2)))
    fails(check_conv_matrix_nonzeros(25), "distinct weights")
    fails(check_conv_matrix_nonzeros(576 * 784), "every entry")
    fails(check_conv_matrix_nonzeros(784 * 25), "per output pixel")
    fails(check_conv_matrix_nonzeros(23 * 23 * 25), "Off by one")
    fails(check_conv_matrix_nonzeros(1000), "Count the rows")
    unreadable(check_conv_matrix_nonzeros("14400"))


def full_convolution(G, K):
    k_h, k_w = K.shape
    return convolve2d(F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1)), K)


def test_input_gradient():
    passes(check_input_gradient(full_convolution))
    passes(check_input_gradient(lambda G, K: F.conv_transpose2d(G[None, None], K[None, None])[0, 0]))
    fails(check_input_gradient(lambda G, K: corr2d(F.pad(G, (K.shape[1] - 1,) * 2 + (K.shape[0] - 1,) * 2), K)),
          "wrong way round")
    fails(check_input_gradient(lambda G, K: G), "X's shape")
    fails(check_input_gradient(lambda G, K: full_convolution(G, K).flatten()), "reshape")
    fails(check_input_gradient(lambda G, K: 2 * full_convolution(G, K)), "differs")
    unreadable(check_input_gradient(full_convolution(T([[1.0]]), T([[1.0]]))), "function")


def test_erf_std():
    passes(check_erf_std(lambda L: math.sqrt(2 * L / 3)))
    passes(check_erf_std(lambda L: (L * 24 / 12) ** 0.5, kernel_size=5))
    fails(check_erf_std(lambda L: 0.8165 * L), "proportion to L")
    fails(check_erf_std(lambda L: math.sqrt(L)), "Right growth", "wrong constant")
    fails(check_erf_std(lambda L: 2 * L + 1), "For L = 1")
    unreadable(check_erf_std(0.8), "function")
    unreadable(check_erf_std(lambda L: "wide"))


def test_erf_std_formula_is_what_the_uniform_stack_measures():
    from conv_lessons.effective_rf import erf_by_depth

    for field in erf_by_depth(6, 3, "uniform"):
        assert field.sigma[1] == pytest.approx(math.sqrt(2 * field.depth / 3), rel=1e-5)


def test_erf_growth():
    passes(check_erf_growth(2))
    passes(check_erf_growth(math.sqrt(4)))
    passes(check_erf_growth(1.98))
    passes(check_erf_growth(3, factor=9))
    fails(check_erf_growth(4), "theoretical")
    fails(check_erf_growth(1), "does grow")
    fails(check_erf_growth(3), "which power")
    unreadable(check_erf_growth("2"))


# ---------------------------------------------------------------------------------------------
# Lesson 01: output shapes; when cross-correlation equals convolution
# ---------------------------------------------------------------------------------------------


def test_output_shape():
    from conv_lessons.checks import check_output_shape

    passes(check_output_shape((6, 7)))
    passes(check_output_shape([6, 7]))
    passes(check_output_shape(torch.Size([6, 7])))
    passes(check_output_shape(corr2d(edge_image(), CHAPTER_K).shape))
    passes(check_output_shape((4, 6), kernel_shape=(3, 3)))
    passes(check_output_shape((2, 2), input_shape=(3, 3), kernel_shape=(2, 2)))
    fails(check_output_shape((7, 6)), "swapped")
    fails(check_output_shape((5, 6)), "Off by one")
    fails(check_output_shape((6, 9)), "larger than the input")
    fails(check_output_shape((8, 10), kernel_shape=(3, 3)), "larger than the input")
    fails(check_output_shape((6, 8)), "padding")
    fails(check_output_shape((6, 5)), "columns is wrong")
    fails(check_output_shape((3, 3), kernel_shape=(3, 3)), "Both numbers")
    unreadable(check_output_shape(42), "pair")
    unreadable(check_output_shape((6.5, 7)), "whole numbers")


def test_output_shape_hints_do_not_print_the_answer():
    from conv_lessons.checks import check_output_shape

    for wrong in [(7, 6), (5, 6), (7, 9), (6, 8), (6, 5), (1, 1)]:
        message = check_output_shape(wrong, kernel_shape=(3, 3)).message
        assert "4×6" not in message and "(4, 6)" not in message, message


def test_kernel_shape():
    from conv_lessons.checks import check_kernel_shape

    passes(check_kernel_shape((6, 8)))
    passes(check_kernel_shape(edge_image().shape))
    passes(check_kernel_shape((2, 3), input_shape=(3, 4), out_shape=(2, 2)))
    fails(check_kernel_shape((8, 6)), "swapped")
    fails(check_kernel_shape((1, 1)), "output's shape")
    fails(check_kernel_shape((5, 7)), "Off by one")
    fails(check_kernel_shape((7, 9)), "Off by one")
    fails(check_kernel_shape((9, 9)), "larger than the input")
    fails(check_kernel_shape((2, 2)), "Solve n − k + 1 = m")
    with pytest.raises(ValueError, match="out_shape"):
        check_kernel_shape((1, 1), input_shape=(3, 3), out_shape=(4, 4))
    with pytest.raises(ValueError, match="kernel_shape"):
        check_output_shape_import()((1, 1), input_shape=(3, 3), kernel_shape=(4, 1))


def check_output_shape_import():
    from conv_lessons.checks import check_output_shape

    return check_output_shape


def rotation_symmetric(K):
    return torch.equal(K, torch.flip(K, dims=(0, 1)))


def by_experiment(K):
    X = torch.randn(6, 7)
    return torch.allclose(corr2d(X, K), convolve2d(X, K))


def test_same_as_convolution_right_answers():
    from conv_lessons.checks import check_same_as_convolution

    passes(check_same_as_convolution(rotation_symmetric))
    passes(check_same_as_convolution(lambda K: bool((K == K.flip(0).flip(1)).all())))
    passes(check_same_as_convolution(lambda K: torch.equal(K, torch.rot90(K, 2))))
    passes(check_same_as_convolution(by_experiment))  # trying it on a random input works too
    passes(check_same_as_convolution(lambda K: (K == torch.flip(K, dims=(0, 1))).all()))  # a 0-D bool tensor


def test_same_as_convolution_agrees_with_the_definition_on_every_case():
    from conv_lessons.checks.lesson01_cross_correlation import _FLIP_CASES

    X = torch.randn(7, 7, generator=torch.Generator().manual_seed(1))
    for kernel, same in _FLIP_CASES:
        K = T(kernel)
        assert torch.allclose(corr2d(X, K), convolve2d(X, K)) == same, kernel


def test_same_as_convolution_typical_mistakes():
    from conv_lessons.checks import check_same_as_convolution

    fails(check_same_as_convolution(lambda K: torch.equal(K, K.T)), "K == K.T", "180°")
    fails(check_same_as_convolution(lambda K: torch.equal(K, torch.flip(K, dims=(1,)))), "left-right")
    fails(check_same_as_convolution(lambda K: torch.equal(K, torch.flip(K, dims=(0,)))), "top-bottom")
    fails(check_same_as_convolution(lambda K: torch.equal(K, K.flip(0)) and torch.equal(K, K.flip(1))),
          "Too strict")
    fails(check_same_as_convolution(lambda K: True), "True for every kernel")
    fails(check_same_as_convolution(lambda K: False), "False for every kernel")
    fails(check_same_as_convolution(lambda K: K.shape[0] == 1), "Wrong for K =")
    unreadable(check_same_as_convolution(lambda K: "yes"), "True or False")
    unreadable(check_same_as_convolution(lambda K: K.flip(0, 1)), "True or False")
    unreadable(check_same_as_convolution(T([[1.0, 2.0, 1.0]])), "function")
    unreadable(check_same_as_convolution(lambda K: 1 / 0), "ZeroDivisionError")


# ---------------------------------------------------------------------------------------------
# Lesson 03: stable and fastest learning rates
# ---------------------------------------------------------------------------------------------


def test_stable_lr_for_the_chapters_image():
    from conv_lessons import stable_lr_limit
    from conv_lessons.checks import check_stable_lr

    result = passes(check_stable_lr(1 / 30))
    assert "2/60" in result.message
    passes(check_stable_lr(0.0333))
    passes(check_stable_lr(stable_lr_limit(edge_image(), (1, 2))))
    passes(check_stable_lr(T(1 / 30)))
    passes(check_stable_lr(1 / 30, edge_image().T, (2, 1)))  # the same windows, so the same limit
    fails(check_stable_lr(0.03), "converges", "larger rates")
    fails(check_stable_lr(2 / 12), "flattest direction")
    fails(check_stable_lr(1 / 60), "Half the limit")
    fails(check_stable_lr(1 / 15), "leave out the 2")
    fails(check_stable_lr(0.05), "above 1", "diverges")
    fails(check_stable_lr(-0.01), "positive")
    unreadable(check_stable_lr("1/30"))


def test_stable_lr_points_first_at_what_the_core_showed():
    """Lesson 03 asks for the limit (X.T, a 2×1 kernel) in its core, before the eigenvalues of H (Going
    deeper): a wrong answer is pointed first at the loss curve and the training explorer's readout, and
    only then at the eigenvalues (issue 11)."""
    from conv_lessons.checks import check_stable_lr

    X = edge_image()
    for wrong, words in ((0.05, ("diverges", "the loss grows")), (0.02, ("converges", "larger rates"))):
        message = fails(check_stable_lr(wrong, X=X.T, kernel_size=(2, 1)), *words, "training explorer's readout",
                        "pairs of pixels", "Going deeper").message
        assert message.index("loss") < message.index("training explorer") < message.index("Going deeper")
        assert "Find the eigenvalues" not in message


def test_stable_lr_for_the_diagonal_image():
    from conv_lessons.checks import check_stable_lr

    D = diagonal_image()
    # H = 2·[[35, 28], [28, 28]] for the 8×8 diagonal image: λ_max = 63 + √3185.
    truth = 2 / (63 + math.sqrt(3185))
    passes(check_stable_lr(truth, D))
    passes(check_stable_lr(0.0167, D))
    fails(check_stable_lr(1 / 30, D), "chapter's edge image")
    fails(check_stable_lr(truth / 2, D), "Half the limit")
    fails(check_stable_lr(0.01, D), "larger rates")
    with pytest.raises(ValueError, match="kernel_size"):
        check_stable_lr(0.1, D, (9, 1))


def test_fastest_lr():
    from conv_lessons.checks import check_fastest_lr

    result = passes(check_fastest_lr(1 / 36))
    assert "0.667" in result.message and "2/72" in result.message
    passes(check_fastest_lr(0.0278))
    passes(check_fastest_lr(2 / (12 + 60)))
    fails(check_fastest_lr(0.03), "0.8 (steep direction)", "0.64 (shallow)", "smaller rate")
    fails(check_fastest_lr(0.02), "shallow direction's", "larger rate")
    fails(check_fastest_lr(1 / 30), "stability limit")
    fails(check_fastest_lr(1 / 60), "one step", "0.8")
    fails(check_fastest_lr(0.05), "diverges")
    fails(check_fastest_lr(0), "positive")


def test_fastest_lr_really_is_fastest():
    # Gradient descent on the chapter's loss: after 30 epochs the error left at 1/36 is below that of
    # every other rate tried, so the check's answer is what training shows.
    from conv_lessons import learn_kernel

    X, Y = edge_image(), corr2d(edge_image(), CHAPTER_K)

    def final_error(lr):
        conv, _ = learn_kernel(X, Y, kernel_size=(1, 2), lr=lr, num_epochs=30, seed=0)
        return float((conv.weight.data.reshape(1, 2) - CHAPTER_K).abs().max())

    best = final_error(1 / 36)
    for lr in (0.02, 0.025, 0.03, 0.032):
        assert best < final_error(lr), lr


# ---------------------------------------------------------------------------------------------
# Lesson 04: receptive fields by hand
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kernels", "strides", "dilations", "truth"), [
    ([3, 3, 3], None, None, 7), ([3, 3, 3], [2, 2, 2], None, 15), ([3, 3, 3], [2, 1, 1], None, 11),
    ([3, 3, 3], [1, 1, 2], None, 7), ([3, 3, 3], None, [1, 2, 4], 15), ([2, 2], None, None, 3),
    ([5] * 5, [2] * 5, None, 125)])
def test_receptive_field_right_answers(kernels, strides, dilations, truth):
    from conv_lessons import receptive_field
    from conv_lessons.checks import check_receptive_field

    assert receptive_field(kernels, strides, dilations) == truth
    result = passes(check_receptive_field(truth, kernels, strides, dilations))
    assert f"= {truth} pixels" in result.message
    passes(check_receptive_field((truth, truth), kernels, strides, dilations))
    passes(check_receptive_field(float(truth), kernels, strides, dilations))


def test_receptive_field_typical_mistakes():
    from conv_lessons.checks import check_receptive_field

    fails(check_receptive_field(9), "added the kernel sizes")
    fails(check_receptive_field(6), "Off by one")
    fails(check_receptive_field(8), "Off by one")
    fails(check_receptive_field(7, [3, 3, 3], [2, 2, 2]), "leaves out the strides")
    fails(check_receptive_field(29, [3, 3, 3], [2, 2, 2]), "its own stride")
    fails(check_receptive_field(11, [3, 3, 3], [1, 1, 2]), "opposite order")
    fails(check_receptive_field(7, [3, 3, 3], dilations=[1, 2, 4]), "leaves out the dilations")
    fails(check_receptive_field(19, [3, 3, 3], dilations=[1, 2, 4]), "not d·k")
    fails(check_receptive_field(40, [3, 3, 3], [2, 2, 2]), "Too large")
    fails(check_receptive_field(3, [3, 3, 3], [2, 2, 2]), "Too small")
    fails(check_receptive_field(7.5), "whole number")
    unreadable(check_receptive_field((7, 9)), "one number")
    unreadable(check_receptive_field("7"))
    with pytest.raises(ValueError, match="strides"):
        check_receptive_field(7, [3, 3, 3], [2, 2])


def test_receptive_field_hints_name_the_dilated_size_and_no_stride_that_is_not_there():
    """With dilations, the fallback hints use k′ = d·(k − 1) + 1; with every stride 1 they say nothing
    about strides or the jump J (issue 11, item 8)."""
    from conv_lessons.checks import check_receptive_field

    for wrong, words in ((11, ("Too small", "k′ − 1", "k′ = d·(k − 1) + 1")),
                         (14, ("Off by one", "k′ − 1", "k′ = d·(k − 1) + 1")),
                         (20, ("Too large", "k′ = d·(k − 1) + 1"))):
        message = fails(check_receptive_field(wrong, [3, 3, 3], dilations=[1, 2, 4]), *words).message
        assert "stride" not in message and "J" not in message, message
    fails(check_receptive_field(17, [3, 3, 3], dilations=[1, 2, 4]), "dilated kernel sizes", "k′ − 1 pixels")
    for wrong in (4, 6, 8, 12):  # no strides, no dilations
        message = fails(check_receptive_field(wrong, [3, 3, 3])).message
        assert "stride" not in message and "J" not in message and "k′" not in message, message
    # Strides and dilations together: both are named.
    fails(check_receptive_field(20, [3, 3, 3], [2, 1, 1], [1, 2, 1]), "k′ = d·(k − 1) + 1", "strides")
    # Strides only: the jump J, and no k′.
    message = fails(check_receptive_field(3, [3, 3, 3], [2, 2, 2]), "(k − 1)·J").message
    assert "k′" not in message


def test_receptive_field_hints_never_print_the_answer():
    from conv_lessons.checks import check_receptive_field

    for wrong in range(1, 40):
        if wrong != 15:
            assert "15" not in check_receptive_field(wrong, [3, 3, 3], [2, 2, 2]).message


def test_cheaper_stack():
    from conv_lessons.checks import check_cheaper_stack

    result = passes(check_cheaper_stack(2))
    assert "18 weights against 25" in result.message
    passes(check_cheaper_stack(2, kernel_size=5))  # 50 < 81
    fails(check_cheaper_stack(1), "single 3×3 layer", "9 weights either way")
    fails(check_cheaper_stack(3), "already cheaper")
    fails(check_cheaper_stack(0), "whole number")
    fails(check_cheaper_stack(2.5), "whole number")
    with pytest.raises(ValueError, match="kernel_size"):
        check_cheaper_stack(2, kernel_size=1)


def test_deepest_stack():
    from conv_lessons import feature_map_size
    from conv_lessons.checks import check_deepest_stack

    # The facts the check relies on: 5 layers fit on the 225×192 photo, a 6th does not.
    assert [feature_map_size(n, [5] * 5, [2] * 5) for n in (225, 192)] == [4, 3]
    with pytest.raises(ValueError):
        feature_map_size(192, [5] * 6, [2] * 6)
    result = passes(check_deepest_stack(5, 125))
    assert "4×3" in result.message
    passes(check_deepest_stack(5, (125, 125)))
    fails(check_deepest_stack(6, 253), "Too deep")
    fails(check_deepest_stack(4, 61), "still 11×9")
    fails(check_deepest_stack(5, 21), "depth is right", "leaves out the strides")
    fails(check_deepest_stack(5, 124), "depth is right", "Off by one")
    fails(check_deepest_stack(0, 1), "whole number")
    unreadable(check_deepest_stack("five", 125))
    unreadable(check_deepest_stack(5, "many"))
    passes(check_deepest_stack(2, 7, input_shape=(8, 8), kernel_size=3, stride=2))  # 8 → 3 → 1


def test_deepest_stack_blanks():
    from conv_lessons.checks import check_deepest_stack

    both = check_deepest_stack(..., ...)
    assert both.status == "blank" and "depth" in both.message and "field" in both.message
    half = check_deepest_stack(5, ...)
    assert half.status == "blank" and "depth is right" in half.message
    wrong_depth = check_deepest_stack(3, ...)
    assert wrong_depth.status == "wrong"  # a wrong depth is reported even before the field is filled in
