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


EXTREME = [-1e4, -800.0, -200.0, -89.0, -20.0, -5.0, -1e-3, 0.0, 1e-3, 5.0,
           20.0, 89.0, 200.0, 800.0, 1e4]


def _reference_bce(z, y, w=1.0):
    """-[w y log sigma(z) + (1 - y) log(1 - sigma(z))] with 50 digits."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    z = mpmath.mpf(z)
    return float(w * y * mpmath.log1p(mpmath.exp(-z))
                 + (1 - y) * mpmath.log1p(mpmath.exp(z)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("label", [0.0, 1.0, 0.3])
def test_extreme_logits_match_torch_and_high_precision(dtype, label):
    z = torch.tensor(EXTREME, dtype=dtype)
    y = torch.full_like(z, label)
    ours = losses.binary_cross_entropy_with_logits(z, y, "none")
    torch.testing.assert_close(
        ours, F.binary_cross_entropy_with_logits(z, y, reduction="none"))
    exact = torch.tensor([_reference_bce(float(a), label) for a in z],
                         dtype=torch.float64)
    # relative accuracy down to the tiniest losses (e^-1e4 is 0 in float)
    tiny = torch.finfo(dtype).tiny
    torch.testing.assert_close(ours.double(), exact, rtol=4e-7 if
                               dtype == torch.float32 else 1e-15, atol=tiny)
    pw = torch.tensor([9.0], dtype=dtype)
    weighted = losses.binary_cross_entropy_with_logits(z, y, "none", pw)
    torch.testing.assert_close(weighted, F.binary_cross_entropy_with_logits(
        z, y, reduction="none", pos_weight=pw))
    exact_w = torch.tensor([_reference_bce(float(a), label, 9.0)
                            for a in z], dtype=torch.float64)
    torch.testing.assert_close(weighted.double(), exact_w, rtol=4e-7 if
                               dtype == torch.float32 else 1e-15, atol=tiny)


def test_naive_rewriting_fails_where_stable_form_does_not():
    z = torch.tensor([-200.0, -20.0])                     # float32, y = 0
    naive = z + torch.log(1 + torch.exp(-z))
    assert torch.isinf(naive[0]) and naive[1] == 0.0
    stable = losses.binary_cross_entropy_with_logits(z, torch.zeros(2),
                                                     "none")
    # true values 1.4e-87 (below float32's range, so 0) and 2.0612e-9
    assert stable[0] == 0.0
    assert abs(stable[1].item() - 2.0611536e-9) < 1e-15
