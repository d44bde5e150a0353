"""`python -m macros.build [SITE_DIR]`: the whole site, atomically.

Public pages (MkDocs), search index (Pagefind), pamphlet PDFs and the encrypted FAQ are built into a
temporary folder; SITE_DIR (default site/) is replaced only when every step succeeded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import faq, headers, pdf
from .crypto import PasswordError, take_password
from .data import ROOT, DataError, load_faq, load_site
from .render import FAQ_BUILT

PAGEFIND = ROOT / "node_modules" / ".bin" / "pagefind"  # npm `pagefind` (locked in package-lock.json)


def _step(name: str, started: float) -> None:
    print(f"build: {name} ({time.perf_counter() - started:.1f} s)", flush=True)


def build(site_dir: Path) -> int:
    started = time.perf_counter()
    try:
        load_faq(load_site())
    except DataError as exc:
        print(exc, file=sys.stderr)
        print(
            f"build: {len(exc.problems)} problem(s) in data/; {site_dir} left unchanged",
            file=sys.stderr,
        )
        return 1
    try:  # read, and removed from the environment before any child process starts
        password = take_password(ROOT)
    except PasswordError as exc:
        if os.environ.get("FAQ_REQUIRED"):
            print(f"build: FAQ refused: {exc}; {site_dir} left unchanged", file=sys.stderr)
            return 2
        password = None
        print(f"build: the FAQ is not built ({exc})", file=sys.stderr)

    tmp = site_dir.with_name(f".{site_dir.name}-build")
    shutil.rmtree(tmp, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **({FAQ_BUILT: "1"} if password else {}))
    steps = [
        ("pages", [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp)]),
        (
            "search index",
            [
                str(PAGEFIND),
                "--site",
                str(tmp),
                "--quiet",
                "--exclude-selectors",
                ".headerlink",
                "--exclude-selectors",
                ".gl-views",
            ],
        ),
    ]
    try:
        for name, command in steps:
            if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
                raise RuntimeError(f"{name} failed")
            _step(name, started)
        pdf.pamphlets(tmp)
        _step("pamphlet PDFs", started)
        if password is not None:
            faq.build(tmp / "faq", password)
            _step("FAQ (encrypted)", started)
        headers.write(tmp)
    except Exception as exc:  # any failed step: keep the previous site as it was
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"build: {exc}; {site_dir} left unchanged", file=sys.stderr)
        return 1

    old = site_dir.with_name(f".{site_dir.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        site_dir.rename(old)
    tmp.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
    _step(f"done: {site_dir}", started)
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    sys.exit(build(target.resolve()))
