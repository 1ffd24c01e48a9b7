"""Labels, numbers, terms and citations read from a Sphinx environment."""

from collections import namedtuple
from types import SimpleNamespace

import pytest
from pybtex.database import Entry, Person

from notebook_refs import cited_as, from_env, site_url

Citation = namedtuple("Citation", "citation_id bibliography_key key entry")


@pytest.mark.parametrize("url", ["https://github.com/Owner/book",
                                 "https://github.com/Owner/book.git/"])
def test_site_url_is_github_pages(url):
    assert site_url(url) == "https://owner.github.io/book/"


@pytest.mark.parametrize("url", ["https://gitlab.com/o/b",
                                 "https://github.com/o"])
def test_site_url_refuses_other_hosts(url):
    with pytest.raises(ValueError, match="gdlab_site_url"):
        site_url(url)


def entry(*authors, year="2000"):
    return Entry("article", fields={"year": year},
                 persons={"author": [Person(a) for a in authors]})


@pytest.mark.parametrize("authors, who", [
    (["Cauchy, Augustin-Louis"], "Cauchy"),
    (["Nocedal, Jorge", "Wright, Stephen"], "Nocedal and Wright"),
    (["Hastie, T.", "Tibshirani, R.", "Friedman, J."], "Hastie et al."),
    (["Erd{\\H{o}}s, Paul"], "Erdős"),
])
def test_cited_as_author_year(authors, who):
    assert cited_as(entry(*authors)) == (who, "2000")


def fake_env():
    std = {"objects": {("term", "Fisher information"): ("book/glossary",
                                                        "term-fisher")},
           "labels": {"ch-a": ("book/a", "ch-a", "Chapter A"),
                      "top": ("book/b", "", "Page B")},
           "anonlabels": {"fig-x": ("book/a", "fig-x"),
                          "ex-y": ("book/a", "ex-y"),
                          "ch-a": ("book/a", "ch-a")}}
    math = {"objects": {"eq-z": ("book/a", 3), "eq-plain": ("book/b", 2)}}
    cite = {"citations": [Citation("id7", SimpleNamespace(docname="book/bib"),
                                   "cauchy1847", entry("Cauchy, A.",
                                                       year="1847"))]}
    numbers = {"book/a": {"figure": {"fig-x": (2, 1)},
                          "exercise": {"ex-y": (2, 4)},
                          "displaymath": {"equation-eq-z": (2, 3)}}}
    return SimpleNamespace(domaindata={"std": std, "math": math,
                                       "cite": cite},
                           toc_fignumbers=numbers)


def test_from_env_reads_every_kind():
    refs = from_env(fake_env(), "https://s/", {"figure": "Figure %s"})
    assert refs.terms == {"fisher information":
                          "book/glossary.html#term-fisher"}
    assert refs.labels == {"ch-a": ("Chapter A", "book/a.html#ch-a"),
                           "top": ("Page B", "book/b.html")}
    assert refs.numbers == {
        "fig-x": ("figure", "2.1", "book/a.html#fig-x"),
        "ex-y": ("exercise", "2.4", "book/a.html#ex-y"),
        "eq-z": ("displaymath", "2.3", "book/a.html#equation-eq-z"),
        "eq-plain": ("displaymath", "2", "book/b.html#equation-eq-plain")}
    assert refs.citations == {"cauchy1847": ("Cauchy", "1847",
                                             "book/bib.html#id7")}
    assert refs.formats["figure"] == "Figure %s"
    assert refs.formats["exercise"] == "Exercise %s"
