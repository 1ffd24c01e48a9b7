"""MyST Markdown to plain Jupyter Markdown (CommonMark and LaTeX math).

A chapter's Markdown cells use MyST: roles (``{term}`loss` ``), directives
(``{exercise}``, ``{note}``), label lines (``(ch-gd-by-hand)=``) and
labelled equations (``$$ (eq-data)``). Colab and plain Jupyter show these
as raw text. :func:`convert` rewrites them the way the page shows them:
glued values as their formatted text, references as their numbers or
titles linked to the published site, citations as "(Author, year)",
exercises as headings, admonitions as block quotes. Every number and title
comes from a :class:`Refs` filled from Sphinx's environment
(``notebook_refs.py``), so the notebook reads like the page.

A construct it does not know raises ``ValueError`` (the build fails)
instead of reaching a reader as raw MyST; :data:`LEFTOVERS` lists the
patterns a converted notebook must not contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<text>[^`]+)`")
TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
LABEL_LINE = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
MATH_LABEL = re.compile(r"\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}"
                   r"\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
ADMONITIONS = {"note", "warning", "tip", "important", "caution", "hint",
               "attention", "danger", "error", "seealso", "admonition"}

# What must not be left in a plain notebook's Markdown (name, pattern).
LEFTOVERS = [
    ("role", re.compile(r"\{[a-z][\w:-]*\}`")),
    ("directive", re.compile(r"^\s*(`{3,}|:{3,})\s*\{[\w:-]+\}", re.M)),
    ("label line", re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M)),
    ("equation label", re.compile(r"\$\$\s*\([^()\s]+\)\s*$", re.M)),
]
# The same, as nbconvert's HTML exporter renders them.
RENDERED = [
    ("role", re.compile(r"\{[a-z][\w:-]*\}(<code>|`)")),
    ("directive", re.compile(r"language-\{[\w:-]+\}|:{3,}\{[\w:-]+\}")),
    ("label line", re.compile(r"(^|>)\s*\([^()\s<>]+\)=\s*(<|$)", re.M)),
    ("equation label", re.compile(r"\$\$\s*\([^()\s<>]+\)")),
]


@dataclass
class Refs:
    """What the page knows about labels; links are relative to ``site``.

    ``numbers`` maps a label to ``(kind, number, target)``, kind being a
    Sphinx numbered type (``figure``, ``exercise``, ``displaymath``).
    """

    site: str = ""                     # published site, ending in "/"
    terms: dict = field(default_factory=dict)      # term -> target
    citations: dict = field(default_factory=dict)  # key -> (who, year, t.)
    labels: dict = field(default_factory=dict)     # label -> (title, t.)
    numbers: dict = field(default_factory=dict)    # label -> (kind, n, t.)
    titles: dict = field(default_factory=dict)     # exercise -> title
    formats: dict = field(default_factory=lambda: {
        "figure": "Fig. %s", "exercise": "Exercise %s",
        "section": "Section %s", "table": "Table %s"})
    glue: dict = field(default_factory=dict)       # key -> mime bundle
    on_missing: object = None   # called with the message; None: raise

    def link(self, text: str, target: str) -> str:
        return f"[{text}]({self.site}{target})" if target else text

    def missing(self, message: str) -> None:
        """An unknown label: ``ValueError``, or ``on_missing(message)``
        and the role's own text is shown."""
        if self.on_missing is None:
            raise ValueError(message)
        self.on_missing(message)

    def number(self, label: str, role: str) -> tuple[str, str, str]:
        if label not in self.numbers:
            self.missing(f"{{{role}}}: no numbered label {label!r}")
            return "", label, ""
        return self.numbers[label]


def _split(text: str) -> tuple[str | None, str]:
    """``title <target>`` into its parts; a bare target has no title."""
    match = TITLED.match(text.strip())
    if match:
        return match["title"], match["target"].strip()
    return None, text.strip()


def _glue(key_spec: str, refs: Refs, mime: str) -> str:
    from myst_nb.core.variables import format_plain_text

    key, spec = (key_spec.rsplit(":", 1) if ":" in key_spec
                 else (key_spec, "s"))
    if key not in refs.glue or mime not in refs.glue[key]:
        raise ValueError(f"no glued {mime} value named {key!r}")
    value = refs.glue[key][mime]
    if mime == "text/markdown":
        return convert(value, refs).strip()
    return format_plain_text(value, spec)


def _term(text: str, refs: Refs) -> str:
    title, term = _split(text)
    target = refs.terms.get(term.lower())
    if target is None:
        refs.missing(f"{{term}}: {term!r} is not in the glossary")
    return refs.link(title or term, target or "")


def _cite(keys: str, refs: Refs, textual: bool) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in refs.citations:
            refs.missing(f"{{cite}}: no bibliography entry {key!r}")
        who, year, target = refs.citations.get(key, (key, "", ""))
        label = f"{who} ({year})" if textual else f"{who}, {year}"
        parts.append(refs.link(label, target))
    return "; ".join(parts) if textual else f"({'; '.join(parts)})"


