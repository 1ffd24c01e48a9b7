"""Page-speed checks that run offline, after Lighthouse's audits.

Lighthouse (Google) scores a page from timings of a simulated slow
device, which swing with the machine; these checks instead bound what
makes those timings, measured in Chromium on the compressed site
(server.py) during each page's visit (visit.py), a first visit with an
empty cache, with budgets a few times above what the pages use today:

* the page's HTML arrives compressed;
* the page does not jump while it loads (cumulative layout shift, the
  sum of layout-shift scores until the page and its fonts have loaded,
  below Lighthouse's "good" limit of 0.1): images carry their sizes and
  math arrives typeset (book/_ext/offline_math.py);
* the bytes transferred at load and the number of DOM elements stay
  within budget (a split API reference, lazily loaded figures);
* every image but the first loads lazily.
"""
from __future__ import annotations

MAX_LAYOUT_SHIFT = 0.1           # Lighthouse: "good" below 0.1
MAX_LOAD_BYTES = 3_000_000       # transferred when the page opens
MAX_DOM_ELEMENTS = 15_000        # MathJax adds about 10 per symbol


def test_pages_load_light_and_steady(visits):
    problems = []
    for name, v in visits.items():
        m = v.measures
        encoded, decoded = m["html"]
        if not encoded < decoded:
            problems.append(f"{name}: HTML not served compressed")
        if m["shift"] > MAX_LAYOUT_SHIFT:
            problems.append(f"{name}: layout shift {m['shift']:.3f}")
        if m["bytes"] > MAX_LOAD_BYTES:
            problems.append(f"{name}: {m['bytes']} bytes at load")
        if m["elements"] > MAX_DOM_ELEMENTS:
            problems.append(f"{name}: {m['elements']} DOM elements")
        if m["unsized"] or m["eager"]:
            problems.append(f"{name}: {m['unsized']} images without "
                            f"sizes, {m['eager']} not lazy below the first")
    assert not problems, "\n".join(problems)
