"""The header search in Chromium: Pagefind's index, what a result shows, keyboard and touch, Trusted Types."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from conftest import pages_of, serve
from lxml import html as lhtml

from bench.search import (
    RESULTS_JS,
    WATCH,
    WORDS_JS,
    keyword_lists,
    partial_marks,
    queries,
    shows_keywords,
    type_query,
)
from macros import fmt
from macros.browser import Hosted
from macros.data import lang_prefix
from macros.faq import is_gate
from macros.render import Renderer

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _search(page, query):
    """Type a query and wait for the results of all of it (those of its first letters may come first)."""
    page.evaluate(WATCH)
    type_query(page, query)
    page.wait_for_selector("#site-search-results li")


def _hrefs(page):
    return page.eval_on_selector_all("#site-search-results a", "as => as.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize(
    "lang, query, target",
    [
        ("ja", "ビザ", "guidelines/{year}/#visa"),
        ("ja", "キャンセル料", "guidelines/{year}/#travel-to-japan"),
        ("en", "salary", "guidelines/{year}/#remuneration"),
        ("en", "visa", "guidelines/{year}/#visa"),
        ("en", "internship", "audiences/companies/#internships-guide"),  # a resource's own keywords
    ],
)
def test_header_search_finds_the_section_and_follows_to_its_anchor(page, base_url, site, lang, query, target):
    target = target.format(year=site.latest_year)
    prefix = "en/" if lang == "en" else ""
    page.goto(base_url + prefix + "contacts/")
    _search(page, query)
    hrefs = _hrefs(page)
    assert f"/{prefix}{target}" in hrefs[:3]
    index = hrefs.index(f"/{prefix}{target}")
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{prefix}{target}")
    assert page.evaluate("location.hash") == "#" + target.split("#")[1]


def test_search_results_are_only_in_the_page_language(page, base_url, site):
    page.goto(base_url + "en/")
    _search(page, "JET")
    hrefs = _hrefs(page)
    assert hrefs and all(h.startswith("/en/") for h in hrefs)
    count = page.text_content("#site-search-count")
    assert count.endswith(site.ui["en"]["search"]["count"].split("}")[-1])
    assert page.locator("#site-search-results mark").count() > 0


def test_search_keyboard_and_escape(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-input"
    page.keyboard.type("報酬")
    page.wait_for_selector("#site-search-results li")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#site-search-input", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert page.get_attribute("#site-search-input", "aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert page.is_hidden("#site-search-panel")


def test_search_filters_by_type_and_role(page, base_url, site):
    page.goto(base_url)
    _search(page, "応募要件")
    page.select_option("#site-search-role", "sea")
    sea = f"/guidelines/{site.latest_year}/sea/"
    page.wait_for_function(
        "(sea) => { const as = [...document.querySelectorAll('#site-search-results a')];"
        " return as.length > 0 && as.every(a => a.getAttribute('href').startsWith(sea)); }",
        arg=sea,
    )
    page.select_option("#site-search-role", "")
    page.select_option("#site-search-type", "contacts")
    page.fill("#site-search-input", "")
    page.keyboard.type("研修")
    page.wait_for_function(
        "[...document.querySelectorAll('#site-search-results a')].length > 0 && [...document.querySelectorAll('#site-search-results a')].every(a => a.getAttribute('href').startsWith('/contacts/'))"
    )


def test_role_labels_in_the_header_filter_come_from_the_data(page, base_url, site):
    page.goto(base_url)
    labels = page.eval_on_selector_all("#site-search-role option", "os => os.map(o => o.textContent.trim())")
    r = Renderer(site, "ja")
    assert labels[1:] == [r.role_label(role) for role in site.guidelines[site.latest_year].roles]


def test_index_holds_exactly_the_two_languages_and_no_faq(built, site):
    meta = sorted(p.name.split("_")[0] for p in (built / "pagefind").glob("pagefind.*.pf_meta"))
    assert meta == ["pagefind.en", "pagefind.ja"]
    for lang in ("ja", "en"):
        indexed = [p for p, html in pages_of(built, lang).items() if "data-pagefind-body" in html]
        assert {"guidelines/2024/index.html", "contacts/index.html"} <= {
            p.removeprefix("en/") for p in indexed
        }
        assert not any(is_gate(p) for p in indexed)
    for edition in ("ja", "en", "bilingual"):
        assert "data-pagefind-body" not in (built / "faq" / edition / "index.html").read_text(
            encoding="utf-8"
        )
    assert not [f for f in _fragments(built) if is_gate(f["url"].lstrip("/") + "index.html")]  # editions


def _fragments(built):
    """Pagefind's record of every indexed page: its text (words cut by U+200B on CJK pages), meta, anchors."""
    return [
        json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd") :])
        for p in (built / "pagefind" / "fragment").glob("*.pf_fragment")
    ]


