"""gdlab.roofline: costs by counting, speeds from a fixed time."""
import pytest
import torch

from gdlab import roofline


def test_matmul_intensity_grows_with_n_and_matvec_stays_constant():
    flops, moved = roofline.matmul_cost(10)
    assert (flops, moved) == (2000, 1200)
    assert roofline.matmul_cost(200)[0] / roofline.matmul_cost(200)[1] \
        == pytest.approx(200 / 6)
    small = roofline.gd_step_cost(1_000, 64)
    large = roofline.gd_step_cost(1_000_000, 64)
    for flops, moved in (small, large):
        assert 0.45 < flops / moved < 0.51      # about 1/2 flop per byte


def test_gd_step_cost_counts_the_operations_of_the_step():
    n, d = 7, 3
    # X @ w: n*d mults + n*(d-1) adds; r = . - y: n; 2/n*X^T r: 2*d*n
    # (mults and adds, rounded up); scale and update: 3d, 3n
    flops, moved = roofline.gd_step_cost(n, d, itemsize=8)
    assert abs(flops - (4 * n * d + 3 * n + 2 * d)) == 0
    assert moved == 8 * (2 * n * d + 4 * n + 4 * d)
    with pytest.raises(ValueError):
        roofline.gd_step_cost(0, 3)


def test_gflops_and_measure():
    assert roofline.gflops(2e9, 0.5) == 4.0
    with pytest.raises(ValueError, match="> 0"):
        roofline.gflops(10, 0.0)
    rows = roofline.measure("cpu", gd_sizes=(500,), d=8,
                            matmul_sizes=(16,), min_time=0.01)
    assert [r["step"][:6] for r in rows] == ["gradie", "matrix"]
    assert all(r["ms"] > 0 and r["GFLOP/s"] > 0 for r in rows)
    assert rows[1]["flops per byte"] == pytest.approx(16 / 6)


def test_time_call_waits_before_reading_the_stop_time():
    from unittest import mock

    import gdlab

    log = []
    with mock.patch.object(gdlab.device, "synchronize",
                           lambda d: log.append("wait")), \
            mock.patch.object(gdlab.device.time, "perf_counter",
                              lambda: log.append("clock") or 0.0):
        gdlab.device.time_call(lambda: log.append("call"), "cpu",
                               repeat=2, warmup=1)
    assert log == ["call"] + ["wait", "clock", "call", "wait",
                              "clock"] * 2
    assert gdlab.device.queue_time(lambda: None, "cpu") >= 0
    with pytest.raises(ValueError, match="CUDA"):
        gdlab.device.event_time(lambda: None, "cpu")
    costs = gdlab.device.sync_cost("cpu", n_steps=3, size=8)
    assert len(costs) == 2 and all(v > 0 for v in costs.values())
