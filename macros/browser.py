"""Headless Chromium and local servers for the PDF step, the browser tests and the benchmarks."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def executable() -> str | None:
    """The system Chromium, or None to let Playwright use its own (where `playwright install` works)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright):
    return playwright.chromium.launch(executable_path=executable(), args=ARGS)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    directory: Path, handler: type = _Quiet, port: int = 0
) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve a built site on 127.0.0.1 (a free port) in a background thread; returns its URL and the server."""
    bound = functools.partial(handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), bound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def mkdocs_serve(project: Path, watch: list[str], **popen) -> tuple[str, subprocess.Popen]:
    """`mkdocs serve --livereload` of a project on a free port (what `make serve` runs); returns URL and process."""
    port = free_port()
    args = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}"]
    for folder in watch:
        args += ["--watch", folder]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return f"http://127.0.0.1:{port}/", subprocess.Popen(args, cwd=project, env=env, **popen)
