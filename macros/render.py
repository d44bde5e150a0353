"""Render data into Markdown pages with Jinja (StrictUndefined, autoescaping). No MkDocs here."""

from __future__ import annotations

import itertools
import json
import os
import posixpath
import re
import string
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urljoin

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from . import compare, fmt, links
from . import schema as s
from .data import REF, Site, lang_prefix, walk
from .updated import Recorder

TEMPLATES = Path(__file__).parent / "templates"
# PDFs printed by pdf.py and linked by the macros (pdf.j2), in each language's folder
PAMPHLET_PDF = "pamphlet/jet-pamphlet-{lang}.pdf"
GUIDELINES_PDF = "guidelines/{year}/jet-guidelines-{year}{view}-{lang}.pdf"
FAQ_BUILT = "JET_FAQ_BUILT"  # "1" when macros.build also builds the FAQ editions (it tells MkDocs so)
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

    def __init__(
        self, r: Renderer, g: s.Guidelines, role: str | None, only: list[str] | None = None, away=False
    ):
        """``away``: its texts are shown on another page (the comparison), so references lead to this view's
        page, and a footnote reference shows the number it has there without joining a list of notes here."""
        self.r, self.g, self.role, self.only, self.away = r, g, role, only, away
        self.footnotes: list[s.Footnote] = []
        self._fn_order = compare.footnotes(g, role) if away else []
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
        raw = text.get(self.r.lang)
        return in_language(self.resolve(raw), raw, self.r.lang)

    def resolve(self, raw: str, links: bool = True) -> Markup:
        """A raw string of this view's language (a whole text or a piece of one) with its references resolved;
        ``links=False`` gives them as plain words (for a link's own text)."""
        out, pos = Markup(), 0
        for m in REF.finditer(raw):
            out += esc(raw[pos : m.start()]) + self._ref(m[1], m[2], links)
            pos = m.end()
        return out + esc(raw[pos:])

    def _ref(self, kind: str, ref: str, links: bool = True) -> Markup:
        if kind == "date":
            return esc(self.date(ref, inline=True))
        if kind == "fn":
            return self._note_ref(ref, links)
        target = self.anchors[ref]
        name = (
            self._numbers.get(ref) or target.title.get(self.r.lang) if isinstance(target, s.Section) else None
        )
        name = esc(name or target.caption.get(self.r.lang))
        if not links or ref not in self._visible:
            return name
        href = self.r.link(self.page, ref) if self.away else f"#{ref}"
        return Markup(f'<a href="{href}">{name}</a>')

    def _note_ref(self, ref: str, links: bool) -> Markup:
        """A footnote's number: on its page it joins the page's notes (numbered as first referred to); away, it
        is the number that page gives it, linked there."""
        first = not self.away and self._fns[ref] not in self.footnotes
        if first:
            self.footnotes.append(self._fns[ref])
        n = self._fn_order.index(ref) + 1 if self.away else self.footnotes.index(self._fns[ref]) + 1
        label = esc(self.r.ui["guidelines"]["footnote"].format(n=n))
        if not links:
            return Markup(f'<sup class="fnref">{n}</sup>')
        if self.away:
            href = self.r.link(self.page, f"fn-{ref}")
            return Markup(f'<sup class="fnref"><a href="{href}" aria-label="{label}">{n}</a></sup>')
        anchor = f' id="fnref-{ref}"' if first else ""
        return Markup(
            f'<sup class="fnref"{anchor}><a href="#fn-{ref}" role="doc-noteref"'
            f' aria-label="{label}">{n}</a></sup>'
        )


def fill(template: str, **values) -> Markup:
    """A UI format string filled with values: its own words escaped, Markup values kept, others escaped."""
    out = Markup()
    for literal, name, _, _ in string.Formatter().parse(template):
        out += esc(literal)
        if name is not None:
            out += _finalize(values[name])
    return out


