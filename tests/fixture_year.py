"""Next year made inside the tests from the real latest year (never in data/): scaffolded as a maintainer
would, its key dates filled in, and — for the comparison — a few edits recorded as the changes expected.
Shared by test_compare (the engine), test_yearly (archive, sitemap) and test_changes (the pages)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from conftest import PASSWORD, project_copy, run
from pydantic import BaseModel

from macros import schema as s
from macros.data import REF, load_site
from macros.scaffold import scaffold

ADDED = {"ja": "この試験のために加えた文です。", "en": "A sentence added for this test."}
BLANK = re.compile(r'"YYYY-MM(?:-DD)?"  # \d+: (\d{4})([-\d]*)')  # a cleared date and last year's value


def scaffold_next(root: Path, keep_last: bool = False) -> tuple[int, Path]:
    """Scaffold the year after the latest and fill in every key date a year after its old value (with
    ``keep_last``, the last one as it was: a date that did not move). Returns the year and its file."""
    year = load_site(root).latest_year + 1
    scaffold(year, root)
    path = root / f"data/guidelines/{year}.yml"
    text = path.read_text(encoding="utf-8")
    blanks = list(BLANK.finditer(text))
    for m in reversed(blanks):
        value = m[1] + m[2] if keep_last and m is blanks[-1] else f"{int(m[1]) + 1}{m[2]}"
        text = text[: m.start()] + value + text[m.end() :]
    path.write_text(text, encoding="utf-8")
    return year, path


def next_year(root: Path) -> int:
    """Next year with nothing but the edition and the dates moved on."""
    return scaffold_next(root)[0]


def _section(sections: list[dict], sid: str) -> dict | None:
    for sec in sections:
        if sec["id"] == sid:
            return sec
        found = _section(sec.get("sections") or [], sid)
        if found:
            return found
    return None


def _block(sections, sid: str, kind: str, role=None) -> dict:
    return next(b for b in _section(sections, sid)["blocks"] if b["type"] == kind and b.get("role") == role)


def _table(sections, tid: str) -> dict:
    stack = list(sections)
    while stack:
        sec = stack.pop()
        stack += sec.get("sections") or []
        for b in sec.get("blocks") or []:
            if b.get("id") == tid:
                return b
    raise KeyError(tid)


COMPOUND = re.compile(r"(?<=.{8})(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{3,}")  # after the start


def reword_ja(text: str) -> str:
    """Change one character inside the first compound of three or more kanji."""
    m = COMPOUND.search(text)
    new = "新" if m[0][1] != "新" else "改"
    return text[: m.start() + 1] + new + text[m.start() + 2 :]


def reword_en(text: str) -> str:
    words = text.split(" ")
    words[4] = "revised"
    return " ".join(words)


def texts(text) -> tuple | None:
    """A text (model or raw mapping) as (ja, en)."""
    if text is None:
        return None
    if isinstance(text, s.Text):
        return (text.ja, text.en)
    return (text["ja"], text["en"])


class Fixture:
    """The real latest year, and next year made from it as a maintainer would, with the edits recorded as
    expected changes: (status, kind, where, old texts, new texts, changed cells) and the text or table that
    decides which views show it."""

    def __init__(self, root: Path):
        self.root = root
        self.old_year = load_site(root).latest_year
        self.year, path = scaffold_next(root, keep_last=True)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        old = yaml.safe_load((root / f"data/guidelines/{self.old_year}.yml").read_text(encoding="utf-8"))
        self.expected: list[tuple] = []
        self._edit(data, old)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        site = load_site(root)  # the draft passes `make check`
        self.old, self.new = site.guidelines[self.old_year], site.guidelines[self.year]
        for o, n in zip(old["dates"], data["dates"], strict=True):
            when = [k for k in ("start", "end") if str(o.get(k)) != str(n.get(k))]
            if when:
                self.expected.append(
                    (("changed", "date", n["id"], texts(o["label"]), texts(n["label"]), when), None)
                )

    def expect(self, status, kind, where, old, new, cells=(), witness=None):
        self.expected.append(((status, kind, where, texts(old), texts(new), list(cells)), witness))

    def _edit(self, data: dict, old: dict) -> None:
        secs, old_secs = data["sections"], old["sections"]
        # amounts: two rows of the pay table
        pay = _table(secs, "pay-table")
        for row in pay["rows"][0], pay["rows"][2]:
            row["yen"] += 40000
            self.expect("changed", "row", "pay-table", None, None, ["yen"], ("table", "pay-table"))
        # sentences: both languages of a shared paragraph (a word inside a kanji compound), a CIR-only one,
        # English only, one in a section renumbered below, and one that refers to a key date
        for sid, role, langs in (
            ("housing", None, ("ja", "en")),
            ("working-hours", "cir", ("ja", "en")),
            ("after-jet", None, ("en",)),
            ("force-majeure", None, ("ja", "en")),
            ("application-cir", None, ("ja", "en")),
        ):
            p = _block(secs, sid, "paragraph", role)
            before = dict(p["text"])
            for lang in langs:
                p["text"][lang] = (reword_ja if lang == "ja" else reword_en)(p["text"][lang])
            self.expect("changed", "paragraph", sid, before, p["text"], witness=("text", p["text"]["ja"]))
        # a sentence added to a text that refers to a footnote
        p = next(b for b in _section(secs, "remuneration")["blocks"] if "{fn:" in str(b.get("text")))
        before = dict(p["text"])
        p["text"] = {lang: p["text"][lang] + ADDED[lang] for lang in ("ja", "en")}
        self.expect(
            "changed", "paragraph", "remuneration", before, p["text"], witness=("text", p["text"]["ja"])
        )
        # a table cell (both languages) and a CIR-only document count
        cell = _table(secs, "departure-table")["rows"][0][1]
        cell.update({lang: cell[lang] + ADDED[lang] for lang in ("ja", "en")})
        self.expect("changed", "row", "departure-table", None, None, [1], ("table", "departure-table"))
        row = _table(secs, "cir-documents")["rows"][2]
        row["copies"] += 1
        self.expect("changed", "row", "cir-documents", None, None, ["copies"], ("table", "cir-documents"))
        # a footnote only the CIR view shows
        fn = next(f for f in data["footnotes"] if f["id"] == "designated-language")
        before = dict(fn["text"])
        fn["text"] = {lang: fn["text"][lang] + ADDED[lang] for lang in ("ja", "en")}
        self.expect("changed", "footnote", fn["id"], before, fn["text"], witness=("fn", fn["id"]))
        # a list item added to the SEA-only requirements (renumbering those after it), one removed
        items = _block(secs, "eligibility-sea", "list")["items"]
        item = {lang: f"{text}（1）" if lang == "ja" else f"{text} (1)" for lang, text in ADDED.items()}
        items.insert(1, {"text": item})
        self.expect("added", "item", "eligibility-sea", None, item, witness=("text", item["ja"]))
        items = _block(secs, "personal-information", "list")["items"]
        gone = items.pop(2)
        self.expect(
            "removed",
            "item",
            "personal-information",
            gone["text"],
            None,
            witness=("text", gone["text"]["ja"]),
        )
        # a section removed, the one after it renumbered into its place, and a section added
        gone = next(sec for sec in secs if sec["id"] == "jurisdiction")
        secs.remove(gone)
        self.expect(
            "removed", "section", gone["id"], gone["title"], None, witness=("text", gone["title"]["ja"])
        )
        _section(secs, "force-majeure")["number"] = gone["number"]
        travel = _section(secs, "travel")
        new = {"id": "added-for-test", "number": f"({len(travel['sections']) + 1})", "title": dict(ADDED)}
        new["blocks"] = [{"type": "paragraph", "text": dict(ADDED)}]
        travel["sections"].append(new)
        self.expect("added", "section", new["id"], None, ADDED, witness=("text", ADDED["ja"]))
        # a shared paragraph marked for one role: a changed mark in the complete view, gone from the others
        p = _block(secs, "outside-work", "paragraph")
        p["role"] = data["roles"][-1]
        self.marked = (p["role"], ("paragraph", "outside-work", texts(p["text"])))
        assert old_secs != secs


def signature(change) -> tuple:
    """What a test edit says of a change: status, kind, where (section, table, date or footnote id), the
    texts of both years and the keys of changed cells."""
    c = change.clause
    where = c.section
    if c.kind in ("row", "date", "footnote", "section"):
        where = c.table if c.kind == "row" else c.anchor if c.kind == "section" else c.model.id
    pair = [texts(x.text) if x is not None and x.kind != "row" else None for x in (change.old, change.new)]
    return (change.status, c.kind, where, *pair, [x.key for x in change.cells if x.changed])


def shown(g: s.Guidelines, role: str | None) -> tuple[set, set]:
    """What a view shows: its texts (Japanese) and its references and tables as (kind, id)."""
    seen: set[str] = set()
    things: set[tuple[str, str]] = set()

    def visit(obj, visible: bool):
        if isinstance(obj, list):
            for x in obj:
                visit(x, visible)
        elif isinstance(obj, s.Text):
            if visible:
                seen.add(obj.ja)
                things.update(REF.findall(obj.ja))
        elif isinstance(obj, BaseModel):
            here = visible and (role is None or getattr(obj, "role", None) in (None, role))
            if here and hasattr(obj, "type") and hasattr(obj, "id"):
                things.add(("table", obj.id))
                things.update(("date", d) for d in getattr(obj, "dates", []))
            for name in type(obj).model_fields:
                if name not in ("keywords", "dates", "footnotes"):
                    visit(getattr(obj, name), here)

    visit(g.sections, True)
    visit(g.preamble, True)
    return seen, things


def expected(fx: Fixture, role: str | None) -> list[tuple]:
    """The signatures of the changes a view's comparison must list: the edits that view shows."""
    views = [shown(g, role) for g in (fx.old, fx.new)]
    out = []
    for sig, witness in fx.expected:
        kind, key = witness or ("date", sig[2])
        if role is None or any(
            key in seen if kind == "text" else (kind, key) in things for seen, things in views
        ):
            out.append(sig)
    role_mark, (kind, where, text) = fx.marked
    if role is None:
        out.append(("changed", kind, where, text, text, []))
    elif role != role_mark:
        out.append(("removed", kind, where, text, None, []))
    return out


_BUILT: dict[str, tuple[Fixture, Path]] = {}


def two_years(tmp_path_factory) -> tuple[Fixture, Path]:
    """A project copy with the edited next year, checked and built as `make build` builds, once per test
    session."""
    if "site" not in _BUILT:
        fx = Fixture(project_copy(tmp_path_factory.mktemp("years") / "p"))
        assert run(["-m", "macros", "check"], cwd=fx.root).returncode == 0
        out = fx.root / "out"
        result = run(["-m", "macros.build", str(out)], cwd=fx.root, FAQ_PASSWORD=PASSWORD)
        assert result.returncode == 0, result.stderr
        _BUILT["site"] = (fx, out)
    return _BUILT["site"]
