"""Maintainer workflow: editor schemas, next year's scaffold, live preview with data errors."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

import yaml
from conftest import ROOT, project_copy, run

from macros import schemas
from macros.browser import mkdocs_serve
from macros.yamlsrc import fmt_path, read, texts


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


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _moved_title(title: dict, year: int, intake: int, by: int) -> dict:
    """The title with its year, 令和 year (the year less 2018) and intake moved on ``by`` years."""
    reiwa = year - 2018
    ja = title["ja"].replace(f"令和{reiwa}", f"令和{reiwa + by}").replace(str(year), str(year + by))
    en = title["en"].replace(f"Reiwa {reiwa}", f"Reiwa {reiwa + by}").replace(str(year), str(year + by))
    ja = ja.replace(f"第{intake}期", f"第{intake + by}期")
    en = en.replace(f"{intake}{_suffix(intake)} Intake", f"{intake + by}{_suffix(intake + by)} Intake")
    return {"ja": ja, "en": en}


def test_new_guidelines_scaffold(tmp_path):
    root = project_copy(tmp_path / "p")
    latest = max(int(p.stem) for p in (root / "data/guidelines").glob("*.yml"))
    year, old_file = latest + 1, root / f"data/guidelines/{latest}.yml"
    result = run(["-m", "macros.scaffold", str(year)], cwd=root)
    assert result.returncode == 0, result.stderr
    name = f"data/guidelines/{year}.yml"
    new_file = root / name
    old, new = (
        yaml.safe_load(old_file.read_text(encoding="utf-8")),
        yaml.safe_load(new_file.read_text(encoding="utf-8")),
    )
    # the edition moved on, in both languages of the title
    assert (new["year"], new["intake"]) == (year, old["intake"] + 1)
    assert new["title"] == _moved_title(old["title"], latest, old["intake"], 1) != old["title"]
    # nothing else moved but the key dates, cleared
    src = read(old_file, "old")
    dates = {
        src.lines[("dates", i, k)] for i, d in enumerate(old["dates"]) for k in ("start", "end") if k in d
    }
    edition = {src.lines[(k,)] for k in ("year", "intake")} | {src.lines[("title", k)] for k in ("ja", "en")}
    before = old_file.read_text(encoding="utf-8").splitlines()
    after = new_file.read_text(encoding="utf-8").splitlines()
    assert {n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b} == dates | edition
    # every other text naming a year is listed for the maintainer, with its line (the programme's first year
    # is a fixed fact)
    since = yaml.safe_load((root / "data/programme.yml").read_text(encoding="utf-8"))["figures"]["since"]
    for path, text in texts(old):
        for lang in ("ja", "en"):
            years = set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text.get(lang) or "")) - {str(since)}
            listed = f"{name}:{src.lines[(*path, lang)]}: {fmt_path((*path, lang))}: names"
            assert (listed in result.stdout) == bool(years and path != ("title",)), listed
    # make check: each cleared date "to fill in", one line each, with its line; nothing else
    check = run(["-m", "macros", "check"], cwd=root)
    assert check.returncode == 1
    blanks = read(new_file, name)
    expected = [
        f"{name}:{blanks.lines[('dates', i, k)]}: dates[{i}].{k}: to fill in"
        for i, d in enumerate(new["dates"])
        for k in ("start", "end")
        if k in d
    ]
    assert [line for line in check.stderr.splitlines() if line.startswith(name)] == expected
    # filled in (a year on from the old value written beside each), it passes and builds
    text = re.sub(
        r'"YYYY-MM(?:-DD)?"  # \d+: (\d{4})',
        lambda m: str(int(m[1]) + 1),
        new_file.read_text(encoding="utf-8"),
    )
    new_file.write_text(text, encoding="utf-8")
    assert run(["-m", "macros", "check"], cwd=root).returncode == 0
    out = tmp_path / "out"
    build = run(["-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=root)
    assert build.returncode == 0, build.stderr
    for view in ("", "cir/", "sea/"):
        assert (out / f"guidelines/{year}" / view / "index.html").exists()
        assert (out / f"en/guidelines/{year}" / view / "index.html").exists()
    assert (out / f"guidelines-{year}.ics").exists()


def test_scaffold_moves_the_edition_a_text_names(tmp_path):
    """A text naming the edition itself (「2024年度」, "2024 programme year") moves with it; other years stay."""
    root = project_copy(tmp_path / "p")
    latest = max(int(p.stem) for p in (root / "data/guidelines").glob("*.yml"))
    old_file = root / f"data/guidelines/{latest}.yml"
    src = read(old_file, "old")
    index = len(src.data["preamble"]) - 2  # a paragraph the next one follows directly
    paragraph = src.data["preamble"][index]["text"]
    added = {"ja": f"（{latest}年度、{latest - 5}年）", "en": f" (the {latest} programme year, {latest - 5})"}
    lines = old_file.read_text(encoding="utf-8").splitlines()
    for lang in ("ja", "en"):  # at the end of the value's last line
        last = src.last_lines[("preamble", index, "text", lang)] - 1
        lines[last] += added[lang]
    old_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["-m", "macros.scaffold", str(latest + 1)], cwd=root)
    assert result.returncode == 0, result.stderr
    new = yaml.safe_load((root / f"data/guidelines/{latest + 1}.yml").read_text(encoding="utf-8"))
    moved = {lang: added[lang].replace(str(latest), str(latest + 1)) for lang in ("ja", "en")}
    assert new["preamble"][index]["text"] == {lang: paragraph[lang] + moved[lang] for lang in ("ja", "en")}
    for lang in ("ja", "en"):
        where = f"data/guidelines/{latest + 1}.yml:{src.lines[('preamble', index, 'text', lang)]}:"
        lines = [line for line in result.stdout.splitlines() if line.startswith(where)]
        assert len(lines) == 2 and "moved on from" in lines[0] and lines[1].endswith(f"names {latest - 5}")


def test_check_fails_on_a_stale_edition(tmp_path):
    """Next year's file copied by hand with only the year changed: the title (both languages) and the intake
    still name the old edition."""
    root = project_copy(tmp_path / "p")
    latest = max(int(p.stem) for p in (root / "data/guidelines").glob("*.yml"))
    name = f"data/guidelines/{latest + 1}.yml"
    text = (root / f"data/guidelines/{latest}.yml").read_text(encoding="utf-8")
    (root / name).write_text(re.sub(r"(?m)^year: \d+$", f"year: {latest + 1}", text), encoding="utf-8")
    check = run(["-m", "macros", "check"], cwd=root)
    assert check.returncode == 1
    src = read(root / name, name)
    for path in (("intake",), ("title", "ja"), ("title", "en")):
        assert f"{name}:{src.lines[path]}: {fmt_path(path)}: " in check.stderr
    assert len([line for line in check.stderr.splitlines() if line.startswith("data/")]) == 3
    # the same file with a title naming the right year, 令和 year and intake passes
    data = yaml.safe_load(text)
    right = _moved_title(data["title"], latest, data["intake"], 1)
    for lang in ("ja", "en"):
        text = text.replace(data["title"][lang], right[lang])
    text = re.sub(r"(?m)^intake: \d+$", f"intake: {data['intake'] + 1}", text)
    (root / name).write_text(re.sub(r"(?m)^year: \d+$", f"year: {latest + 1}", text), encoding="utf-8")
    check = run(["-m", "macros", "check"], cwd=root)
    assert check.returncode == 0, check.stderr


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
