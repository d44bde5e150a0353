"""The yearly cycle with a second year made inside the tests (tests/fixture_year.py, never in data/): earlier
years archived."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import fixture_year
import pytest
from conftest import serve
from lxml import etree
from lxml import html as lhtml

from bench.search import WATCH, type_query
from macros.browser import Hosted
from macros.data import LANGS, lang_prefix, load_site
from macros.faq import is_gate


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> tuple[Path, Path]:
    fx, out = fixture_year.two_years(tmp_path_factory)
    return fx.root, out


def _page(out: Path, lang: str, path: str) -> lhtml.HtmlElement:
    return lhtml.fromstring((out / lang_prefix(lang) / path / "index.html").read_bytes())


def _target(page_path: str, href: str) -> tuple[str, str]:
    """(page path, fragment) a relative link from a page leads to."""
    url = urljoin("https://x/" + page_path, href)
    path, _, fragment = url.removeprefix("https://x/").partition("#")
    return path, fragment


@pytest.mark.parametrize("lang", LANGS)
def test_an_earlier_year_says_so_and_leads_to_the_same_view_and_clause_of_the_current_one(two_years, lang):
    root, out = two_years
    site = load_site(root)
    ui, (old, new) = site.ui[lang]["guidelines"], sorted(site.guidelines)
    current = {a for a in site.anchors(new)}
    for view in ["", *(f"{r}/" for r in site.guidelines[old].roles)]:
        here = f"{lang_prefix(lang)}guidelines/{old}/{view}"
        doc = _page(out, lang, f"guidelines/{old}/{view}")
        (notice,) = doc.xpath("//*[contains(@class, 'gl-archived')]")
        text = re.sub(r"\s+", " ", notice.text_content())
        assert ui["archived"].format(year=old, intake=site.guidelines[old].intake, latest=new) in text
        assert _target(here, notice.xpath(".//a/@href")[0]) == (
            f"{lang_prefix(lang)}guidelines/{new}/{view}",
            "",
        )
        links = doc.xpath("//*[contains(@class, 'gl-current')]/a")
        headings = doc.xpath("//article//*[self::h2 or self::h3 or self::h4][@id]")
        for link in links:
            path, fragment = _target(here, link.get("href"))
            assert path == f"{lang_prefix(lang)}guidelines/{new}/{view}" and fragment in current
            assert link.text_content().strip() == ui["current_clause"].format(latest=new)
        linked = {_target(here, a.get("href"))[1] for a in links}
        assert linked == {
            h.get("id") for h in headings if h.get("id") in current and h.get("id") != "footnotes"
        }
        assert linked  # the fixture year keeps the sections: there are links to check
        fresh = _page(out, lang, f"guidelines/{new}/{view}")
        assert not fresh.xpath("//*[contains(@class, 'gl-archived') or contains(@class, 'gl-current')]")


@pytest.mark.parametrize("lang", LANGS)
def test_navigation_puts_earlier_years_under_an_archive_heading(two_years, lang):
    root, out = two_years
    site = load_site(root)
    ui, (old, new) = site.ui[lang], sorted(site.guidelines)
    doc = _page(out, lang, "")
    labels = [re.sub(r"\s+", " ", t).strip() for t in doc.xpath("//nav[@data-md-level='0']//text()")]
    labels = [t for t in labels if t]
    start = labels.index(ui["nav"]["guidelines"])
    archive = labels.index(ui["nav"]["archive"])
    hrefs = doc.xpath("//nav[contains(@class, 'md-nav--primary')]//a/@href")
    current = [h for h in hrefs if f"guidelines/{new}/" in h]
    earlier = [h for h in hrefs if f"guidelines/{old}/" in h]
    assert current and earlier and hrefs.index(current[-1]) < hrefs.index(earlier[0])
    assert start < archive < labels.index(ui["guidelines"]["nav_year"].format(year=old))


def test_the_sitemap_lists_the_current_pages_dated_by_their_data(two_years):
    root, out = two_years
    old, new = sorted(load_site(root).guidelines)
    sm = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {
        u.findtext(f"{sm}loc"): u.findtext(f"{sm}lastmod")
        for u in etree.parse(str(out / "sitemap.xml")).getroot().iter(f"{sm}url")
    }
    assert not [u for u in urls if f"/guidelines/{old}/" in u]
    assert [u for u in urls if f"/guidelines/{new}/" in u]
    for url, lastmod in urls.items():
        path = url.split("/", 3)[3]
        (time,) = lhtml.fromstring((out / path / "index.html").read_bytes()).xpath(
            "//*[@class='page-updated']/time"
        )
        assert lastmod == time.get("datetime"), url
    pages = [p.relative_to(out).as_posix() for p in out.rglob("index.html")]
    assert len(urls) == sum(1 for p in pages if f"guidelines/{old}/" not in p and not is_gate(p))


@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_the_current_year_unless_asked_for_an_earlier_one(two_years, browser, lang):
    root, out = two_years
    old, new = sorted(load_site(root).guidelines)
    url, server = serve(out, Hosted)
    page = browser.new_context(bypass_csp=True).new_page()
    try:
        page.goto(f"{url}{lang_prefix(lang)}contacts/")
        query = load_site(root).guidelines[old].sections[1].title.get(lang)  # a heading both years have
        page.evaluate(WATCH)
        type_query(page, query)
        page.wait_for_selector("#site-search-results li")
        hrefs = page.eval_on_selector_all(
            "#site-search-results a", "as => as.map(a => a.getAttribute('href'))"
        )
        years = {y for h in hrefs for y in re.findall(r"/guidelines/(\d{4})/", h)}
        assert years == {str(new)}, hrefs
        options = page.eval_on_selector_all(
            "#site-search-year option", "os => os.map(o => [o.value, o.text])"
        )
        assert [v for v, _ in options] == ["", str(old)]
        page.evaluate(WATCH)
        page.select_option("#site-search-year", str(old))
        page.wait_for_function(
            f"[...document.querySelectorAll('#site-search-results a')].some(a => a.getAttribute('href').includes('/guidelines/{old}/'))"
        )
        hrefs = page.eval_on_selector_all(
            "#site-search-results a", "as => as.map(a => a.getAttribute('href'))"
        )
        years = {y for h in hrefs for y in re.findall(r"/guidelines/(\d{4})/", h)}
        assert years == {str(old)}, hrefs
    finally:
        page.context.close()
        server.shutdown()
