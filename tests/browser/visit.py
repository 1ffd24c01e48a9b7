"""One visit per page: everything the browser checks read, gathered once.

Loading a page (with its fonts and figures) and running axe-core over it
are the slow parts of every browser check, and the site has over fifty
pages, so each page is opened once and :func:`visit` records what the
checks in this folder assert on: console errors, the requests made,
whether math was typeset and every image loaded, page-speed measures, a
chapter's links to its notebook, and axe-core's findings in light mode
and then, after the system's colour scheme turns dark, in dark mode.

:func:`visit_all` visits a few pages at once, in one Chromium: each page
gets a browser context of its own (an empty cache, so every page's bytes
are counted as a first visit's), and Chromium gives each page a renderer
process of its own, so the visits share the machine's cores.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from toc import ROOT

AXE = ROOT / ".ci/node_modules/axe-core/axe.min.js"
# axe's runOnly option: every WCAG 2.1 A/AA rule in light mode; in dark
# mode only the rule that depends on the colours.
AXE_RULES = {
    "light": {"type": "tag",
              "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "dark": {"type": "rule", "values": ["color-contrast"]},
}
VIEWPORT = {"width": 1350, "height": 940}

# Layout shifts are reported for frames already painted: once the fonts
# have loaded, two frames later every shift they caused has been recorded,
# and takeRecords() collects any not yet handed to the callback.
MEASURE = """async () => {
  let shift = 0;
  const add = list => {
    for (const e of list) if (!e.hadRecentInput) shift += e.value;
  };
  const observer = new PerformanceObserver(list => add(list.getEntries()));
  observer.observe({type: 'layout-shift', buffered: true});
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await document.fonts.ready;
  for (const frame of [1, 2])
    await new Promise(done => requestAnimationFrame(done));
  await new Promise(done => setTimeout(done, 0));
  add(observer.takeRecords());
  observer.disconnect();
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

# A chapter's links to its notebook (absolute URLs), null where absent.
LINKS = """() => Object.fromEntries(['download', 'colab', 'binder'].map(
  kind => [kind, document.querySelector(`a.nb-${kind}`)?.href ?? null]))"""

# Lazy images load when scrolled to; load them all, then list the broken.
BROKEN_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  return images.filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src.slice(0, 80));
}"""

# The theme fades its colours into a new scheme. The light-mode checks
# are done by then, and axe compares the colours the fade ends on, so
# the fade is switched off: the dark colours apply at once.
NO_FADE = "*, *::before, *::after { transition: none !important; }"
IDLE = "() => document.getAnimations().every(a => a.playState !== 'running')"
DARK = "() => document.documentElement.dataset.theme !== 'light'"
THEME = "document.documentElement.dataset.theme"


@dataclass
class Visit:
    name: str
    errors: dict = field(default_factory=lambda: {"light": [], "dark": []})
    requests: list = field(default_factory=list)
    theme: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    broken_images: list = field(default_factory=list)
    links: dict = field(default_factory=dict)
    violations: dict = field(default_factory=dict)


async def axe_violations(page, only: dict) -> list[dict]:
    """axe's violations on the loaded page of the rules ``only`` selects."""
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "only => axe.run(document, {runOnly: only,"
        " resultTypes: ['violations']})", only)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:3],
             "nodes": len(v["nodes"])} for v in result["violations"]]


def listen(page, record: Visit, scheme: dict) -> None:
    """Record ``page``'s console errors (under the scheme it is in) and
    requests."""
    page.on("console", lambda m: record.errors[scheme["now"]].append(m.text)
            if m.type == "error" else None)
    page.on("pageerror",
            lambda e: record.errors[scheme["now"]].append(str(e)))
    page.on("request", lambda request: record.requests.append(request.url))


async def turn_dark(page) -> None:
    """Switch the system's colour scheme to dark; return once the page
    has followed it (or not, in 3 s: the tests read the theme) and no
    animation runs."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    await page.add_style_tag(content=NO_FADE)
    await page.emulate_media(color_scheme="dark")
    try:
        await page.wait_for_function(DARK, timeout=3000)
    except PlaywrightTimeout:
        pass                      # recorded below, asserted by the tests
    await page.wait_for_function(IDLE, timeout=5000)


async def visit(browser, url: str, name: str) -> Visit:
    """Open ``url`` in a fresh context (light colour scheme) and record
    it."""
    record, scheme = Visit(name), {"now": "light"}
    context = await browser.new_context(color_scheme="light",
                                        viewport=VIEWPORT)
    try:
        page = await context.new_page()
        listen(page, record, scheme)
        # "networkidle" alone can come before the page's deferred scripts
        # have run (on a busy machine): wait for "load" as well
        await page.goto(url, wait_until="load")
        await page.wait_for_load_state("networkidle")
        record.theme["light"] = await page.evaluate(THEME)
        record.measures = await page.evaluate(MEASURE)
        record.links = await page.evaluate(LINKS)
        record.broken_images = await page.evaluate(BROKEN_IMAGES)
        record.violations["light"] = await axe_violations(
            page, AXE_RULES["light"])
        scheme["now"] = "dark"
        await turn_dark(page)
        record.theme["dark"] = await page.evaluate(THEME)
        record.violations["dark"] = await axe_violations(
            page, AXE_RULES["dark"])
    finally:
        await context.close()
    return record


async def visit_pages(chromium: dict, base_url: str, names: list[str],
                      at_once: int) -> list:
    """Each page's :class:`Visit`, or the exception its visit raised;
    ``at_once`` pages are open at a time."""
    from playwright.async_api import async_playwright
    slots = asyncio.Semaphore(at_once)

    async def one(browser, name):
        async with slots:
            return await visit(browser, f"{base_url}/{name}.html", name)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**chromium)
        try:
            return await asyncio.gather(
                *(one(browser, name) for name in names),
                return_exceptions=True)
        finally:
            await browser.close()


def visit_all(chromium: dict, base_url: str, names: list[str],
              at_once: int) -> dict[str, Visit]:
    """Visit the pages ``names`` of the site at ``base_url`` in a Chromium
    launched with ``chromium`` (Playwright's launch options), ``at_once``
    at a time. The visits run in a thread of their own, whose event loop
    does not meet the synchronous Playwright of the other checks."""
    with ThreadPoolExecutor(1, thread_name_prefix="visits") as thread:
        visits = thread.submit(asyncio.run, visit_pages(
            chromium, base_url, names, at_once)).result()
    failed = [(name, v) for name, v in zip(names, visits)
              if isinstance(v, BaseException)]
    if failed:
        name, error = failed[0]
        raise RuntimeError(f"visiting {name} failed ({len(failed)} of "
                           f"{len(names)} pages failed): {error}") from error
    return dict(zip(names, visits))
