"""Helpers of the benchmarks (and of the tests, which make project copies the same way)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what a copy of the project leaves out: environments, outputs, caches
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "site", ".site-*", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"
)


def project_copy(dest: Path) -> Path:
    """A copy of the project (without environments and outputs) to break, extend or time."""
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")  # the npm tools (Pagefind, fonts), shared
    return dest


def build_site(
    out: Path, cwd: Path = ROOT, env: dict | None = None
) -> tuple[subprocess.CompletedProcess, dict]:
    """`make build` (python -m macros.build) into ``out``: its output, and each step's own seconds (read from
    its lines "build: <step> (<seconds since the start> s)")."""
    result = subprocess.run(
        [sys.executable, "-m", "macros.build", str(out)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    steps, last = {}, 0.0
    for name, at in re.findall(r"^build: (.+) \(([\d.]+) s\)$", result.stdout, re.M):
        if not name.startswith("done"):
            steps[name], last = float(at) - last, float(at)
    return result, steps


def wait_for(url: str, text: str, limit: float = 120) -> None:
    """Poll a page (e.g. of `make serve`) until it shows ``text``; raises after ``limit`` seconds."""
    import time
    import urllib.request

    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if text in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"serve never showed {text!r} at {url}")
