"""Shared fixtures: the real data, one full build of the site (FAQ included), a local server, Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import project_copy  # noqa: E402, F401 (tests import it from here)
from macros.browser import Hosted, free_port, serve  # noqa: E402, F401 (tests import serve from here)
from macros.data import load_faq, load_site  # noqa: E402
from macros.faq import is_gate  # noqa: E402

PASSWORD = "tests-own-password-" + os.urandom(6).hex()  # the tests' own; the code has no default


@pytest.fixture(scope="session")
def site():
    return load_site()


@pytest.fixture(scope="session")
def faq(site):
    return load_faq(site)[0]


def run(args: list[str], cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    environ.update(env, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, *args], cwd=cwd, env=environ, capture_output=True, text=True)


PORT = free_port()  # the site is built for the address it is served at (absolute links: hreflang, feeds)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """site/ as `make build` makes it, with the FAQ encrypted under the tests' password."""
    out = tmp_path_factory.mktemp("build") / "site"
    result = run(
        ["-m", "macros.build", str(out)], FAQ_PASSWORD=PASSWORD, SITE_URL=f"http://127.0.0.1:{PORT}/"
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def base_url(built):
    """The built site served as its host would: its own headers (the CSP included) and gzip."""
    url, server = serve(built, Hosted, PORT)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from macros.browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    # Playwright's waiting evaluates strings, which the site's CSP forbids; the CSP has its own test
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


def csp_watched(browser):
    """A context whose pages record each CSP violation in window.__csp ("directive blocked-URI")."""
    context = browser.new_context()
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return context


def pages_of(built: Path, lang: str) -> dict[str, str]:
    """Every public HTML page of one language, by path relative to the site root (FAQ editions excluded)."""
    out = {}
    for path in built.rglob("*.html"):
        rel = path.relative_to(built).as_posix()
        if is_gate(rel) or rel.startswith(("pagefind/", "assets/")) or rel.endswith("404.html"):
            continue
        if (lang == "en") == rel.startswith("en/"):
            out[rel] = path.read_text(encoding="utf-8")
    return out
