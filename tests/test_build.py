"""The build's output: one build at a time, and a complete site at SITE_DIR whenever a build is killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PASSWORD, ROOT

# A build whose steps are replaced by a copy of a finished tree (the steps are tested elsewhere), killed with
# SIGKILL just before its n-th call that renames, links, unlinks or removes (n = 0: never).
KILLED_AT = """
import os, shutil, signal, sys
from pathlib import Path
import macros.build as b
tree, n, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
b._make = lambda release, password, started, pdf_cache: shutil.copytree(tree, release, dirs_exist_ok=True)
calls, busy = 0, False
def kill_at_n(call):
    def counted(*args, **kwargs):
        global calls, busy
        if busy:  # calls made inside a counted one (rmtree's unlinks) are part of it
            return call(*args, **kwargs)
        calls += 1
        if calls == n:
            os.kill(os.getpid(), signal.SIGKILL)
        busy = True
        try:
            return call(*args, **kwargs)
        finally:
            busy = False
    return counted
for owner, name in [(os, "replace"), (os, "rename"), (os, "symlink"), (os, "unlink"), (shutil, "rmtree"),
                    (b, "_exchange")]:
    if hasattr(owner, name):
        setattr(owner, name, kill_at_n(getattr(owner, name)))
code = b.build(out)
print("calls", calls)
sys.exit(code)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    return dict(env, NO_MKDOCS_2_WARNING="1", **extra)


def _fake_build(tree: Path, out: Path, n: int = 0) -> subprocess.CompletedProcess:
    args = [sys.executable, "-c", KILLED_AT, str(tree), str(n), str(out)]
    return subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (through SITE_DIR's link) with its content."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _tree(folder: Path, name: str, count: int) -> Path:
    for i in range(count):
        page = folder / f"section-{i % 3}" / f"page-{i}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"{name} build, page {i}", encoding="utf-8")
    return folder


def _leftovers(out: Path) -> list[str]:
    """The build's own files beside SITE_DIR other than the lock, the PDF cache and the one release SITE_DIR
    points to."""
    current = out.resolve()
    entries = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
    entries += list(out.parent.joinpath(f".{out.name}-releases").iterdir())
    return sorted(
        p.name
        for p in entries
        if p.name not in (f".{out.name}.lock", f".{out.name}-releases", f".{out.name}-pdf-cache")
        and p.resolve() != current
    )


@pytest.mark.parametrize("before", ["real folder", "release link"])
def test_a_kill_at_any_step_of_the_switch_leaves_a_complete_site(tmp_path, before):
    old, new = _tree(tmp_path / "old", "previous", 5), _tree(tmp_path / "new", "new", 12)
    start = tmp_path / "start" / "site"  # the output as it is before the build: a real folder or a link
    if before == "real folder":  # a site/ from before releases
        shutil.copytree(old, start)
    else:
        start.parent.mkdir()
        assert _fake_build(old, start).returncode == 0
    expected = {"previous": _files(old), "new": _files(new)}
    seen = set()
    for n in range(1, 50):
        work = tmp_path / f"kill-{n}"
        shutil.copytree(start.parent, work, symlinks=True)
        out = work / "site"
        result = _fake_build(new, out, n)
        if result.returncode == 0:  # fewer than n calls: the build ran to its end
            assert _files(out) == expected["new"] and _leftovers(out) == []
            break
        assert result.returncode == -signal.SIGKILL, result.stderr
        outcome = next((k for k, v in expected.items() if _files(out) == v), None)
        assert outcome, f"killed before call {n}: {out} is neither the previous nor the new site"
        seen.add(outcome)
        # the next build clears what the killed one left
        assert _fake_build(new, out).returncode == 0
        assert _files(out) == expected["new"] and _leftovers(out) == []
    else:
        raise AssertionError("the build never finished")
    assert n > 3 and seen == {"previous", "new"}, (
        n,
        seen,
    )  # every step was reached, before and after the switch


def test_without_renameat2_a_real_folder_still_becomes_the_link(tmp_path):
    """Where Linux's RENAME_EXCHANGE is missing (macOS, some file systems) the first switch moves the folder aside."""
    out = tmp_path / "site"
    _tree(out, "previous", 3)
    new = _tree(tmp_path / "new", "new", 4)
    missing = (
        "def missing(a, b_):\n    raise OSError(38, 'renameat2 is not available')\nb._exchange = missing\n"
    )
    code = KILLED_AT.replace("code = b.build(out)", missing + "code = b.build(out)")
    args = [sys.executable, "-c", code, str(new), "0", str(out)]
    assert subprocess.run(args, cwd=ROOT, env=_env(), timeout=60).returncode == 0
    assert out.is_symlink() and _files(out) == _files(new) and _leftovers(out) == []


def _wait_for(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_builds_at_once_wait_and_a_killed_build_changes_nothing(built, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous build", encoding="utf-8")
    before = _files(out)
    releases = tmp_path / ".site-releases"

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "macros.build", str(out)],
            cwd=ROOT,
            env=_env(FAQ_PASSWORD=PASSWORD),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: MkDocs and Pagefind are killed with it
        )

    # killed in the middle of the MkDocs step
    killed = start()
    _wait_for(lambda: any(releases.glob(f"*-{killed.pid}/en/index.html")))
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert _files(out) == before

    # two builds at once: the second waits for the first, says so once, and both succeed
    first = start()
    _wait_for(lambda: any(releases.glob(f"*-{first.pid}/en/index.html")))  # the first holds the lock
    second = start()
    outputs = [p.communicate(timeout=300)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert outputs[1].count("build: waiting for the build into") == 1, outputs[1]
    assert "waiting" not in outputs[0]
    assert sorted(_files(out)) == sorted(_files(built))  # complete: the same files as a single build
    assert out.is_symlink() and _leftovers(out) == []  # the killed build's release is gone
