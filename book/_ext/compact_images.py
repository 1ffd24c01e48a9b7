"""Sphinx extension: smaller figures for the web, drawn the same.

Matplotlib writes full-colour PNGs, but a plot uses few distinct colours.
At the end of an HTML build, every PNG in ``_images`` larger than
``compact_images_min_kb`` is re-encoded with a palette of 256 colours
(Pillow's quantizer) when that makes it smaller, which typically divides
its size by three to four with no visible change. The executed notebooks
offered for download keep the original images.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image


def compact_png(path: Path, colors: int = 256) -> tuple[int, int]:
    """Re-encode ``path`` as a palette PNG if smaller; sizes before, after.
    """
    before = path.stat().st_size
    with Image.open(path) as image:
        if image.mode == "P":
            return before, before
        if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
            palette = image.quantize(colors, method=Image.Quantize.FASTOCTREE)
        else:
            palette = image.convert("RGB").quantize(colors)
    tmp = path.with_name(path.name + ".tmp")
    palette.save(tmp, format="png", optimize=True)
    after = tmp.stat().st_size
    if after < before:
        os.replace(tmp, path)
        return before, after
    tmp.unlink()
    return before, before


def compact_images(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    limit = app.config.compact_images_min_kb * 1024
    for path in sorted((Path(app.outdir) / "_images").glob("*.png")):
        if path.stat().st_size > limit:
            compact_png(path)


def drop_stale_copies(app):
    """Delete the compacted copies of the images this build copies again.

    When Sphinx rewrites a page it copies the page's images anew, and it
    reports every destination whose content differs from its source, which
    a compacted copy always does. Deleting those copies first keeps a
    rebuild quiet; they are compacted again when the build finishes.
    Runs on ``html-collect-pages``, just before Sphinx copies the images.
    """
    if app.builder.format == "html":
        folder = Path(app.outdir) / "_images"
        for name in getattr(app.builder, "images", {}).values():
            (folder / name).unlink(missing_ok=True)
    return []


def setup(app):
    app.add_config_value("compact_images_min_kb", 48, "html")
    app.connect("html-collect-pages", drop_stale_copies)
    app.connect("build-finished", compact_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
