"""The terminology check (data/glossary.yml): every variant of an official term, and every spelling our own
Japanese copy does not use, becomes a ``data/file.yml:LINE: path: reason`` problem.

English rules apply to every English text in data. Japanese spelling rules apply only to our own copy: the
Japanese of the guidelines is the official document's text, quoted as it is, so there only the texts we
write ourselves (key date labels and table captions) are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from . import schema as s
from .yamlsrc import Path_, Source

QUOTED = (s.Guidelines,)  # models whose Japanese is quoted from an official document
OURS_IN_QUOTED = ("label", "caption")  # fields of a quoted model that we write ourselves


@dataclass(frozen=True)
class Rule:
    lang: str
    variant: re.Pattern
    preferred: re.Pattern  # a variant inside an occurrence of the preferred form is not a hit
    reason: str
    ours_only: bool


def _pattern(text: str, lang: str, case_sensitive: bool) -> re.Pattern:
    if lang == "ja":
        return re.compile(re.escape(text))
    return re.compile(rf"(?<!\w){re.escape(text)}s?(?!\w)", 0 if case_sensitive else re.I)


def rules(g: s.Glossary) -> list[Rule]:
    out = []
    for term in g.terms:
        for variant in term.avoid:
            same_letters = variant.lower() == term.en.lower()  # a capitalisation rule: match case exactly
            out.append(
                Rule(
                    "en",
                    _pattern(variant, "en", same_letters),
                    _pattern(term.en, "en", same_letters),
                    f"{variant!r}: write {term.en!r} ({term.ja}; data/glossary.yml)",
                    False,
                )
            )
    for spelling in g.spelling:
        for variant in spelling.avoid:
            out.append(
                Rule(
                    "ja",
                    _pattern(variant, "ja", True),
                    _pattern(spelling.use, "ja", True),
                    f"{variant!r}: write {spelling.use!r} (data/glossary.yml)",
                    True,
                )
            )
    return out


def _hits(rule: Rule, text: str) -> Iterator[re.Match]:
    allowed = [m.span() for m in rule.preferred.finditer(text)]
    for m in rule.variant.finditer(text):
        if not any(a <= m.start() and m.end() <= b for a, b in allowed):
            yield m


def texts(model: BaseModel) -> Iterator[tuple[Path_, str, str, bool]]:
    """(path, language, text, ours) of every text of a validated model."""
    from .data import walk  # the loader imports this module

    quoted = isinstance(model, QUOTED)
    for path, obj in walk(model):
        if isinstance(obj, s.Text):
            ours = not quoted or any(part in OURS_IN_QUOTED for part in path)
            yield (*path, "ja"), "ja", obj.ja, ours
            if obj.en is not None:
                yield (*path, "en"), "en", obj.en, True


def ui_texts(src: Source, lang: str) -> Iterator[tuple[Path_, str, str, bool]]:
    """(path, language, text, ours) of every string of a UI file (all of it our own copy)."""
    stack: list[tuple[Path_, object]] = [((), src.data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack += [((*path, k), v) for k, v in node.items()]
        elif isinstance(node, str):
            yield path, lang, node, True


def check(
    g: s.Glossary, src: Source, items: Iterator[tuple[Path_, str, str, bool]], root: Path
) -> list[tuple[int, Path_, str]]:
    """(line, path, reason) of every hit in one file's texts, each on the line where the variant stands."""
    compiled = rules(g)
    raw: list[str] = []
    out = []
    for path, lang, text, ours in items:
        for rule in compiled:
            if rule.lang != lang or (rule.ours_only and not ours):
                continue
            count = sum(1 for _ in _hits(rule, text))
            if not count:
                continue
            raw = raw or (root / src.file).read_text(encoding="utf-8").splitlines()
            first = src.line(path)
            last = min(src.last_lines.get(path, first), len(raw))
            lines = [n for n in range(first, last + 1) for _ in _hits(rule, raw[n - 1])][:count]
            out += [(line, path, rule.reason) for line in lines + [first] * (count - len(lines))]
    return sorted(out, key=lambda hit: hit[0])
