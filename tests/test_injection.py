"""Nothing in data/ can run script: a hostile string in every text field of every data kind, in both languages
(UI strings and the FAQ included), built and opened in Chromium with the site served without any headers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest
import yaml
from conftest import PASSWORD, pages_of, project_copy, run, serve
from lxml import html as lhtml

from macros.data import LANGS, DataError, lang_prefix, load_faq, load_site
from macros.yamlsrc import fmt_path, read

MARK = "data-pwned"
# raw HTML, an attribute break-out and Markdown syntax: every one must reach the reader as text
PAYLOAD = (
    f"\"'><img src=x {MARK} onerror=alert(1)><script {MARK}>alert(2)</script> [x](javascript:alert(3)) *_`#"
)
# Markdown fields may hold links, but a javascript: link is a data error (test below), so not in this corpus
MD_PAYLOAD = f"<img src=x {MARK} onerror=alert(1)><script {MARK}>alert(2)</script> <b {MARK}>b</b>"
BAD_LINKS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java&#9;script:alert(1))",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "![a](data:text/html,x)",
    "[a](vbscript:msgbox)",
    "[a](//evil.example/)",
    "[a](/\\evil.example/)",  # a browser reads /\ and \/ as //
    "[a](\\/evil.example/)",
]


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    elif isinstance(node, str):
        yield path


def _set(node, path, value):
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _markdown_paths(root: Path) -> set[tuple[str, tuple]]:
    """(file, path) of the Markdown fields: news bodies and FAQ answers (the schema's MarkdownText)."""
    from macros import schema as s
    from macros.data import walk

    site = load_site(root)
    faq, _ = load_faq(site, root)
    out = set()
    for file, model in (("data/news.yml", site.news), ("data/faq/faq.yml", faq)):
        for path, obj in walk(model):
            if isinstance(obj, s.MarkdownText):
                out |= {(file, (*path, "ja")), (file, (*path, "en"))}
    return out


def poison(root: Path) -> int:
    """Append the payload to every string of every data file that stays valid with it (ids, dates, URLs and
    other patterned fields are put back when the loader refuses them). Returns the number of strings changed."""
    markdown = _markdown_paths(root)
    files = sorted((root / "data").rglob("*.yml"))
    raw = {p.relative_to(root).as_posix(): read(p, p.name).data for p in files}
    original = json.loads(json.dumps(raw))
    changed = {}
    for file, data in raw.items():
        for path in _leaves(data):
            payload = MD_PAYLOAD if (file, path) in markdown else PAYLOAD
            _set(data, path, _get(data, path) + " " + payload)
            changed[file, path] = True

    def write():
        for file, data in raw.items():
            (root / file).write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )

    for _ in range(10):
        write()
        try:
            load_faq(load_site(root), root)
            break
        except DataError as exc:
            for p in exc.problems:
                for file, path in [k for k in changed if k[0] == p.file and k[1][: len(p.path)] == p.path]:
                    _set(raw[file], path, _get(original[file], path))
                    del changed[file, path]
    else:
        raise AssertionError("the poisoned data never became valid")
    return len(changed)


