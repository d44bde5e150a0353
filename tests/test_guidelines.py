"""The guidelines pages: every section, amount, date and document count from the data, in both languages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from conftest import project_copy, run
from lxml import html as lhtml
from pydantic import BaseModel

from macros import fmt
from macros import schema as s
from macros.data import anchors, walk
from macros.render import Renderer

LANG_PREFIX = {"ja": "", "en": "en/"}


def doc(built, lang, year, view="") -> lhtml.HtmlElement:
    path = built / LANG_PREFIX[lang] / "guidelines" / str(year) / view / "index.html"
    return lhtml.fromstring(path.read_text(encoding="utf-8"))


def text_of(el) -> str:
    return re.sub(r"[ \t\r\n]+", " ", el.text_content()).strip()


def visible_texts(g: s.Guidelines, role: str | None, lang: str) -> tuple[set[str], set[str]]:
    """Texts a view must show, and texts only other roles have (minus any the view shows too)."""
    shown, hidden = set(), set()

    def visit(obj, visible: bool):
        if isinstance(obj, s.Text):
            (shown if visible else hidden).add(obj.get(lang))
            return
        if not isinstance(obj, BaseModel):
            if isinstance(obj, list):
                for item in obj:
                    visit(item, visible)
            return
        here = visible and (role is None or getattr(obj, "role", None) in (None, role))
        for name in type(obj).model_fields:
            if name not in ("keywords", "title") or isinstance(obj, s.Section):
                visit(getattr(obj, name), here)

    visit(g.preamble, True)
    visit(g.sections, True)
    return shown, hidden - shown


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_section_has_its_heading_and_stable_anchor(built, site, lang):
    for year, g in site.guidelines.items():
        page = doc(built, lang, year)
        ids = set(page.xpath("//article//*[self::h2 or self::h3 or self::h4]/@id"))
        sections = {k for k, v in anchors(g).items() if isinstance(v, s.Section)}
        assert sections <= ids
        for sec_id in sections:
            heading = page.get_element_by_id(sec_id)
            assert anchors(g)[sec_id].title.get(lang) in text_of(heading)


def test_ja_and_en_pages_have_the_same_anchors(built, site):
    for year, g in site.guidelines.items():
        for view in ["", *g.roles]:
            ja = set(doc(built, "ja", year, view).xpath("//article//@id"))
            en = set(doc(built, "en", year, view).xpath("//article//@id"))
            assert ja == en


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_amounts_dates_and_document_counts_come_from_the_data(built, site, lang):
    for year, g in site.guidelines.items():
        r = Renderer(site, lang)
        view = r.guidelines_view(year)
        page = doc(built, lang, year)
        body = text_of(page.xpath("//article")[0])
        for _, block in walk(g):
            if isinstance(block, s.PayBlock):
                rows = page.get_element_by_id(block.id).xpath(".//tbody/tr")
                assert [[text_of(c) for c in tr] for tr in rows] == [
                    [fmt.years(row.years, r.ui), fmt.yen(row.yen, r.ui)] for row in block.rows
                ]
            if isinstance(block, s.DocumentsBlock):
                rows = page.get_element_by_id(block.id).xpath(".//tbody/tr")
                assert len(rows) == len(block.rows)
                for tr, row in zip(rows, block.rows, strict=True):
                    cells = [text_of(td) for td in tr.xpath("./td")]
                    copies = (
                        r.ui["guidelines"]["copies_each"].format(n=row.copies)
                        if row.copies_each
                        else str(row.copies)
                    )
                    assert cells == [str(row.originals), copies]
                    assert row.name.get(lang) in text_of(tr)
            if isinstance(block, s.ScheduleBlock):
                rows = page.get_element_by_id(block.id).xpath(".//tbody/tr/th")
                assert [text_of(th) for th in rows] == [view.date(d) for d in block.dates]
        for key_date in g.dates:
            assert view.date(key_date.id, inline=True) in body or view.date(key_date.id) in body


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_role_views_show_exactly_their_role(built, site, lang):
    for year, g in site.guidelines.items():
        for role in g.roles:
            article = doc(built, lang, year, role).xpath("//article")[0]
            for nav in article.xpath(".//nav[contains(@class, 'gl-views')]"):
                nav.drop_tree()  # the view switcher names every role
            body = text_of(article)
            shown, others = visible_texts(g, role, lang)
            for text in shown:
                plain = text.split("{")[0].strip()[:40]  # before any inline reference
                assert plain in body, (role, plain)
            shown_plain = [t.split("{")[0] for t in shown]
            for text in others:
                plain = text.split("{")[0].strip()
                if len(plain) >= 8 and not any(plain in p for p in shown_plain):
                    assert plain not in body, (role, plain)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_full_view_says_in_words_which_role_a_part_is_for(built, site, lang):
    r = Renderer(site, lang)
    for year, g in site.guidelines.items():
        page = doc(built, lang, year)
        tags = {text_of(t) for t in page.xpath("//*[contains(@class, 'role-tag')]")}
        assert tags == {r.ui["guidelines"]["only"].format(role=r.role_label(role)) for role in g.roles}


def test_footnotes_link_both_ways(built, site):
    for year, g in site.guidelines.items():
        page = doc(built, "ja", year)
        for fn in g.footnotes:
            ref = page.get_element_by_id(f"fnref-{fn.id}")
            note = page.get_element_by_id(f"fn-{fn.id}")
            assert ref.xpath(".//a/@href") == [f"#fn-{fn.id}"]
            assert note.xpath(".//a[@role='doc-backlink']/@href") == [f"#fnref-{fn.id}"]
            assert fn.text.get("ja").split("{")[0][:30] in text_of(note)


def test_tables_have_captions_and_header_cells(built, site):
    page = doc(built, "en", site.latest_year)
    tables = page.xpath("//article//table")
    assert len(tables) >= 5
    for table in tables:
        assert table.xpath("./caption") and table.xpath(".//th[@scope='col']")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_calendar_events_follow_the_kind_of_each_key_date(built, site, lang):
    week = dt.timedelta(days=7)
    for year, g in site.guidelines.items():
        cal = icalendar.Calendar.from_ical(
            (built / LANG_PREFIX[lang] / f"guidelines-{year}.ics").read_bytes()
        )
        events = {e["uid"].split("@")[0]: e for e in cal.walk("VEVENT")}
        # only dates a reader acts on: the eligibility cut-off and the week-only date stay out
        assert set(events) == {f"{year}-{k.id}" for k in g.dates if k.calendar}
        kinds = {k.kind for k in g.dates if k.calendar}
        assert {"deadline", "period"} <= kinds and any(not k.calendar for k in g.dates)
        view = Renderer(site, lang).guidelines_view(year)
        for k in (k for k in g.dates if k.calendar):
            event = events[f"{year}-{k.id}"]
            first = event.decoded("dtstart")
            last = event.decoded("dtend") - dt.timedelta(days=1)
            alarms = event.walk("VALARM")
            assert str(event["summary"]) == k.label.get(lang)
            assert str(event["description"]) == view.date(k.id)
            assert str(event["transp"]) == "TRANSPARENT"
            if k.kind in ("deadline", "by"):
                assert first == last == k.start.first and k.start.day is not None  # one day
                assert [(str(a["action"]), a.decoded("trigger")) for a in alarms] == [("DISPLAY", -week)]
                assert view.date(k.id) in str(alarms[0]["description"])
            elif k.kind == "period":
                assert (first, last) == (k.start.first, k.end.last) and first < last and not alarms
            else:  # a day, or the month of a month-only date
                assert (first, last) == (k.start.first, k.start.last) and not alarms
        page = doc(built, lang, year)
        assert page.xpath(f"//a[@download and contains(@href, 'guidelines-{year}.ics')]")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_schedule_shows_the_deadline_as_its_own_row(built, site, lang):
    for year, g in site.guidelines.items():
        view = Renderer(site, lang).guidelines_view(year)
        page = doc(built, lang, year)
        for _, block in walk(g):
            if isinstance(block, s.ScheduleBlock):
                rows = page.get_element_by_id(block.id).xpath(".//tbody/tr")
                cells = [[text_of(c) for c in tr] for tr in rows]
                assert cells == [[view.date(d), view.key_date(d).label.get(lang)] for d in block.dates]
                deadlines = [d for d in block.dates if view.key_date(d).kind == "deadline"]
                assert "application-deadline" in deadlines
                for d in deadlines:  # a deadline is one day, never part of a period
                    assert view.date(d) == fmt.day(view.key_date(d).start.first, lang)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_dates_read_as_their_kind_in_text_and_tables(site, lang):
    r = Renderer(site, lang)
    f = r.ui["formats"]
    for year, g in site.guidelines.items():
        view = r.guidelines_view(year)
        for k in g.dates:
            inline, table = view.date(k.id, inline=True), view.date(k.id)
            if k.kind in ("from", "by"):
                assert table == f[k.kind].format(date=inline)
            else:
                assert table == inline
            if k.week is not None:  # no day is invented for a week of a month
                assert inline == f["week_of_month"].format(
                    month=fmt.partial(k.start, lang), nth=f["ordinals"][str(k.week)]
                )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_role_view_note_names_the_role_in_the_plural(built, site, lang):
    r = Renderer(site, lang)
    for year, g in site.guidelines.items():
        for role in g.roles:
            note = text_of(doc(built, lang, year, role).xpath("//p[@class='gl-note']")[0])
            assert note == r.ui["guidelines"]["view_note"].format(roles=r.role_label(role, plural=True))
            assert site.role(role).plural.get(lang) in note


def _tree_digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def test_broken_data_changes_no_output(tmp_path):
    root = project_copy(tmp_path / "p")
    site_dir = root / "site"
    (site_dir / "old").mkdir(parents=True)
    (site_dir / "old" / "index.html").write_text("previous build", encoding="utf-8")
    before = _tree_digest(site_dir)
    g = root / "data/guidelines/2024.yml"
    g.write_text(g.read_text(encoding="utf-8").replace("yen: 3360000", "yen: -1"), encoding="utf-8")
    result = run(["-m", "macros.build", str(site_dir)], cwd=root)
    assert result.returncode == 1
    assert "data/guidelines/2024.yml:" in result.stderr and "Traceback" not in result.stderr
    assert _tree_digest(site_dir) == before
    assert not (root / ".site-releases").exists()


def test_failed_step_leaves_previous_site_untouched(tmp_path):
    root = project_copy(tmp_path / "p")
    site_dir = root / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("previous build", encoding="utf-8")
    before = _tree_digest(site_dir)
    (root / "content" / "broken.md").write_text("[dead link](nowhere.md)\n", encoding="utf-8")
    result = run(["-m", "macros.build", str(site_dir)], cwd=root)
    assert result.returncode == 1 and "left unchanged" in result.stderr
    assert _tree_digest(site_dir) == before
    assert not any((root / ".site-releases").iterdir())  # the failed build's release is removed
