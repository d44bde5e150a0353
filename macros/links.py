"""Link targets a data file may publish: https:, http:, mailto:, tel: and paths of this site; and the one
Markdown converter for Markdown fields (raw HTML in data is shown as text, never passed through)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown

SCHEMES = ("https", "http", "mailto", "tel")
_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these from a URL before reading its scheme
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


def markdown_without_html() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def problem(url: str) -> str | None:
    """Why a link target may not be published, or None when it may."""
    clean = _IGNORED.sub("", url).replace("\\", "/")  # browsers read a backslash in a path as a slash
    scheme = _SCHEME.match(clean)
    if scheme and scheme[1].lower() not in SCHEMES:
        return f"link target {url!r}: only https:, http:, mailto:, tel: or a path of this site"
    if not scheme and clean.startswith("//"):
        return f"link target {url!r}: a link to another site needs https:"
    return None


class _Targets(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value or "" for name, value in attrs if name in ("href", "src")]


def targets(html: str) -> list[str]:
    """Every href and src of an HTML fragment, as the browser reads them (character references decoded)."""
    parser = _Targets()
    parser.feed(html)
    parser.close()
    return parser.found
