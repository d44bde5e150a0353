"""`python -m bench.compare`: time of the 新旧対照表 of two years → bench/compare/report.md (budget 0.3 s).

Next year is made from the latest real year as a maintainer makes it (the scaffold's draft, every key date
filled in a year on) in two variants: a typical year (a handful of edits) and a heavy one (every third text
reworded, every pay amount raised). One comparison = what the pages need: the complete view and each role
view, with the text diff of every change in both languages and its cells; timed cold (caches emptied) and
warm, over repeated runs.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from macros import compare as c
from macros import edition
from macros import schema as s
from macros.data import ROOT, load_site
from macros.scaffold import draft
from macros.yamlsrc import read, texts

HERE = Path(__file__).resolve().parent
BUDGET = 0.3  # seconds: comparison of two years, every view
RUNS = 15


def next_year(site, heavy: bool) -> s.Guidelines:
    """The scaffold's draft of next year with its dates filled in, then edited."""
    year = site.latest_year
    source = ROOT / "data" / "guidelines" / f"{year}.yml"
    src = read(source, "latest.yml")
    old = edition.Edition(year, src.data["intake"])
    new = edition.Edition(year + 1, old.intake + 1)
    text, _ = draft(
        src, source.read_text(encoding="utf-8"), old, new, site.programme.figures.since, "next.yml"
    )
    text = re.sub(r'"YYYY-MM(?:-DD)?"  # \d+: (\d{4})', lambda m: str(int(m[1]) + 1), text)
    data = yaml.safe_load(text)
    for i, (_, t) in enumerate(texts(data["sections"])):
        if heavy and i % 3 == 0 or not heavy and i % 40 == 0:
            cut = t["ja"].find("、") + 1 or len(t["ja"])  # a word inserted after the first comma
            t["ja"] = t["ja"][:cut] + "改めて" + t["ja"][cut:]
            t["en"] = t["en"].replace(" the ", " this ", 1) + " (revised)"
    for b in _blocks(data["sections"]):
        if b["type"] == "pay":
            for row in b["rows"] if heavy else b["rows"][:1]:
                row["yen"] += 40000
        if b["type"] == "list" and heavy:
            b["items"].insert(1, {"text": {"ja": "追加の項目です。", "en": "An added item."}})
            b["items"].pop()
    return s.Guidelines.model_validate(data)


def _blocks(sections):
    for sec in sections:
        yield from sec.get("blocks") or []
        yield from _blocks(sec.get("sections") or [])


def one_run(old: s.Guidelines, new: s.Guidelines) -> tuple[float, float, int, int]:
    start, cpu = time.perf_counter(), time.process_time()
    changes = unchanged = 0
    for role in (None, *new.roles):
        result = c.compare(old, new, role)
        for change in result.changes:
            for lang in ("ja", "en"):
                change.diff(lang)
                for cell in change.cells:
                    if cell.changed and isinstance(cell.new or cell.old, s.Text):
                        cell.diff(lang)
        changes += len(result)
        unchanged += result.unchanged
    return time.perf_counter() - start, time.process_time() - cpu, changes, unchanged


def measure(old, new) -> dict:
    cold, cpu, warm = [], [], []
    for _ in range(RUNS):
        c._tokens.cache_clear()
        c._ratio.cache_clear()
        c._segments.cache_clear()
        t, t_cpu, changes, unchanged = one_run(old, new)
        cold.append(t)
        cpu.append(t_cpu)
        warm.append(one_run(old, new)[0])
    return {"cold": cold, "cpu": cpu, "warm": warm, "changes": changes, "unchanged": unchanged}


def main() -> None:
    load = os.getloadavg()[0]
    site = load_site()
    old = site.guidelines[site.latest_year]
    rows = []
    for name, heavy in (("typical year", False), ("heavy year", True)):
        m = measure(old, next_year(site, heavy))
        worst = max(m["cold"])
        rows.append(
            f"| {name} | {m['changes']} | {m['unchanged']} | {statistics.median(m['cold']) * 1000:.0f} ms "
            f"| {worst * 1000:.0f} ms | {statistics.median(m['cpu']) * 1000:.0f} ms "
            f"| {statistics.median(m['warm']) * 1000:.0f} ms "
            f"| ≤ {BUDGET * 1000:.0f} ms {'pass' if worst <= BUDGET else 'FAIL'} |"
        )
        print(rows[-1])
    report = f"""# Comparison benchmark (新旧対照表)

Run {dt.date.today().isoformat()} by `.venv/bin/python -m bench.compare` (Python {platform.python_version()},
{RUNS} runs each): {site.latest_year} against next year made from it by the scaffold's draft, every key date
filled in a year later. One comparison is what the pages need: the complete view and the {len(old.roles)} role
views, every change's text diff in both languages and its cells. Cold: the token and similarity caches
emptied first; warm: a second run straight after (as `make serve` rebuilds would see it).

- typical year: one text in 40 reworded, one pay amount raised (plus the dates);
- heavy year: every third text reworded, every pay amount raised, an item added to and one removed from
  every list.

Changes and unchanged clauses are summed over the views. Times are wall-clock; CPU is the process's own
time (what the comparison costs without other processes competing). Load average at the start:
{load:.1f} on {os.cpu_count()} CPUs.

| next year | changes | unchanged | median (cold) | worst (cold) | CPU median (cold) | median (warm) | budget (worst) |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""
    (HERE / "report.md").write_text(report, encoding="utf-8")
    print(f"wrote {(HERE / 'report.md').relative_to(ROOT)}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
