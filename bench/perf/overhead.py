"""`python -m bench.perf.overhead`: where our part of a MkDocs build goes, as JSON (seconds per step).

Run in a fresh process that has imported MkDocs, Material and static-i18n first, as a build has."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import material  # noqa: F401
import mkdocs.commands.build  # noqa: F401
import mkdocs_static_i18n.plugin  # noqa: F401


def main() -> None:
    steps, started = {}, time.perf_counter()

    def step(name: str) -> None:
        nonlocal started
        steps[name] = time.perf_counter() - started
        started = time.perf_counter()

    from macros import data, outputs, render  # noqa: F401

    step("import the data layer (pydantic schema, Babel, calendar and feed libraries)")
    site = data.load_site()
    step("load and validate data/")
    pages = [
        (p.relative_to(data.ROOT / "content").as_posix(), p) for p in (data.ROOT / "content").rglob("*.md")
    ]
    for lang in data.LANGS:
        for rel, path in pages:
            render.Renderer(site, lang, rel).render_page(path.read_text(encoding="utf-8"))
    step(f"render {len(pages)} pages × {len(data.LANGS)} languages (compiling the templates once)")
    with tempfile.TemporaryDirectory() as out:
        for lang in data.LANGS:
            outputs.write_all(site, lang, Path(out) / data.lang_prefix(lang), "https://example.org/")
    step("write calendars and feeds")
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
