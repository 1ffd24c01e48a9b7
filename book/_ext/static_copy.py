"""What the site serves from ``book/_static``: copies that ``make`` fetches
from the npm registry (MathJax, Thebe), which the build requires.

:func:`require` stops the build, saying how to make the copy, when a file
is missing, instead of letting a page fall back to a CDN; otherwise it
makes sure Sphinx copies ``book/_static`` into the site.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ExtensionError

STATIC = "book/_static"


def require(app, config, path: str, what: str) -> None:
    """Stop unless ``book/_static/<path>`` exists; serve ``book/_static``.

    ``what`` says where ``make`` takes it from, for the error message.
    """
    if not (Path(app.srcdir) / STATIC / path).exists():
        raise ExtensionError(
            f"{STATIC}/{path} is missing: run `make book` (or `make "
            f"{STATIC}/{path}`), which installs {what} and copies it there")
    if STATIC not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, STATIC]
