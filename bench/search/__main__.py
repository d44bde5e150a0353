"""`python -m bench.search`: hit@1, hit@3, MRR, latency and first-query bytes → bench/search/report.md.

Builds the public site into a temporary folder (no FAQ), serves it on 127.0.0.1 and types every query of
bench/search/queries.yml into the header search of the page's language, as a reader would.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import sync_playwright

from macros.browser import launch, serve
from macros.data import lang_prefix

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGET_HIT3 = {"ja": 0.97, "en": 0.90}


def _normalise(href: str, lang: str) -> tuple[str, str | None]:
    """(page, anchor) of a result link, relative to the language root; role views count as their page."""
    parts = urlsplit(href)
    path = parts.path.lstrip("/").removeprefix(lang_prefix(lang))
    for role in ("cir/", "sea/"):
        if path.startswith("guidelines/") and path.endswith(role):
            path = path.removesuffix(role)
    return path, parts.fragment or None


def _rank(hrefs: list[str], lang: str, page: str, anchor: str | None) -> int | None:
    for i, href in enumerate(hrefs, 1):
        got_page, got_anchor = _normalise(href, lang)
        if got_page == page and (anchor is None or got_anchor == anchor):
            return i
    return None


WATCH = """() => {
  const input = document.getElementById('site-search-input');
  const count = document.getElementById('site-search-count');
  window.__bench = {input: 0, done: 0};
  input.addEventListener('input', () => { window.__bench.input = performance.now(); window.__bench.done = 0; });
  new MutationObserver(() => { window.__bench.done = performance.now(); })
    .observe(document.getElementById('site-search-results'), {childList: true});
  new MutationObserver(() => { if (count.textContent) window.__bench.done = performance.now(); })
    .observe(count, {childList: true, characterData: true, subtree: true});
}"""


def run_queries(base: str, queries: dict) -> dict:
    results = {}
    with sync_playwright() as p:
        browser = launch(p)
        for lang, items in queries.items():
            context = browser.new_context()
            page = context.new_page()
            loaded = []
            page.on("requestfinished", lambda r, seen=loaded: seen.append(r.sizes()["responseBodySize"]))
            page.goto(base + lang_prefix(lang))
            page.wait_for_load_state("networkidle")
            before = sum(loaded)
            page.evaluate(WATCH)
            rows = []
            for n, item in enumerate(items):
                page.fill("#site-search-input", "")
                page.wait_for_timeout(80)
                page.click("#site-search-input")
                page.keyboard.type(item["q"])
                page.wait_for_function(
                    "window.__bench.done > window.__bench.input && "
                    "!document.getElementById('site-search-count').textContent.includes('…')",
                    timeout=15000,
                )
                page.wait_for_timeout(30)
                timing = page.evaluate("window.__bench")
                hrefs = page.eval_on_selector_all(
                    "#site-search-results a", "as => as.map(a => a.getAttribute('href'))"
                )
                rank = _rank(hrefs, lang, item["page"], item.get("anchor"))
                rows.append({**item, "rank": rank, "ms": timing["done"] - timing["input"], "top": hrefs[:3]})
                if n == 0:
                    page.wait_for_load_state("networkidle")
                    first_bytes = sum(loaded) - before
            results[lang] = {"rows": rows, "first_bytes": first_bytes}
            context.close()
        browser.close()
    return results


def report(results: dict) -> str:
    lines = [
        "# Search benchmark",
        "",
        f"Run {dt.date.today().isoformat()} by `make bench-search`: queries from `bench/search/queries.yml` typed into",
        "the header search of the built site (Pagefind extended) in headless Chromium on 127.0.0.1. A hit is the",
        "expected page (the CIR/SEA views count as the guidelines page) with the expected heading anchor.",
        "Latency: last keystroke → results rendered, including the UI's 60 ms typing pause.",
        "",
        "| language | queries | hit@1 | hit@3 | target hit@3 | MRR | median | p90 | first query | bytes loaded by the first query |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for lang, res in results.items():
        rows = res["rows"]
        n = len(rows)
        hit1 = sum(r["rank"] == 1 for r in rows) / n
        hit3 = sum(r["rank"] is not None and r["rank"] <= 3 for r in rows) / n
        mrr = sum(1 / r["rank"] for r in rows if r["rank"]) / n
        ms = sorted(r["ms"] for r in rows)
        p90 = ms[min(n - 1, int(0.9 * n))]
        verdict = "pass" if hit3 >= TARGET_HIT3[lang] else "FAIL"
        lines.append(
            f"| {lang} | {n} | {hit1:.0%} | {hit3:.0%} | ≥ {TARGET_HIT3[lang]:.0%} {verdict} | {mrr:.2f} | "
            f"{statistics.median(ms):.0f} ms | {p90:.0f} ms | {rows[0]['ms']:.0f} ms | {res['first_bytes'] / 1024:.0f} KiB |"
        )
        misses += [(lang, r) for r in rows if r["rank"] is None or r["rank"] > 3]
    lines += ["", "## Not in the top 3", ""]
    if not misses:
        lines.append("None.")
    for lang, r in misses:
        anchor = f"#{r['anchor']}" if r.get("anchor") else ""
        lines.append(
            f"- {lang} `{r['q']}` → expected `{r['page']}{anchor}`, got {', '.join(f'`{h}`' for h in r['top']) or 'nothing'}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    queries = yaml.safe_load((HERE / "queries.yml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "macros.build", str(site)], cwd=ROOT, check=True)
        base_url, server = serve(site)
        try:
            results = run_queries(base_url, queries)
        finally:
            server.shutdown()
    text = report(results)
    (HERE / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
