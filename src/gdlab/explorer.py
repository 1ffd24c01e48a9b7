"""Interactive figures that need no kernel: a slider over precomputed frames.

:func:`slider` renders each Matplotlib figure to a PNG, embeds them all in
one HTML snippet and adds a range input whose value selects the visible
frame. The page stays static (nothing runs on a server), so the slider
works in the built book, in a downloaded notebook and offline.

Every frame carries its own text alternative (the ``alt`` of its image),
written by the caller to say what that frame shows, so a reader who
cannot see the picture still learns what changes along the slider
(W3C, *Web Content Accessibility Guidelines 2.2*, success criterion
1.1.1 "Non-text Content", 2023).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io

import matplotlib.pyplot as plt

from .validation import whole_number

#: The longest description accepted for one frame (1-3 sentences).
MAX_ALT = 300


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


def _frame_alts(frames: dict, alt) -> list[str]:
    """The text alternative of each frame, ``"<name>: <description>"``,
    from ``alt`` as documented in :func:`slider`."""
    if alt is None:
        raise TypeError(
            "slider needs alt=: a dict mapping each frame name to a "
            "description of what that frame shows (or a function name -> "
            "description); screen readers read it in place of the picture")
    if isinstance(alt, dict):
        missing = [str(k) for k in frames if k not in alt]
        extra = [str(k) for k in alt if k not in frames]
        if missing or extra:
            raise ValueError(
                f"alt must have the same keys as frames; missing "
                f"{missing}, not frames {extra}; build both dicts in one "
                "loop over the frame names")
        texts = [alt[k] for k in frames]
    elif callable(alt):
        texts = [alt(k) for k in frames]
    else:
        raise TypeError(f"alt must be a dict or a callable, got "
                        f"{type(alt).__name__}; try alt={{name: "
                        "'what this frame shows', ...}")
    return [_alt(str(k), text) for k, text in zip(frames, texts)]


def _alt(name: str, text) -> str:
    if not isinstance(text, str):
        raise TypeError(f"the description of frame {name!r} must be a "
                        f"str, got {type(text).__name__}")
    text = " ".join(text.split())
    if not text or text.lower() in {name.lower(), name.lower() + "."}:
        raise ValueError(f"the description of frame {name!r} is empty or "
                         "only its name; say what this frame shows, e.g. "
                         "'the path zigzags across the valley'")
    if len(text) > MAX_ALT:
        raise ValueError(f"the description of frame {name!r} has "
                         f"{len(text)} characters; keep it to 1-3 "
                         f"sentences (at most {MAX_ALT} characters)")
    return f"{name}: {text}"


def _checked(frames, dpi, start, width, alt):
    """The validated ``dpi``, image style, frame names and alt texts."""
    if not isinstance(frames, dict) or len(frames) < 2:
        raise ValueError("frames must be a dict of at least two "
                         "{caption: figure} entries")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be in [0, {len(frames)}), got {start}")
    dpi = whole_number("dpi", dpi, low=10)
    size = "" if width is None else \
        f' style="width: {whole_number("width", width)}px; max-width: 100%"'
    names = [str(name) for name in frames]
    if any("|" in name for name in names):
        raise ValueError("frame names must not contain '|'; write the "
                         "range another way, e.g. 'lr = 0.1 to 0.2'")
    return dpi, size, names, _frame_alts(frames, alt)


def slider(frames: dict, label: str, dpi: int = 70, start: int = 0,
           width: int | None = None, *, alt=None):
    """Return an ``IPython.display.HTML`` slider over ``frames``.

    ``frames`` maps the text shown for each slider position (for example
    ``"lr = 0.1"``) to a Matplotlib figure; the figures are closed once
    rendered. ``alt`` (required) describes each frame for readers who
    cannot see it: a dict with the same keys as ``frames`` mapping each
    name to what that frame shows, or a callable ``alt(name) -> str``.
    A description is plain text of at most :data:`MAX_ALT` characters;
    the image's alt text is ``"<name>: <description>"``, so it need not
    repeat the name, which the slider's readout shows.

    ``start`` is the index shown first. ``width``, if given, is the
    displayed width of a frame in CSS pixels (at most the page width):
    rendering at a high ``dpi`` and showing the frame narrower keeps its
    text sharp on high-resolution screens.
    """
    from IPython.display import HTML
    try:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, such as 'learning rate'; "
                            f"got {type(label).__name__}")
        dpi, size, names, alts = _checked(frames, dpi, start, width, alt)
    except (TypeError, ValueError):
        for fig in frames.values() if isinstance(frames, dict) else ():
            if isinstance(fig, plt.Figure):   # a failed slider shows none
                plt.close(fig)
        raise
    uid = "explorer-" + hashlib.sha1("|".join([label, *names])
                                     .encode()).hexdigest()[:10]
    images = "".join(
        f'<img class="explorer-frame" data-index="{i}" alt="{html.escape(a)}"'
        f' src="data:image/png;base64,{_png(fig, dpi)}"{size}'
        f'{"" if i == start else " hidden"}>'
        for i, (a, fig) in enumerate(zip(alts, frames.values())))
    captions = html.escape("|".join(names))
    return HTML(
        f'<div class="explorer" id="{uid}" data-captions="{captions}">'
        f'<label>{html.escape(label)}: <input type="range" min="0" '
        f'max="{len(names) - 1}" step="1" value="{start}" '
        f'aria-valuetext="{html.escape(names[start])}"> '
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
        f'const name = names[Number(input.value)];'
        f'input.setAttribute("aria-valuetext", name);'
        f'out.textContent = name; }}); }})();'
        f'</script>')
