"""`python -m bench.yearly` (`make bench-yearly`): the cost of a second year → bench/yearly/report.md.

Two copies of the project: the real data (one year), and the same with next year added as a maintainer adds
it (`make new-guidelines`, every key date filled in a year on, a few texts reworded and a pay amount raised),
so it has its three guidelines pages and three 新旧対照表 pages more. Budgets: `make build` (pages, search
index, PDFs, the FAQ) with two years ≤ 1.5× with one; under `make serve`, saving a data file → the rebuilt
page served ≤ 2 s. Builds alternate between the copies; medians of several runs, with the CPU time of the
build's processes and the machine's load average, since the machine is shared.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench import build_site, project_copy, wait_for
from macros import fmt
from macros.browser import mkdocs_serve
from macros.data import load_site
from macros.scaffold import scaffold
from macros.yamlsrc import texts

HERE = Path(__file__).resolve().parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", FAQ_PASSWORD="benchmark-password-0123456789")
ENV.pop("FAQ_PASSWORD_FILE", None)
BUILD_BUDGET = 1.5  # two years' build ÷ one year's
SERVE_BUDGET = 2.0  # seconds from saving a data file to the rebuilt page
BUILDS = 5  # per copy, alternated
EDITS = 5  # saves per file under serve


def add_next_year(root: Path) -> int:
    """Next year as a maintainer makes it: scaffolded, its dates filled in, a few edits."""
    year = load_site(root).latest_year + 1
    scaffold(year, root)
    path = root / f"data/guidelines/{year}.yml"
    text = re.sub(
        r'"YYYY-MM(?:-DD)?"  # \d+: (\d{4})', lambda m: str(int(m[1]) + 1), path.read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    for i, (_, t) in enumerate(texts(data["sections"])):
        if i % 40 == 0:  # one text in 40 reworded
            cut = t["ja"].find("、") + 1 or len(t["ja"])
            t["ja"] = t["ja"][:cut] + "改めて" + t["ja"][cut:]
            t["en"] = t["en"].replace(" the ", " this ", 1)
    _pay(data)["rows"][0]["yen"] += 40000
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return year


def _pay(data: dict) -> dict:
    stack = list(data["sections"])
    while stack:
        sec = stack.pop()
        stack += sec.get("sections") or []
        for b in sec.get("blocks") or []:
            if b["type"] == "pay":
                return b
    raise LookupError("no pay table")


def build_once(project: Path, out: Path) -> dict:
    """One `make build` (python -m macros.build): wall and CPU seconds (its processes), and its steps."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    _, steps = build_site(out, project, ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "steps": steps, "pages": len(list(out.resolve().rglob("index.html")))}


def bench_builds(one: Path, two: Path) -> dict:
    runs: dict[str, list[dict]] = {"one": [], "two": []}
    for i in range(BUILDS):
        for name, project in (("one", one), ("two", two)) if i % 2 == 0 else (("two", two), ("one", one)):
            runs[name].append(build_once(project, project / "site"))
    return runs


def _cpu_of(pid: int) -> float:
    """CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _edits(project: Path, year: int | None):
    """(file, page, edit) to time: each edit changes the file's text and returns what the page then shows.
    Contacts (a page of its own) in every copy; with ``year``, that year's pay (its pages and comparison)."""
    contacts = project / "data/contacts.yml"

    def closes(k: int):
        text = contacts.read_text(encoding="utf-8")
        at = text.index("closes: ") + 9
        contacts.write_text(text[:at] + f"18:{k}5" + text[at + 5 :], encoding="utf-8")
        return f"18:{k}5"

    out = [("data/contacts.yml", "contacts/", closes)]
    if year is not None:
        file = project / f"data/guidelines/{year}.yml"

        def pay(k: int):
            text = file.read_text(encoding="utf-8")
            yen = int(re.search(r"yen: (\d+)", text)[1]) + 10000
            file.write_text(re.sub(r"yen: \d+", f"yen: {yen}", text, count=1), encoding="utf-8")
            return fmt.yen(yen, load_site(project).ui["ja"])

        out.insert(0, (f"data/guidelines/{year}.yml", f"guidelines/{year}/changes/", pay))
    return out


