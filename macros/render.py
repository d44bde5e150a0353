"""Render data into Markdown pages with Jinja (StrictUndefined, autoescaping). No MkDocs here."""

from __future__ import annotations

import json
import posixpath
import re
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urljoin

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from . import fmt, links
from . import schema as s
from .data import REF, Site, lang_prefix, walk
from .updated import Recorder

TEMPLATES = Path(__file__).parent / "templates"
# PDFs printed by pdf.py and linked by the macros (pdf.j2), in each language's folder
PAMPHLET_PDF = "pamphlet/jet-pamphlet-{lang}.pdf"
GUIDELINES_PDF = "guidelines/{year}/jet-guidelines-{year}{view}-{lang}.pdf"
_SPECIAL = re.compile(r"[&<>\"'\\`*_{}\[\]#|]")


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def in_language(html: Markup, raw: str, lang: str) -> Markup:
    """Mark a passage written wholly in the other language (WCAG 3.1.2): <span lang="en"> on a Japanese page."""
    japanese = bool(_JAPANESE.search(raw))
    if lang == "ja" and not japanese and len(_LATIN_WORD.findall(raw)) >= 2:
        return Markup('<span lang="en">') + html + Markup("</span>")
    if lang == "en" and japanese and not _LATIN_WORD.search(raw):
        return Markup('<span lang="ja">') + html + Markup("</span>")
    return html


def esc(text: str) -> Markup:
    """Plain text → HTML that Markdown leaves alone: HTML and Markdown characters as references."""
    return Markup(_SPECIAL.sub(lambda m: f"&#{ord(m[0])};", text))


def css_string(text: str) -> str:
    """Text as a quoted CSS string: every character that could end the string, the rule or a <style>
    element is written as a hex escape."""
    return '"' + "".join(c if c.isalnum() or c in " .,()・（）" else f"\\{ord(c):x} " for c in text) + '"'


def _finalize(value: object) -> Markup:
    """Every ``{{ … }}`` of our templates: Markup was built safely and passes; anything else is text from
    data or the UI strings and is escaped for HTML and Markdown alike (the one escaping path)."""
    return value if isinstance(value, Markup) else esc(str(value))


def _join(items, separator: str = "") -> Markup:
    """Jinja's ``join`` would HTML-escape only: join escaped items instead."""
    return esc(separator).join(_finalize(item) for item in items)


def json_script(data: object) -> Markup:
    """JSON for a ``<script type="application/…json">`` element: no character of it can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def template_env(folder: Path) -> Environment:
    """The Jinja environment of every template we render (pages and FAQ): strict, and escaping by default."""
    env = Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters["join"] = _join
    return env


def page_url(src_uri: str) -> str:
    """Site-relative URL of a page file, as MkDocs builds it with directory URLs."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


class GuidelinesView:
    """One year's guidelines seen in full (role=None) or for one role: visibility, refs, footnotes."""

    def __init__(self, r: Renderer, g: s.Guidelines, role: str | None, only: list[str] | None = None):
        self.r, self.g, self.role, self.only = r, g, role, only
        self.footnotes: list[s.Footnote] = []
        self._fns = {f.id: f for f in g.footnotes}
        self._dates = {d.id: d for d in g.dates}
        self.anchors = r.site.anchors(g.year)
        self._numbers: dict[str, str] = {}
        self._visible: set[str] = set()
        self._index(g.sections, "", True)
        if only is not None:  # an excerpt shows only what lies within its sections
            self._visible &= set(only) | {
                getattr(o, "id", None) for i in only for _, o in walk(self.anchors[i])
            }

    @cached_property
    def current(self) -> GuidelinesView | None:
        """On an earlier year's pages: the same view of the latest year (its full view if it lacks the role)."""
        latest = self.r.site.latest_year
        if self.g.year == latest or self.only is not None:
            return None
        role = self.role if self.role in self.r.site.guidelines[latest].roles else None
        return self.r.guidelines_view(latest, role)

    def current_link(self, anchor: str = "") -> Markup | None:
        """Link to the latest year's same view, at ``anchor`` — None when that view has no such clause."""
        cur = self.current
        if cur is None or (anchor and anchor not in cur.visible):
            return None
        return self.r.link(cur.page, anchor)

    @property
    def page(self) -> str:
        """The page file of this view."""
        return f"guidelines/{self.g.year}/{self.role or 'index'}.md"

    @property
    def visible(self) -> set[str]:
        return self._visible

    def excerpt(self) -> list[s.Section]:
        """The sections named by ``only``, in the order given."""
        return [self.anchors[i] for i in self.only or []]

    def _index(self, sections: list[s.Section], parent: str, visible: bool) -> None:
        for sec in sections:
            number = (parent + "." if parent and sec.number else parent) + (sec.number or "")
            self._numbers[sec.id] = number
            shown = visible and self.shows(sec)
            if shown:
                self._visible.add(sec.id)
                self._visible |= {b.id for b in sec.blocks if hasattr(b, "id") and self.shows(b)}
            self._index(sec.sections, number, shown)

    def shows(self, obj) -> bool:
        return self.role is None or getattr(obj, "role", None) in (None, self.role)

    def number(self, sec: s.Section) -> str:
        return self._numbers[sec.id]

    def key_date(self, date_id: str) -> s.KeyDate:
        return self._dates[date_id]

    def date(self, date_id: str, inline: bool = False) -> str:
        """A key date as shown in tables; ``inline`` (in running text) leaves "from" to the sentence."""
        return fmt.key_date(self._dates[date_id], self.r.ui, self.r.lang, inline)

    def t(self, text: s.Text) -> Markup:
        """Text with {fn:}, {date:}, {ref:} resolved for this view."""
        out, pos = Markup(), 0
        raw = text.get(self.r.lang)
        for m in REF.finditer(raw):
            out += esc(raw[pos : m.start()]) + self._ref(m[1], m[2])
            pos = m.end()
        return in_language(out + esc(raw[pos:]), raw, self.r.lang)

    def _ref(self, kind: str, ref: str) -> Markup:
        if kind == "date":
            return esc(self.date(ref, inline=True))
        if kind == "fn":
            first = self._fns[ref] not in self.footnotes
            if first:
                self.footnotes.append(self._fns[ref])
            n = self.footnotes.index(self._fns[ref]) + 1
            label = self.r.ui["guidelines"]["footnote"].format(n=n)
            anchor = f' id="fnref-{ref}"' if first else ""
            return Markup(
                f'<sup class="fnref"{anchor}><a href="#fn-{ref}" role="doc-noteref"'
                f' aria-label="{esc(label)}">{n}</a></sup>'
            )
        target = self.anchors[ref]
        name = (
            self._numbers.get(ref) or target.title.get(self.r.lang) if isinstance(target, s.Section) else None
        )
        name = esc(name or target.caption.get(self.r.lang))
        return Markup(f'<a href="#{ref}">{name}</a>') if ref in self._visible else name


