"""新旧対照表 engine: a next year made here from the real file (scaffolded, dates filled in, a few edits) compares
to exactly the edits made, in both languages and every view; renumbering alone is no change."""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml
from conftest import project_copy
from pydantic import BaseModel

from macros import fmt
from macros import schema as s
from macros.compare import columns, compare, previous
from macros.data import REF, load_site
from macros.scaffold import scaffold

ADDED = {"ja": "この試験のために加えた文です。", "en": "A sentence added for this test."}


def _section(sections: list[dict], sid: str) -> dict:
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


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    if name.startswith("CJK UNIFIED"):
        return "kanji"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return name.split()[0]
    return "latin" if ch.isalnum() else None


def _reword_ja(text: str) -> str:
    """Change one character inside the first compound of three or more kanji."""
    m = COMPOUND.search(text)
    new = "新" if m[0][1] != "新" else "改"
    return text[: m.start() + 1] + new + text[m.start() + 2 :]


def _reword_en(text: str) -> str:
    words = text.split(" ")
    words[4] = "revised"
    return " ".join(words)


class Fixture:
    """The real latest year, and next year made from it as a maintainer would, with the edits recorded as
    expected changes: (status, kind, where, old texts, new texts, changed cells) and the text or table that
    decides which views show it."""

    def __init__(self, root):
        site = load_site(root)
        self.old_year = site.latest_year
        self.year = self.old_year + 1
        scaffold(self.year, root)
        path = root / f"data/guidelines/{self.year}.yml"
        text = path.read_text(encoding="utf-8")
        blanks = list(re.finditer(r'"YYYY-MM(?:-DD)?"  # \d+: (\d{4})([-\d]*)', text))
        for m in reversed(blanks):  # every key date a year after its old value, but the last kept as it was
            value = m[1] + m[2] if m is blanks[-1] else f"{int(m[1]) + 1}{m[2]}"
            text = text[: m.start()] + value + text[m.end() :]
        data = yaml.safe_load(text)
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
                    (("changed", "date", n["id"], _t(o["label"]), _t(n["label"]), when), None)
                )

    def expect(self, status, kind, where, old, new, cells=(), witness=None):
        self.expected.append(((status, kind, where, _t(old), _t(new), list(cells)), witness))

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
                p["text"][lang] = (_reword_ja if lang == "ja" else _reword_en)(p["text"][lang])
            self.expect("changed", "paragraph", sid, before, p["text"], witness=("text", p["text"]["ja"]))
        # a table cell (both languages) and a CIR-only document count
        cell = _table(secs, "departure-table")["rows"][0][1]
        before = dict(cell)
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
        self.marked = (p["role"], ("paragraph", "outside-work", _t(p["text"])))
        assert old_secs != secs


def _t(text) -> tuple | None:
    if text is None:
        return None
    if isinstance(text, s.Text):
        return (text.ja, text.en)
    return (text["ja"], text["en"])


def signature(change) -> tuple:
    """What a test edit says of a change: status, kind, where (section, table, date or footnote id), the
    texts of both years and the keys of changed cells."""
    c = change.clause
    where = c.section
    if c.kind in ("row", "date", "footnote", "section"):
        where = c.table if c.kind == "row" else c.anchor if c.kind == "section" else c.model.id
    texts = [_t(x.text) if x is not None and x.kind != "row" else None for x in (change.old, change.new)]
    return (change.status, c.kind, where, *texts, [x.key for x in change.cells if x.changed])


def shown(g: s.Guidelines, role: str | None) -> tuple[set, set]:
    """What a view shows: its texts (Japanese) and its references and tables as (kind, id)."""
    texts: set[str] = set()
    things: set[tuple[str, str]] = set()

    def visit(obj, visible: bool):
        if isinstance(obj, list):
            for x in obj:
                visit(x, visible)
        elif isinstance(obj, s.Text):
            if visible:
                texts.add(obj.ja)
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
    return texts, things


@pytest.fixture(scope="module")
def fx(tmp_path_factory) -> Fixture:
    return Fixture(project_copy(tmp_path_factory.mktemp("compare") / "p"))


def expected(fx: Fixture, role: str | None) -> list[tuple]:
    views = [shown(g, role) for g in (fx.old, fx.new)]
    out = []
    for sig, witness in fx.expected:
        kind, key = witness or ("date", sig[2])
        if role is None or any(
            key in texts if kind == "text" else (kind, key) in things for texts, things in views
        ):
            out.append(sig)
    role_mark, (kind, where, text) = fx.marked
    if role is None:
        out.append(("changed", kind, where, text, text, []))
    elif role != role_mark:
        out.append(("removed", kind, where, text, None, []))
    return out


@pytest.mark.parametrize("role", [None, "cir", "sea"])
def test_comparison_lists_exactly_the_edits(fx, role):
    result = compare(fx.old, fx.new, role)
    got = sorted(map(repr, map(signature, result.changes)))
    assert got == sorted(map(repr, expected(fx, role)))
    assert result.old == fx.old_year and result.new == fx.year and result.unchanged > 100


