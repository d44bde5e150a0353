"""Print the pamphlet page of each language to an A4 PDF with headless Chromium (print stylesheet)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from .browser import launch
from .data import LANGS, lang_prefix
from .render import PAMPHLET_PDF


def pamphlets(site_dir: Path) -> list[Path]:
    written = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        # the PDF is made from local files only: anything else would be a leak of the reader's privacy
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        for lang in LANGS:
            out = site_dir / lang_prefix(lang) / PAMPHLET_PDF.format(lang=lang)
            page.goto((out.parent / "index.html").resolve().as_uri())
            page.emulate_media(media="print")
            page.pdf(path=str(out), format="A4", print_background=True, prefer_css_page_size=True)
            written.append(out)
        browser.close()
    return written
