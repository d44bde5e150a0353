"""更新日 / "Last updated": the day the data a page is made of last changed — its last commit, or for a file
with edits not yet committed the day it was saved; never the day of the build."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path


def last_changed(root: Path) -> dict[str, dt.date]:
    """Path under root (data/…) → the day it last changed."""
    files = [p for p in (root / "data").rglob("*") if p.is_file()]
    out: dict[str, dt.date] = {}
    try:
        log = _git(root, "log", "--format=%x00%cs", "--name-only", "--", "data")
        dirty = {line[3:] for line in _git(root, "status", "--porcelain", "--", "data").splitlines()}
    except (OSError, subprocess.CalledProcessError):
        log, dirty = "", {p.relative_to(root).as_posix() for p in files}  # not a git checkout
    day = None
    for line in log.splitlines():
        if line.startswith("\0"):
            day = dt.date.fromisoformat(line[1:])
        elif line and day:
            out.setdefault(line, day)  # the log is newest first
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in dirty or rel not in out:
            out[rel] = dt.date.fromtimestamp(path.stat().st_mtime)
    return out


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


class Recorder:
    """The site as a page's templates see it, noting which data files they read (for the page's 更新日)."""

    # Site methods and the data each one reads
    _METHODS = {"role": "programme", "desk": "contacts", "audience": "audiences", "tag": "news"}
    _METHODS |= {"news_items": "news"}

    def __init__(self, site, used: set[str]):
        self._site, self._used = site, used

    def __getattr__(self, name: str):
        value = getattr(self._site, name)
        if name == "guidelines":
            return _Years(value, self._used)
        if name == "anchors":
            return lambda year: (self._used.add(f"data/guidelines/{year}.yml"), value(year))[1]
        if name in self._METHODS:
            self._used.add(f"data/{self._METHODS[name]}.yml")
        elif not callable(value) and name not in ("ui", "untranslated", "latest_year"):
            self._used.add(f"data/{name.replace('_', '-')}.yml")
        return value


class _Years(dict):
    """site.guidelines, noting each year read."""

    def __init__(self, years: dict, used: set[str]):
        super().__init__(years)
        self._used = used

    def __getitem__(self, year):
        self._used.add(f"data/guidelines/{year}.yml")
        return super().__getitem__(year)

    def values(self):
        self._used.update(f"data/guidelines/{year}.yml" for year in self)
        return super().values()

    def items(self):
        self.values()
        return super().items()
