"""`python -m bench.search [--record]`: hit@1, hit@3, MRR, latency, first-query bytes, indexing time and what the
results show → bench/search/report.md, next to the runs recorded in bench/search/runs.yml (--record adds this one).

Builds the public site into a temporary folder (no FAQ), serves it on 127.0.0.1 as its host would (headers
included) and types every query of bench/search/queries.yml into the header search of the page's language, as a
reader would. Every result shown is checked: an excerpt must not show a keyword list of the data, and a marked
word must not be a piece of a query word.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import sync_playwright

from bench import build_site
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
from macros.browser import Hosted, launch, serve
from macros.data import lang_prefix, load_site

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RUNS = HERE / "runs.yml"
TARGETS = {"ja": {"hit3": 0.98}, "en": {"hit3": 0.97, "mrr": 0.92}}  # and no excerpt showing keywords


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


# How many of the index's Japanese words (Pagefind marks their boundaries with U+200B in each page's record)
# the browser's Intl.Segmenter, which cuts the query, cuts the same way from the same text.
AGREEMENT_JS = """pages => {
  const seg = new Intl.Segmenter('ja', {granularity: 'word'}), cjk = /[\\u3040-\\u30ff\\u3400-\\u9fff]/;
  let words = 0, same = 0;
  for (const content of pages) {
    const text = content.split('\\u200b').join('');
    const cut = new Set([...seg.segment(text)].filter(s => s.isWordLike).map(s => `${s.index}:${s.index + s.segment.length}`));
    let at = 0;
    for (const piece of content.split('\\u200b')) {
      const word = piece.trim(), start = at + piece.indexOf(word);
      if (word && cjk.test(word)) { words++; if (cut.has(`${start}:${start + word.length}`)) same++; }
      at += piece.length;
    }
  }
  return same / words;
}"""


def agreement(page, site: Path) -> float:
    """The share of the index's Japanese words that the browser's segmenter cuts alike (see AGREEMENT_JS)."""
    pages = [
        json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd") :])["content"]
        for f in (site / "pagefind" / "fragment").glob("ja_*.pf_fragment")
    ]
    return page.evaluate(AGREEMENT_JS, pages)


def run_queries(base: str, items_by_lang: dict, site: Path | None = None) -> dict:
    results = {}
    with sync_playwright() as p:
        browser = launch(p)
        for lang, items in items_by_lang.items():
            context = browser.new_context(bypass_csp=True)  # Playwright's waiting evaluates strings
            page = context.new_page()
            loaded = []
            page.on("requestfinished", lambda r, seen=loaded: seen.append(r.sizes()["responseBodySize"]))
            page.goto(base + lang_prefix(lang))
            page.wait_for_load_state("networkidle")
            before = sum(loaded)
            page.evaluate(WATCH)
            rows = []
            for n, item in enumerate(items):
                ms = type_query(page, item["q"])
                shown = page.evaluate(RESULTS_JS)
                hrefs = [r["href"] for r in shown]
                rank = _rank(hrefs, lang, item["page"], item.get("anchor"))
                words = page.evaluate(WORDS_JS, item["q"])
                rows.append({**item, "rank": rank, "ms": ms, "shown": shown, "words": words})
                if n == 0:
                    page.wait_for_load_state("networkidle")
                    first_bytes = sum(loaded) - before
            results[lang] = {"rows": rows, "first_bytes": first_bytes}
            if lang == "ja" and site:
                results[lang]["agreement"] = agreement(page, site)
            context.close()
        browser.close()
    return results


def summary(lang: str, res: dict, build: dict, lists: list[list[str]]) -> dict:
    rows = res["rows"]
    n = len(rows)
    ms = sorted(r["ms"] for r in rows)
    shown = [(r, s) for r in rows for s in r["shown"]]
    return {
        "date": dt.date.today().isoformat(),
        **build,
        "lang": lang,
        "queries": n,
        "hit1": round(sum(r["rank"] == 1 for r in rows) / n, 4),
        "hit3": round(sum(r["rank"] is not None and r["rank"] <= 3 for r in rows) / n, 4),
        "mrr": round(sum(1 / r["rank"] for r in rows if r["rank"]) / n, 4),
        "median_ms": round(statistics.median(ms)),
        "p90_ms": round(ms[min(n - 1, int(0.9 * n))]),
        "first_ms": round(rows[0]["ms"]),
        "first_kib": round(res["first_bytes"] / 1024),
        "excerpts": len(shown),
        "keyword_excerpts": sum(bool(shows_keywords(s["excerpt"], lists)) for _, s in shown),
        "ja_word_agreement": round(res["agreement"], 3) if "agreement" in res else None,
        "partial_marks": sum(bool(partial_marks(r["q"], r["words"], s["marks"])) for r, s in shown),
    }


def built(site: Path) -> dict:
    """Build the public site; the Pagefind version and its indexing time (from the build's step times)."""
    out, steps = build_site(site)
    print(out.stdout, out.stderr, sep="", end="")
    version = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))["version"]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "pagefind": version,
        "commit": head.stdout.strip() + ("+" if dirty.stdout.strip() else ""),
        "index_s": round(steps["search index"], 1),
    }


def _pct(x: float) -> str:
    return f"{x:.1%}"


