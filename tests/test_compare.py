"""新旧対照表 engine: a next year made here from the real file (scaffolded, dates filled in, a few edits) compares
to exactly the edits made, in both languages and every view; renumbering alone is no change."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import project_copy
from fixture_year import COMPOUND, Fixture, expected, signature

from macros import fmt
from macros.compare import columns, compare, previous
from macros.data import REF


@pytest.fixture(scope="module")
def fx(tmp_path_factory) -> Fixture:
    return Fixture(project_copy(tmp_path_factory.mktemp("compare") / "p"))


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    if name.startswith("CJK UNIFIED"):
        return "kanji"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return name.split()[0]
    return "latin" if ch.isalnum() else None


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
