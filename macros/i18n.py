"""`python -m macros.i18n` (`make i18n-report`): the state of the English translation.

Lists, per data file and per UI-string file, English fields marked `untranslated`, and English fields whose
Japanese source changed after the English was last edited (from git history: no hashes to keep by hand).
Missing English fails `make check` and the build already, unless waived with `untranslated: true`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from .data import LANGS, ROOT, DataError, load_faq, load_site, walk
from .schema import Text
from .yamlsrc import Source, fmt_path, read


def blame_times(root: Path, rel: str) -> dict[int, int]:
    """Line number → time the line was last changed (uncommitted lines count as now)."""
    result = subprocess.run(
        ["git", "blame", "--line-porcelain", "--", rel], cwd=root, capture_output=True, text=True
    )
    if result.returncode != 0:
        return {}
    times, line, now = {}, 0, int(dt.datetime.now().timestamp())
    for row in result.stdout.splitlines():
        parts = row.split()
        if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit():
            line = int(parts[2])
            times[line] = now if parts[0] == "0" * 40 else times.get(line, 0)
        elif row.startswith("author-time ") and times.get(line) != now:
            times[line] = int(row.split()[1])
    return times


def _changed(times: dict[int, int], src: Source, path) -> int:
    first, last = src.lines[path], src.last_lines.get(path, src.lines[path])
    return max((times.get(n, 0) for n in range(first, last + 1)), default=0)


def _day(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts).date().isoformat()


def report(root: Path = ROOT) -> list[str]:
    site = load_site(root)
    faq, faq_untranslated = load_faq(site, root)
    lines = [f"{p}" for p in site.untranslated + faq_untranslated]
    # Japanese edited after English, field by field
    for file in sorted((root / "data").rglob("*.yml")):
        rel = file.relative_to(root).as_posix()
        if rel.startswith("data/ui/"):
            continue
        src = read(file, rel)
        times = blame_times(root, rel)
        if not times:
            continue
        model = _model_of(site, faq, rel)
        for path, obj in walk(model):
            if isinstance(obj, Text) and obj.en is not None and (*path, "en") in src.lines:
                ja, en = _changed(times, src, (*path, "ja")), _changed(times, src, (*path, "en"))
                if ja > en:
                    lines.append(
                        f"{rel}:{src.lines[(*path, 'en')]}: {fmt_path((*path, 'en'))}: "
                        f"Japanese changed {_day(ja)}, English last {_day(en)}: check the translation"
                    )
    # UI strings: the same key in ja.yml changed after en.yml
    ja_src, en_src = (read(root / f"data/ui/{lang}.yml", f"data/ui/{lang}.yml") for lang in LANGS)
    ja_times, en_times = blame_times(root, "data/ui/ja.yml"), blame_times(root, "data/ui/en.yml")
    for path in en_src.lines:
        if path in ja_src.lines and isinstance(_get(en_src.data, path), str) and ja_times and en_times:
            ja, en = _changed(ja_times, ja_src, path), _changed(en_times, en_src, path)
            if ja > en:
                lines.append(
                    f"data/ui/en.yml:{en_src.lines[path]}: {fmt_path(path)}: "
                    f"Japanese changed {_day(ja)}, English last {_day(en)}: check the translation"
                )
    return lines


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _model_of(site, faq, rel: str):
    stem = Path(rel).stem
    if rel.startswith("data/guidelines/"):
        return site.guidelines[int(stem)]
    if rel.startswith("data/faq/"):
        return faq
    return getattr(site, stem.replace("-", "_"))


def main() -> int:
    try:
        lines = report()
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = defaultdict(int)
    for line in lines:
        print(line)
        counts["untranslated" if line.endswith("untranslated") else "stale"] += 1
    print(
        f"i18n: {counts['untranslated']} untranslated (waived), {counts['stale']} to check after Japanese edits"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
