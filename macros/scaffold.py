"""`python -m macros.scaffold YEAR`: start next year's guidelines from the latest year.

Copies data/guidelines/<latest>.yml, editing its text so comments and layout stay: the edition moves on (year,
intake, the title's year, 令和 year and intake in both languages, and every other text's mentions of the
edition itself such as 「2024年度」 or "38th intake"); every key date is cleared to a placeholder with the old
value beside it (`make check` names each one "to fill in"). Other years named in texts (cut-offs such as
「2021年度以降」 or "since 2014") are rules of the official guidelines, not moved here: they are listed for the
maintainer to check. Adds the year's pages and their navigation entries: the guidelines in each view (complete,
one per role) and, in the same views, the 新旧対照表 comparing them with the latest year (changes.j2).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import edition
from .data import LANGS, ROOT
from .schema import PLACEHOLDERS
from .yamlsrc import Path_, Source, fmt_path, read, texts


def _at(data: object, path: Path_) -> object:
    for part in path:
        data = data[part]
    return data


def draft(src: Source, text: str, old: edition.Edition, new: edition.Edition, since: int, name: str):
    """Next year's file ``name`` from this year's (``src`` is ``text`` parsed). Returns its text and notes
    for the maintainer, as `name:line: path: …` where needed (the draft keeps every line in place)."""
    lines = text.splitlines(keepends=True)
    moved, review = [], []

    def edit(path: Path_, change) -> None:
        first, last = src.lines[path] - 1, src.last_lines[path]
        lines[first:last] = change("".join(lines[first:last])).splitlines(keepends=True)

    for key in ("year", "intake"):
        edit((key,), lambda t, key=key: re.sub(r"\d+", str(getattr(new, key)), t, count=1))
    for path, _ in texts(src.data):
        for lang in (lang for lang in LANGS if isinstance(_at(src.data, path).get(lang), str)):
            where = (*path, lang)
            was: list[str] = []

            def change(t: str, everything=path == ("title",), was=was) -> str:
                out, names = edition.move(t, old, new, everything)
                was += names
                return out

            edit(where, change)
            if was:
                moved.append((where, ", ".join(was)))
            if path[0] != "title":
                written = edition.others(edition.move(_at(src.data, where), old, new, False)[0], new, since)
                if written:
                    review.append((where, ", ".join(dict.fromkeys(written))))
    cleared = 0
    for i, date in enumerate(src.data.get("dates") or []):
        for key in ("start", "end"):
            if key in date:
                cleared += 1
                value = str(date[key])
                blank = PLACEHOLDERS[0] if len(value) > 7 else PLACEHOLDERS[1]
                edit(
                    ("dates", i, key),
                    lambda t, key=key, blank=blank, value=value: (
                        re.sub(
                            rf"({key}:\s*)[^\s,}}#]+(.*?)(\s+#.*)?$",
                            rf'\g<1>"{blank}"\g<2>  # {old.year}: {value}\g<3>',  # a comment already there stays
                            t.rstrip("\n"),
                            count=1,
                        )
                        + "\n"
                    ),
                )
    notes = [f"moved to the {new.year} edition ({new.describe('ja')} / {new.describe('en')}): year, intake"]
    notes += [f"{name}:{src.line(p)}: {fmt_path(p)}: moved on from {w}" for p, w in moved]
    notes.append(
        f"cleared {cleared} key date(s): fill them in (`make check` lists each one still to fill in)"
    )
    if review:
        notes.append(f"check these texts: they name other years, which the {new.year} guidelines may move on")
        notes += [f"{name}:{src.line(p)}: {fmt_path(p)}: names {w}" for p, w in review]
    notes.append(
        "also update what changes without naming a year: country, pay table, document tables, figures in texts"
    )
    return "".join(lines), notes


def scaffold(year: int, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Write next year's file, pages and navigation; returns the files written and the notes."""
    folder = root / "data" / "guidelines"
    latest = max(int(p.stem) for p in folder.glob("*.yml"))
    target = folder / f"{year}.yml"
    if target.exists() or year <= latest:
        raise SystemExit(f"new-guidelines: {target.relative_to(root)} exists or {year} is not after {latest}")
    source = folder / f"{latest}.yml"
    src = read(source, source.relative_to(root).as_posix())
    since = read(root / "data" / "programme.yml", "data/programme.yml").data["figures"]["since"]
    old = edition.Edition(latest, src.data["intake"])
    new = edition.Edition(year, old.intake + year - latest)
    shown = target.relative_to(root).as_posix()
    text, notes = draft(src, source.read_text(encoding="utf-8"), old, new, since, shown)
    target.write_text(text, encoding="utf-8")
    pages = root / "content" / "guidelines" / str(year)
    (pages / "changes").mkdir(parents=True)
    nav = []
    for macro, folder in (
        ("guidelines", ""),
        ("changes", "changes/"),
    ):  # the year's views, then its 新旧対照表
        for role in (None, *src.data["roles"]):
            call = f'{macro}({year}, role="{role}")' if role else f"{macro}({year})"
            (pages / f"{folder}{role or 'index'}.md").write_text(f"{{{{ {call} }}}}\n", encoding="utf-8")
            nav.append(f"      - guidelines/{year}/{folder}{role or 'index'}.md")
    mkdocs = root / "mkdocs.yml"
    config = mkdocs.read_text(encoding="utf-8")
    config = config.replace("  - guidelines:\n", "  - guidelines:\n" + "\n".join(nav) + "\n", 1)
    mkdocs.write_text(config, encoding="utf-8")
    written = [target, *sorted(p for p in pages.rglob("*.md")), mkdocs]
    return [p.relative_to(root).as_posix() for p in written], notes


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        raise SystemExit("usage: make new-guidelines YEAR=2025")
    files, notes = scaffold(int(sys.argv[1]))
    print(f"new-guidelines: wrote {', '.join(files)}")
    for note in notes:
        print(note if note.startswith("data/") else f"new-guidelines: {note}")