def report(runs: list[dict], live: list[dict], results: dict, lists: dict) -> str:
    lines = [
        "# Search benchmark",
        "",
        f"Run {dt.date.today().isoformat()} by `make bench-search`: the queries of `bench/search/queries.yml` typed into",
        "the header search of the built site in headless Chromium on 127.0.0.1, served as its host would (gzip). A hit",
        "is the expected page (the CIR/SEA views count as the guidelines page) with the expected heading anchor.",
        "Latency: last keystroke → results rendered, including the UI's 60 ms typing pause. Index: the build's",
        "Pagefind step. Every result shown is checked: *keyword excerpts* show two keywords of one `keywords:` list",
        "of the data side by side; *partial marks* highlight a piece of a query word (給 of 給与) or a lone character",
        "(a target in Japanese; in English they are stems Pagefind matched: work for working).",
        "*ja words cut alike*: the share of the index's Japanese words that Chromium's `Intl.Segmenter`, which",
        "Pagefind uses to cut the query, cuts the same way from the same text (index and query agreeing).",
        "Earlier rows come from `bench/search/runs.yml` (the same queries run on those commits).",
        "",
        "| Pagefind | commit | language | queries | hit@1 | hit@3 | MRR | median | p90 | first query | first-query bytes"
        " | index | ja words cut alike | excerpts | keyword excerpts | partial marks |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = {(r["commit"], r["pagefind"], r["lang"]) for r in live}
    for r in [r for r in runs if (r["commit"], r["pagefind"], r["lang"]) not in keys] + live:
        lines.append(
            f"| {r['pagefind']} | `{r['commit']}`{' (this run)' if r in live else ''} | {r['lang']} | {r['queries']}"
            f" | {_pct(r['hit1'])} | {_pct(r['hit3'])} | {r['mrr']:.2f} | {r['median_ms']} ms | {r['p90_ms']} ms"
            f" | {r['first_ms']} ms | {r['first_kib']} KiB | {r['index_s']:.1f} s"
            f" | {_pct(r['ja_word_agreement']) if r.get('ja_word_agreement') else '–'} | {r['excerpts']}"
            f" | {r['keyword_excerpts']} | {r['partial_marks']} |"
        )
    lines += ["", "## Targets (this run)", ""]
    for r in live:
        checks = [f"hit@3 {_pct(r['hit3'])} ≥ {TARGETS[r['lang']]['hit3']:.0%}"]
        ok = r["hit3"] >= TARGETS[r["lang"]]["hit3"]
        if "mrr" in TARGETS[r["lang"]]:
            checks.append(f"MRR {r['mrr']:.2f} ≥ {TARGETS[r['lang']]['mrr']:.2f}")
            ok = ok and r["mrr"] >= TARGETS[r["lang"]]["mrr"]
        checks.append(f"{r['keyword_excerpts']} excerpts showing keywords (0)")
        ok = ok and r["keyword_excerpts"] == 0
        if r["lang"] == "ja":
            checks.append(f"{r['partial_marks']} partial marks (0)")
            ok = ok and r["partial_marks"] == 0
        lines.append(f"- {r['lang']}: {', '.join(checks)}: **{'pass' if ok else 'FAIL'}**")
    lines += ["", "## Not in the top 3 (this run)", ""]
    misses = [
        (lang, r) for lang, res in results.items() for r in res["rows"] if not r["rank"] or r["rank"] > 3
    ]
    for lang, r in misses:
        anchor = f"#{r['anchor']}" if r.get("anchor") else ""
        got = ", ".join(f"`{s['href']}`" for s in r["shown"][:3]) or "nothing"
        lines.append(f"- {lang} `{r['q']}` → expected `{r['page']}{anchor}`, got {got}")
    lines += ["None."] if not misses else []
    flagged = []
    for lang, res in results.items():
        for r in res["rows"]:
            for shown in r["shown"]:
                pair, parts = (
                    shows_keywords(shown["excerpt"], lists[lang]),
                    partial_marks(r["q"], r["words"], shown["marks"]),
                )
                if pair or parts:
                    why = f"keywords “{pair}”" if pair else f"marks {parts}"
                    flagged.append(f"- {lang} `{r['q']}` → `{shown['href']}`: {why}: “{shown['excerpt']}”")
    lines += [
        "",
        "## Excerpts showing keywords or partial marks (this run)",
        "",
        *(flagged[:20] or ["None."]),
    ]
    if len(flagged) > 20:
        lines.append(f"- … and {len(flagged) - 20} more")
    return "\n".join(lines) + "\n"


def main() -> int:
    site_data = load_site()
    lists = {lang: keyword_lists(site_data, lang) for lang in ("ja", "en")}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build = built(site)
        base_url, server = serve(site, Hosted)
        try:
            results = run_queries(base_url, queries(), site)
        finally:
            server.shutdown()
    live = [summary(lang, res, build, lists[lang]) for lang, res in results.items()]
    runs = yaml.safe_load(RUNS.read_text(encoding="utf-8")) if RUNS.exists() else []
    if "--record" in sys.argv:
        keys = {(r["commit"], r["pagefind"], r["lang"]) for r in live}
        runs = [r for r in runs if (r["commit"], r["pagefind"], r["lang"]) not in keys] + live
        RUNS.write_text(
            "# Summaries of earlier runs of `python -m bench.search --record`, shown in report.md\n"
            + yaml.safe_dump(runs, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    text = report(runs, live, results, lists)
    (HERE / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