def _eq(text: str, refs: Refs) -> str:
    _, label = _split(text)
    _, number, target = refs.number(label, "eq")
    return refs.link(f"({number})", target)


def _ref(text: str, refs: Refs) -> str:
    title, label = _split(text)
    if label not in refs.labels:
        refs.missing(f"{{ref}}: no label {label!r}")
    name, target = refs.labels.get(label, (label, ""))
    return refs.link(title or name, target)


def _numref(text: str, refs: Refs) -> str:
    title, label = _split(text)
    kind, number, target = refs.number(label, "numref")
    pattern = title or refs.formats.get(kind, "%s")
    shown = pattern.replace("%s", number).replace("{number}", number)
    return refs.link(shown, target)


ROLES = {
    "glue": lambda t, r: _glue(t, r, "text/plain"),
    "glue:text": lambda t, r: _glue(t, r, "text/plain"),
    "glue:md": lambda t, r: _glue(t, r, "text/markdown"),
    "term": _term,
    "cite": lambda t, r: _cite(t, r, textual=False),
    "cite:p": lambda t, r: _cite(t, r, textual=False),
    "cite:t": lambda t, r: _cite(t, r, textual=True),
    "eq": _eq,
    "ref": _ref,
    "numref": _numref,
}


def convert_roles(text: str, refs: Refs) -> str:
    """Every MyST role in ``text`` replaced by what the page shows."""
    def replace(match):
        handler = ROLES.get(match["name"])
        if handler is None:
            raise ValueError(f"unsupported MyST role {{{match['name']}}}")
        return handler(" ".join(match["text"].split()), refs)
    return ROLE.sub(replace, text)


def _exercise(arg, options, body, refs):
    label = options.get("label", "")
    _, number, _ = refs.number(label, "exercise")
    refs.titles[label] = arg      # for the heading of its solution
    title = f" ({convert_roles(arg, refs)})" if arg else ""
    return f"### {_exercise_name(number, refs)}{title}\n\n{body}"


def _exercise_name(number: str, refs: Refs) -> str:
    return refs.formats["exercise"].replace("%s", number).strip()


def _solution_start(arg, options, body, refs):
    label = arg.strip()
    _, number, _ = refs.number(label, "solution-start")
    title = refs.titles.get(label)
    title = f" ({convert_roles(title, refs)})" if title else ""
    name = _exercise_name(number, refs)
    return f"#### Solution to {name}{title}\n\n{body}"


def _admonition(name, arg, body):
    title = arg if name == "admonition" and arg else name.capitalize()
    lines = [f"**{title}**", ""] + body.splitlines()
    return "\n".join(f"> {line}".rstrip() for line in lines)


DIRECTIVES = {
    "exercise": _exercise,
    "solution-start": _solution_start,
    "solution-end": lambda arg, options, body, refs: body,
}


def _directive(name, arg, options, body, refs) -> str:
    body = convert(body, refs).strip()
    if name in ADMONITIONS:
        return _admonition(name, convert_roles(arg, refs), body)
    if name not in DIRECTIVES:
        raise ValueError(f"unsupported MyST directive {{{name}}}")
    return DIRECTIVES[name](arg, options, body, refs)


def _read_block(lines, start, fence):
    """Options and body of the directive opened at ``lines[start]``;
    returns them with the index after its closing fence."""
    options, index = {}, start + 1
    while index < len(lines) and OPTION.match(lines[index]):
        match = OPTION.match(lines[index])
        options[match["key"]] = match["value"].strip()
        index += 1
    body = []
    while index < len(lines):
        line = lines[index].rstrip()
        if line.startswith(fence) and not line.strip(fence[0]):
            return options, "\n".join(body), index + 1
        body.append(lines[index])
        index += 1
    raise ValueError(f"directive opened by {lines[start]!r} never closes")


def _equation_label(line: str, refs: Refs) -> str:
    match = MATH_LABEL.search(line)
    _, number, _ = refs.number(match["label"], "equation")
    return MATH_LABEL.sub(lambda m: f"\\tag{{{number}}} $$", line)


def convert(text: str, refs: Refs) -> str:
    """A MyST Markdown cell as plain Jupyter Markdown."""
    lines, out, plain, index = text.splitlines(), [], [], 0
    while index < len(lines):
        line = lines[index]
        opened = FENCE.match(line.strip())
        if opened:
            out.append(convert_roles("\n".join(plain), refs))
            options, body, index = _read_block(lines, index,
                                               opened["fence"])
            out.append(_directive(opened["name"], opened["arg"].strip(),
                                  options, body, refs))
            plain = []
            continue
        index += 1
        if LABEL_LINE.match(line):
            continue
        if MATH_LABEL.search(line):
            line = _equation_label(line, refs)
        plain.append(line)
    out.append(convert_roles("\n".join(plain), refs))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def leftovers(text: str, patterns: list = LEFTOVERS) -> list[str]:
    """The MyST constructs still in ``text``: ``"kind at line n: ..."``."""
    found = []
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            line = text[:match.start()].count("\n") + 1
            found.append(f"{kind} at line {line}: {match.group(0).strip()}")
    return found