def bench_serve(project: Path, year: int | None = None) -> dict[str, list[tuple[float, float]]]:
    """Under `make serve`, save a data file and time until the page showing it is served rebuilt (wall, and the
    serve process's CPU seconds)."""
    base, server = mkdocs_serve(
        project, ["data", "macros", "overrides"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    out: dict[str, list[tuple[float, float]]] = {}
    try:
        wait_for(base + "contacts/", "17:45")
        for name, page, edit in _edits(project, year):
            out[name] = []
            for k in range(1, EDITS + 1):
                cpu, started = _cpu_of(server.pid), time.perf_counter()
                shown = edit(k)
                wait_for(base + page, shown)
                out[name].append((time.perf_counter() - started, _cpu_of(server.pid) - cpu))
                time.sleep(0.5)  # let livereload settle before the next save
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def _med(values) -> float:
    return statistics.median(values)


def _spread(runs: list[dict]) -> str:
    return f"{min(r['wall'] for r in runs):.1f}–{max(r['wall'] for r in runs):.1f}"


def report(runs: dict, serve: dict, loads: list[float], year: int, pages: dict) -> str:
    one, two = runs["one"], runs["two"]
    ratio = _med(r["wall"] for r in two) / _med(r["wall"] for r in one)
    cpu_ratio = _med(r["cpu"] for r in two) / _med(r["cpu"] for r in one)
    rebuild = max(_med(t for t, _ in times) for times in serve["two"].values())  # the slower file's median
    worse = max(ratio, cpu_ratio)  # wall carries the machine's other work, CPU does not: the worse of the two
    rows = [
        f"| `make build` two years ÷ one (medians of {BUILDS}: the worse of wall {ratio:.2f}× and CPU "
        f"{cpu_ratio:.2f}×) | ≤ {BUILD_BUDGET}× | {worse:.2f}× | {'pass' if worse <= BUILD_BUDGET else 'FAIL'} |",
        f"| `make serve` rebuild after a data edit, two years (median of {EDITS}, the slower file) "
        f"| ≤ {SERVE_BUDGET:.0f} s | {rebuild:.2f} s | {'pass' if rebuild <= SERVE_BUDGET else 'FAIL'} |",
    ]
    steps = list(dict.fromkeys(k for r in one + two for k in r["steps"]))
    build_rows = [
        f"| whole build (wall) | {_med(r['wall'] for r in one):.1f} | {_med(r['wall'] for r in two):.1f} "
        f"| {ratio:.2f}× |",
        f"| whole build (CPU of its processes) | {_med(r['cpu'] for r in one):.1f} "
        f"| {_med(r['cpu'] for r in two):.1f} | {cpu_ratio:.2f}× |",
    ]
    for step in steps:
        a = _med(r["steps"].get(step, 0) for r in one)
        b = _med(r["steps"].get(step, 0) for r in two)
        build_rows.append(f"| · {step} | {a:.1f} | {b:.1f} | {b / a if a else 0:.2f}× |")
    serve_rows = [
        f"| {copy.replace('one', 'one year').replace('two', 'two years')} | saving {name} "
        f"| {_med(t for t, _ in times):.2f} s | {max(t for t, _ in times):.2f} s | {_med(c for _, c in times):.2f} s |"
        for copy in ("one", "two")
        for name, times in serve[copy].items()
    ]
    return f"""# The second year's cost (yearly cycle)

Run {dt.date.today().isoformat()} by `make bench-yearly` (`.venv/bin/python -m bench.yearly`, Python
{platform.python_version()}, {os.cpu_count()} CPUs). Load average (1 min) before, between and after the runs:
{", ".join(f"{x:.1f}" for x in loads)} — the machine is shared, so wall times carry other processes' work;
CPU times are the build's own processes.

One year: the real data ({pages["one"]} HTML pages). Two years: the same with {year} added as a maintainer
adds it (`make new-guidelines YEAR={year}`, every key date a year on, one text in 40 reworded, a pay amount
raised): {pages["two"]} HTML pages, the {year} guidelines in three views and their 新旧対照表 in three.
`make build` (`python -m macros.build`, the FAQ included) ran {BUILDS} times on each copy, alternated.

## Budgets

| budget | limit | measured | result |
|---|---|---|---|
{chr(10).join(rows)}

## `make build`

Medians in seconds (wall-clock build times ranged {_spread(one)} s with one year, {_spread(two)} s with two).

| part | one year | two years | ratio |
|---|---|---|---|
{chr(10).join(build_rows)}

## Rebuild under `make serve`

`mkdocs serve --livereload` watching data/, macros/ and overrides/ (as `make serve`) on each copy; each file
saved {EDITS} times, timed from the save to the rebuilt page served with the new value (the {year} comparison
page for the {year} guidelines, the contacts page for data/contacts.yml). CPU: the serve process's own time
for that rebuild (each rebuild is the whole site in both languages); wall time above it is waiting for the
machine's other work and for the file watcher.

| copy | edit | median | worst | CPU median |
|---|---|---|---|---|
{chr(10).join(serve_rows)}
"""


def main() -> int:
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        one = project_copy(Path(tmp) / "one")
        two = project_copy(Path(tmp) / "two")
        year = add_next_year(two)
        runs = bench_builds(one, two)
        loads.append(os.getloadavg()[0])
        serve = {"one": bench_serve(one), "two": bench_serve(two, year)}
        loads.append(os.getloadavg()[0])
        pages = {name: runs[name][-1]["pages"] for name in runs}
    text = report(runs, serve, loads, year, pages)
    (HERE / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if "FAIL" not in text else 1


if __name__ == "__main__":
    sys.exit(main())