# where a comparison page lists changes outside the sections (Change.part) → the anchor of that part
PARTS = {"edition": "edition", "body": "preamble", "dates": "key-dates", "footnotes": "footnotes"}
_COMPARED: dict[tuple, tuple] = {}  # the models compared (kept, so their ids stay theirs) and the result


def _compared(old: s.Guidelines, new: s.Guidelines, role: str | None) -> compare.Comparison:
    """Each comparison once per loaded data (every page of both languages shares it)."""
    key = (id(old), id(new), role)
    if key not in _COMPARED:
        if len(_COMPARED) >= 32:  # data loaded again (`make serve`): the old results go
            _COMPARED.clear()
        _COMPARED[key] = (old, new, compare.compare(old, new, role))
    return _COMPARED[key][2]


@dataclass
class Column:
    """One year's side of one change on the comparison page: 改正後 (new) or 改正前 (old)."""

    year: int
    where: Markup | None = None  # its number and kind in that year (2.(3) 本文); None: not in that year
    href: Markup | None = None  # the clause on that year's page of the view
    text: Markup | None = None  # its words, the changed ones marked
    cells: list[tuple[Markup, Markup]] = field(default_factory=list)  # rows, columns, key dates: label, value
    body: list[Column] = field(default_factory=list)  # an added or removed section or table: what it holds


def _numbered(number: str) -> str:
    """A section's full number as headings show it: a chapter with its point (2.), a part as it is (2.(3))."""
    return number + "." if number.isdigit() else number


