"""`python -m macros.scaffold YEAR`: start next year's guidelines from the latest year.

Copies data/guidelines/<latest>.yml with year and intake moved on and every key date cleared (start and end become
YYYY-MM-DD, so `make check` names each date still to fill in; a week is dropped), adds the three pages and their
navigation entries.
"""

from __future__ import annotations

import re
import sys

from .data import ROOT

PLACEHOLDER = '"YYYY-MM-DD"'


def scaffold(year: int) -> list[str]:
    folder = ROOT / "data" / "guidelines"
    latest = max(int(p.stem) for p in folder.glob("*.yml"))
    target = folder / f"{year}.yml"
    if target.exists() or year <= latest:
        raise SystemExit(f"new-guidelines: {target.relative_to(ROOT)} exists or {year} is not after {latest}")
    text = (folder / f"{latest}.yml").read_text(encoding="utf-8")
    text = re.sub(r"^year: \d+$", f"year: {year}", text, count=1, flags=re.M)
    text = re.sub(
        r"^intake: (\d+)$", lambda m: f"intake: {int(m[1]) + year - latest}", text, count=1, flags=re.M
    )
    head, dates, rest = re.split(r"(?m)^(dates:\n(?:[ #-].*\n|\n)*)", text, maxsplit=1)
    dates = re.sub(r"(?m)^(\s+(?:- )?(?:start|end): ).*$", rf"\g<1>{PLACEHOLDER}", dates)
    dates = re.sub(r"(?m)^\s+week: .*\n", "", dates)  # a week belongs to the old month
    target.write_text(head + dates + rest, encoding="utf-8")
    pages = ROOT / "content" / "guidelines" / str(year)
    pages.mkdir(parents=True)
    roles = re.findall(r"^roles: \[(.*)\]$", text, flags=re.M)[0].replace(" ", "").split(",")
    (pages / "index.md").write_text(f"{{{{ guidelines({year}) }}}}\n", encoding="utf-8")
    nav = [f"      - guidelines/{year}/index.md"]
    for role in roles:
        (pages / f"{role}.md").write_text(f'{{{{ guidelines({year}, role="{role}") }}}}\n', encoding="utf-8")
        nav.append(f"      - guidelines/{year}/{role}.md")
    mkdocs = ROOT / "mkdocs.yml"
    config = mkdocs.read_text(encoding="utf-8")
    config = config.replace("  - guidelines:\n", "  - guidelines:\n" + "\n".join(nav) + "\n", 1)
    mkdocs.write_text(config, encoding="utf-8")
    return [
        str(target.relative_to(ROOT)),
        *(str(p.relative_to(ROOT)) for p in sorted(pages.iterdir())),
        "mkdocs.yml",
    ]


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        raise SystemExit("usage: make new-guidelines YEAR=2025")
    for path in scaffold(int(sys.argv[1])):
        print(f"new-guidelines: wrote {path}")
    print("new-guidelines: now fill in the dates and texts; `make check` lists every date still to fill in")
