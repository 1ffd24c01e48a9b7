"""What the built pages call things: labels, numbers, terms, citations.

:func:`from_env` reads Sphinx's environment after a build into a
:class:`plain_markdown.Refs`, so that a downloaded notebook shows the same
figure, equation and exercise numbers, section titles and "(Author, year)"
citations as the page, each linked to the page on the published site
(:func:`site_url`: GitHub Pages of the book's repository).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse

from plain_markdown import Refs


def site_url(repo_url: str) -> str:
    """``https://github.com/OWNER/NAME`` -> ``https://OWNER.github.io/NAME/``
    (where the publishing workflow puts the site)."""
    parsed = urlparse(repo_url.strip())
    path = parsed.path.strip("/").removesuffix(".git")
    parts = [p for p in path.split("/") if p]
    if parsed.netloc != "github.com" or len(parts) != 2:
        raise ValueError(f"not a GitHub repository URL: {repo_url!r}; "
                         "set gdlab_site_url to the published site")
    owner, name = parts
    return f"https://{owner.lower()}.github.io/{name}/"


@lru_cache(maxsize=None)
def _text_backend():
    """pybtex's plain-text renderer, looked up once: each lookup scans the
    installed packages' entry points (a tenth of a second)."""
    from pybtex.plugin import find_plugin

    return find_plugin("pybtex.backends", "text")()


def _plain(latex: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(latex).render(_text_backend())


def cited_as(entry) -> tuple[str, str]:
    """("Author", "year") as author-year citations show an entry: one or
    two surnames, or the first followed by "et al."."""
    people = entry.persons.get("author") or entry.persons.get("editor", [])
    names = [_plain(" ".join(p.last_names)) for p in people]
    who = f"{names[0]} et al." if len(names) > 2 else " and ".join(names)
    return who or "Anonymous", entry.fields.get("year", "n.d.")


def _numbers(env) -> dict:
    """Numbered node ids of every page: id -> (kind, "1.2", target)."""
    found = {}
    for doc, kinds in env.toc_fignumbers.items():
        for kind, ids in kinds.items():
            for node_id, number in ids.items():
                shown = ".".join(str(n) for n in number)
                found[(doc, node_id)] = (kind, shown, f"{doc}.html#{node_id}")
    return found


def _labelled(env, numbers: dict) -> dict:
    """Label -> (kind, number, target) for figures, exercises, equations."""
    result = {}
    for label, (doc, node_id) in env.domaindata["std"]["anonlabels"].items():
        if (doc, node_id) in numbers:
            result[label] = numbers[(doc, node_id)]
    for label, (doc, number) in env.domaindata["math"]["objects"].items():
        node_id = f"equation-{label}"
        kind, shown, target = numbers.get(
            (doc, node_id), ("displaymath", str(number),
                             f"{doc}.html#{node_id}"))
        result[label] = (kind, shown, target)
    return result


def _citations(env) -> dict:
    result = {}
    for cite in env.domaindata.get("cite", {}).get("citations", []):
        who, year = cited_as(cite.entry)
        doc = cite.bibliography_key.docname
        result[cite.key] = (who, year, f"{doc}.html#{cite.citation_id}")
    return result


def from_env(env, site: str, formats: dict | None = None) -> Refs:
    """A :class:`Refs` for the whole book from a built environment."""
    std = env.domaindata["std"]
    terms = {name.lower(): f"{doc}.html#{anchor}"
             for (kind, name), (doc, anchor) in std["objects"].items()
             if kind == "term"}
    labels = {label: (title, f"{doc}.html#{anchor}" if anchor
                      else f"{doc}.html")
              for label, (doc, anchor, title) in std["labels"].items()}
    refs = Refs(site=site, terms=terms, labels=labels,
                numbers=_labelled(env, _numbers(env)),
                citations=_citations(env))
    refs.formats.update(formats or {})
    return refs