def _get(node, path):
    for part in path:
        node = node[part]
    return node


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    root = project_copy(tmp_path_factory.mktemp("inj") / "p")
    assert poison(root) > 500
    out = root / "site"
    result = run(["-m", "macros.build", str(out)], cwd=root, FAQ_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stderr
    return out


INJECTED = f"""() => [...document.querySelectorAll('[{MARK}], script:not([src]):not([type$="json"])')].length
  + [...document.querySelectorAll('a[href], [src]')].filter((e) =>
      /^\\s*(javascript|vbscript|data):/i.test(e.getAttribute('href') || e.getAttribute('src') || '')
      && !(e.tagName === 'LINK' && e.getAttribute('rel') === 'icon')).length"""


def test_every_text_field_reaches_readers_as_text_on_a_host_without_headers(poisoned, browser):
    url, server = serve(poisoned)  # plain files: no CSP header, nothing but what the pages carry
    context = browser.new_context(bypass_csp=True)  # an injected script would run: the test must see none
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        paths = [*pages_of(poisoned, "ja"), *pages_of(poisoned, "en")]
        assert len(paths) >= 40
        for rel in paths:
            page.goto(url + rel.removesuffix("index.html"))
            assert page.evaluate(INJECTED) == 0, f"{rel}: injected markup"
            # the page's own heading and title show the payload literally, as the reader would type it
            assert PAYLOAD in page.inner_text("h1"), rel
            assert PAYLOAD in page.title(), rel
        for edition in ("bilingual", "en", "ja"):
            page.goto(f"{url}faq/{edition}/")
            page.fill("#faq-password", PASSWORD)
            page.press("#faq-password", "Enter")
            page.wait_for_selector(".faq-entry")
            assert page.evaluate(INJECTED) == 0, f"faq/{edition}/: injected markup"
            assert MARK in page.inner_text("#faq-content")
        assert dialogs == []
    finally:
        context.close()
        server.shutdown()


def test_feeds_calendars_and_structured_data_carry_the_payload_as_text(poisoned):
    for prefix in (lang_prefix(lang) for lang in LANGS):
        feed = ET.parse(poisoned / prefix / "news" / "feed.xml").getroot()  # well-formed XML
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = feed.findall("a:entry", ns)
        assert entries and all(MARK in e.findtext("a:title", "", ns) for e in entries)
        assert any(e.findtext("a:content", "", ns) for e in entries)
        for entry in entries:
            content = entry.findtext("a:content", "", ns)
            if content:
                tree = lhtml.fromstring(f"<div>{content}</div>")
                assert not tree.xpath(f"//*[@{MARK}] | //script"), content
                assert not [h for h in tree.xpath("//@href") if "script:" in h.lower()]
        assert list((poisoned / prefix).glob("guidelines-*.ics"))
        for ics in (poisoned / prefix).glob("guidelines-*.ics"):
            cal = icalendar.Calendar.from_ical(ics.read_bytes())
            summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
            assert summaries and all(PAYLOAD in s for s in summaries)
        contacts = lhtml.fromstring((poisoned / prefix / "contacts" / "index.html").read_bytes())
        (script,) = contacts.xpath("//script[@type='application/ld+json']")
        data = json.loads(script.text)
        assert PAYLOAD in data["name"] and "</script" not in script.text.lower()


@pytest.mark.parametrize("link", BAD_LINKS)
@pytest.mark.parametrize("file", ["data/news.yml", "data/faq/faq.yml"])
def test_a_markdown_link_outside_the_allowlist_is_a_data_error(tmp_path, file, link):
    root = project_copy(tmp_path / "p")
    target = root / file
    data = read(target, file).data
    field = data["items"][0]["body"] if "news" in file else data["entries"][0]["answer"]
    field["en"] = f"Read this: {link}"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = read(target, file).lines[
        ("items", 0, "body", "en") if "news" in file else ("entries", 0, "answer", "en")
    ]
    where = "items[0].body.en" if "news" in file else "entries[0].answer.en"
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{file}:{line}: {where}: link target" in result.stderr, result.stderr
    build = run(["-m", "macros.build", str(root / "site")], cwd=root)
    assert build.returncode != 0 and not (root / "site").exists()


def test_allowed_links_in_markdown_pass(tmp_path):
    root = project_copy(tmp_path / "p")
    target = root / "data/news.yml"
    data = read(target, "news").data
    data["items"][0]["body"]["en"] = (
        "[a](https://example.org/) [b](http://example.org/) [c](mailto:desk@example.org) [d](tel:+81-3-0000)"
        " [e](../guidelines/2024/#remuneration) [f](/contacts/)"
    )
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert run(["-m", "macros", "check"], cwd=root).returncode == 0


def test_a_url_field_takes_only_an_https_address(tmp_path):
    root = project_copy(tmp_path / "p")
    target = root / "data/programme.yml"
    src = read(target, "data/programme.yml")
    path = next(p for p in _leaves(src.data) if p[-1] == "url" and _get(src.data, p).startswith("https://"))
    _set(src.data, path, "javascript:alert(1)")
    target.write_text(yaml.safe_dump(src.data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = read(target, "data/programme.yml").lines[path]
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1
    expected = (
        f"data/programme.yml:{line}: {fmt_path(path)}: must be an https:// address, not 'javascript:alert(1)'"
    )
    assert expected in result.stderr, result.stderr
