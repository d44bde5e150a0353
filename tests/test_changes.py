"""新旧対照表 pages (changes.j2) and the summary on the year's page, on a two-year build whose next year is made
inside the tests (tests/fixture_year.py): each page lists exactly the engine's changes, which are the
fixture's edits, with links to both years' clauses, marked words with words for screen readers, the unchanged
count; the columns stack on phones; axe and the Nu Html Checker find nothing."""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import fixture_year
import pytest
from conftest import project_copy, run, serve
from fixture_year import expected, signature
from lxml import html as lhtml
from quality import link_problems, title_and_language_problems, vnu_problems

from macros import compare, fmt
from macros import schema as s
from macros.a11y import check
from macros.data import LANGS, REF, lang_prefix, load_site
from macros.render import Renderer

ROLES = ["cir", "sea"]
VIEWS = [None, *ROLES]


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    fx, out = fixture_year.two_years(tmp_path_factory)
    return fx, out, load_site(fx.root)


def _changes(year: int, role: str | None) -> str:
    return f"guidelines/{year}/changes/" + (f"{role}/" if role else "")


def _guidelines(year: int, role: str | None) -> str:
    return f"guidelines/{year}/" + (f"{role}/" if role else "")


def _doc(out: Path, lang: str, path: str) -> lhtml.HtmlElement:
    return lhtml.fromstring((out / lang_prefix(lang) / path / "index.html").read_bytes())


def _target(page: str, href: str) -> tuple[str, str]:
    """(page path, fragment) a relative link from a page leads to."""
    path, _, fragment = urljoin("https://x/" + page, href).removeprefix("https://x/").partition("#")
    return path, fragment


def _words(el) -> str:
    """What an element shows, without the words only screen readers get."""
    el = copy.deepcopy(el)
    for sr in el.xpath(".//*[contains(@class, 'ch-sr')]"):
        sr.drop_tree()
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _shown(piece: str, g: s.Guidelines, role, lang: str, ui: dict) -> str:
    """A piece of a text as a page shows it: a key date in the reader's words, a footnote its number."""
    m = REF.fullmatch(piece)
    if not m:
        return piece
    kind, ref = m[1], m[2]
    if kind == "date":
        return fmt.key_date(next(d for d in g.dates if d.id == ref), ui, lang, inline=True)
    assert kind == "fn", piece  # the fixture's edits touch no {ref:}: a new one needs its own expectation
    return str(compare.footnotes(g, role).index(ref) + 1)


def _marks(change, side: int, lang: str, site, role) -> list[str]:
    """What a changed clause's side must mark: its changed words, and its changed values as the page shows
    them (pay amounts, counts, a key date); its role mark when that changed (complete view)."""
    op, clause = ("ins", change.new) if side == 0 else ("del", change.old)
    g, ui, m = site.guidelines[clause.year], site.ui[lang], clause.model
    out = []
    if change.role_changed and clause.role and role is None:
        out.append(ui["guidelines"]["only"].format(role=Renderer(site, lang).role_label(clause.role)))
    pieces = [] if clause.kind in ("row", "columns") else change.diff(lang)
    changed = {c.key for c in change.cells if c.changed}
    for cell in change.cells:  # a row's text cells: a moved date in one is marked too, as in a changed text
        if isinstance(cell.old or cell.new, s.Text):
            pieces += cell.diff(lang)
    if isinstance(m, s.KeyDate) and changed:
        out.append(fmt.key_date(m, ui, lang))
    if isinstance(m, s.PayRow):
        out += [fmt.yen(m.yen, ui)] * ("yen" in changed) + [fmt.years(m.years, ui)] * ("years" in changed)
    if isinstance(m, s.DocumentRow):
        copies = ui["guidelines"]["copies_each"].format(n=m.copies) if m.copies_each else str(m.copies)
        out += [str(m.originals)] * ("originals" in changed) + [copies] * bool(
            {"copies", "copies_each"} & changed
        )
    out += [_shown(t, g, role, lang, ui) for o, t in pieces if o == op]
    return sorted(re.sub(r"\s+", " ", x).strip() for x in out)


