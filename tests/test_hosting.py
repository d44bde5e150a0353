"""Hosting: the rules the build gives every host (`_headers`, the nginx snippet), `make preview`'s server serving
exactly them, the CSP (header and <meta>), security.txt, and the publishing workflow."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import urllib.error
import urllib.request

import yaml
from conftest import PASSWORD, ROOT, csp_watched, pages_of, project_copy, run, serve
from lxml import html as lhtml

from macros import headers
from macros.browser import Hosted, headers_for, read_headers


def _files(built):
    """Every file a host serves, by URL path (an index.html also by its folder's URL)."""
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.name not in headers.HEADER_FILES:
            rel = path.relative_to(built).as_posix()
            yield "/" + rel, path
            if path.name == "index.html":
                yield "/" + rel.removesuffix("index.html"), path


def _get(url: str, compressed: bool = False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if compressed else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_every_file_has_one_cache_rule_and_no_rule_overlaps_another(built):
    rules = read_headers(built / "_headers")
    assert len(rules) <= 100  # Cloudflare Pages reads at most 100 rules
    hashed = {u for u, p in _files(built) if re.search(headers.HASHED, p.name)}
    assert any(u.startswith("/assets/stylesheets/") for u in hashed)
    assert any(u.startswith("/pagefind/fragment/") for u in hashed)
    assert not {u for u in hashed if not u.startswith(("/assets/stylesheets/", "/pagefind/"))}
    for url, _ in _files(built):
        names = [n for pattern, hs in rules if headers_for([(pattern, hs)], url) for n in hs]
        assert len(names) == len(set(names)), f"{url}: {names}"  # so every host combines rules alike
        expected = headers.IMMUTABLE if url in hashed else headers.REVALIDATE
        assert headers_for(rules, url).get("Cache-Control") == expected, url
    for url in ("/", "/en/", "/news/feed.xml", "/guidelines-2024.ics", "/faq/", "/faq/ja/", "/faq/faq.js"):
        assert headers_for(rules, url)["Cache-Control"] == "no-cache", url
    for edition in ("bilingual", "en", "ja"):
        assert headers_for(rules, f"/faq/{edition}/")["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Robots-Tag" not in headers_for(rules, "/faq/")  # the landing page is public


def test_preview_serves_exactly_the_rules(built):
    rules = read_headers(built / "_headers")
    base, server = serve(built, Hosted)
    try:
        for url, path in _files(built):
            status, sent, body = _get(base + url.lstrip("/"), compressed=True)
            assert status == 200, url
            for name, value in headers_for(rules, url).items():
                assert sent[name] == value, (url, name)
            kind = sent["Content-Type"].split(";")[0]
            assert sent["Content-Type"].endswith("; charset=utf-8") == (kind in (*headers.TEXT, "text/html"))
            if kind in (*headers.COMPRESSED, "text/html"):
                assert sent["Content-Encoding"] == "gzip" and sent["Vary"] == "Accept-Encoding", url
                assert gzip.decompress(body) == path.read_bytes(), url
            else:
                assert body == path.read_bytes(), url
        plain = _get(base + "assets/site.css")[1]
        assert plain["Content-Encoding"] is None and plain["Vary"] == "Accept-Encoding"
    finally:
        server.shutdown()


def test_preview_sends_the_right_types(built):
    base, server = serve(built, Hosted)
    try:
        for url, kind in (
            ("guidelines-2024.ics", "text/calendar; charset=utf-8"),
            ("en/news/feed.xml", "application/atom+xml; charset=utf-8"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            (".well-known/security.txt", "text/plain; charset=utf-8"),
            ("faq/ja/", "text/html; charset=utf-8"),
        ):
            assert _get(base + url)[1]["Content-Type"] == kind, url
    finally:
        server.shutdown()
    assert headers.content_type("pagefind.wasm", "application/octet-stream") == "application/wasm"


def test_preview_refuses_the_header_files_and_answers_unknown_paths_with_the_404_page(built):
    not_found = (built / "404.html").read_bytes()
    base, server = serve(built, Hosted)
    try:
        for url in ("_headers", "_nginx-headers.conf", "en/_headers", "no-such-page/", "assets/"):
            status, sent, body = _get(base + url)
            assert (status, body) == (404, not_found), url
            assert sent["Content-Type"] == "text/html; charset=utf-8"
    finally:
        server.shutdown()


def test_nginx_snippet_has_the_same_rules(built):
    nginx = (built / "_nginx-headers.conf").read_text(encoding="utf-8")
    for line in ("charset utf-8;", "gzip on;", "gzip_vary on;", "error_page 404 /404.html;"):
        assert line in nginx.splitlines()
    types = re.search(r"^gzip_types (.*);$", nginx, re.M)[1].split()
    assert {"text/css", "application/atom+xml", "text/calendar", "application/xml"} <= set(types)
    assert 'location ~ "/(_headers|_nginx\\-headers\\.conf)$" {\n    return 404;\n}' in nginx
    for end, kind in headers.TYPES.items():
        assert f'location ~ "{re.escape(end)}$" {{\n    types {{ }}\n    default_type {kind};' in nginx
    blocks = re.findall(r'^location ~ "([^"]+)" \{\n(.*?)^\}', nginx, re.M | re.S)
    assert len(blocks) == len(headers.TYPES) + 3
    for match, body in blocks[1:]:  # nginx drops inherited add_header in a location: each repeats them
        for name, value in headers.security().items():
            assert f'add_header {name} "{value}" always;' in body, match
    cache = {m: re.search(r'Cache-Control "([^"]+)"', b)[1] for m, b in blocks[1:]}
    assert cache.pop(headers.HASHED) == headers.IMMUTABLE and set(cache.values()) == {"no-cache"}
    assert 'add_header X-Robots-Tag "noindex, nofollow" always;' in dict(blocks)["/faq/[^/]+/"]


def test_hsts_covers_subdomains_only_when_configured(built, tmp_path, monkeypatch):
    assert read_headers(built / "_headers")[0][1]["Strict-Transport-Security"] == "max-age=31536000"
    (tmp_path / "index.html").write_text("<!doctype html>", encoding="utf-8")
    for value, expected in (("", "max-age=31536000"), ("1", "max-age=31536000; includeSubDomains")):
        monkeypatch.setenv(headers.HSTS_SUBDOMAINS, value)
        headers.write(tmp_path)
        assert read_headers(tmp_path / "_headers")[0][1]["Strict-Transport-Security"] == expected
        nginx = (tmp_path / "_nginx-headers.conf").read_text(encoding="utf-8")
        assert f'add_header Strict-Transport-Security "{expected}" always;' in nginx


def test_security_txt_names_the_desk_in_data_and_expires(built, site):
    text = (built / ".well-known" / "security.txt").read_text(encoding="utf-8")
    fields = [line.split(": ", 1) for line in text.splitlines() if line and not line.startswith("#")]
    sec = site.contacts.security
    contacts = [v for k, v in fields if k == "Contact"]
    assert len(contacts) == 2 and all(c.endswith(f"contacts/#{sec.desk}") for c in contacts)
    base = re.search(r'<link rel="canonical" href="([^"]+)"', (built / "index.html").read_text("utf-8"))[1]
    for contact in contacts:
        page = built / contact.removeprefix(base).split("#")[0] / "index.html"
        assert f'id="{sec.desk}"' in page.read_text(encoding="utf-8")
    assert [v for k, v in fields if k == "Expires"] == [f"{sec.expires.isoformat()}T23:59:59+09:00"]
    assert dt.datetime.fromisoformat(dict(fields)["Expires"]) > dt.datetime.now(dt.UTC)
    assert dict(fields)["Canonical"] == base + ".well-known/security.txt"
    assert dict(fields)["Preferred-Languages"] == "ja, en"
    assert ("# " + site.ui["en"]["sample"]["entry"] in text.splitlines()) == sec.sample


def test_make_check_keeps_the_security_txt_expiry_honest(tmp_path):
    root = project_copy(tmp_path / "p")
    contacts = root / "data" / "contacts.yml"
    good = contacts.read_text(encoding="utf-8")
    line = 1 + good.splitlines().index(next(s for s in good.splitlines() if s.startswith("  expires:")))
    today = dt.date.today()
    for day, reason in (
        (today - dt.timedelta(days=1), "has passed"),
        (today, "has passed"),
        (today + dt.timedelta(days=400), "is more than a year ahead"),
    ):
        contacts.write_text(re.sub(r"expires: \S+", f"expires: {day}", good), encoding="utf-8")
        result = run(["-m", "macros", "check"], cwd=root)
        assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout
        assert f"data/contacts.yml:{line}: security.expires: {day} {reason}" in result.stdout + result.stderr
    contacts.write_text(good.replace("  desk: coordination", "  desk: no-such-desk"), encoding="utf-8")
    result = run(["-m", "macros", "check"], cwd=root)
    assert "security.desk: unknown contact desk 'no-such-desk'" in result.stdout + result.stderr


def test_site_satisfies_its_content_security_policy(built, browser):
    rules = dict(read_headers(built / "_headers"))
    assert {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
    } <= set(rules["/*"])
    base, server = serve(built, Hosted)
    context = csp_watched(browser)
    page = context.new_page()
    violations = []
    try:
        for path in sorted(pages_of(built, "ja")) + sorted(pages_of(built, "en")):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
        page.goto(base + "en/")
        page.click("#site-search-input")
        page.keyboard.type("visa")
        page.wait_for_selector("#site-search-results li")
        violations += [
            f"search: {v}" for v in page.evaluate("window.__csp")
        ]  # before the next page resets it
        page.goto(base + "faq/ja/")
        page.fill("#faq-password", PASSWORD)
        page.press("#faq-password", "Enter")
        page.wait_for_selector(".faq-entry")
        violations += page.evaluate("window.__csp")
        csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
        assert csp == headers.policy()
    finally:
        context.close()
        server.shutdown()
    assert violations == []


def test_gate_pages_carry_the_policy_as_meta(built):
    for edition in ("bilingual", "en", "ja"):
        head = lhtml.fromstring((built / "faq" / edition / "index.html").read_bytes()).find("head")
        meta = head.xpath("meta[@http-equiv='Content-Security-Policy']")
        assert [m.get("content") for m in meta] == [headers.meta_policy()]
        assert "frame-ancestors" not in headers.meta_policy() and "frame-ancestors" in headers.policy()
        first = next(i for i, el in enumerate(head) if el.tag in ("script", "link", "style"))
        assert head.index(meta[0]) < first  # the policy comes before anything it governs


def test_publish_workflow_pins_actions_and_grants_least_privilege():
    text = (ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", text, re.M)
    assert len(uses) >= 4
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    for name in ("test", "build"):
        assert jobs[name]["permissions"] == {"contents": "read"}, name
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["build"]["needs"] == "test" and jobs["deploy"]["needs"] == "build"
    assert "make test" in [s.get("run") for s in jobs["test"]["steps"]]
    steps = jobs["build"]["steps"]
    build = next(i for i, s in enumerate(steps) if "FAQ_PASSWORD" in s.get("env", {}))
    assert steps[build]["env"]["FAQ_PASSWORD"] == "${{ secrets.FAQ_PASSWORD }}"
    # no make in that step: no install recipe (pip, npm and their scripts) runs with the secret in its environment
    assert steps[build]["run"] == ".venv/bin/python -m macros.build site"
    assert "make install node_modules/.installed" in [s.get("run") for s in steps[:build]]
    assert steps[build]["env"]["FAQ_REQUIRED"] == "1"
    assert text.count("secrets.") == 1  # the password reaches the build step only
    upload = next(i for i, s in enumerate(steps) if "upload-pages-artifact" in s.get("uses", ""))
    removed = " ".join(s.get("run", "") for s in steps[build + 1 : upload])
    assert all(f"site/{f}" in removed.split() for f in headers.HEADER_FILES)
    for step in [s for job in jobs.values() for s in job["steps"] if "checkout" in s.get("uses", "")]:
        assert step["with"]["persist-credentials"] is False
