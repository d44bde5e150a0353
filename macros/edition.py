"""data/guidelines/<year>.yml: which edition a text names — its year, 令和 year and intake (第N期 / Nth Intake).

Used by the loader (a title must name its file's edition) and by the scaffold (moving a draft on a year).
Only ASCII digits are recognised, as the data writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REIWA_FIRST = 2019  # 令和元年


def ordinal(n: int) -> str:
    """38th, 41st, 42nd, 43rd, 111th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Edition:
    year: int
    intake: int

    @property
    def reiwa(self) -> int | None:
        return self.year - REIWA_FIRST + 1 if self.year >= REIWA_FIRST else None

    def describe(self, lang: str) -> str:
        if lang == "ja":
            era = f"令和{self.reiwa}（{self.year}）年度" if self.reiwa else f"{self.year}年度"
            return f"{era} 第{self.intake}期"
        era = f"{self.year} (Reiwa {self.reiwa})" if self.reiwa else str(self.year)
        return f"{era}, {ordinal(self.intake)} Intake"


def intake_of(year: int, since: int) -> int:
    """One intake a year since the programme's first year (programme.yml figures.since): 2024 → 38."""
    return year - since + 1


# every mention of a year, a 令和 year or an intake; one named group per kind
_MENTION = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)(?!\d)"
    r"|(?:令和\s*|Reiwa\s+)(?P<reiwa>元|\d+)(?!\d)"
    r"|第\s*(?P<ja_intake>\d+)\s*期"
    r"|(?<!\d)(?P<en_intake>\d+)(?:st|nd|rd|th)\s+[Ii]ntake"
)
# the forms that state the edition itself (a programme year, not a calendar date): moved by the scaffold in
# every text, not only the title
_EDITION_FORM = re.compile(
    r"令和\s*(?:元|\d+)(?:（\d{4}）)?年度|(?<!\d)\d{4}年度|第\s*\d+\s*期"
    r"|(?<!\d)\d{4}\s+\(Reiwa\s+\d+\)|Reiwa\s+\d+|(?<!\d)\d{4}\s+(?:JET\s+)?[Pp]rogramme\s+year"
    r"|(?<!\d)\d+(?:st|nd|rd|th)\s+[Ii]ntake"
)


def _number(m: re.Match) -> tuple[str, int]:
    kind = m.lastgroup or ""
    value = m[kind]
    return kind.removeprefix("ja_").removeprefix("en_"), 1 if value == "元" else int(value)


def mentions(text: str) -> list[tuple[str, int, str]]:
    """(kind, number, as written) for every year, 令和 year and intake the text names."""
    return [(*_number(m), m[0]) for m in _MENTION.finditer(text)]


def others(text: str, edition: Edition, since: int) -> list[str]:
    """What a text names besides the forms stating ``edition`` itself and the programme's first year."""

    def own(m: re.Match) -> str:
        return "" if all(getattr(edition, k) == n for k, n, _ in mentions(m[0])) else m[0]

    rest = _EDITION_FORM.sub(own, text)
    return [written for kind, n, written in mentions(rest) if (kind, n) != ("year", since)]


def title_problem(text: str, edition: Edition, lang: str) -> str | None:
    """Why a title does not name exactly its edition (None when it does)."""
    found: dict[str, set[int]] = {"year": set(), "reiwa": set(), "intake": set()}
    for kind, number, _ in mentions(text):
        found[kind].add(number)
    expected = {"year": {edition.year}, "reiwa": {edition.reiwa} - {None}, "intake": {edition.intake}}
    if found == expected:
        return None
    named = ", ".join(written for _, _, written in mentions(text)) or "no edition"
    return f"names {named}; the {edition.year} edition is {edition.describe(lang)}"


def _replace(m: re.Match, old: Edition, new: Edition) -> str:
    kind, number = _number(m)
    if getattr(old, kind) != number:
        return m[0]
    value = getattr(new, kind)
    start, end = (i - m.start() for i in m.span(m.lastgroup))
    if m.lastgroup == "en_intake":  # 38th → 39th: the suffix follows the number
        return ordinal(value) + m[0][end + 2 :]
    return m[0][:start] + str(value) + m[0][end:]


def move(text: str, old: Edition, new: Edition, everything: bool) -> tuple[str, list[str]]:
    """Move the old edition's numbers on to the new one. ``everything``: every mention (a title); otherwise
    only the forms that state an edition (令和6年度, 2024年度, 第38期, 2024 programme year, 38th intake).
    Returns the text and what was moved, as written before."""
    moved: list[str] = []

    def one(m: re.Match) -> str:
        out = _MENTION.sub(lambda n: _replace(n, old, new), m[0])
        if out != m[0]:
            moved.append(m[0])
        return out

    return (_MENTION if everything else _EDITION_FORM).sub(one, text), moved
