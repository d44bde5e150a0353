"""Hosting rules of the built site, one source for every host: `_headers` (Netlify, Cloudflare Pages; served as
is by `make preview`), an nginx snippet, the CSP as a <meta> for hosts that send no headers, security.txt.

The Content-Security-Policy allows only the site's own files: pages carry no inline scripts (the theme's are
left out with its script bundle), so a script injected into a page would not run. Files with a content hash in
their names (the theme's stylesheets, Pagefind's index) may be kept for a year; every other file — pages, feeds,
calendars, the FAQ, scripts — is revalidated on each visit (`no-cache`), so a republished site or a new FAQ
password shows at once. Text is sent compressed (hosts do it; nginx is told to).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .data import LANGS, Site, lang_prefix

VIDEO_HOST = "https://www.youtube-nocookie.com"  # framed only after the reader presses play
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# content-hashed names: Material's stylesheets, Pagefind's index files
HASHED = r"[._][0-9a-f]{7,}\.(?:min\.css|pf_[a-z]+)(?:\.map)?$"
HEADER_FILES = ("_headers", "_nginx-headers.conf")  # read by hosts, never served
HSTS_SUBDOMAINS = "HSTS_INCLUDE_SUBDOMAINS"  # "1" only when the site owns its domain and every subdomain
# file name ending → Content-Type, where hosts guess wrong (nginx: .ics as text/plain, .xml as text/xml)
TYPES = {
    "feed.xml": "application/atom+xml",
    ".xml": "application/xml",
    ".ics": "text/calendar",
    ".wasm": "application/wasm",
}
# sent with charset=utf-8; all but plain text also compressed (text/html always is)
TEXT = (
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
    "application/atom+xml",
    "text/calendar",
    "text/plain",
)
COMPRESSED = (*TEXT, "application/wasm")
NOINDEX = {"X-Robots-Tag": "noindex, nofollow"}  # the FAQ editions (the landing page /faq/ is public)


def _directives() -> list[str]:
    return [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",  # Pagefind runs WebAssembly
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        f"frame-src {VIDEO_HOST}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        # no string becomes HTML or script: search and the menu build the page with DOM calls, and the FAQ
        # inserts its decrypted document only through its one policy (faq.js)
        "require-trusted-types-for 'script'",
        "trusted-types jet-faq",
    ]


def policy() -> str:
    return "; ".join(_directives())


def meta_policy() -> str:
    """The policy as a <meta http-equiv> may carry it: browsers ignore frame-ancestors there (header only)."""
    return "; ".join(d for d in _directives() if not d.startswith("frame-ancestors"))


def content_type(name: str, guessed: str) -> str:
    """The Content-Type of a file as the hosting rules serve it."""
    kind = next((t for end, t in TYPES.items() if name.endswith(end)), guessed)
    return f"{kind}; charset=utf-8" if kind in (*TEXT, "text/html") else kind


def security() -> dict[str, str]:
    """Headers for every file. HSTS covers subdomains only when HSTS_INCLUDE_SUBDOMAINS=1: wrong for a site
    published under a path of a domain that others use."""
    hsts = "max-age=31536000" + ("; includeSubDomains" if os.environ.get(HSTS_SUBDOMAINS) == "1" else "")
    return {
        "Content-Security-Policy": policy(),
        "Strict-Transport-Security": hsts,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def _caching(folder: Path, url: str) -> Iterator[tuple[str, str]]:
    """(pattern, Cache-Control) covering each file below ``folder`` exactly once: one pattern for a folder whose
    files are all alike, else one per file and subfolder (an index.html also by its folder's URL)."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.name not in HEADER_FILES]
    kinds = {bool(re.search(HASHED, p.name)) for p in files}
    if len(kinds) == 1:
        yield url + "*", IMMUTABLE if kinds == {True} else REVALIDATE
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir():
            yield from _caching(child, f"{url}{child.name}/")
        elif child.name not in HEADER_FILES:
            cache = IMMUTABLE if re.search(HASHED, child.name) else REVALIDATE
            yield from ([(url, cache)] if child.name == "index.html" else [])
            yield url + child.name, cache


def rules(site_dir: Path) -> list[tuple[str, dict[str, str]]]:
    """`_headers` rules: path pattern → headers. No two patterns matching one file set the same header, so every
    host's way of combining rules (merging, joining values, the last wins) gives the same headers."""
    out = [("/*", security())]
    out += [(pattern, {"Cache-Control": cache}) for pattern, cache in _caching(site_dir, "/")]
    editions = sorted(d for d in (site_dir / "faq").glob("*/") if d.is_dir())
    return out + [(f"/faq/{d.name}/*", NOINDEX) for d in editions]


def _nginx(base: str) -> str:
    """The same rules for nginx, by regular expressions that hold for every build and any base path."""

    def location(match: str, *body: str, cache: str = REVALIDATE, extra: dict | None = None) -> list[str]:
        sent = {**security(), "Cache-Control": cache, **(extra or {})}
        return (
            [f'location ~ "{match}" {{', *(f"    {b}" for b in body)]
            + [f'    add_header {k} "{v}" always;' for k, v in sent.items()]
            + ["}"]
        )

    lines = [
        "# Hosting rules of the JET site (written by macros/headers.py): include in the server block serving site/.",
        "# nginx drops the server's add_header inside a location that has its own: each location repeats them all.",
        "charset utf-8;",
        f"charset_types {' '.join(TEXT)};",
        "gzip on;",
        "gzip_vary on;",
        f"gzip_types {' '.join(COMPRESSED)};",
        f"error_page 404 {base}404.html;",
        *(f'add_header {k} "{v}" always;' for k, v in {**security(), "Cache-Control": REVALIDATE}.items()),
        'location ~ "/(' + "|".join(re.escape(f) for f in HEADER_FILES) + ')$" {',
        "    return 404;",
        "}",
        *location(HASHED, cache=IMMUTABLE),
    ]
    for end, kind in TYPES.items():
        lines += location(re.escape(end) + "$", "types { }", f"default_type {kind};")
    lines += location("/faq/[^/]+/", extra=NOINDEX)
    return "\n".join(lines) + "\n"


def write(site_dir: Path) -> None:
    """`_headers` and `_nginx-headers.conf` for the site as built (SITE_URL gives nginx the path of 404.html)."""
    netlify = "".join(
        f"{path}\n" + "".join(f"  {k}: {v}\n" for k, v in hs.items()) for path, hs in rules(site_dir)
    )
    (site_dir / "_headers").write_text(netlify, encoding="utf-8")
    base = urlsplit(os.environ.get("SITE_URL", "")).path or "/"
    (site_dir / "_nginx-headers.conf").write_text(_nginx(base), encoding="utf-8")


def security_txt(site: Site, base_url: str) -> str:
    """/.well-known/security.txt (RFC 9116): report a security problem to the desk named in data/contacts.yml
    (`security`), through its contact page in each language; stale after `security.expires`."""
    sec = site.contacts.security
    lines = [f"# {site.ui[lang]['sample']['entry']}" for lang in LANGS] if sec.sample else []
    lines += [f"Contact: {urljoin(base_url, f'{lang_prefix(lang)}contacts/#{sec.desk}')}" for lang in LANGS]
    lines += [
        f"Expires: {sec.expires.isoformat()}T23:59:59+09:00",
        f"Preferred-Languages: {', '.join(LANGS)}",
        f"Canonical: {urljoin(base_url, '.well-known/security.txt')}",
    ]
    return "\n".join(lines) + "\n"
