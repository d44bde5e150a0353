"""Thin MkDocs hook: hands pages the data and the language being built; the data layer does the rest."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from macros import headers, outputs  # noqa: E402
from macros.data import ROOT, DataError, lang_prefix, load_site  # noqa: E402
from macros.render import Renderer  # noqa: E402

log = logging.getLogger("mkdocs.hooks.data")
HREFLANG = re.compile(r'(<link rel="alternate" href=")([^"]*)(" hreflang=")')
_state: dict = {}


def _lang(config) -> str:
    return config.theme["language"]


def _load_once():
    """The data, loaded again only when a file in data/ changed (each language build calls on_config)."""
    stamp = tuple((p, p.stat().st_mtime_ns) for p in sorted((ROOT / "data").rglob("*.yml")))
    if _state.get("stamp") != stamp:
        _state["site"], _state["stamp"] = load_site(), stamp
    return _state["site"]


def on_startup(command, dirty):
    _state["serving"] = command == "serve"


@event_priority(-200)  # after mkdocs-static-i18n has set this build's language
def on_config(config):
    _state["problems"] = []
    try:
        site = _load_once()
    except DataError as exc:
        if not _state.get("serving"):
            for problem in exc.problems:
                log.error(str(problem))
            raise Abort(f"{len(exc.problems)} problem(s) in data/; nothing was built") from None
        # `make serve` keeps running (so no strict-mode error): every page shows the problems until fixed
        _state["problems"] = [str(p) for p in exc.problems]
        print("\n".join(["data/ has problems:", *_state["problems"]]), file=sys.stderr, flush=True)
        return config
    for p in site.untranslated:
        log.info("untranslated: %s", p)
    config.site_name = site.ui[_lang(config)]["site"]["name"]
    config.site_description = site.ui[_lang(config)]["site"]["description"]
    return config


def on_files(files, config):
    """Material's scripts (its bundle, lunr search) are not used: they are not copied into the site."""
    for unused in [f for f in files if f.src_uri.startswith("assets/javascripts/")]:
        files.remove(unused)
    return files


def on_nav(nav, config, files):
    """Section titles come from the UI strings (nav.<key> in data/ui/<lang>.yml)."""
    if _state["problems"]:
        return nav
    words = _state["site"].ui[_lang(config)]["nav"]
    for item in nav.items:
        if item.is_section:
            item.title = words[item.title]
    return nav


def on_page_markdown(markdown, page, config, files):
    if _state["problems"]:
        lines = "\n".join(f"    {p}" for p in _state["problems"])
        return f"# data/ :: {len(_state['problems'])} problem(s)\n\n{lines}\n"
    lang = getattr(page.file, "locale_alternate_of", None) or _lang(config)
    renderer = Renderer(_state["site"], lang, page.file.src_uri)
    markdown = renderer.render_page(markdown)
    page.meta.update(renderer.page_meta)
    return markdown


def on_page_content(html, page, config, files):
    """A macro may give a short navigation title; the full heading stays the page's <title>."""
    short = page.meta.pop("nav_title", None)
    if short:
        page.meta["title"] = page.title
        page.title = short
    return html


def on_env(env, config, files):
    """UI strings of this language and the search's role filter, for every template (404 included)."""
    if _state["problems"]:
        env.globals.update(ui={}, search_roles=[])
        return env
    site, lang = _state["site"], _lang(config)
    renderer = Renderer(site, lang)
    env.globals["ui"] = site.ui[lang]
    env.globals["search_roles"] = [
        (r, renderer.role_label(r)) for r in site.guidelines[site.latest_year].roles
    ]
    return env


def on_page_context(context, page, config, nav):
    if _state["problems"]:
        return context
    context["feed_href"] = Renderer(_state["site"], _lang(config), page.file.src_uri).asset("news/feed.xml")
    return context


def on_post_page(output, page, config):
    """Search engines take hreflang links only as absolute URLs; Material writes them relative."""
    if not page.canonical_url:
        return output
    return HREFLANG.sub(lambda m: m[1] + urljoin(page.canonical_url, m[2]) + m[3], output)


def on_post_build(config):
    """Calendars and feeds of this language; with the default language, the site's security.txt."""
    if _state["problems"]:
        return
    lang = _lang(config)
    # every language build writes the site's one 404.html; keep the default language's
    not_found = Path(config.site_dir) / "404.html"
    if not lang_prefix(lang):
        _state["404"] = not_found.read_bytes()
        well_known = Path(config.site_dir) / ".well-known"
        well_known.mkdir(exist_ok=True)
        (well_known / "security.txt").write_text(
            headers.security_txt(_state["site"], config.site_url or ""), encoding="utf-8"
        )
    elif "404" in _state:
        not_found.write_bytes(_state["404"])
    out = Path(config.site_dir) / lang_prefix(lang)
    outputs.write_all(_state["site"], lang, out, config.site_url or "")
