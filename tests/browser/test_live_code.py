"""The "Live code" button, end to end, with no network.

A reader online gets a kernel from Binder. Here the test starts a Jupyter
server on 127.0.0.1 with a token and, through an override injected into
the page before it loads (never part of the published site), tells Thebe
to use that server instead of Binder. It then clicks "Live Code" as a
reader would, runs a cell that calls gdlab and reads the output on the
page. Every page is also loaded once to check that nothing is requested
from another host before a reader asks for live code.
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import HTML

CHAPTER = "book/gd-by-hand"
LOCAL_HOSTS = {"127.0.0.1"}
# Replaces Thebe's Binder settings with a local server's as soon as
# Thebe's script defines `thebelab` (sphinx-thebe calls its bootstrap()
# without arguments, and bootstrap() would otherwise ask for Binder).
OVERRIDE = """
(settings => {
  let thebe;
  Object.defineProperty(window, "thebelab", {
    configurable: true,
    get: () => thebe,
    set: value => {
      const bootstrap = value.bootstrap;
      value.bootstrap = (options = {}) =>
        bootstrap({...options, ...settings});
      thebe = value;
    },
  });
})(SETTINGS);
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def off_loopback(urls: list[str]) -> list[str]:
    """The URLs among ``urls`` that go to a host other than loopback."""
    return [url for url in urls if urlsplit(url).scheme in ("http", "https",
                                                            "ws", "wss")
            and urlsplit(url).hostname not in LOCAL_HOSTS]


def wait_until_up(url: str, process: subprocess.Popen, log: Path,
                  seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Jupyter server exited with "
                        f"{process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the Jupyter server did not answer {url} in {seconds} s")


@pytest.fixture(scope="module")
def jupyter_server(base_url, tmp_path_factory):
    """A Jupyter server on loopback, with a token, open to the site."""
    if importlib.util.find_spec("jupyter_server") is None:
        pytest.fail("the live-code test needs jupyter_server: `make test` "
                    "installs it with the `test` extra")
    root = tmp_path_factory.mktemp("jupyter")
    (root / "book").mkdir()                      # the pages' kernel path
    port, token = free_port(), secrets.token_hex(16)
    bin_dir = str(Path(sys.executable).parent)   # the kernel: this Python
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"],
           "JUPYTER_CONFIG_DIR": str(root / ".config"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    command = [sys.executable, "-m", "jupyter_server", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}",
               f"--ServerApp.allow_origin={base_url}",
               f"--ServerApp.root_dir={root}",
               "--ServerApp.allow_root=True",         # CI containers
               "--ServerApp.terminals_enabled=False",
               "--KernelManager.transport_encryption=auto"]
    log_path = root / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/status?token={token}", process, log_path)
        yield {"baseUrl": url, "wsUrl": f"ws://127.0.0.1:{port}",
               "token": token, "appendToken": True}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_thebe_is_served_by_the_site():
    page = (HTML / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in page
    assert 'const THEBE_JS_URL = "../_static/thebe/index.js"' in page
    assert (HTML / "_static" / "thebe" / "index.js").stat().st_size > 0


def test_no_request_leaves_loopback_on_page_load(visits):
    for name, v in visits.items():
        assert not off_loopback(v.requests), \
            f"{name}: requests to other hosts: {off_loopback(v.requests)}"


def live_chapter(browser, base_url, settings):
    """The chapter page with Thebe told to use ``settings``' server."""
    page = browser.new_page()
    errors, requested = [], []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket_: requested.append(socket_.url))
    options = {"useBinder": False, "useJupyterLite": False,
               "requestKernel": True, "serverSettings": settings}
    page.add_init_script(OVERRIDE.replace("SETTINGS", json.dumps(options)))
    page.goto(f"{base_url}/{CHAPTER}.html", wait_until="networkidle")
    return page, errors, requested


def click_live_code(page):
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    page.locator(".btn-launch-thebe").click()
    page.wait_for_function("() => window.thebe && window.thebe.session",
                           timeout=90000)


def run_first_cell(page, code: str, expected: str) -> str:
    """Put ``code`` into the page's first live cell, run it and return the
    text of that cell's output once it shows ``expected``."""
    cell = page.locator("div.cell:has(.thebe-cell)").first
    cell.locator(".CodeMirror").evaluate(
        "(editor, code) => editor.CodeMirror.setValue(code)", code)
    cell.locator(".thebe-run-button").click()
    output = cell.locator("[data-output]").first
    output.get_by_text(expected).wait_for(timeout=60000)
    return output.inner_text()


def test_live_code_runs_gdlab_on_a_local_kernel(browser, base_url,
                                                jupyter_server):
    import gdlab
    expected = repr(gdlab.init_linear_params(42))
    page, errors, requested = live_chapter(browser, base_url,
                                           jupyter_server)
    assert not off_loopback(requested), off_loopback(requested)
    click_live_code(page)
    code = "import gdlab; print('b0, w0 =', gdlab.init_linear_params(42))"
    text = run_first_cell(page, code, f"b0, w0 = {expected}")
    assert text.strip() == f"b0, w0 = {expected}", text
    assert any(url.startswith(jupyter_server["wsUrl"]) for url in requested)
    assert not off_loopback(requested), off_loopback(requested)
    assert not errors, f"console errors: {errors}"
    page.close()


@pytest.mark.parametrize("urls, outside", [
    (["http://127.0.0.1:8000/a.js", "data:image/png;base64,xx"], []),
    (["https://unpkg.com/thebe@0.8.2/lib/index.js"],
     ["https://unpkg.com/thebe@0.8.2/lib/index.js"]),
    (["ws://127.0.0.1:1/api/kernels", "wss://mybinder.org/x"],
     ["wss://mybinder.org/x"]),
])
def test_off_loopback_finds_other_hosts(urls, outside):
    assert off_loopback(urls) == outside
