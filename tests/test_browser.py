"""The public site in Chromium: no third-party requests, language switch, search, videos, keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml
from conftest import pages_of, project_copy, run, serve

from macros.render import Renderer


def test_no_page_requests_anything_outside_the_site(page, built, base_url):
    host = urlsplit(base_url).netloc
    outside = []
    page.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if urlsplit(route.request.url).netloc != host
            else route.continue_()
        ),
    )
    paths = sorted(pages_of(built, "ja")) + sorted(pages_of(built, "en")) + ["faq/ja/index.html"]
    for path in paths:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert len(paths) >= 30
    assert outside == []


@pytest.mark.parametrize(
    "path", ["audiences/host/", "news/current/", "contacts/", "guidelines/2024/sea/", ""]
)
def test_language_switch_keeps_the_page(page, base_url, path):
    page.goto(base_url + path)
    for lang, expected in (("en", base_url + "en/" + path), ("ja", base_url + path)):
        page.hover(".md-header .md-select")  # the language menu opens as a person points at it
        page.click(f".md-header a[hreflang='{lang}']")
        page.wait_for_url(expected)
        assert page.evaluate("document.documentElement.lang") == lang


def _search(page, query):
    page.click("#site-search-input")
    page.keyboard.type(query)
    page.wait_for_selector("#site-search-results li")


@pytest.mark.parametrize(
    "lang, query, target",
    [
        ("ja", "ビザ", "guidelines/2024/#visa"),
        ("ja", "キャンセル料", "guidelines/2024/#travel-to-japan"),
        ("en", "salary", "guidelines/2024/#remuneration"),
        ("en", "visa", "guidelines/2024/#visa"),
    ],
)
def test_header_search_finds_the_section_and_follows_to_its_anchor(page, base_url, lang, query, target):
    prefix = "en/" if lang == "en" else ""
    page.goto(base_url + prefix + "contacts/")
    _search(page, query)
    hrefs = page.eval_on_selector_all("#site-search-results a", "as => as.map(a => a.getAttribute('href'))")
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
    hrefs = page.eval_on_selector_all("#site-search-results a", "as => as.map(a => a.getAttribute('href'))")
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


def test_search_filters_by_type_and_role(page, base_url):
    page.goto(base_url)
    _search(page, "応募要件")
    page.select_option("#site-search-role", "sea")
    page.wait_for_function(
        "[...document.querySelectorAll('#site-search-results a')].every(a => a.getAttribute('href').startsWith('/guidelines/2024/sea/'))"
    )
    page.select_option("#site-search-role", "")
    page.select_option("#site-search-type", "contacts")
    page.fill("#site-search-input", "")
    page.keyboard.type("研修")
    page.wait_for_function(
        "[...document.querySelectorAll('#site-search-results a')].length > 0 && [...document.querySelectorAll('#site-search-results a')].every(a => a.getAttribute('href').startsWith('/contacts/'))"
    )


def test_search_works_on_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "en/")
    _search(page, "housing")
    box = page.locator("#site-search-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    context.close()


def test_index_holds_exactly_the_two_languages_and_no_faq(built, site):
    meta = sorted(p.name.split("_")[0] for p in (built / "pagefind").glob("pagefind.*.pf_meta"))
    assert meta == ["pagefind.en", "pagefind.ja"]
    for lang in ("ja", "en"):
        indexed = [p for p, html in pages_of(built, lang).items() if "data-pagefind-body" in html]
        assert {"guidelines/2024/index.html", "contacts/index.html"} <= {
            p.removeprefix("en/") for p in indexed
        }
        assert not any("faq/" in p for p in indexed)
    for edition in ("ja", "en", "bilingual"):
        assert "data-pagefind-body" not in (built / "faq" / edition / "index.html").read_text(
            encoding="utf-8"
        )


def test_video_loads_nothing_until_clicked(page, tmp_path):
    root = project_copy(tmp_path / "p")
    videos = root / "data/videos.yml"
    data = yaml.safe_load(videos.read_text(encoding="utf-8"))
    assert data["videos"][0]["video_id"] is None
    text = videos.read_text(encoding="utf-8").replace("video_id: null", "video_id: abcdefghijk", 1)
    videos.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run(["-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=root).returncode == 0
    url, server = serve(out)
    requests = []
    page.route(
        "**/*",
        lambda route: (
            (requests.append(route.request.url), route.abort())
            if "youtube" in route.request.url
            else route.continue_()
        ),
    )
    try:
        page.goto(url + "videos/")
        page.wait_for_load_state("networkidle")
        assert requests == []
        button = page.locator(".video-load")
        assert button.is_visible() and page.locator(".video-link").is_hidden()
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".video iframe")
        assert any("youtube-nocookie.com/embed/abcdefghijk" in r for r in requests)
    finally:
        server.shutdown()


def test_skip_link_and_visible_focus(page, base_url):
    page.goto(base_url + "guidelines/2024/")
    page.keyboard.press("Tab")
    # the theme's skip link (its words are the theme's translation) is the first stop and targets the content
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#guidelines"
    page.keyboard.press("Enter")
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        if page.evaluate("!!document.activeElement.closest('article')"):
            break
    assert page.evaluate("!!document.activeElement.closest('article')")
    assert style != "none"


def test_role_labels_in_the_header_filter_come_from_the_data(page, base_url, site):
    page.goto(base_url)
    labels = page.eval_on_selector_all("#site-search-role option", "os => os.map(o => o.textContent.trim())")
    r = Renderer(site, "ja")
    assert labels[1:] == [r.role_label(role) for role in site.guidelines[site.latest_year].roles]
