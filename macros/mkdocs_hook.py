"""Thin MkDocs hook: hands pages the data and the language being built; the data layer does the rest."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from macros import outputs  # noqa: E402
from macros.data import DataError, load_site  # noqa: E402
from macros.render import Renderer  # noqa: E402

log = logging.getLogger("mkdocs.hooks.data")
_state: dict = {}


def _lang(config) -> str:
    return config.theme["language"]


@event_priority(-200)  # after mkdocs-static-i18n has set this build's language
def on_config(config):
    try:
        site = load_site()
    except DataError as exc:
        for problem in exc.problems:
            log.error(str(problem))
        raise Abort(f"{len(exc.problems)} problem(s) in data/; nothing was built") from None
    for p in site.untranslated:
        log.info("untranslated: %s", p)
    _state["site"] = site
    config.site_name = site.ui[_lang(config)]["site"]["name"]
    config.site_description = site.ui[_lang(config)]["site"]["description"]
    return config


def on_nav(nav, config, files):
    """Section titles come from the UI strings (nav.<key> in data/ui/<lang>.yml)."""
    words = _state["site"].ui[_lang(config)]["nav"]
    for item in nav.items:
        if item.is_section:
            item.title = words[item.title]
    return nav


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale_alternate_of", None) or _lang(config)
    renderer = Renderer(_state["site"], lang, page.file.src_uri)
    markdown = renderer.render_page(markdown)
    _state.setdefault("nav_titles", {})[page.file.src_uri] = renderer.nav_title
    return markdown


def on_page_content(html, page, config, files):
    """A macro may give a short navigation title; the full heading stays the page's <title>."""
    short = _state["nav_titles"].pop(page.file.src_uri, None)
    if short:
        page.meta["title"] = page.title
        page.title = short
    return html


def on_page_context(context, page, config, nav):
    lang = _lang(config)
    context["ui"] = _state["site"].ui[lang]
    context["feed_href"] = Renderer(_state["site"], lang, page.file.src_uri).asset("news/feed.xml")
    return context


def on_post_build(config):
    lang = _lang(config)
    default = config.plugins["i18n"].default_language
    out = Path(config.site_dir) / ("" if lang == default else lang)
    outputs.write_all(_state["site"], lang, out, config.site_url or "")