def test_role_views_show_only_their_own_changes(fx):
    cir, sea = (compare(fx.old, fx.new, role) for role in ("cir", "sea"))
    only_cir = {"cir-documents", "designated-language", "application-cir"}
    assert only_cir <= {signature(c)[2] for c in cir.changes}
    assert not only_cir & {signature(c)[2] for c in sea.changes}
    assert "eligibility-sea" in {signature(c)[2] for c in sea.changes} - {
        signature(c)[2] for c in cir.changes
    }


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_text_diffs_give_both_years_and_mark_whole_words(fx, lang):
    for change in compare(fx.old, fx.new).changes:
        if change.kind not in ("paragraph", "item", "footnote", "section"):
            continue
        after, before = columns(change.diff(lang))
        assert "".join(t for _, t in after) == (change.new.text.get(lang) if change.new else "")
        assert "".join(t for _, t in before) == (change.old.text.get(lang) if change.old else "")
        if change.status != "changed":
            continue
        for side, text in ((after, change.new.text.get(lang)), (before, change.old.text.get(lang))):
            pos = 0
            for op, piece in side:
                for edge in (pos, pos + len(piece)) if op != "same" else ():
                    if 0 < edge < len(text):
                        a, b = text[edge - 1], text[edge]
                        if lang == "ja":  # never inside a run of one script (kanji, kana, latin)
                            assert _script(a) is None or _script(a) != _script(b), (piece, text)
                        else:  # never inside a word
                            assert not (a.isalnum() and b.isalnum()), (piece, text)
                pos += len(piece)


def test_a_kanji_compound_changed_inside_is_marked_whole(fx):
    change = next(
        c for c in compare(fx.old, fx.new).changes if c.kind == "paragraph" and c.clause.section == "housing"
    )
    old, new = change.old.text.ja, change.new.text.ja
    m = COMPOUND.search(old)
    assert ("del", m[0]) in change.diff("ja")
    assert ("ins", new[m.start() : m.end()]) in change.diff("ja")


def test_a_moved_date_is_marked_in_a_changed_text_that_shows_it(fx):
    change = next(
        c
        for c in compare(fx.old, fx.new).changes
        if c.clause.section == "application-cir" and c.kind == "paragraph"
    )
    refs = {ref for kind, ref in REF.findall(change.new.text.ja) if kind == "date"}
    moved = {c.clause.model.id for c in compare(fx.old, fx.new).changes if c.kind == "date"}
    assert refs & moved
    for lang in ("ja", "en"):
        for ref in refs & moved:
            segs = change.diff(lang)
            assert ("del", f"{{date:{ref}}}") in segs and ("ins", f"{{date:{ref}}}") in segs


def test_numbers_and_links_for_both_years(fx):
    result = compare(fx.old, fx.new)
    new, old = result.headings["force-majeure"]
    assert new.number["ja"] != old.number["ja"]  # renumbered, compared through its id
    assert new.number["ja"] == _section_number(fx.new, "force-majeure")
    assert old.number["ja"] == _section_number(fx.old, "force-majeure")
    removed = next(c for c in result.changes if c.status == "removed" and c.kind == "item")
    lst = next(b for b in _model_section(fx.old, "personal-information").blocks if b.type == "list")
    index = [i.text for i in lst.items].index(removed.old.text)
    assert removed.old.number == {lang: fmt.list_label(lst.style, index, lang) for lang in ("ja", "en")}
    for change in result.changes:
        for clause in (change.old, change.new):
            if clause is not None and clause.kind != "date":
                assert clause.anchor, change
    added = next(c for c in result.changes if c.kind == "section" and c.status == "added")
    assert [b.kind for b in added.new.body] == ["paragraph"]


def test_renumbering_alone_is_not_a_change(site):
    g = site.guidelines[site.latest_year]

    def renumber(sections, depth=0):
        return [
            sec.model_copy(
                update={
                    "number": f"[{len(sections) - i}.{depth}]" if sec.number else None,
                    "sections": renumber(sec.sections, depth + 1),
                }
            )
            for i, sec in enumerate(sections)
        ]

    renumbered = g.model_copy(update={"sections": renumber(g.sections)})
    assert renumbered.sections[0].number != g.sections[0].number
    for role in (None, *g.roles):
        assert len(compare(g, renumbered, role)) == 0
        assert compare(g, renumbered, role).unchanged == compare(g, g, role).unchanged


def test_moving_a_section_or_table_elsewhere_is_not_a_change(site):
    g = site.guidelines[site.latest_year]
    parent = next(sec for sec in g.sections if len(sec.sections) > 1)  # its last subsection goes to the top
    table_home = next(sec for sec in g.sections if any(hasattr(b, "id") for b in sec.blocks) and not sec.role)
    table = next(b for b in table_home.blocks if hasattr(b, "id"))
    target = next(sec for sec in g.sections if sec is not parent and sec is not table_home and not sec.role)
    sections = []
    for sec in g.sections:
        if sec is parent:
            sec = sec.model_copy(update={"sections": sec.sections[:-1]})
        elif sec is table_home:
            sec = sec.model_copy(update={"blocks": [b for b in sec.blocks if b is not table]})
        elif sec is target:
            sec = sec.model_copy(update={"blocks": [table, *sec.blocks]})
        sections.append(sec)
    moved = g.model_copy(update={"sections": [*sections, parent.sections[-1]]})
    for role in (None, *g.roles):
        result = compare(g, moved, role)
        assert len(result) == 0 and result.unchanged == compare(g, g, role).unchanged


def test_previous_year():
    assert previous([2023, 2024, 2026], 2026) == 2024 and previous([2024], 2024) is None


def _model_section(g, sid):
    stack = list(g.sections)
    while stack:
        sec = stack.pop()
        if sec.id == sid:
            return sec
        stack += sec.sections


def _section_number(g, sid, sections=None, parent=""):
    for sec in g.sections if sections is None else sections:
        number = (parent + "." if parent and sec.number else parent) + (sec.number or "")
        if sec.id == sid:
            return number
        found = _section_number(g, sid, sec.sections, number)
        if found:
            return found
    return None
