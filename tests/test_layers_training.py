"""Conv2D and learn_kernel: the chapter's layer and training loop behave as the chapter shows."""

import re
import warnings

import pytest
import torch

from conv_lessons import Conv2D, DivergenceWarning, corr2d, edge_image, learn_kernel, stable_lr_limit


def chapter_data():
    X = edge_image()
    return X, corr2d(X, torch.tensor([[1.0, -1.0]]))


def test_conv2d_parameters_as_in_the_chapter():
    torch.manual_seed(0)
    layer = Conv2D((1, 2))
    expected = torch.rand((1, 2), generator=torch.Generator().manual_seed(0))
    assert torch.equal(layer.weight.data, expected)  # weight = torch.rand(kernel_size)
    assert layer.bias.tolist() == [0.0]
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert Conv2D(3).weight.shape == (3, 3)


def test_conv2d_forward_is_correlation_plus_bias_and_backward_fills_both_grads():
    layer = Conv2D((2, 2))
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
        layer.bias.fill_(0.5)
    X = torch.arange(9.0).reshape(3, 3)
    Y = layer(X)
    assert Y.tolist() == [[19.5, 25.5], [37.5, 43.5]]
    Y.sum().backward()
    assert layer.weight.grad.tolist() == [[8.0, 12.0], [20.0, 24.0]]
    assert layer.bias.grad.tolist() == [4.0]


@pytest.mark.parametrize("seed", range(12))
def test_learned_kernel_is_near_1_minus_1_for_any_seed(seed):
    X, Y = chapter_data()
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        layer, losses = learn_kernel(X, Y, kernel_size=(1, 2), lr=3e-2, num_epochs=10)
    assert len(losses) == 10
    assert torch.allclose(layer.weight.detach().reshape(2), torch.tensor([1.0, -1.0]), atol=0.1)
    assert losses[-1] < losses[0]


def test_reproducible_under_manual_seed_and_seed_argument():
    X, Y = chapter_data()
    torch.manual_seed(3)
    _, a = learn_kernel(X, Y)
    torch.manual_seed(3)
    _, b = learn_kernel(X, Y)
    assert a == b
    state = torch.get_rng_state()
    _, c = learn_kernel(X, Y, seed=3)
    assert torch.equal(torch.get_rng_state(), state)  # seed= leaves the global generator alone
    assert c == a


def test_chapter_loss_lines_printed_every_two_epochs(capsys):
    X, Y = chapter_data()
    torch.manual_seed(0)
    _, losses = learn_kernel(X, Y, lr=3e-2, num_epochs=10, print_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"epoch {e}" for e in (2, 4, 6, 8, 10)]
    assert all(re.fullmatch(r"epoch \d+, loss \d+\.\d{3}", line) for line in lines)
    assert lines[-1] == f"epoch 10, loss {losses[9]:.3f}"


def test_callback_sees_every_epoch():
    X, Y = chapter_data()
    seen = []
    layer, losses = learn_kernel(X, Y, seed=0, callback=lambda e, loss, w: seen.append((e, loss, w)))
    assert [e for e, _, _ in seen] == list(range(1, 11))
    assert [loss for _, loss, _ in seen] == losses
    assert seen[-1][2].shape == (1, 2) and torch.equal(seen[-1][2], layer.weight.detach()[0, 0])


def test_curvature_bound_for_the_chapter_image_is_one_thirtieth():
    # H = 2 PᵀP = [[36, 24], [24, 36]] has eigenvalues 60 and 12, so lr < 2/60.
    assert stable_lr_limit(edge_image(), (1, 2)) == pytest.approx(1 / 30)


def test_divergence_warns_with_the_learning_rate_and_the_limit():
    X, Y = chapter_data()
    with pytest.warns(DivergenceWarning, match=r"lr=0\.04.*lr < 0\.03333.*try lr="):
        _, losses = learn_kernel(X, Y, lr=0.04, num_epochs=10, seed=0)
    assert losses[-1] > losses[0]


def test_overflow_is_reported_not_silent():
    X, Y = chapter_data()
    with pytest.warns(DivergenceWarning, match="inf/nan"):
        learn_kernel(X, Y, lr=10.0, num_epochs=200, seed=0)


def test_zero_epochs_returns_untrained_layer_and_no_losses():
    X, Y = chapter_data()
    layer, losses = learn_kernel(X, Y, num_epochs=0, seed=0)
    assert losses == [] and layer.weight.shape == (1, 1, 1, 2)


BOOK_CONV2D = """class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
"""


def test_show_source_of_conv2d_is_the_books_class_and_it_is_what_runs(monkeypatch):
    from conv_lessons import chapter
    from conv_lessons.source import source_of

    assert source_of(Conv2D) == BOOK_CONV2D
    calls = []
    book = chapter.corr2d
    monkeypatch.setattr(chapter, "corr2d", lambda x, K: calls.append(K) or book(x, K))
    layer = Conv2D((1, 2))
    assert isinstance(layer, chapter.Conv2D)
    layer([[1.0, 2.0, 3.0]])  # a list: the public class checks and converts it, then the book's forward runs
    assert calls == [layer.weight]


def test_a_subclass_of_conv2d_shows_its_own_source():
    from conv_lessons.source import source_of

    class Mine(Conv2D):
        pass

    assert source_of(Mine).startswith("class Mine(Conv2D):")


def test_learn_kernel_accepts_the_books_4d_tensors():
    X, Y = chapter_data()
    _, flat = learn_kernel(X, Y, seed=0)
    _, book = learn_kernel(X.reshape((1, 1, 6, 8)), Y.reshape((1, 1, 6, 7)), seed=0)
    assert book == flat


@pytest.mark.parametrize("shape", [(1, 6, 8), (2, 1, 6, 8), (1, 2, 6, 8), (1, 1, 1, 6, 8)])
def test_learn_kernel_other_extra_dimensions_still_get_the_clear_error(shape):
    X, Y = chapter_data()
    with pytest.raises(ValueError, match=r"X: expected a 2-D tensor \(height, width\)"):
        learn_kernel(torch.ones(shape), Y)
