"""gdlab.precision against torch's own formats and conversions."""
import math

import pytest
import torch

from gdlab import precision


def test_format_table_matches_finfo_and_ieee_layouts():
    rows = {r["dtype"]: r for r in precision.format_table()}
    assert rows["float32"]["mantissa bits"] == 23
    assert rows["float16"]["mantissa bits"] == 10
    assert rows["bfloat16"]["mantissa bits"] == 7
    assert rows["float16"]["largest"] == 65504.0
    assert rows["bfloat16"]["smallest normal"] == \
        rows["float32"]["smallest normal"] == 2.0**-126
    with pytest.raises(TypeError, match="floating"):
        precision.format_table([torch.int32])


@pytest.fixture
def values():
    gen = torch.Generator().manual_seed(0)
    scale = 10.0 ** torch.randint(-30, 30, (20_000,), generator=gen)
    x = torch.randn(20_000, generator=gen) * scale
    special = torch.tensor([0.0, -0.0, 1.0, 3.4e38, -3.4e38, 1 + 2**-8,
                            1 + 3 * 2**-8, float("inf"), -float("inf")])
    return torch.cat([x, special])


def test_seven_bits_is_bfloat16(values):
    # torch's float32 -> bfloat16 conversion rounds to nearest even
    torch.testing.assert_close(precision.round_mantissa(values, 7),
                               values.bfloat16().float(), rtol=0, atol=0)


def test_ten_bits_is_within_half_a_tf32_ulp(values):
    finite = values[torch.isfinite(values) & (values != 0)]
    finite = finite[finite.abs() < 3e38]
    rounded = precision.round_mantissa(finite, 10)
    rel = ((rounded.double() - finite.double()).abs()
           / finite.double().abs())
    assert rel.max().item() <= 2.0**-11
    assert rel.max().item() > 2.0**-12        # it really rounds
    assert torch.equal(precision.round_mantissa(values, 23), values)


def test_round_mantissa_refuses_bad_input():
    with pytest.raises(TypeError, match="float32"):
        precision.round_mantissa(torch.ones(2, dtype=torch.float64), 10)
    with pytest.raises(ValueError, match="23"):
        precision.round_mantissa(torch.ones(2), 24)
    assert math.isnan(precision.round_mantissa(
        torch.tensor([float("nan")]), 10).item())


def test_autocast_dtypes_on_cpu():
    found = precision.autocast_dtypes("cpu")
    assert found["linear layer"] == found["matrix product"] == "bfloat16"
    assert found["MSE loss"] == "float32"
    with pytest.raises(ValueError, match="bfloat16"):
        precision.autocast_dtypes("cpu", torch.float32)


def test_train_mixed_follows_float32_and_the_scaler_rules():
    full = precision.train_mixed("cpu", None, n_steps=40)
    low = precision.train_mixed("cpu", torch.bfloat16, n_steps=40)
    assert full["loss"][-1] < 0.5 * full["loss"][0]
    assert abs(low["loss"][-1] - full["loss"][-1]) < 0.1 * full["loss"][-1]
    # from a scale that overflows float16 the scaler halves at each
    # skipped step, then doubles after growth_interval good steps
    run = precision.train_mixed("cpu", torch.float16, scaler=True,
                                n_steps=30, init_scale=2.0**30,
                                growth_interval=5)
    scales = run["scale"]
    assert run["skipped"] >= 1 and scales[0] == 2.0**29
    for before, after in zip(scales, scales[1:]):
        assert after in (before / 2, before, before * 2)
    assert max(scales[run["skipped"]:]) > min(scales)     # it grew again
    with pytest.raises(ValueError, match="dtype"):
        precision.train_mixed("cpu", torch.float64)
