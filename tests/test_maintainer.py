"""Maintainer workflow: editor schemas, next year's scaffold, live preview with data errors, security headers."""

from __future__ import annotations

import gzip
import re
import subprocess
import time
import urllib.request

import yaml
from conftest import ROOT, pages_of, project_copy, run, serve

from macros import schemas
from macros.browser import Hosted, mkdocs_serve, read_headers


def test_editor_schemas_are_generated_from_the_one_schema():
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.schema.json")}
    assert committed == schemas.generated(), "run `make schemas` after changing macros/schema.py"


def test_every_data_file_names_its_editor_schema():
    for path in (ROOT / "data").rglob("*.yml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file() and target.parent == ROOT / "schemas", path


def test_schema_descriptions_help_in_both_languages():
    text = (ROOT / "schemas" / "guidelines.schema.json").read_text(encoding="utf-8")
    assert "日本語（必須） / Japanese (required)" in text
    assert "原本の部数 / number of originals" in text


def test_new_guidelines_scaffold(tmp_path):
    root = project_copy(tmp_path / "p")
    result = run(["-m", "macros.scaffold", "2025"], cwd=root)
    assert result.returncode == 0, result.stderr
    new = root / "data/guidelines/2025.yml"
    check = run(["-m", "macros", "check"], cwd=root)
    dates = yaml.safe_load(new.read_text(encoding="utf-8"))["dates"]
    assert check.returncode == 1
    assert check.stderr.count("data/guidelines/2025.yml:") == sum(1 + ("end" in d) for d in dates)
    new.write_text(new.read_text(encoding="utf-8").replace('"YYYY-MM-DD"', "2025-03-01"), encoding="utf-8")
    assert run(["-m", "macros", "check"], cwd=root).returncode == 0
    out = tmp_path / "out"
    build = run(["-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=root)
    assert build.returncode == 0, build.stderr
    for view in ("", "cir/", "sea/"):
        assert (out / "guidelines/2025" / view / "index.html").exists()
        assert (out / "en/guidelines/2025" / view / "index.html").exists()
    assert (out / "guidelines-2025.ics").exists()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait(url: str, predicate, seconds: float = 60) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            text = _get(url)
            if predicate(text):
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed what was expected")


def test_serve_shows_data_errors_and_recovers(tmp_path):
    root = project_copy(tmp_path / "p")
    base, server = mkdocs_serve(
        root, ["data", "macros"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = base + "contacts/"
    try:
        _wait(url, lambda t: "17:45" in t)
        contacts = root / "data/contacts.yml"
        good = contacts.read_text(encoding="utf-8")
        contacts.write_text(good.replace('closes: "17:45"', 'closes: "25:00"', 1), encoding="utf-8")
        page = _wait(url, lambda t: "problem(s)" in t)
        assert "data/contacts.yml:" in page and "desks[0].hours.closes" in page
        assert server.poll() is None
        contacts.write_text(good.replace("17:45", "18:15", 1), encoding="utf-8")
        _wait(url, lambda t: "18:15" in t and "problem(s)" not in t)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "data/contacts.yml:" in output and "Traceback" not in output


def test_site_satisfies_its_content_security_policy(built, browser):
    from conftest import PASSWORD

    rules = dict(read_headers(built / "_headers"))
    assert {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
    } <= set(rules["/*"])
    assert rules["/faq/*"] == {"X-Robots-Tag": "noindex, nofollow"}
    base, server = serve(built, Hosted)
    context = browser.new_context()
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
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
        page.goto(base + "faq/ja/")
        page.fill("#faq-password", PASSWORD)
        page.press("#faq-password", "Enter")
        page.wait_for_selector(".faq-entry")
        violations += page.evaluate("window.__csp")
        csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
        assert csp and "default-src 'self'" in csp
    finally:
        context.close()
        server.shutdown()
    assert violations == []


def test_hosting_caches_only_hashed_files_for_long_and_compresses_text(built):
    rules = dict(read_headers(built / "_headers"))
    long_lived = [p for p, h in rules.items() if "immutable" in h.get("Cache-Control", "")]
    assert long_lived == ["/assets/stylesheets/*"]
    stylesheets = list((built / "assets/stylesheets").iterdir())
    assert stylesheets and all(re.search(r"\.[0-9a-f]{8}\.min\.css(\.map)?$", s.name) for s in stylesheets)
    nginx = (built / "_nginx-headers.conf").read_text(encoding="utf-8")
    # nginx serves .xml (feeds, sitemaps) as text/xml
    assert "gzip on;" in nginx and "text/css" in nginx and "text/xml" in nginx
    assert "location /assets/stylesheets/ {" in nginx
    base, server = serve(built, Hosted)
    try:
        for path, file in (
            ("guidelines/2024/", "guidelines/2024/index.html"),
            ("assets/site.css", "assets/site.css"),
        ):
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                assert response.headers["Content-Encoding"] == "gzip"
                assert gzip.decompress(response.read()) == (built / file).read_bytes()
        css = next(s.name for s in stylesheets)
        with urllib.request.urlopen(base + "assets/stylesheets/" + css) as response:
            assert response.headers["Cache-Control"] == rules["/assets/stylesheets/*"]["Cache-Control"]
            assert response.headers["Content-Encoding"] is None  # not asked for gzip
    finally:
        server.shutdown()


def test_publish_workflow_is_valid():
    flow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "make test" in runs and "make build" in runs
    build = next(s for s in steps if s.get("run") == "make build")
    assert (
        build["env"]["FAQ_PASSWORD"] == "${{ secrets.FAQ_PASSWORD }}" and build["env"]["FAQ_REQUIRED"] == "1"
    )
    assert flow["jobs"]["deploy"]["needs"] == "build"
