"""The public site in Chromium: no third-party requests, language switch, videos, keyboard (search: test_search.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml
from conftest import pages_of, project_copy, run, serve

from macros.data import LANGS, lang_prefix


def test_every_page_loads_cleanly_and_only_from_the_site(page, built, base_url):
    host = urlsplit(base_url).netloc
    outside, failed, errors = [], [], []
    page.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if urlsplit(route.request.url).netloc != host
            else route.continue_()
        ),
    )
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    paths = sorted(pages_of(built, "ja")) + sorted(pages_of(built, "en")) + ["faq/ja/index.html"]
    for path in paths:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert len(paths) >= 30
    assert (outside, failed, errors) == ([], [], [])


@pytest.mark.parametrize(
    "path", ["audiences/host/", "news/current/", "contacts/", "guidelines/2024/sea/", ""]
)
def test_language_switch_keeps_the_page(page, base_url, path):
    page.goto(base_url + path)
    for lang, expected in (("en", base_url + "en/" + path), ("ja", base_url + path)):
        page.click(f".md-header a[hreflang='{lang}']")  # both languages are written out (no menu to open)
        page.wait_for_url(expected)
        assert page.evaluate("document.documentElement.lang") == lang


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
        privacy = yaml.safe_load((root / "data/ui/ja.yml").read_text("utf-8"))["videos"]["privacy"]
        assert page.get_by_text(privacy).is_visible()  # said once a video can be loaded
        button = page.locator(".video-load")
        assert button.is_visible() and page.locator(".video-link").is_hidden()
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".video iframe")
        assert any("youtube-nocookie.com/embed/abcdefghijk" in r for r in requests)
    finally:
        server.shutdown()


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_says_videos_load_on_play_only_when_one_is_published(built, site, lang):
    html = (built / lang_prefix(lang) / "videos" / "index.html").read_text(encoding="utf-8")
    published = any(v.video_id for v in site.videos.videos)
    assert (site.ui[lang]["videos"]["privacy"] in html) == published


def test_skip_link_and_visible_focus(page, base_url, site):
    page.goto(base_url + f"guidelines/{site.latest_year}/")
    page.keyboard.press("Tab")
    # the skip link (its words: data/ui) is the first stop and targets the content
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    assert page.evaluate("document.activeElement.textContent.trim()") == site.ui["ja"]["site"]["skip"]
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#guidelines"
    page.keyboard.press("Enter")
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        if page.evaluate("!!document.activeElement.closest('article')"):
            break
    assert page.evaluate("!!document.activeElement.closest('article')")
    assert style != "none"


def test_contents_list_marks_the_section_being_read(page, base_url):
    page.goto(base_url + "guidelines/2024/")
    toc = ".md-sidebar--secondary .md-nav--secondary"
    hashes = page.eval_on_selector_all(f"{toc} a", "as => as.map(a => a.hash)")
    page.wait_for_selector(f"{toc} [aria-current]")  # marked once the page has loaded
    assert page.eval_on_selector_all(f"{toc} [aria-current]", "as => as.map(a => a.hash)") == hashes[:1]
    for section in (hashes[len(hashes) // 2], hashes[len(hashes) // 3], hashes[2 * len(hashes) // 3]):
        page.evaluate(f"document.getElementById('{section[1:]}').scrollIntoView()")
        page.wait_for_function(f"() => document.querySelector('{toc} a[aria-current]').hash === '{section}'")
        assert page.eval_on_selector_all(f"{toc} [aria-current=location]", "as => as.length") == 1
        # the link is in sight inside the contents list, which scrolls on its own
        inside = page.evaluate(
            f"""() => {{
              const a = document.querySelector('{toc} a[aria-current]').getBoundingClientRect();
              const w = document.querySelector('.md-sidebar--secondary .md-sidebar__scrollwrap').getBoundingClientRect();
              return a.top >= w.top && a.bottom <= w.bottom && w.bottom <= innerHeight;
            }}"""
        )
        assert inside, section


def test_menu_drawer_works_by_keyboard_on_a_narrow_screen(browser, base_url, site):
    context = browser.new_context(viewport={"width": 600, "height": 800}, bypass_csp=True)  # or 200 % zoom
    page = context.new_page()
    focused = """() => {
      const e = document.activeElement, r = e.getBoundingClientRect(), d = document.querySelector('.md-sidebar--primary').getBoundingClientRect();
      return {label: e.getAttribute('aria-label'), tag: e.tagName, role: e.getAttribute('role'), expanded: e.getAttribute('aria-expanded'),
              inDrawer: !!e.closest('.md-sidebar--primary'), inPage: !!e.closest('.md-content'),
              onScreen: r.right > 0 && r.left < innerWidth && r.width > 0,
              inView: r.left >= d.left - 1 && r.right <= d.right + 1};
    }"""
    name = site.ui["en"]["site"]["menu"]
    try:
        page.goto(base_url + "en/contacts/")
        stops = []
        for _ in range(25):  # the closed drawer takes no keyboard stops
            page.keyboard.press("Tab")
            stops.append(page.evaluate(focused))
        assert all(s["onScreen"] and not s["inDrawer"] for s in stops)
        menu = [s for s in stops if s["label"] == name]
        assert menu and all((m["tag"], m["role"], m["expanded"]) == ("BUTTON", None, "false") for m in menu)
        page.focus('.md-header button[data-for="__drawer"]')
        page.keyboard.press("Enter")
        page.wait_for_function("() => !!document.activeElement.closest('.md-sidebar--primary')")
        page.wait_for_timeout(300)  # the drawer slides in
        assert page.evaluate(focused)["inView"]
        assert page.get_attribute('.md-header button[data-for="__drawer"]', "aria-expanded") == "true"
        # the drawer opens on this page's section; its title goes back a level, and the section opens again
        page.keyboard.press("Shift+Tab")
        back = page.evaluate(focused)
        assert (back["tag"], back["expanded"], back["inView"]) == ("BUTTON", "true", True)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        opener = page.evaluate(focused)
        assert (opener["tag"], opener["expanded"], opener["inView"]) == ("BUTTON", "false", True)
        page.keyboard.press(" ")  # a button: Space as well as Enter
        page.wait_for_timeout(300)
        assert page.evaluate(focused)["inView"] and page.evaluate("document.activeElement.tagName") == "A"
        # every stop in the open drawer is in sight, and the page under it takes none
        for _ in range(12):
            page.keyboard.press("Tab")
            stop = page.evaluate(focused)
            assert not stop["inPage"] and (stop["inView"] or not stop["inDrawer"]), stop
        page.keyboard.press("Escape")
        assert page.evaluate(focused)["label"] == name
        assert page.evaluate("document.getElementById('__drawer').checked") is False
    finally:
        context.close()


def test_menu_drawer_is_closed_on_coming_back_to_a_page(browser, base_url):
    # the drawer's checkbox is not autocomplete="off" (HTML allows it on text-like inputs only): nav.js closes it
    context = browser.new_context(viewport={"width": 600, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(base_url + "en/contacts/")
        page.click('.md-header button[data-for="__drawer"]')
        page.wait_for_timeout(300)
        page.click(".md-sidebar--primary .md-nav__item--active a[href]:visible")
        page.wait_for_load_state()
        page.go_back()
        page.wait_for_url(base_url + "en/contacts/")
        assert page.evaluate("document.getElementById('__drawer').checked") is False
        assert page.get_attribute('.md-header button[data-for="__drawer"]', "aria-expanded") == "false"
    finally:
        context.close()


def test_menu_drawer_opens_and_closes_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    drawer = "document.getElementById('__drawer').checked"
    try:
        page.goto(base_url + "en/guidelines/2024/")
        page.click('.md-header label[for="__drawer"]')  # Material's label, as the page is sent
        page.wait_for_timeout(300)
        assert page.evaluate(drawer) is True
        page.click('.md-sidebar--primary label.md-nav__link[for="__toc"]')  # a level: this page's contents
        page.wait_for_timeout(300)
        link = page.locator(".md-sidebar--primary .md-nav--secondary a[href^='#']").first
        target = link.get_attribute("href")
        link.click()
        assert page.url.endswith(target)
        page.click("label.md-overlay", position={"x": 380, "y": 400})  # beside the drawer
        page.wait_for_timeout(300)
        assert page.evaluate(drawer) is False
    finally:
        context.close()


def test_navigation_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(base_url + "guidelines/2024/")
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(200)
        # the long contents list fits the screen and scrolls on its own, so its last entry can be reached
        wrap = page.evaluate(
            """() => { const w = document.querySelector('.md-sidebar--secondary .md-sidebar__scrollwrap');
                       return {scrolls: w.scrollHeight > w.clientHeight, bottom: w.getBoundingClientRect().bottom}; }"""
        )
        assert wrap["scrolls"] and wrap["bottom"] <= 800
        page.click(".md-header a[hreflang='en']")
        page.wait_for_url(base_url + "en/guidelines/2024/")
        page.click(".md-sidebar--primary a[href$='contacts/']")
        page.wait_for_url(base_url + "en/contacts/")
    finally:
        context.close()
