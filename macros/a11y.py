"""Accessibility audit with axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) in headless Chromium.

`python -m macros.a11y` (`make a11y-report`) builds the site, audits every page of both languages and the
unlocked FAQ editions, and records the results in data/accessibility-results.yml for the statement page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from .data import LANGS, ROOT, lang_prefix
from .faq import is_gate

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations", "passes"]}
RESULTS = ROOT / "data" / "accessibility-results.yml"


def check(page) -> tuple[list[str], set[str]]:
    """Violations on the page as it is now (one line per rule and element), and the ids of rules that passed."""
    results = Axe().run(page, options=OPTIONS).response
    problems = [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in results["violations"]
        for node in v["nodes"]
    ]
    return problems, {p["id"] for p in results["passes"]}


def public_pages(site_dir: Path) -> dict[str, list[str]]:
    """HTML pages of each language (search index, theme files and the FAQ excluded)."""
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if not (is_gate(rel) or rel.startswith(("assets/", "pagefind/"))):
            lang = next((g for g in LANGS[1:] if rel.startswith(lang_prefix(g))), LANGS[0])
            out[lang].append(rel)
    return out


def audit(browser, base_url: str, site_dir: Path, password: str, editions: list[str]) -> dict:
    """Every public page, each FAQ gate and each FAQ edition after unlocking."""
    page = browser.new_page()
    problems: list[str] = []
    passed: set[str] = set()
    counts = {}
    for lang, paths in public_pages(site_dir).items():
        counts[lang] = len(paths)
        for rel in paths:
            page.goto(base_url + rel)
            found, ok = check(page)
            problems += [f"{rel}: {p}" for p in found]
            passed |= ok
    for edition in editions:
        page.goto(f"{base_url}faq/{edition}/")
        found, ok = check(page)
        page.fill("#faq-password", password)
        page.press("#faq-password", "Enter")
        page.wait_for_selector(".faq-entry")
        found2, ok2 = check(page)
        problems += [f"faq/{edition}/: {p}" for p in found + found2]
        passed |= ok | ok2
    page.close()
    counts["faq"] = len(editions) * 2
    return {"pages": counts, "problems": problems, "rules_passed": sorted(passed)}


def axe_version() -> str:
    import axe_playwright_python

    text = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")[:200]
    return re.search(r"axe v([\d.]+)", text)[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from .browser import Hosted, launch, serve
    from .data import load_site

    password = secrets.token_urlsafe(24)  # a throwaway password: the audit only needs to unlock its own build
    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "site"
        env = dict(os.environ, FAQ_PASSWORD=password)
        env.pop("FAQ_PASSWORD_FILE", None)
        subprocess.run([sys.executable, "-m", "macros.build", str(site_dir)], cwd=ROOT, env=env, check=True)
        base_url, server = serve(site_dir, Hosted)
        editions = [e.id for e in load_site().home.faq.editions]
        with sync_playwright() as p:
            browser = launch(p)
            result = audit(browser, base_url, site_dir, password, editions)
            version = browser.version
            browser.close()
        server.shutdown()
    for problem in result["problems"]:
        print(problem, file=sys.stderr)
    lines = [
        "# yaml-language-server: $schema=../schemas/accessibility-results.schema.json",
        "# Written by `make a11y-report` (macros/a11y.py) from an axe-core run over a fresh build; do not edit.",
        f"date: {dt.date.today().isoformat()}",
        f"axe: {axe_version()}",
        f"browser: Chromium {version.split('.')[0]}",
        f"tags: [{', '.join(TAGS)}]",
        f"pages: {{ja: {result['pages']['ja']}, en: {result['pages']['en']}, faq: {result['pages']['faq']}}}",
        f"rules_passed: {len(result['rules_passed'])}",
        f"violations: {len(result['problems'])}",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"a11y: {sum(result['pages'].values())} pages, {len(result['problems'])} violations → {RESULTS.relative_to(ROOT)}"
    )
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
