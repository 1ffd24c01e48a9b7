"""Page-speed checks that run offline, after Lighthouse's audits.

Lighthouse (Google) scores a page from timings of a simulated slow
device, which swing with the machine; these checks instead bound what
makes those timings, measured in Chromium on the compressed site
(server.py), with budgets a few times above what the pages use today:

* the page's HTML arrives compressed;
* the page does not jump while it loads (cumulative layout shift, the
  sum of layout-shift scores until MathJax has typeset and images have
  loaded, below Lighthouse's "good" limit of 0.1) -- images carry their
  sizes and equations are typeset in place;
* the bytes transferred at load and the number of DOM elements stay
  within budget (a split API reference, lazily loaded figures);
* every image but the first loads lazily.
"""
from __future__ import annotations

MAX_LAYOUT_SHIFT = 0.1           # Lighthouse: "good" below 0.1
MAX_LOAD_BYTES = 3_000_000       # transferred when the page opens
MAX_DOM_ELEMENTS = 15_000        # MathJax adds about 10 per symbol

MEASURE = """async () => {
  let shift = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) shift += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await new Promise(done => setTimeout(done, 300));
  const page = performance.getEntriesByType('navigation')[0];
  const files = performance.getEntriesByType('resource');
  const images = [...document.querySelectorAll('main img')]
    .filter(img => !img.src.startsWith('data:'));
  return {shift, elements: document.getElementsByTagName('*').length,
          html: [page.encodedBodySize, page.decodedBodySize],
          bytes: files.reduce((sum, f) => sum + f.transferSize,
                              page.transferSize),
          unsized: images.filter(i => !(i.getAttribute('width') &&
                                        i.getAttribute('height'))).length,
          eager: images.slice(1).filter(i => i.loading !== 'lazy').length};
}"""


def test_pages_load_light_and_steady(browser, base_url, toc_pages):
    page = browser.new_page(viewport={"width": 1350, "height": 940})
    problems = []
    for name in toc_pages:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        m = page.evaluate(MEASURE)
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
    page.close()
    assert not problems, "\n".join(problems)
