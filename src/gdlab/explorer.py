"""Interactive figures that need no kernel: a slider over precomputed frames.

:func:`slider` renders each Matplotlib figure to a PNG, embeds them all in
one HTML snippet and adds a range input whose value selects the visible
frame. The page stays static (nothing runs on a server), so the slider
works in the built book, in a downloaded notebook and offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io

import matplotlib.pyplot as plt

from .validation import whole_number


def _png(fig, dpi: int, colors: int = 128) -> str:
    """The figure as a base64 PNG with a palette of ``colors`` colours.

    Plots use few distinct colours, so a palette PNG looks the same and is
    several times smaller; every frame of a slider is embedded in the page.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    image = Image.open(buffer).convert("RGB").quantize(colors=colors)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def slider(frames: dict, label: str, dpi: int = 70, start: int = 0,
           width: int | None = None):
    """Return an ``IPython.display.HTML`` slider over ``frames``.

    ``frames`` maps the text shown for each slider position (for example
    ``"lr = 0.1"``) to a Matplotlib figure; the figures are closed once
    rendered. ``start`` is the index shown first. ``width``, if given, is
    the displayed width of a frame in CSS pixels (at most the page width):
    rendering at a high ``dpi`` and showing the frame narrower keeps its
    text sharp on high-resolution screens.
    """
    from IPython.display import HTML
    if not isinstance(frames, dict) or len(frames) < 2:
        raise ValueError("frames must be a dict of at least two "
                         "{caption: figure} entries")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be in [0, {len(frames)}), got {start}")
    dpi = whole_number("dpi", dpi, low=10)
    size = "" if width is None else \
        f' style="width: {whole_number("width", width)}px; max-width: 100%"'
    names = [str(name) for name in frames]
    uid = "explorer-" + hashlib.sha1("|".join([label, *names])
                                     .encode()).hexdigest()[:10]
    images = "".join(
        f'<img class="explorer-frame" data-index="{i}" alt="{html.escape(n)}"'
        f' src="data:image/png;base64,{_png(fig, dpi)}"{size}'
        f'{"" if i == start else " hidden"}>'
        for i, (n, fig) in enumerate(zip(names, frames.values())))
    captions = html.escape("|".join(names))
    return HTML(
        f'<div class="explorer" id="{uid}" data-captions="{captions}">'
        f'<label>{html.escape(label)}: <input type="range" min="0" '
        f'max="{len(names) - 1}" step="1" value="{start}"> '
        f'<output>{html.escape(names[start])}</output></label>'
        f'<div>{images}</div></div>'
        f'<script>(function () {{'
        f'const root = document.getElementById("{uid}");'
        f'const input = root.querySelector("input");'
        f'const out = root.querySelector("output");'
        f'const names = root.dataset.captions.split("|");'
        f'input.addEventListener("input", function () {{'
        f'root.querySelectorAll(".explorer-frame").forEach(function (img) {{'
        f'img.hidden = img.dataset.index !== input.value; }});'
        f'out.textContent = names[Number(input.value)]; }}); }})();'
        f'</script>')
