"""`python -m macros.build [SITE_DIR]`: the whole site, atomically, one build at a time.

Public pages (MkDocs), search index (Pagefind), pamphlet PDFs and the encrypted FAQ are built into a release
folder of this build's own (`.site-releases/<id>/` beside SITE_DIR, default site/). SITE_DIR is a symbolic link
to the current release, replaced in one rename once every step has succeeded: a failed or killed build leaves the
previous site as it was. A lock (`.site.lock`) makes a second build into the same SITE_DIR wait for the first.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import faq, headers, pdf
from .crypto import PasswordError, take_password
from .data import ROOT, DataError, load_faq, load_site
from .render import FAQ_BUILT

PAGEFIND = ROOT / "node_modules" / ".bin" / "pagefind"  # npm `pagefind` (locked in package-lock.json)


def _step(name: str, started: float) -> None:
    print(f"build: {name} ({time.perf_counter() - started:.1f} s)", flush=True)


def _sibling(site_dir: Path, suffix: str) -> Path:
    """The build's own files beside SITE_DIR: .site.lock, .site-releases, .site-link-<id>."""
    return site_dir.with_name(f".{site_dir.name}{suffix}")


@contextmanager
def _lock(site_dir: Path) -> Iterator[None]:
    """One build at a time per SITE_DIR; a second one waits (the lock goes when its holder ends, even killed)."""
    with _sibling(site_dir, ".lock").open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "?"
            print(f"build: waiting for the build into {site_dir} already running (pid {holder})", flush=True)
            fcntl.flock(f, fcntl.LOCK_EX)
        f.truncate(0)
        f.write(f"{os.getpid()}\n")
        f.flush()
        yield


def _make(out: Path, password: str | None, started: float, pdf_cache: Path) -> None:
    """Every step of the site into the empty folder ``out``; raises at the first that fails."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **({FAQ_BUILT: "1"} if password else {}))
    steps = [
        ("pages", [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)]),
        (
            "search index",
            [
                str(PAGEFIND),
                "--site",
                str(out),
                "--quiet",
                "--exclude-selectors",
                ".headerlink",
                "--exclude-selectors",
                ".gl-views",
            ],
        ),
    ]
    for name, command in steps:
        if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
            raise RuntimeError(f"{name} failed")
        _step(name, started)
    pdf.print_pdfs(pdf.site_jobs(out), out, pdf_cache)
    _step("PDFs", started)
    if password is not None:
        faq.build(out / "faq", password)
        _step("FAQ (encrypted)", started)
    headers.write(out)


def _exchange(a: Path, b: Path) -> None:
    """Swap two names in one step (Linux renameat2 with RENAME_EXCHANGE); OSError where that is unavailable."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_fdcwd, rename_exchange = -100, 2
    if renameat2 is None:
        raise OSError("renameat2 is not available")
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(b))


def _switch(site_dir: Path, release: Path) -> None:
    """Point SITE_DIR at ``release`` in one rename. The first time, SITE_DIR may still be a real folder: it is
    swapped with the link in one step where Linux allows, else moved aside just before the link takes its place."""
    link = _sibling(site_dir, f"-link-{release.name}")
    os.symlink(os.path.relpath(release, site_dir.parent), link)
    if site_dir.is_symlink() or not site_dir.is_dir():
        os.replace(link, site_dir)
        return
    try:
        _exchange(link, site_dir)  # the link's name now holds the old folder (pruned as a stale link)
    except OSError:
        os.rename(site_dir, release.with_name(f"{release.name}-previous"))
        os.replace(link, site_dir)


def _prune(site_dir: Path) -> None:
    """Remove every release but the current one and any link left by a killed build (under the lock)."""
    current = site_dir.resolve() if site_dir.is_symlink() else None
    for entry in _sibling(site_dir, "-releases").iterdir():
        if entry.resolve() != current:
            shutil.rmtree(entry, ignore_errors=True)
    for stale in site_dir.parent.glob(f".{site_dir.name}-link-*"):
        if stale.is_symlink():
            os.unlink(stale)
        else:
            shutil.rmtree(stale, ignore_errors=True)


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
    if not os.environ.get("SITE_URL"):
        print("build: SITE_URL is not set: the pamphlet prints no web address", file=sys.stderr)

    releases = _sibling(site_dir, "-releases")
    releases.mkdir(parents=True, exist_ok=True)
    with _lock(site_dir):
        _prune(site_dir)
        release = releases / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        release.mkdir()
        try:
            _make(release, password, started, _sibling(site_dir, "-pdf-cache"))
        except Exception as exc:  # any failed step: keep the previous site as it was
            shutil.rmtree(release, ignore_errors=True)
            print(f"build: {exc}; {site_dir} left unchanged", file=sys.stderr)
            return 1
        _switch(site_dir, release)
        _prune(site_dir)
    _step(f"done: {site_dir} → {release.relative_to(site_dir.parent)}", started)
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    sys.exit(build(Path(os.path.abspath(target))))