class ChangesView:
    """新旧対照表: a year's guidelines compared with the year before (compare.py), in one view, for one page:
    both years' columns of each change as HTML, references resolved by each year's own view."""

    def __init__(self, r: Renderer, year: int, role: str | None):
        old_year = compare.previous(r.site.guidelines, year)
        old, new = r.site.guidelines[old_year], r.site.guidelines[year]
        self.r, self.role, self.lang, self.ui = r, role, r.lang, r.ui["changes"]
        self.new = r.guidelines_view(year, role, away=True)
        self.old = r.guidelines_view(old_year, role if role in old.roles else None, away=True)
        self.cmp = _compared(old, new, role)

    def page(self, role: str | None) -> str:
        """The page file of this year's comparison in a view (None: the complete one)."""
        return f"guidelines/{self.new.g.year}/changes/{role or 'index'}.md"

    def summary(self) -> str:
        """2024年度からの変更：25件（追加2件・削除2件・変更21件） / 25 changes since 2024 (2 added, …)."""
        ui, n = self.ui, len(self.cmp)
        counts = ui["count_sep"].join(ui["count"][k].format(n=v) for k, v in self.cmp.counts.items() if v)
        if not n:
            return ui["summary_none"].format(old=self.cmp.old)
        key = "summary_one" if n == 1 else "summary"
        return ui[key].format(n=n, old=self.cmp.old, counts=ui["counts"].format(list=counts))

    def unchanged(self) -> str:
        n = self.cmp.unchanged
        return self.ui["unchanged_one" if n == 1 else "unchanged"].format(n=n)

    def legend(self) -> Markup:
        return fill(
            self.ui["legend"],
            ins=self._mark("ins", esc(self.ui["ins_sample"])),
            deleted=self._mark("del", esc(self.ui["del_sample"])),
        )

    def groups(self) -> list[tuple[str, Markup, list[compare.Change]]]:
        """(anchor, heading, changes) for each part of the page in reading order: the edition, the preamble,
        every section with changes (its number and title in the new year, else in the old), key dates, notes."""
        out = []
        for key, changes in self.cmp.by_section():
            if key is not None:
                out.append((key, self._heading(key), changes))
                continue
            for part, some in itertools.groupby(changes, lambda c: c.part):
                out.append((PARTS[part], esc(self.ui["parts"][part]), list(some)))
        return out

    def _heading(self, key: str) -> Markup:
        new, old = self.cmp.headings[key]
        view, sec = (self.new, new) if new else (self.old, old)
        number = _numbered(sec.number[self.lang])
        return (esc(number + " ") if number else Markup()) + view.resolve(sec.text.get(self.lang), False)

    def elsewhere(self, change: compare.Change) -> bool:
        """Whether a change is in the other language's words only (this page's are the same in both years)."""
        if change.status != "changed" or change.role_changed:
            return False
        texts = [c for c in change.cells if isinstance(c.old or c.new, s.Text)]
        if any(c.changed for c in change.cells if c not in texts):
            return False
        return all(
            op == "same" for d in [change.diff(self.lang), *(c.diff(self.lang) for c in texts)] for op, _ in d
        )

    def columns(self, change: compare.Change) -> list[Column]:
        """改正後 then 改正前."""
        return [self._column(self.new, change.new, change, 0), self._column(self.old, change.old, change, 1)]

    def _column(self, view: GuidelinesView, c, change: compare.Change | None, side: int) -> Column:
        """One side of a change, or (``change`` None) a part of an added or removed section or table: all
        of it marked."""
        col = Column(view.g.year)
        if c is None:
            return col
        lang = self.lang
        col.where = self._where(view, c, side)
        if c.anchor and change is not None:  # parts of an added or removed section: its link leads there
            col.href = self.r.link(view.page, c.anchor)
        if change is None:
            raw = c.text.get(lang) if c.text is not None else ""
            diff = compare.segments(*(("", raw) if side == 0 else (raw, "")), lang) if raw else []
            cells = [compare.Cell(k, *((None, v) if side == 0 else (v, None))) for k, v in c.fields]
        else:
            diff, cells = change.diff(lang), change.cells
        if c.kind not in ("row", "columns"):
            col.text = self._role_tag(c, change, side) + self._text(view, diff, side)
        col.cells = self._cells(view, c, cells, side)
        col.body = [self._column(view, part, None, side) for part in c.body]
        return col

    def _where(self, view: GuidelinesView, c, side: int) -> Markup:
        number = c.number[self.lang]
        if isinstance(c.model, s.PayRow):
            number = fmt.years(c.model.years, self.r.ui)
        table = view.anchors[c.table].caption.get(self.lang) if c.table else ""
        label = fill(
            self.ui["kinds"][c.kind],
            number=number,
            table=view.resolve(table, False),
            place=self._place(view, c.anchor) if c.kind == "date" else "",
        )
        section = c.section and self.cmp.headings[c.section][side]
        if section is None or not section.number[self.lang]:
            return label
        return fill(self.ui["where"], section=_numbered(section.number[self.lang]), clause=label)

    def _place(self, view: GuidelinesView, anchor: str | None) -> Markup:
        """Where a key date is shown (its link's target): a section's number and title, a table's caption."""
        target = view.anchors.get(anchor)
        if isinstance(target, s.Section):
            number = _numbered(view.number(target))
            return esc(number + " " if number else "") + view.resolve(target.title.get(self.lang), False)
        if target is not None:
            return view.resolve(target.caption.get(self.lang), False)
        return esc(view.g.title.get(self.lang))

    def _role_tag(self, c, change, side: int) -> Markup:
        """The clause's own role mark, in the complete view (as its page shows it), marked when it changed."""
        if self.role is not None or not c.role:
            return Markup()
        tag = (
            Markup(f'<span class="role-tag role-{esc(c.role)}">')
            + esc(self.r.ui["guidelines"]["only"].format(role=self.r.role_label(c.role)))
            + Markup("</span>")
        )
        changed = change is None or change.status != "changed" or change.role_changed
        return (self._mark("ins" if side == 0 else "del", tag) if changed else tag) + Markup(" ")

    def _text(self, view: GuidelinesView, diff: list, side: int) -> Markup:
        pieces = compare.columns(diff)[side]
        html = Markup().join(
            view.resolve(t) if op == "same" else self._mark(op, view.resolve(t)) for op, t in pieces
        )
        return in_language(html, "".join(t for _, t in pieces), self.lang)

    def _mark(self, op: str, html: Markup) -> Markup:
        """Words added (<ins>) or deleted (<del>), with words a screen reader says at both ends."""
        ui = self.ui
        return (
            Markup(f'<{op}><span class="ch-sr">')
            + esc(ui[f"{op}_start"])
            + Markup("</span>")
            + html
            + (Markup('<span class="ch-sr">') + esc(ui[f"{op}_end"]) + Markup(f"</span></{op}>"))
        )

    def _cells(self, view: GuidelinesView, c, cells: list[compare.Cell], side: int) -> list[tuple]:
        """The values of a row, a table's columns or a key date, as that year shows them: changed ones marked."""
        g, m = self.r.ui["guidelines"], c.model
        by = {cell.key: cell for cell in cells}

        def value(keys, shown: str | Markup) -> Markup:
            html = _finalize(shown)
            changed = any(by[k].changed for k in keys)
            return self._mark("ins" if side == 0 else "del", html) if changed else html

        def text(cell) -> Markup:
            return self._text(view, cell.diff(self.lang), side)

        if isinstance(m, s.KeyDate):  # a key date, or a schedule's row (added or removed: all of it marked)
            out = [(g["when"], value(list(by), fmt.key_date(m, self.r.ui, self.lang)))]
            return out + ([(g["what"], value(list(by), view.t(m.label)))] if c.kind == "row" else [])
        if isinstance(m, s.DocumentRow):
            copies = g["copies_each"].format(n=m.copies) if m.copies_each else str(m.copies)
            out = [
                (g["document"], text(by["name"])),
                (g["originals"], value(["originals"], str(m.originals))),
                (g["copies"], value(["copies", "copies_each"], copies)),
            ]
            if by["condition"].old or by["condition"].new:
                out.append((self.ui["condition"], text(by["condition"])))
            return out
        if isinstance(m, s.PayRow):
            return [
                (g["pay_year"], value(["years"], fmt.years(m.years, self.r.ui))),
                (g["pay_amount"], value(["yen"], fmt.yen(m.yen, self.r.ui))),
            ]
        if c.kind == "columns":
            return [
                (self.ui["column"].format(n=i + 1), text(by[i])) for i in range(len(m.columns)) if i in by
            ]
        if c.kind == "row":  # a table's row: each cell under its column's heading in that year
            heads = view.anchors[c.table].columns
            return [(view.resolve(heads[i].get(self.lang), False), text(by[i])) for i, _ in c.fields]
        return []


