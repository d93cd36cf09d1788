"""After ``set_language("zh")`` the package speaks Chinese: every check's verdict and hint, every
validation error and warning a learner can trigger, and the descriptions a lesson prints.

A text counts as Chinese when it holds Chinese characters and no untranslated English sentence
(three English words in a row); Python names, code and numbers stay as they are in both languages.
"""

from __future__ import annotations

import math
import re
import string
import warnings

import pytest
import torch
import torch.nn.functional as F

import conv_lessons
from conv_lessons import (
    Conv2D,
    conv_matrix,
    corr2d,
    corr2d_fast,
    corr2d_padded,
    diagonal_image,
    edge_image,
    i18n,
    learn_kernel,
)
from conv_lessons.checks import AUTOGRAD_CHOICES, CHECKS, autograd_outcome

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")
ENGLISH_LEADS = ("correct.", "not yet.", "fill in your answer", "can't check this answer")
T = torch.tensor


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def assert_chinese(message: str) -> None:
    assert CJK.search(message), f"no Chinese in: {message}"
    english = ENGLISH_SENTENCE.findall(message)
    assert not english, f"untranslated English {english} in: {message}"
    assert not any(lead in message for lead in ENGLISH_LEADS), message


def test_the_sentence_rule_catches_english_and_lets_code_through():
    for message in ("K：应为二维张量，实际得到：形状为 (3,) 的 1 维张量。", "请用 torch.flip(K, dims=(0, 1)) 比较。",
                    "✓ 输出形状：正确。lambda d: ... 返回 True 或 False"):
        assert_chinese(message)
    for message in ("✗ 输出形状：还不对。Rows and columns are swapped.", "The kernel computes it", "not yet."):
        with pytest.raises(AssertionError):
            assert_chinese(message)


def _full_gradient(G, K, flip=True):
    k_h, k_w = K.shape
    kernel = torch.flip(K, dims=(0, 1)) if flip else K
    return corr2d_fast(F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1)), kernel)


def _matmul(X, K):
    from conv_lessons.matrix import conv_matrix as matrix

    n_h, n_w = X.shape
    k_h, k_w = K.shape
    return (matrix((n_h, n_w), K) @ X.reshape(-1)).reshape(n_h - k_h + 1, n_w - k_w + 1)


def _right_autograd_letter():
    return autograd_outcome()[0]


def _wrong_autograd_letter():
    return next(letter for letter in AUTOGRAD_CHOICES if letter != autograd_outcome()[0])


CHAPTER_K = T([[1.0, -1.0]])
# For every check: (its arguments after the answer, a right answer, typical wrong answers).
CASES = {
    "diagonal_edges": ({"case": "K"}, lambda: corr2d(diagonal_image(), CHAPTER_K),
                       [lambda: -corr2d(diagonal_image(), CHAPTER_K), lambda: (8, 6), lambda: torch.zeros(8, 7)]),
    "direction_kernel": ({"v": (1, 1)}, lambda: T([[-1.0, 0], [0, 1]]),
                         [lambda: T([[1.0, 0], [0, -1]]) * 0 + T([[0.0, 1], [-1, 0]]), lambda: T([[1.0, 1.0]]),
                          lambda: T([[-1.0, 0], [0, 2]])]),
    "second_derivative": ({}, lambda: T([[1.0, -2, 1]]), [lambda: T([[-1.0, 2, -1]]), lambda: CHAPTER_K]),
    "min_kernel_size": ({"order": 2}, lambda: 3, [lambda: 1, lambda: 2, lambda: 5, lambda: 2.5]),
    "blur_kernel": ({}, lambda: torch.ones(3, 3) / 9, [lambda: torch.ones(3, 3), lambda: CHAPTER_K]),
    "conv2d_autograd": ({}, _right_autograd_letter, [_wrong_autograd_letter]),
    "corr2d_matmul": ({}, lambda: conv_matrix((3, 3), T([[0.0, 1], [2, 3]])),
                      [lambda: conv_matrix((3, 3), T([[0.0, 1], [2, 3]])).T, lambda: corr2d,
                       lambda: (lambda X, K: corr2d_fast(X, K))]),
    "conv_matrix_nonzeros": ({}, lambda: 24 * 24 * 25, [lambda: 25, lambda: 28 * 28 * 25]),
    "input_gradient": ({}, lambda: _full_gradient,
                       [lambda: (lambda G, K: _full_gradient(G, K, flip=False)), lambda: (lambda G, K: G)]),
    "erf_std": ({}, lambda: (lambda L: math.sqrt(L * 8 / 12)), [lambda: (lambda L: L), lambda: (lambda L: L**0.5)]),
    "erf_growth": ({}, lambda: 2, [lambda: 4, lambda: 1, lambda: 3]),
    "output_shape": ({}, lambda: (6, 7), [lambda: (7, 6), lambda: (5, 6), lambda: (6, 8), lambda: (4, 4)]),
    "kernel_shape": ({}, lambda: (6, 8), [lambda: (8, 6), lambda: (1, 1), lambda: (5, 7)]),
    "same_as_convolution": ({}, lambda: (lambda K: torch.equal(K, torch.flip(K, dims=(0, 1)))),
                            [lambda: (lambda K: torch.equal(K, K.T)), lambda: (lambda K: True)]),
    "stable_lr": ({"X": edge_image().T, "kernel_size": (2, 1)}, lambda: 1 / 30,
                  [lambda: 0.05, lambda: 0.02, lambda: 1 / 15, lambda: 1 / 60]),
    "fastest_lr": ({}, lambda: 1 / 36, [lambda: 1 / 30, lambda: 1 / 60, lambda: 0.02]),
    "receptive_field": ({"kernel_sizes": [3, 3, 3], "dilations": [1, 2, 4]}, lambda: 15,
                        [lambda: 11, lambda: 14, lambda: 17, lambda: 7, lambda: 19]),
    "cheaper_stack": ({}, lambda: 2, [lambda: 1, lambda: 3]),
    "deepest_stack": ({"field": 125}, lambda: 5, [lambda: 6, lambda: 4]),
}


