"""Thin MkDocs hook: hands pages the data and the language being built; the data layer does the rest."""

from __future__ import annotations

import html
import logging
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

from jinja2 import BytecodeCache
from markupsafe import Markup
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.nav import Section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from macros import headers, outputs  # noqa: E402
from macros.data import LANGS, DataError, data_files, lang_prefix, load_site  # noqa: E402
from macros.render import Renderer  # noqa: E402

log = logging.getLogger("mkdocs.hooks.data")
YEAR_PAGE = re.compile(r"^guidelines/(\d{4})/")
HREFLANG = re.compile(r'(<link rel="alternate" href=")([^"]*)(" hreflang=")')
_state: dict = {}


def _lang(config) -> str:
    return config.theme["language"]


def _version(file: Path) -> tuple[int, ...]:
    try:
        st = file.stat()  # through a link: its target
    except OSError:
        return ()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _load_once():
    """The data, loaded again only when a file the loader reads (or refuses) changed (each language build calls
    on_config)."""
    files, refused = data_files()
    stamp = (tuple((p, _version(p)) for p in files), tuple(map(str, refused)))
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
    """Section titles come from the UI strings (nav.<key> in data/ui/<lang>.yml); earlier years' guidelines
    go under an archive heading, newest first."""
    if _state["problems"]:
        return nav
    site, ui = _state["site"], _state["site"].ui[_lang(config)]
    for item in nav.items:
        if item.is_section:
            if item.title == "guidelines":
                _archive(item, site.latest_year, ui)
            item.title = ui["nav"][item.title]
    return nav


def _archive(section, latest: int, ui: dict) -> None:
    years: dict[int, list] = {}
    for child in section.children:
        m = YEAR_PAGE.match(child.file.src_uri) if child.is_page else None
        years.setdefault(int(m[1]) if m else latest, []).append(child)
    earlier = [
        Section(ui["guidelines"]["nav_year"].format(year=year), years[year])
        for year in sorted(years, reverse=True)
        if year != latest
    ]
    section.children = years.get(latest, []) + ([Section(ui["nav"]["archive"], earlier)] if earlier else [])
    for parent in [section, *earlier, *section.children[len(years.get(latest, [])) :]]:
        for child in parent.children:
            child.parent = parent


def on_page_markdown(markdown, page, config, files):
    if _state["problems"]:
        lines = "\n".join(f"    {p}" for p in _state["problems"])
        return f"# data/ :: {len(_state['problems'])} problem(s)\n\n{lines}\n"
    lang = getattr(page.file, "locale_alternate_of", None) or _lang(config)
    public = (config.site_url or "") if os.environ.get("SITE_URL") else ""  # mkdocs.yml: this machine
    renderer = Renderer(_state["site"], lang, page.file.src_uri, public)
    markdown = renderer.render_page(markdown)
    page.meta.update(renderer.page_meta, updated=renderer.updated())
    return markdown


def _plain(items) -> None:
    """Contents-list titles as plain text (MkDocs gives them as HTML; the theme's templates escape them)."""
    for item in items:
        item.title = html.unescape(item.title)
        _plain(item.children)


def on_page_content(content, page, config, files):
    """Titles become plain text for the escaping theme templates; a macro may give a short navigation
    title, and the full heading stays the page's <title>."""
    page.title = html.unescape(page.title)
    _plain(page.toc.items)
    short = page.meta.pop("nav_title", None)
    if short:
        page.meta["title"] = page.title
        page.title = short
    return content


class _Compiled(BytecodeCache):
    """The theme's templates compiled once per process: MkDocs makes a new environment for each build (each
    language, each `make serve` rebuild). Jinja checks each template's source checksum, so an edited template is
    compiled again."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def on_env(env, config, files):
    """The theme's templates escape every value (MkDocs' environment does not by default), so no data string
    can become markup there; UI strings of this language and the search's role filter, for every template."""
    env.autoescape = True
    env.bytecode_cache = _COMPILED
    env.globals["csp"] = headers.meta_policy()
    if _state["problems"]:
        env.globals.update(ui={}, search_roles=[], search_years=[], ui_langs=[])
        return env
    site, lang = _state["site"], _lang(config)
    renderer = Renderer(site, lang)
    env.globals["ui"] = site.ui[lang]
    env.globals["ui_langs"] = [(code, lang_prefix(code), site.ui[code]) for code in LANGS]  # the one 404 page
    env.globals["search_years"] = sorted(site.guidelines, reverse=True)  # the current year first
    env.globals["search_roles"] = [
        (r, renderer.role_label(r)) for r in site.guidelines[site.latest_year].roles
    ]
    return env


def on_page_context(context, page, config, nav):
    page.content = Markup(page.content)  # the page body is HTML we rendered (data in it escaped by macros/)
    if _state["problems"]:
        return context
    context["feed_href"] = Renderer(_state["site"], _lang(config), page.file.src_uri).asset("news/feed.xml")
    return context


def on_post_page(output, page, config):
    """Search engines take hreflang links only as absolute URLs; Material writes them relative. Each page is
    noted for the sitemap."""
    lang = _lang(config)
    path = page.url.removeprefix(lang_prefix(lang))
    if not page.meta.get("archived"):
        _state.setdefault("sitemap", {}).setdefault(path, {})[lang] = (
            page.canonical_url,
            page.meta.get("updated"),
        )
    if not page.canonical_url:
        return output
    return HREFLANG.sub(lambda m: m[1] + urljoin(page.canonical_url, m[2]) + m[3], output)


def on_post_build(config):
    """Calendars and feeds of this language; with the default language, the site's security.txt."""
    if _state["problems"]:
        _state.pop("sitemap", None)  # a page list of a build with problems: not the next build's
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
    if lang == LANGS[-1]:  # every language built: one sitemap for the site
        outputs.write_sitemap(Path(config.site_dir), _state.pop("sitemap", {}))