class Renderer:
    """Everything a page template may call, for one language and one page."""

    def __init__(self, site: Site, lang: str, src_uri: str = "index.md", site_url: str = ""):
        self.used: set[str] = set()  # data files this page reads (its 更新日)
        self.site, self.lang, self.url = Recorder(site, self.used), lang, page_url(src_uri)
        self.site_url = (
            site_url  # the public address (SITE_URL) for links printed on paper; "" when none was given
        )
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
        pages that repeat others), search_type and search_role (search filters), search_rank ("low": the page
        is about the site itself, so search lists it after the content), home (a language's home page)."""
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
        """The public address of a page file in this language (what a printed PDF can link to), "" without one."""
        return "" if not self.site_url else urljoin(self.site_url, lang_prefix(self.lang) + page_url(src_uri))

    def asset(self, path: str) -> Markup:
        """Relative URL from this page to a generated file of the same language."""
        return escape(posixpath.relpath("/" + path, "/" + self.url))

    @property
    def faq_built(self) -> bool:
        """Whether this build publishes the FAQ editions (else no page may link to them)."""
        return os.environ.get(FAQ_BUILT) == "1"

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

    def guidelines_view(self, year: int, role: str | None = None, only=None, away=False) -> GuidelinesView:
        """A fresh view (footnote numbering starts anew) for each guidelines page or excerpt."""
        return GuidelinesView(self, self.site.guidelines[year], role, only, away)

    def changes(self, year: int, role: str | None = None) -> ChangesView | None:
        """The comparison of a year's guidelines with the year before, in one view; None for the first year."""
        if compare.previous(self.site.guidelines, year) is None:
            return None
        return ChangesView(self, year, role)

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