class Renderer:
    """Everything a page template may call, for one language and one page."""

    def __init__(self, site: Site, lang: str, src_uri: str = "index.md", site_url: str = ""):
        self.used: set[str] = set()  # data files this page reads (its 更新日)
        self.site, self.lang, self.url = Recorder(site, self.used), lang, page_url(src_uri)
        self.site_url = site_url  # the public address (SITE_URL, MkDocs site_url): for links printed on paper
        self.ui = site.ui[lang]
        self.page_meta: dict[str, str | bool] = {}

    def changed(self):
        """The day the data this page has read so far last changed (never the day of the build), or None."""
        return self.site.changed(self.used)

    def updated(self) -> tuple[str, str] | None:
        """The page's 更新日 as (ISO date, the reader's words), from the data it was made of."""
        day = self.changed()
        return (
            (day.isoformat(), self.ui["site"]["updated"].format(date=fmt.day(day, self.lang)))
            if day
            else None
        )

    def meta(self, **values) -> str:
        """Called by a macro to describe its page: nav_title (shorter than the heading), search (false for
        pages that repeat others), search_type and search_role (search filters), home (a language's home page)."""
        self.page_meta.update(values)
        return ""

    @cached_property
    def _md(self) -> markdown.Markdown:
        return links.markdown_without_html()

    @staticmethod
    def heading(level: int) -> Markup:
        """The Markdown marks of a heading of this level (Markdown syntax, not text)."""
        return Markup("#" * level)

    def t(self, text: s.Text) -> Markup:
        raw = text.get(self.lang)
        return in_language(esc(raw), raw, self.lang)

    def md(self, text: s.MarkdownText) -> Markup:
        """Markdown text → HTML; raw HTML in the data is shown as text, never passed through."""
        return Markup(self._md.reset().convert(text.get(self.lang)))

    def link(self, src_uri: str, fragment: str = "") -> Markup:
        """Relative URL from this page to another page file (language-neutral)."""
        target = page_url(src_uri)
        rel = posixpath.relpath("/" + target, "/" + self.url) if target != self.url else "."
        rel = "./" if rel == "." else rel + ("/" if target.endswith("/") and rel != "." else "")
        return escape(rel.replace("//", "/") + (f"#{fragment}" if fragment else ""))

    def absolute(self, src_uri: str) -> str:
        """The public address of a page file in this language (what a printed PDF can link to)."""
        return urljoin(self.site_url, lang_prefix(self.lang) + page_url(src_uri))

    def asset(self, path: str) -> Markup:
        """Relative URL from this page to a generated file of the same language."""
        return escape(posixpath.relpath("/" + path, "/" + self.url))

    def pamphlet_pdf(self) -> str:
        return PAMPHLET_PDF.format(lang=self.lang)

    def guidelines_pdf(self, year: int, role: str | None) -> str:
        return GUIDELINES_PDF.format(year=year, view=f"-{role}" if role else "", lang=self.lang)

    def in_site(self, path: str) -> str:
        """A path of this language's folder as a path of the built site (how pdf.py names its files)."""
        return lang_prefix(self.lang) + path

    def role_label(self, role_id: str, plural: bool = False) -> str:
        """国際交流員（CIR） / Coordinator for International Relations (CIR), or the plural (…Relations (CIRs))."""
        role = self.site.role(role_id)
        name = (role.plural if plural else role.name).get(self.lang)
        return self.ui["formats"]["roles" if plural else "role"].format(name=name, abbr=role.abbr)

    def guidelines_view(self, year: int, role: str | None = None, only=None) -> GuidelinesView:
        """A fresh view (footnote numbering starts anew) for each guidelines page or excerpt."""
        return GuidelinesView(self, self.site.guidelines[year], role, only)

    @cached_property
    def latest_view(self) -> GuidelinesView:
        """The full view of the latest guidelines, shared by every link into it from this renderer."""
        return self.guidelines_view(self.site.latest_year)

    def outside(self, path: str) -> Markup:
        """Relative URL to a path of the whole site (not under this language), e.g. the FAQ."""
        here = lang_prefix(self.lang) + self.url
        return escape(posixpath.relpath("/" + path, "/" + here) + ("/" if path.endswith("/") else ""))

    def size(self, n: int) -> str:
        return self.ui["formats"]["size"].format(
            size=f"{n / 1024:,.0f} KB" if n < 1048576 else f"{n / 1048576:,.1f} MB"
        )

    def hours(self, h: s.Hours) -> str:
        """Reception hours, with the days only when the data gives them."""
        f = self.ui["formats"]
        opens, closes = h.opens.lstrip("0"), h.closes
        if h.days is None:
            return f["hours"].format(opens=opens, closes=closes)
        days = (
            f["weekdays"]
            if h.days == ["mon", "tue", "wed", "thu", "fri"]
            else f["list_sep"].join(self.ui["days"][d] for d in h.days)
        )
        return f["hours_days"].format(days=days, opens=opens, closes=closes)

    def shares_text(self) -> str:
        return self.ui["formats"]["list_sep"].join(
            self.ui["programme"]["share_item"].format(role=self.role_label(role.id), n=role.share)
            for role in self.site.programme.roles
        )

    def contacts_jsonld(self) -> Markup:
        """schema.org Organization with one ContactPoint (and opening hours) per desk."""
        c = self.site.contacts
        days = {
            "mon": "Monday",
            "tue": "Tuesday",
            "wed": "Wednesday",
            "thu": "Thursday",
            "fri": "Friday",
            "sat": "Saturday",
            "sun": "Sunday",
        }
        data = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": c.organisation.name.get(self.lang),
            "url": c.organisation.url,
            "contactPoint": [
                {
                    "@type": "ContactPoint",
                    "name": d.name.get(self.lang),
                    "contactType": d.summary.get(self.lang),
                    "availableLanguage": ["ja", "en"],
                    "hoursAvailable": {
                        "@type": "OpeningHoursSpecification",
                        **({"dayOfWeek": [days[x] for x in d.hours.days]} if d.hours.days else {}),
                        "opens": d.hours.opens,
                        "closes": d.hours.closes,
                    },
                }
                for d in c.desks
            ],
        }
        return Markup('<script type="application/ld+json">') + json_script(data) + Markup("</script>")

    def render_page(self, source: str) -> str:
        return _page_template(source).render(**self.context())

    def context(self) -> dict:
        base = {
            "site": self.site,
            "lang": self.lang,
            "ui": self.ui,
            "r": self,
            "t": self.t,
            "md": self.md,
            "fmt": fmt,
        }
        return {**base, **_macros(base)}


_ENV: Environment | None = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = template_env(TEMPLATES)
    return _ENV


@lru_cache(maxsize=256)
def _page_template(source: str):
    """Pages are one-line macro calls, the same in both languages: compile each once."""
    return _env().from_string(source)


def _macros(context: dict) -> dict:
    """Every public macro of templates/*.j2 by name, bound to this page's context; a template is run only
    when the page calls one of its macros."""
    modules: dict[str, object] = {}

    def bound(name: str, file: str):
        def call(*args, **kwargs):
            if file not in modules:
                modules[file] = _env().get_template(file).make_module(context)
            return getattr(modules[file], name)(*args, **kwargs)

        return call

    files = sorted(TEMPLATES.glob("*.j2"))
    names = _macro_names(tuple((p, p.stat().st_mtime_ns) for p in files))
    return {name: bound(name, file) for name, file in names}


@lru_cache(maxsize=4)
def _macro_names(files: tuple[tuple[Path, int], ...]) -> list[tuple[str, str]]:
    """(macro, template file) pairs, read again only when a template changed (`make serve`)."""
    return [
        (name, path.name)
        for path, _ in files
        for name in re.findall(r"\{%-?\s*macro\s+([a-z]\w*)\(", path.read_text(encoding="utf-8"))
    ]