def test_keywords_are_metadata_not_text(built, site):
    """Every keyword list is searchable metadata of its page, and none is in the indexed text."""
    for fragment in _fragments(built):
        lang = "en" if fragment["url"].startswith("/en/") else "ja"
        text = fragment["content"].replace("\u200b", "")
        assert shows_keywords(text, keyword_lists(site, lang)) is None, fragment["url"]
    guidelines = next(f for f in _fragments(built) if f["url"] == f"/guidelines/{site.latest_year}/")
    assert any(sec.keywords for sec in site.guidelines[site.latest_year].sections)
    assert any(res.keywords for a in site.audiences.audiences for res in a.resources)
    for sec in site.guidelines[site.latest_year].sections:
        if sec.keywords:
            assert guidelines["meta"][f"keywords-{sec.id}"] == " ".join(sec.keywords.ja)
            assert " ".join(sec.keywords.ja) in guidelines["meta"]["keywords"]
    for audience in site.audiences.audiences:
        page = next(f for f in _fragments(built) if f["url"] == f"/audiences/{audience.id}/")
        for res in audience.resources:
            if res.keywords:  # a resource's keywords name its card, and count for the page
                assert page["meta"][f"keywords-{res.id}"] == " ".join(res.keywords.ja)
                assert " ".join(res.keywords.ja) in page["meta"]["keywords"]


def _cells(node) -> list[str]:
    return [" ".join(c.text_content().split()) for c in node]


def test_table_cells_and_list_terms_are_separated_in_the_index(built):
    """No caption, header cell, cell, term or description runs into the next one in what Pagefind indexed."""
    by_url = {f["url"]: re.sub(r"\s+", " ", f["content"].replace("\u200b", "")) for f in _fragments(built)}
    checked = 0
    for lang in ("ja", "en"):
        for path, html in pages_of(built, lang).items():
            url = "/" + path.removesuffix("index.html")
            if url not in by_url:
                continue
            doc = lhtml.fromstring(html)
            runs = [_cells(row.xpath("./th|./td")) for row in doc.xpath("//article//tr")]
            runs += [_cells(t.xpath("./caption|./thead/tr[1]/th[1]")) for t in doc.xpath("//article//table")]
            runs += [_cells(d.xpath(".//dt|.//dd")) for d in doc.xpath("//article//dl")]
            for cells in runs:
                for a, b in zip(cells, cells[1:], strict=False):
                    if len(a) > 2 and len(b) > 2:  # shorter ones ("1", "2") also meet by chance
                        checked += 1
                        assert a + b not in by_url[url], f"{url}: “{a}” runs into “{b}”"
    assert checked > 50


@pytest.fixture(scope="module")
def benchmark_results(browser, base_url):
    """Every benchmark query typed into the header search: what each result shows."""
    out = {}
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for lang, items in queries().items():
        page.goto(base_url + lang_prefix(lang))
        page.evaluate(WATCH)
        for item in items:
            type_query(page, item["q"], keys=False)
            out[(lang, item["q"])] = (page.evaluate(RESULTS_JS), page.evaluate(WORDS_JS, item["q"]))
    context.close()
    return out


def test_no_excerpt_shows_a_keyword_list(benchmark_results, site):
    lists = {lang: keyword_lists(site, lang) for lang in ("ja", "en")}
    shown = [(lang, q, r) for (lang, q), (results, _) in benchmark_results.items() for r in results]
    assert len(shown) > 300
    bad = [(q, r["excerpt"]) for lang, q, r in shown if shows_keywords(r["excerpt"], lists[lang])]
    assert bad == []


def test_japanese_matches_are_marked_as_whole_words(benchmark_results):
    marked = [
        (q, r, words) for (lang, q), (rs, words) in benchmark_results.items() if lang == "ja" for r in rs
    ]
    assert sum(len(r["marks"]) for _, r, _ in marked) > 100
    bad = [(q, r["marks"]) for q, r, words in marked if partial_marks(q, words, r["marks"])]
    assert bad == []


def test_excerpts_start_after_the_heading_and_at_a_sentence_or_clause(benchmark_results):
    """An excerpt does not repeat its section heading (shown above it) and starts where a sentence or clause
    does, or says that it starts inside one (…)."""
    shown = [r for results, _ in benchmark_results.values() for r in results if r["section"]]
    assert len(shown) > 200
    for r in shown:
        assert not r["excerpt"].startswith((r["section"] + ".", r["section"] + "。")), r
        assert not re.match(r"[\s）)」』、。,.;:]", r["excerpt"]), r


