"""Headless Chromium and local servers for the PDF step, `make preview`, the browser tests and the benchmarks.

`python -m macros.browser SITE_DIR PORT` serves a built site as its host would (`make preview`): by its
hosting rules, unknown paths answered with its 404 page.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .headers import COMPRESSED, HEADER_FILES, content_type

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


class Hosted(_Quiet):
    """Serves a built site as its host would, by the build's hosting rules (macros/headers.py): the headers of its
    `_headers` file (a pattern ending in * matches by prefix, any other the path exactly), the Content-Types
    of the rules, gzip for the types the nginx snippet compresses (so sizes and timings are those readers get),
    the header files refused, no folder listings, and unknown paths answered with the site's 404.html."""

    _gzipped: dict[tuple[str, int], bytes] = {}
    _compressible = False

    def end_headers(self):
        rules = read_headers(Path(self.directory) / "_headers")
        for name, value in headers_for(rules, unquote(urlsplit(self.path).path)).items():
            self.send_header(name, value)
        if self._compressible:
            self.send_header("Vary", "Accept-Encoding")
        super().end_headers()

    def guess_type(self, path):
        return content_type(os.path.basename(path), super().guess_type(path))

    def list_directory(self, path):
        self.send_error(404)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self._compressible = False
        self.send_response(404)
        self.send_header("Content-Type", content_type("404.html", "text/html"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_head(self):
        url = unquote(urlsplit(self.path).path)
        if url.rsplit("/", 1)[-1] in HEADER_FILES:
            self.send_error(404)
            return None
        path = Path(self.translate_path(self.path))
        if path.is_dir() and url.endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path)).split(";")[0]
        self._compressible = path.is_file() and kind in ("text/html", *COMPRESSED)
        if not self._compressible or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        key = (str(path), path.stat().st_mtime_ns)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(path.read_bytes(), 6)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def read_headers(path: Path) -> list[tuple[str, dict[str, str]]]:
    """The rules of a `_headers` file: (path pattern, {header: value}), in order; none if there is no file."""
    rules: list[tuple[str, dict[str, str]]] = []
    if not path.is_file():
        return rules
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(" "):
            rules.append((line, {}))
        elif line.strip():
            name, value = line.strip().split(": ", 1)
            rules[-1][1][name] = value
    return rules


def headers_for(rules: list[tuple[str, dict[str, str]]], path: str) -> dict[str, str]:
    """The headers of every rule matching a URL path, as Netlify and Cloudflare Pages match them: a pattern
    ending in * by prefix, any other exactly."""
    out: dict[str, str] = {}
    for pattern, headers in rules:
        if path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1])):
            out.update(headers)
    return out


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


if __name__ == "__main__":
    site, port = Path(sys.argv[1]), int(sys.argv[2])
    url, server = serve(site, Hosted, port)
    print(f"Serving {site} at {url} (Ctrl+C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
