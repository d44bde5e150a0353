"""Headers for the built site: `_headers` (Netlify, Cloudflare Pages) and an nginx snippet.

The Content-Security-Policy allows only the site's own files: pages carry no inline scripts (the theme's are
left out with its script bundle), so a script injected into a page would not run.
The theme's stylesheets carry a content hash in their names, so browsers may keep them for a year; every
other file is checked again on each visit. Text is sent compressed (hosts do it; nginx is told to).
"""

from __future__ import annotations

from pathlib import Path

VIDEO_HOST = "https://www.youtube-nocookie.com"  # framed only after the reader presses play
IMMUTABLE = "public, max-age=31536000, immutable"
# besides text/html (always compressed): nginx serves .xml (feeds, sitemaps) as text/xml, Python as application/xml
COMPRESSED = (
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/json",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/calendar",
)


def policy() -> str:
    return "; ".join(
        [
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
        ]
    )


def meta_policy() -> str:
    """The same policy for a page's <meta http-equiv> (hosts that send no headers): a meta tag cannot carry
    frame-ancestors, so framing stays covered by the header only."""
    return "; ".join(d for d in policy().split("; ") if not d.startswith("frame-ancestors"))


def headers() -> dict[str, dict[str, str]]:
    """Path pattern → headers: security for all, a year's cache for the theme's hashed stylesheets, noindex for the FAQ."""
    common = {
        "Content-Security-Policy": policy(),
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    return {
        "/*": common,
        "/assets/stylesheets/*": {"Cache-Control": IMMUTABLE},
        "/faq/*": {"X-Robots-Tag": "noindex, nofollow"},
    }


def write(site_dir: Path) -> None:
    rules = headers()
    netlify = "".join(
        f"{path}\n" + "".join(f"  {k}: {v}\n" for k, v in hs.items()) for path, hs in rules.items()
    )
    (site_dir / "_headers").write_text(netlify, encoding="utf-8")
    common = rules.pop("/*")
    nginx = ["# Headers for the JET site (include in the server block that serves site/)"]
    nginx += ["gzip on;", f"gzip_types {' '.join(COMPRESSED)};"]
    nginx += [f'add_header {k} "{v}" always;' for k, v in common.items()]
    for path, extra in rules.items():  # nginx drops the server's add_header inside a location: repeat them
        nginx += [f"location {path.rstrip('*')} {{"]
        nginx += [f'    add_header {k} "{v}" always;' for k, v in {**common, **extra}.items()]
        nginx += ["}"]
    (site_dir / "_nginx-headers.conf").write_text("\n".join(nginx) + "\n", encoding="utf-8")
