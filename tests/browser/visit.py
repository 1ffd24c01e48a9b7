"""One visit per page: everything the browser checks read, gathered once.

Loading a page (with its fonts and figures) is the slow part of every
browser check, and the site has over fifty pages, so each page is opened
once and :func:`visit` records what the checks in this folder assert on:
console errors, the requests made, whether math was typeset and every
image loaded, page-speed measures, and axe-core's findings in light mode and
then, after the system's colour scheme turns dark, in dark mode.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from toc import ROOT

AXE = ROOT / ".ci/node_modules/axe-core/axe.min.js"
# axe's runOnly option: every WCAG 2.1 A/AA rule in light mode; in dark
# mode only the rule that depends on the colours.
AXE_RULES = {
    "light": {"type": "tag",
              "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "dark": {"type": "rule", "values": ["color-contrast"]},
}

MEASURE = """async () => {
  let shift = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) shift += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await document.fonts.ready;
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
          eager: images.slice(1).filter(i => i.loading !== 'lazy').length,
          math: document.querySelectorAll('mjx-container').length,
          raw_tex: [...document.querySelectorAll('.math')].filter(
            m => !m.querySelector('mjx-container')).length};
}"""

# Lazy images load when scrolled to; load them all, then list the broken.
BROKEN_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  return images.filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src.slice(0, 80));
}"""


@dataclass
class Visit:
    name: str
    errors: dict = field(default_factory=lambda: {"light": [], "dark": []})
    requests: list = field(default_factory=list)
    theme: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    broken_images: list = field(default_factory=list)
    violations: dict = field(default_factory=dict)


def axe_violations(page, only: dict) -> list[dict]:
    """axe's violations on the loaded page of the rules ``only`` selects."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "only => axe.run(document, {runOnly: only,"
        " resultTypes: ['violations']})", only)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:3],
             "nodes": len(v["nodes"])} for v in result["violations"]]


def visit(context, url: str, name: str) -> Visit:
    """Open ``url`` in ``context`` (light colour scheme) and record it."""
    record = Visit(name)
    page = context.new_page()
    scheme = {"now": "light"}
    page.on("console", lambda m: record.errors[scheme["now"]].append(m.text)
            if m.type == "error" else None)
    page.on("pageerror",
            lambda e: record.errors[scheme["now"]].append(str(e)))
    page.on("request", lambda request: record.requests.append(request.url))
    page.goto(url, wait_until="networkidle")
    record.theme["light"] = page.evaluate(
        "document.documentElement.dataset.theme")
    record.measures = page.evaluate(MEASURE)
    record.broken_images = page.evaluate(BROKEN_IMAGES)
    record.violations["light"] = axe_violations(page, AXE_RULES["light"])
    scheme["now"] = "dark"
    page.emulate_media(color_scheme="dark")
    try:
        page.wait_for_function(
            "() => document.documentElement.dataset.theme !== 'light'",
            timeout=3000)
    except PlaywrightTimeout:
        pass                      # recorded below, asserted by the tests
    # the theme fades its colours into the new scheme: let the fade end
    # before axe compares colours
    page.wait_for_function("() => document.getAnimations()"
                           ".every(a => a.playState !== 'running')",
                           timeout=5000)
    record.theme["dark"] = page.evaluate(
        "document.documentElement.dataset.theme")
    record.violations["dark"] = axe_violations(page, AXE_RULES["dark"])
    page.close()
    return record
