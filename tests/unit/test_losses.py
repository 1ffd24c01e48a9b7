import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab import losses

gen = torch.Generator().manual_seed(0)
Z = 5 * torch.randn(50, 1, generator=gen, dtype=torch.float64)
Y = (torch.rand(50, 1, generator=gen, dtype=torch.float64) > 0.4).double()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_against_torch_functional(reduction):
    p = torch.sigmoid(Z)
    torch.testing.assert_close(losses.mse_loss(Z, Y, reduction),
                               F.mse_loss(Z, Y, reduction=reduction))
    torch.testing.assert_close(
        losses.binary_cross_entropy(p, Y, reduction),
        F.binary_cross_entropy(p, Y, reduction=reduction))
    torch.testing.assert_close(
        losses.binary_cross_entropy_with_logits(Z, Y, reduction),
        F.binary_cross_entropy_with_logits(Z, Y, reduction=reduction))
    pw = torch.tensor([3.0], dtype=torch.float64)
    torch.testing.assert_close(
        losses.binary_cross_entropy_with_logits(Z, Y, reduction, pw),
        F.binary_cross_entropy_with_logits(Z, Y, reduction=reduction,
                                           pos_weight=pw))
    logits = torch.randn(30, 4, generator=gen, dtype=torch.float64) * 20
    target = torch.randint(0, 4, (30,), generator=gen)
    torch.testing.assert_close(
        losses.cross_entropy(logits, target, reduction),
        F.cross_entropy(logits, target, reduction=reduction))


def test_gradients_match_torch():
    z1, z2 = Z.clone().requires_grad_(), Z.clone().requires_grad_()
    losses.binary_cross_entropy_with_logits(z1, Y).backward()
    F.binary_cross_entropy_with_logits(z2, Y).backward()
    torch.testing.assert_close(z1.grad, z2.grad)


def test_logits_stay_finite_where_probabilities_saturate():
    z = torch.tensor([[800.0], [-800.0]], dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    stable = losses.binary_cross_entropy_with_logits(z, y, "none")
    torch.testing.assert_close(stable, torch.tensor([[800.0], [800.0]],
                                                    dtype=torch.float64))
    clamped = losses.binary_cross_entropy(torch.sigmoid(z), y, "none")
    assert torch.equal(clamped, torch.full((2, 1), 100.0,
                                           dtype=torch.float64))


@given(scale=st.floats(1.0, 1e300))
@settings(max_examples=25, deadline=None)
def test_huge_logits_never_give_nan(scale):
    z = torch.tensor([[scale], [-scale]], dtype=torch.float64)
    y = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    assert torch.isfinite(losses.binary_cross_entropy_with_logits(z, y))
    assert torch.isfinite(losses.cross_entropy(
        torch.cat([z, -z], 1), torch.tensor([0, 1])))


@pytest.mark.parametrize("call, error, words", [
    (lambda: losses.mse_loss(Z, Y.view(-1)), ValueError, "same shape"),
    (lambda: losses.mse_loss(Z.numpy(), Y), TypeError, "torch.Tensor"),
    (lambda: losses.mse_loss(Z.long(), Y), TypeError, "floating dtype"),
    (lambda: losses.mse_loss(Z * float("nan"), Y), ValueError, "NaN"),
    (lambda: losses.mse_loss(Z, Y, "avg"), ValueError, "reduction"),
    (lambda: losses.binary_cross_entropy(Z, Y), ValueError, "probabilities"),
    (lambda: losses.binary_cross_entropy(torch.sigmoid(Z), 2 * Y),
     ValueError, r"\[0, 1\]"),
    (lambda: losses.binary_cross_entropy_with_logits(
        Z, Y, pos_weight=-torch.ones(1, dtype=torch.float64)), ValueError,
     "non-negative"),
    (lambda: losses.cross_entropy(Z, torch.zeros(50).long()[:10]),
     ValueError, r"\(N, C\)"),
    (lambda: losses.cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1, 2])),
     ValueError, r"\[0, 2\)"),
    (lambda: losses.cross_entropy(torch.zeros(3, 2), torch.tensor(
        [0, 1, 1], dtype=torch.int32)), TypeError, "torch.long"),
    (lambda: losses.mse_loss(torch.zeros(0), torch.zeros(0)), ValueError,
     "empty"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