@pytest.mark.parametrize("role", VIEWS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_comparison_page_lists_exactly_the_changes_with_both_years_linked_and_marked(two, lang, role):
    fx, out, site = two
    ui = site.ui[lang]["changes"]
    result = compare.compare(fx.old, fx.new, role)
    assert sorted(map(repr, map(signature, result.changes))) == sorted(map(repr, expected(fx, role)))
    here = lang_prefix(lang) + _changes(fx.year, role)
    doc = _doc(out, lang, _changes(fx.year, role))
    rows = doc.xpath("//table[contains(@class, 'ch-table')]/tbody/tr")
    assert len(rows) == len(result.changes) > 0  # one row per change, in the engine's (reading) order
    years = (fx.year, fx.old_year)
    headers = [ui["after"].format(year=years[0]), ui["before"].format(year=years[1])]
    for table in doc.xpath("//table[contains(@class, 'ch-table')]"):
        assert (
            table.xpath("./caption/text()") and table.xpath("./thead/tr/th[@scope='col']/text()") == headers
        )
    elsewhere = 0
    for row, change in zip(rows, result.changes, strict=True):
        assert row.get("class") == f"ch-{change.status}"
        cells = row.xpath("./td")
        for side, (cell, clause) in enumerate(zip(cells, (change.new, change.old), strict=True)):
            op = ("ins", "del")[side]
            assert cell.xpath("./span[@class='ch-year']/text()") == [headers[side]]
            assert not cell.xpath(".//" + ("del", "ins")[side])  # each column shows only its own marks
            if clause is None:
                assert _words(cell).endswith(
                    ui["new_clause" if change.status == "added" else "deleted_clause"]
                )
                continue
            links = cell.xpath("./p[@class='ch-where']/a/@href")
            if clause.anchor:  # to the clause on that year's page of the same view
                view = role if role is None or role in site.guidelines[clause.year].roles else None
                assert [_target(here, h) for h in links] == [
                    (lang_prefix(lang) + _guidelines(clause.year, view), clause.anchor)
                ]
                assert _doc(out, lang, _guidelines(clause.year, view)).xpath(f"//*[@id='{clause.anchor}']")
            marks = cell.xpath(f".//{op}")
            for mark in marks:  # the words a screen reader says at both ends
                sr = mark.xpath("./span[@class='ch-sr']/text()")
                assert sr == [ui[f"{op}_start"], ui[f"{op}_end"]]
            if change.status == "changed":
                assert sorted(_words(m) for m in marks) == _marks(change, side, lang, site, role)
            else:  # added or removed: all of it marked
                parts = cell.xpath(".//*[contains(@class, 'ch-text')] | .//dd")
                assert marks and parts
                for part in parts:
                    marked = "".join(_words(m) for m in part.xpath(f".//{op}"))
                    assert re.sub(r"\s", "", _words(part)) == re.sub(r"\s", "", marked)
        notes = row.xpath("./td[1]/p[@class='ch-note']")  # words the same here: changed in the other language
        quiet = change.status == "changed" and not row.xpath(".//ins | .//del")
        assert [_words(p) for p in notes] == [ui["elsewhere"]] * quiet
        elsewhere += quiet
    assert elsewhere == (lang == "ja")  # the fixture rewords one text in English only
    n = result.unchanged
    summary = _words(doc.xpath("//p[@class='ch-summary']")[0])
    assert ui["unchanged_one" if n == 1 else "unchanged"].format(n=n) in summary
    assert not doc.xpath("//*[@data-pagefind-body]")  # not indexed: it repeats the guidelines


@pytest.mark.parametrize("lang", LANGS)
def test_a_change_of_one_role_is_only_on_that_roles_pages(two, lang):
    fx, out, site = two
    only_cir = {sig[:3] for sig in expected(fx, "cir")} - {sig[:3] for sig in expected(fx, "sea")}
    only_sea = {sig[:3] for sig in expected(fx, "sea")} - {sig[:3] for sig in expected(fx, "cir")}
    assert only_cir and only_sea

    def anchors(role):
        doc = _doc(out, lang, _changes(fx.year, role))
        return {_target("x/", h)[1] for h in doc.xpath("//p[@class='ch-where']/a/@href")}

    cir_only = {f"fn-{w}" if k == "footnote" else w for _, k, w in only_cir if k in ("footnote", "row")}
    assert cir_only and cir_only <= anchors("cir") and not cir_only & anchors("sea")
    assert cir_only <= anchors(None)


@pytest.mark.parametrize("role", VIEWS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_year_page_sums_up_its_changes_and_links_to_them(two, lang, role):
    fx, out, site = two
    ui = site.ui[lang]["changes"]
    result = compare.compare(fx.old, fx.new, role)
    counts = ui["count_sep"].join(ui["count"][k].format(n=v) for k, v in result.counts.items() if v)
    summary = ui["summary"].format(n=len(result), old=fx.old_year, counts=ui["counts"].format(list=counts))
    doc = _doc(out, lang, _guidelines(fx.year, role))
    (p,) = doc.xpath("//p[@class='gl-changes']")
    assert _words(p) == summary + ui["sentence_end"].strip() + " " * (lang == "en") + ui["summary_link"]
    (href,) = p.xpath("./a/@href")
    here = lang_prefix(lang) + _guidelines(fx.year, role)
    assert _target(here, href) == (lang_prefix(lang) + _changes(fx.year, role), "")
    assert not _doc(out, lang, _guidelines(fx.old_year, role)).xpath("//p[@class='gl-changes']")


def test_footnote_numbers_are_those_of_each_years_page(two):
    fx, out, _ = two
    seen = 0
    for lang in LANGS:
        for role in VIEWS:
            here = lang_prefix(lang) + _changes(fx.year, role)
            for a in _doc(out, lang, _changes(fx.year, role)).xpath("//sup[@class='fnref']/a"):
                path, fragment = _target(here, a.get("href"))
                notes = lhtml.fromstring((out / path / "index.html").read_bytes()).xpath(
                    "//ol[@class='gl-footnotes']/li/@id"
                )
                assert notes.index(fragment) + 1 == int(a.text_content())
                seen += 1
    assert seen  # the fixture changes a text with a footnote reference


def test_the_comparison_pages_are_in_the_navigation_with_their_year(two):
    fx, out, site = two
    for lang in LANGS:
        doc = _doc(out, lang, _changes(fx.year, None))
        hrefs = [
            _target(lang_prefix(lang) + _changes(fx.year, None), h)[0]
            for h in doc.xpath("//nav[contains(@class, 'md-nav--primary')]//a/@href")
            if "#" not in h
        ]
        pages = [lang_prefix(lang) + _changes(fx.year, r) for r in VIEWS]
        year = [h for h in hrefs if h.startswith(lang_prefix(lang) + f"guidelines/{fx.year}/")]
        assert year[-len(pages) :] == pages  # after the year's guidelines, before the earlier years
        assert hrefs.index(year[-1]) < hrefs.index(lang_prefix(lang) + _guidelines(fx.old_year, None))


def test_make_new_guidelines_writes_the_comparison_pages_and_their_navigation(tmp_path):
    root = project_copy(tmp_path / "p")
    latest = load_site(root).latest_year
    result = run(["-m", "macros.scaffold", str(latest + 1)], cwd=root)
    assert result.returncode == 0, result.stderr
    nav = (root / "mkdocs.yml").read_text(encoding="utf-8")
    for role in VIEWS:
        page = f"guidelines/{latest + 1}/changes/{role or 'index'}.md"
        call = f'changes({latest + 1}, role="{role}")' if role else f"changes({latest + 1})"
        assert (root / "content" / page).read_text(encoding="utf-8").strip() == "{{ " + call + " }}"
        assert f"      - {page}\n" in nav and page in result.stdout


def test_an_earlier_years_comparison_says_it_is_archived(two):
    """With a third year, the second year's comparison page is archived (left out of the sitemap) and says so."""
    fx, _, site = two
    third = fx.new.model_copy(update={"year": fx.year + 1, "intake": fx.new.intake + 1})
    site = dataclasses.replace(site, guidelines={**site.guidelines, fx.year + 1: third}, _anchors={})
    for lang in LANGS:
        r = Renderer(site, lang, f"guidelines/{fx.year}/changes/index.md")
        page = lhtml.fragment_fromstring(r.render_page(f"{{{{ changes({fx.year}) }}}}"), create_parent="div")
        ui = site.ui[lang]["guidelines"]
        (notice,) = page.xpath("//div[@class='gl-archived']")
        assert r.page_meta["archived"] is True
        assert ui["archived_link"].format(latest=fx.year + 1) in notice.text_content()
        (href,) = notice.xpath(".//a/@href")
        assert _target(_changes(fx.year, None), href) == (_guidelines(fx.year + 1, None), "")


def test_the_first_year_has_no_comparison(site):
    for lang in LANGS:
        r = Renderer(site, lang)
        assert r.changes(min(site.guidelines)) is None


@pytest.fixture(scope="module")
def served(two):
    fx, out, _ = two
    url, server = serve(out)
    yield fx, url
    server.shutdown()


def _pages(fx) -> list[str]:
    return [
        lang_prefix(lang) + p(fx.year, r) for lang in LANGS for p in (_changes, _guidelines) for r in VIEWS
    ]


def test_on_a_phone_the_columns_stack_and_each_cell_names_its_year(served, browser):
    fx, url = served
    for width, stacked in ((1366, False), (390, True)):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(url + _changes(fx.year, None))
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.ch-table tbody tr')].map(tr => [...tr.cells].map(td => {
                 const r = td.getBoundingClientRect(), year = td.querySelector('.ch-year');
                 return [r.left, r.top, r.bottom, r.right, year.getBoundingClientRect().height];
               }))"""
        )
        assert boxes
        for (l1, t1, b1, r1, y1), (l2, t2, _, _, y2) in boxes:
            if stacked:  # the old year under the new, each cell with its year shown
                assert t2 >= b1 - 1 and abs(l1 - l2) < 1 and y1 > 0 and y2 > 0
            else:  # side by side, the years in the column headers
                assert abs(t1 - t2) < 1 and r1 <= l2 + 1 and y1 == y2 == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


def test_screen_readers_get_the_marks_in_words(served, browser):
    """The words around <ins>/<del> are visually hidden but in Chromium's accessibility tree, inside the
    insertion or deletion the tree exposes."""
    fx, url = served
    page = browser.new_page()
    for lang in LANGS:
        ui = load_site(fx.root).ui[lang]["changes"]
        page.goto(url + lang_prefix(lang) + _changes(fx.year, None))
        size = page.evaluate(
            "[...document.querySelectorAll('.ch-sr')].map(e => e.getBoundingClientRect().width * "
            "e.getBoundingClientRect().height)"
        )
        assert size and max(size) <= 1
        nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
        by_id = {n["nodeId"]: n for n in nodes}

        def texts(node, by_id=by_id):
            name = node.get("name", {}).get("value", "")
            here = [name] if node.get("role", {}).get("value") == "StaticText" else []
            return here + [t for c in node.get("childIds", []) if c in by_id for t in texts(by_id[c])]

        for role, op in (("insertion", "ins"), ("deletion", "del")):
            marks = [n for n in nodes if n.get("role", {}).get("value") == role]
            assert marks
            for mark in marks:
                words = texts(mark)
                assert [words[0], words[-1]] == [ui[f"{op}_start"].strip(), ui[f"{op}_end"].strip()], words
    page.close()


def test_axe_finds_nothing_on_the_comparison_and_year_pages(served, browser):
    fx, url = served
    problems = []
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for path in _pages(fx) if width > 500 else [lang_prefix(g) + _changes(fx.year, None) for g in LANGS]:
            assert page.goto(url + path).status == 200
            assert page.locator(".ch-table" if "/changes/" in path else ".gl-changes").count()
            problems += [f"{path} @{width}: {p}" for p in check(page)[0]]
        context.close()
    assert problems == []


def test_every_link_title_and_language_of_the_two_year_site_is_right(two):
    """Every internal link and anchor resolves (both years' clauses, footnotes, references), titles are unique
    and passages in the other language are marked, across the whole two-year site."""
    fx, out, _ = two
    assert all(
        (out / lang_prefix(g) / _changes(fx.year, r) / "index.html").is_file() for g in LANGS for r in VIEWS
    )
    assert link_problems(out) == []
    assert title_and_language_problems(out) == []


def test_the_nu_html_checker_finds_nothing_on_them(two, tmp_path):
    fx, out, _ = two
    for path in _pages(fx):
        (tmp_path / path).mkdir(parents=True, exist_ok=True)
        shutil.copy(out / path / "index.html", tmp_path / path / "index.html")
    assert vnu_problems(tmp_path) == []