def test_table_cells_are_separated_in_excerpts(page, base_url, site):
    """The pay table in the excerpt of its section (found by one of its keywords): header cells and a row's
    cells each stand apart."""
    sec = next(
        s
        for top in site.guidelines[site.latest_year].sections
        for s in [top, *top.sections]
        if any(b.type == "pay" for b in s.blocks)
    )
    pay = next(b for b in sec.blocks if b.type == "pay")
    ui = site.ui["en"]
    page.goto(base_url + "en/")
    _search(page, sec.keywords.en[0])
    excerpt = page.locator("#site-search-results .site-search__excerpt").first.text_content()
    head = [ui["guidelines"]["pay_year"], ui["guidelines"]["pay_amount"]]
    row = [fmt.years(pay.rows[0].years, ui), fmt.yen(pay.rows[0].yen, ui)]
    for a, b in (head, row):
        assert a in excerpt and b in excerpt and a + b not in excerpt and f"{a} {b}" not in excerpt, excerpt


def test_pages_about_the_site_come_after_the_content(page, base_url, site):
    page.goto(base_url + "en/")
    _search(page, "health check")
    hrefs = _hrefs(page)
    statement = [i for i, h in enumerate(hrefs) if h.startswith("/en/accessibility/")]
    assert hrefs[0].startswith("/en/guidelines/") and statement
    assert all(h.startswith("/en/accessibility/") for h in hrefs[statement[0] :])


def test_placeholder_names_the_key_only_where_there_is_a_keyboard(browser, base_url, site):
    for options, key in (({}, "placeholder_key"), (PHONE, "placeholder")):
        context = browser.new_context(**options)
        page = context.new_page()
        for lang in ("ja", "en"):
            page.goto(base_url + lang_prefix(lang))
            assert page.get_attribute("#site-search-input", "placeholder") == site.ui[lang]["search"][key]
        context.close()
    assert "/" not in site.ui["ja"]["search"]["placeholder"] + site.ui["en"]["search"]["placeholder"]


FITS_JS = """qs => { const i = document.getElementById('site-search-input'), typed = i.value;
  const fit = qs.filter(q => { i.value = q; return i.scrollWidth <= i.clientWidth; }).length;
  i.value = typed; return fit; }"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_phone_results_leave_the_query_in_view_and_close_on_a_tap_outside(browser, base_url, lang):
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(base_url + lang_prefix(lang) + "guidelines/2024/")
        typed = [item["q"] for item in queries()[lang]]
        page.tap("#site-search-input")
        page.keyboard.type(typed[0])
        page.wait_for_selector("#site-search-results li")
        field = page.locator("#site-search-input").bounding_box()
        panel = page.locator("#site-search-panel").bounding_box()
        assert field["x"] >= 0 and field["x"] + field["width"] <= 390 and field["y"] >= 0
        assert panel["y"] >= field["y"] + field["height"]  # the panel does not cover the field
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
        # while searching, the field takes the title's room: nine queries in ten fit in it whole
        assert page.evaluate(FITS_JS, typed) >= 0.9 * len(typed)
        assert page.evaluate("parseFloat(getComputedStyle(document.activeElement).fontSize)") >= 16  # no zoom
        page.touchscreen.tap(195, panel["y"] + panel["height"] + 20)  # on the page, below the results
        page.wait_for_timeout(100)
        assert page.is_hidden("#site-search-panel")
    finally:
        context.close()


def test_search_works_under_trusted_types(browser, built, tmp_path):
    """With `require-trusted-types-for 'script'` (whether or not the site's policy has it yet), Pagefind and
    search.js find and show results without a single CSP violation."""
    headers = (built / "_headers").read_text(encoding="utf-8")
    if "require-trusted-types-for" not in headers:
        headers = re.sub(
            r"(Content-Security-Policy: [^\n]*)", r"\1; require-trusted-types-for 'script'", headers
        )
    served = tmp_path / "served"
    served.mkdir()
    for entry in built.iterdir():
        if entry.name != "_headers":
            (served / entry.name).symlink_to(entry)
    (served / "_headers").write_text(headers, encoding="utf-8")
    url, server = serve(served, Hosted)
    context = browser.new_context()  # the CSP enforced: no waiting that evaluates strings
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url + "en/")
        policy = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
        assert "require-trusted-types-for 'script'" in policy
        page.evaluate(
            "addEventListener('securitypolicyviolation', e => console.error('CSP', e.violatedDirective))"
        )
        page.click("#site-search-input")
        page.keyboard.type("visa")
        page.wait_for_selector("#site-search-results mark")
        assert errors == []
    finally:
        context.close()
        server.shutdown()
