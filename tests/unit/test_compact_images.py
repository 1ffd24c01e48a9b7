"""Figures re-encoded for the web keep their size and look the same."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from compact_images import compact_png, drop_stale_copies  # noqa: E402
from PIL import Image  # noqa: E402


def _contour_png(path):
    x, y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-2, 2, 200))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.contourf(x, y, np.sin(x * y) + x, levels=60, cmap="viridis")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def test_palette_png_is_smaller_and_looks_the_same(tmp_path):
    path = tmp_path / "figure.png"
    _contour_png(path)
    original = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    before, after = compact_png(path)
    assert after < before / 2
    assert path.stat().st_size == after
    with Image.open(path) as image:
        assert image.mode == "P"
        compact = np.asarray(image.convert("RGB"), dtype=float)
    assert compact.shape == original.shape
    assert np.abs(compact - original).mean() < 2.0       # of 255 levels
    assert compact_png(path) == (after, after)            # idempotent


def test_images_copied_again_lose_their_stale_compacted_copy(tmp_path):
    from types import SimpleNamespace
    images = tmp_path / "_images"
    images.mkdir()
    for name in ("again.png", "kept.png"):
        (images / name).write_bytes(b"compacted")
    builder = SimpleNamespace(format="html",
                              images={"src/again.png": "again.png"})
    app = SimpleNamespace(builder=builder, outdir=str(tmp_path))
    assert drop_stale_copies(app) == []
    assert sorted(p.name for p in images.iterdir()) == ["kept.png"]