def test_every_check_has_chinese_cases():
    assert set(CASES) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_answers_in_chinese(name, capsys):
    check = CHECKS[name]
    arguments, right, wrongs = CASES[name]
    result = check(right(), **arguments)
    assert result.status == "correct", result.message
    assert result.message.startswith("✓ ") and "正确。" in result.message
    assert_chinese(result.message)
    for wrong in wrongs:
        result = check(wrong(), **arguments)
        assert result.status == "wrong", result.message
        assert result.message.startswith("✗ ") and "还不对。" in result.message
        assert_chinese(result.message)
    blank = check(..., **arguments)
    assert blank.status == "blank" and "请填写答案。" in blank.message
    assert_chinese(blank.message)
    unreadable = check("abc", **arguments) if name != "conv2d_autograd" else check(3)
    assert unreadable.status == "invalid" and "无法检查这个答案" in unreadable.message
    assert_chinese(unreadable.message)
    assert capsys.readouterr().out  # each verdict was printed


def test_more_hints_in_chinese():
    from conv_lessons.checks import (
        check_deepest_stack,
        check_diagonal_edges,
        check_min_kernel_size,
        check_receptive_field,
        check_second_derivative,
    )

    messages = [
        check_deepest_stack(5, ...).message,  # right depth, field still blank
        check_deepest_stack(5, 100).message,
        check_min_kernel_size(lambda d: 1).message,
        check_min_kernel_size(lambda d: d + 1).message,
        check_receptive_field(7, [3, 3, 3], [2, 2, 2]).message,
        check_receptive_field(3, [3, 3, 3], [2, 2, 2]).message,
        check_receptive_field(29, [3, 3, 3], [2, 2, 2]).message,
        check_receptive_field(7.5).message,
        check_second_derivative(T([[1.0, -2, 1]]), axis="height").message,
        check_second_derivative(T([[2.0, -4, 2]])).message,
        check_diagonal_edges((7, 8), case="K").message,
        check_diagonal_edges(corr2d(diagonal_image(), CHAPTER_K), case="X.T").message,
    ]
    for message in messages:
        assert_chinese(message)
    # One tap or many: Chinese has no plural to get wrong, and no English unit is left behind.
    message = check_min_kernel_size(1, order=2).message
    assert "1 个元素" in message and "tap" not in message


def test_descriptions_a_lesson_prints_are_chinese():
    for description in list(conv_lessons.KERNELS.values()) + list(AUTOGRAD_CHOICES.values()):
        assert_chinese(description)
    i18n.set_language("en")
    assert conv_lessons.KERNELS["sobel x"] == "smoothed horizontal derivative: strong on vertical edges"


