"""Maintainer workflow: editor schemas, next year's scaffold, live preview with data errors."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import yaml
from conftest import ROOT, project_copy, run

from macros import schemas
from macros.browser import mkdocs_serve


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
