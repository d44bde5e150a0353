"""Headless Chromium for the PDF step and the browser tests: Debian's chromium where present."""

from __future__ import annotations

import functools
import http.server
import shutil
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


def serve(directory: Path, handler: type = _Quiet) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve a built site on 127.0.0.1 (a free port) in a background thread; returns its URL and the server."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server