BAD_CALLS = {
    "kernel larger than X": lambda: corr2d(torch.ones(3, 3), torch.ones(4, 4)),
    "X is text": lambda: corr2d("X", CHAPTER_K),
    "X 3-D": lambda: corr2d(torch.ones(1, 3, 3), CHAPTER_K),
    "ragged rows": lambda: corr2d([[1, 2], [3]], CHAPTER_K),
    "NaN": lambda: corr2d(T([[1.0, float("nan")], [0, 1]]), CHAPTER_K),
    "complex": lambda: corr2d(torch.ones(2, 2, dtype=torch.complex64), CHAPTER_K),
    "empty": lambda: corr2d(torch.ones(0, 3), CHAPTER_K),
    "too many windows": lambda: corr2d(torch.ones(400, 400), T([[1.0]])),
    "Y shape": lambda: learn_kernel(edge_image(), torch.ones(3, 3)),
    "negative lr": lambda: learn_kernel(edge_image(), corr2d(edge_image(), CHAPTER_K), lr=-1),
    "too many epochs": lambda: learn_kernel(edge_image(), corr2d(edge_image(), CHAPTER_K), num_epochs=10**6),
    "bad callback": lambda: learn_kernel(edge_image(), corr2d(edge_image(), CHAPTER_K), callback=3),
    "reflect too far": lambda: conv_lessons.pad2d(torch.ones(3, 3), 3, mode="reflect"),
    "unknown mode": lambda: conv_lessons.pad2d(torch.ones(3, 3), 1, mode="mirror"),
    "window does not fit": lambda: corr2d_padded(torch.ones(3, 3), torch.ones(6, 6), padding=1),
    "huge padding": lambda: conv_lessons.pad2d(torch.ones(3, 3), 10**5),
    "strides per layer": lambda: conv_lessons.receptive_field([3, 3], [1]),
    "stack too deep": lambda: conv_lessons.feature_map_size(8, [3, 3, 3, 3]),
    "position outside": lambda: conv_lessons.receptive_field_region([3], (9, 0), input_shape=(5, 5)),
    "photo too small": lambda: conv_lessons.sample_photo(3),
    "diagonal too small": lambda: diagonal_image(1),
    "unknown kernel": lambda: conv_lessons.get_kernel("blur"),
    "Conv2D size": lambda: Conv2D(0),
    "Conv2D input": lambda: Conv2D((3, 3))(torch.ones(2, 2)),
    "seed": lambda: learn_kernel(edge_image(), corr2d(edge_image(), CHAPTER_K), seed=-1),
    "depth": lambda: conv_lessons.erf_by_depth(max_depth=100),
    "weights": lambda: conv_lessons.erf_by_depth(4, weights="gaussian"),
    "zero kernel": lambda: conv_lessons.erf_by_depth(4, weights=torch.zeros(3, 3)),
    "nonlinearity": lambda: conv_lessons.erf_by_depth(4, nonlinearity="tanh"),
    "fit lengths": lambda: conv_lessons.fit_sqrt_growth([1, 2], [1.0]),
    "fit constant depth": lambda: conv_lessons.fit_sqrt_growth([2, 2], [1.0, 1.0]),
    "matrix of a tensor": lambda: conv_matrix(torch.ones(3, 3), CHAPTER_K),
    "dense W too large": lambda: conv_lessons.corr2d_matmul(torch.ones(200, 200), torch.ones(2, 2)),
    "im2col too large": lambda: conv_lessons.im2col(torch.ones(3000, 3000), (4, 4)),
    "show_source": lambda: conv_lessons.source.source_of(3),
    "kernel list": lambda: conv_lessons.feature_maps.feature_maps(edge_image(), "sobel x"),
    "kernels of two shapes": lambda: conv_lessons.feature_maps.feature_maps(edge_image(), [CHAPTER_K,
                                                                                            torch.ones(3, 3)]),
    "output shape": lambda: conv_lessons.output_shape((3, 3), (4, 4)),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_validation_errors_are_chinese(name):
    with pytest.raises((TypeError, ValueError)) as caught:
        BAD_CALLS[name]()
    message = str(caught.value)
    assert_chinese(message)
    assert "：应为" in message and "，实际得到：" in message, message  # the one form: name, expected, got


def test_validation_errors_keep_the_python_names_and_english_stays_the_default():
    with pytest.raises(ValueError) as caught:
        corr2d(torch.ones(3, 3), torch.ones(4, 4))
    assert str(caught.value).startswith("K：应为不大于输入 X（3×3）的卷积核，实际得到：形状 (4, 4)。")
    i18n.set_language("en")
    with pytest.raises(ValueError, match=r"^K: expected a kernel no larger than the input X \(3×3\), got shape"):
        corr2d(torch.ones(3, 3), torch.ones(4, 4))


def test_the_divergence_warning_is_chinese():
    X = edge_image()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        learn_kernel(X, corr2d(X, CHAPTER_K), lr=0.04, num_epochs=10, seed=0)
    (warning,) = [w for w in caught if issubclass(w.category, conv_lessons.DivergenceWarning)]
    assert_chinese(str(warning.message))
    assert str(warning.message).startswith("learn_kernel 在 lr=0.04 时发散：损失从 ")


def test_the_book_s_epoch_lines_are_the_same_in_both_languages(capsys):
    X = edge_image()
    learn_kernel(X, corr2d(X, CHAPTER_K), num_epochs=2, seed=0, print_every=2)
    chinese = capsys.readouterr().out
    i18n.set_language("en")
    learn_kernel(X, corr2d(X, CHAPTER_K), num_epochs=2, seed=0, print_every=2)
    assert chinese == capsys.readouterr().out == "epoch 2, loss 8.330\n"


#: A number as a learner reads it (the editions' parity test reads printed outputs this way).
NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z_\d])")


def _numbers_and_fields(template: str) -> list[str]:
    found = []
    for literal, field, _, _ in string.Formatter().parse(template):
        found += NUMBER.findall(f" {literal} ")
        if field:
            found.append("{" + field + "}")
    return found


def test_translations_print_their_numbers_in_the_english_order():
    """A verdict or message prints its numbers (written ones and filled-in ones) in the same order in both
    languages, so the two editions of a lesson print the same numbers (explorer and figure texts, which
    are not printed, are another helper's)."""
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    differ = {key: (_numbers_and_fields(english[key]), _numbers_and_fields(chinese[key])) for key in english
              if not key.startswith(("explorer.", "figure.", "style."))
              and _numbers_and_fields(english[key]) != _numbers_and_fields(chinese[key])}
    assert differ == {}
