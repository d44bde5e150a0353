"""新旧対照表: what changed between two years' guidelines (data/guidelines/<year>.yml), clause by clause.

Pure Python on validated models: no MkDocs, no rendering, no page language (both languages are returned).

Matching. Sections, tables (documents, pay, table, schedule), key dates and footnotes have stable ids: they are
matched by id wherever they sit, so renumbering or moving them is not a change. Paragraphs, list items,
document notes and table rows have none: within their section (or table) they are aligned in order, identical
texts first, then the rest paired by similarity (characters for Japanese, words for English, ≥ 0.5), so an
edited sentence is "changed" while an inserted or deleted one leaves its neighbours matched. Pay rows are
matched by their years of participation, schedule rows by their key date. Numbers (section numbers, list
labels, row and footnote numbers) are reported for both years but never compared.

Links. A clause links to its own anchor when it has one (sections, tables, footnotes ``fn-<id>``), otherwise to
the nearest enclosing section (the preamble: the page heading ``guidelines``): anchors must be stable across
years and identical in both languages, which positional ids on paragraphs would not be; a section is short
enough to find the clause in.

References. Texts are compared as written, so ``{date:…}``, ``{fn:…}`` and ``{ref:…}`` count as the same
when they name the same target, whatever that target now shows. A new date, footnote text or section number
is one change of that date or footnote (or none, for a number), not a change of every text that refers to it:
dates move every year, and listing each sentence that mentions one would bury the changed wording. A key
date lists where the view uses it; in a text that changed for another reason, a reference to a date whose
value changed is marked deleted and inserted, so both columns show their own date marked. Schedule rows are
key dates: their values are the date's change; the schedule changes when a date joins or leaves it.

Views. ``role=None`` compares the complete view (where a clause's own role mark is shown, so a changed mark
is a change); a role compares only what that role's page shows, as the page shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from . import edition, fmt
from . import schema as s
from .data import LANGS, REF

SIMILAR = 0.5  # least similarity for two unlike texts to count as one clause changed
Segment = tuple[str, str]  # ("same" | "ins" | "del", text); a reference {kind:id} is always a segment alone
TOP = "guidelines"  # the page heading's anchor: where the edition and the preamble link


@dataclass(frozen=True, eq=False)
class Clause:
    """One clause of one year, as one view shows it."""

    kind: str  # title country section paragraph item table columns row note date footnote
    year: int
    model: object  # the data object (Section, Paragraph, ListItem, a block, DocumentRow, PayRow, KeyDate…)
    anchor: str | None  # the id to link to on that year's page of the view
    section: str | None  # the enclosing section's id (a section's own; None: edition, preamble, dates, notes)
    number: dict[str, str]  # its number by language: "2.(3)" "(1) （ア）" "3)" footnote "2"; "" when none
    role: str | None = None  # its own role mark (shown as a tag in the complete view)
    text: s.Text | None = None  # title, country, section title, paragraph, item, caption, note, label
    fields: tuple[tuple[str | int, object], ...] = ()  # rows and dates: their cells or values, by key
    body: tuple[Clause, ...] = ()  # an added or removed section or table: what it holds
    table: str | None = None  # rows, columns and notes: the id of their table


@dataclass(frozen=True)
class Cell:
    """One cell (or value) of a row or key date in both years; text cells can be diffed."""

    key: str | int  # documents: name originals copies copies_each condition; pay: years yen; table: column
    old: object
    new: object
    moved_dates: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self, lang: str) -> list[Segment]:
        """Text cells only (s.Text or None): the words changed; other values are replaced whole."""
        return segments(_text(self.old, lang), _text(self.new, lang), lang, self.moved_dates)


@dataclass(frozen=True, eq=False)
class Change:
    """An added, removed or changed clause: 改正後 ``new`` (None when removed), 改正前 ``old`` (None when
    added)."""

    status: str  # added removed changed
    old: Clause | None
    new: Clause | None
    moved_dates: frozenset[str] = frozenset()  # key dates whose value changed: marked in text diffs

    @property
    def clause(self) -> Clause:
        return self.new or self.old

    @property
    def kind(self) -> str:
        return self.clause.kind

    @property
    def part(self) -> str:
        """edition, body, dates or footnotes: where the change is listed."""
        return {"title": "edition", "country": "edition", "date": "dates", "footnote": "footnotes"}.get(
            self.kind, "body"
        )

    @property
    def role_changed(self) -> bool:
        return self.status == "changed" and self.old.role != self.new.role

    def diff(self, lang: str) -> list[Segment]:
        """The clause's text (title, caption, label…) with its changed words; [] for clauses without text."""
        old, new = (_text(c and c.text, lang) for c in (self.old, self.new))
        return segments(old, new, lang, self.moved_dates) if old or new else []

    @property
    def cells(self) -> list[Cell]:
        """Rows, columns and key dates: every cell in both years (a template marks the changed ones)."""
        old = dict(self.old.fields) if self.old else {}
        new = dict(self.new.fields) if self.new else {}
        keys = list(new) + [k for k in old if k not in new]
        return [Cell(k, old.get(k), new.get(k), self.moved_dates) for k in keys]


@dataclass(frozen=True)
class Comparison:
    """Everything that changed from ``old`` (改正前) to ``new`` (改正後) in one view, in reading order:
    the edition, the preamble and sections as the new year orders them (removed clauses where they stood),
    then key dates and footnotes. Unchanged clauses are left out and counted."""

    old: int
    new: int
    role: str | None
    changes: tuple[Change, ...]
    unchanged: int
    headings: dict[str, tuple[Clause | None, Clause | None]] = field(repr=False)  # section id → (new, old)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def counts(self) -> dict[str, int]:
        """Changes by status: added, removed, changed."""
        return {k: sum(c.status == k for c in self.changes) for k in ("added", "removed", "changed")}

    def by_section(self) -> list[tuple[str | None, list[Change]]]:
        """Consecutive changes grouped by their enclosing section (None: edition, preamble, dates, notes);
        ``headings`` gives each section's number and title in both years."""
        groups: list[tuple[str | None, list[Change]]] = []
        for change in self.changes:
            key = change.clause.section
            if not groups or groups[-1][0] != key:
                groups.append((key, []))
            groups[-1][1].append(change)
        return groups


def previous(years, year: int) -> int | None:
    """The year a year's guidelines are compared with: the latest before it."""
    return max((y for y in years if y < year), default=None)


def footnotes(g: s.Guidelines, role: str | None = None) -> list[str]:
    """The ids of the footnotes a view's page shows, in the order it numbers them."""
    return _Year(g, role).footnotes


def compare(old: s.Guidelines, new: s.Guidelines, role: str | None = None) -> Comparison:
    """Compare two years' guidelines in the complete view (role=None) or one role's view."""
    return _Comparer(_Year(old, role), _Year(new, role)).run()


# ---- text diffs ------------------------------------------------------------------------------------------

_SPLIT = re.compile(r"(\{(?:fn|date|ref):[^{}\s]*\})")
_WORD = re.compile(r"\w+(?:['’-]\w+)*|\s+|[^\w\s]")


def _text(text: object, lang: str) -> str:
    return text.get(lang) if isinstance(text, s.Text) else ""


@lru_cache(maxsize=8192)
def _tokens(text: str, lang: str) -> tuple[str, ...]:
    """References whole; Japanese by characters, English by words (and the spaces and marks between)."""
    out: list[str] = []
    for part in _SPLIT.split(text):
        if REF.fullmatch(part):
            out.append(part)
        elif part:
            out.extend(part if lang == "ja" else _WORD.findall(part))
    return tuple(out)


def _script(token: str) -> str | None:
    """The script a Japanese character belongs to; runs of one script make a word (None: never joins)."""
    if len(token) != 1:
        return None  # a reference
    o = ord(token)
    if 0x3041 <= o <= 0x309F:
        return "hiragana"
    if 0x30A1 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
        return "katakana"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o in (0x3005, 0x3006):
        return "kanji"
    return "latin" if token.isalnum() else None


def _joins(tokens: tuple[str, ...], i: int, lang: str) -> bool:
    """Whether tokens[i-1] and tokens[i] are one word (so a change must not fall between them)."""
    if lang != "ja" or not 0 < i < len(tokens):
        return False
    script = _script(tokens[i])
    return script is not None and script == _script(tokens[i - 1])


def _opcodes(a: tuple, b: tuple) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, run only between the common start and end (edits are mostly local: much faster)."""
    n = min(len(a), len(b))
    head = next((i for i in range(n) if a[i] != b[i]), n)
    tail = next((i for i in range(n - head) if a[-1 - i] != b[-1 - i]), n - head)
    ops = SequenceMatcher(
        None, a[head : len(a) - tail], b[head : len(b) - tail], autojunk=False
    ).get_opcodes()
    out = [("equal", 0, head, 0, head)] if head else []
    out += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in ops]
    if tail:
        out.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    merged: list[tuple[str, int, int, int, int]] = []
    for op in out:  # the parts may meet as two equal runs
        if merged and merged[-1][0] == op[0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        elif op[1] < op[2] or op[3] < op[4]:
            merged.append(op)
    return merged


def segments(old: str, new: str, lang: str, moved_dates: frozenset[str] = frozenset()) -> list[Segment]:
    """The changes from ``old`` to ``new`` as (same|del|ins, text) segments, ``del`` before ``ins``.
    Japanese is diffed by characters and each change widened to whole words (runs of one script: kanji,
    hiragana, katakana, latin); English by words. Same + del gives ``old``, same + ins gives ``new``."""
    return list(_segments(old, new, lang, moved_dates))


@lru_cache(maxsize=4096)
def _segments(old: str, new: str, lang: str, moved_dates: frozenset[str]) -> tuple[Segment, ...]:
    a, b = _tokens(old, lang), _tokens(new, lang)
    ops = _opcodes(a, b)
    kept: list[tuple[int, int, int, int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            continue
        if k > 0:  # a change before: it takes the rest of the word it began in
            while i1 < i2 and (_joins(a, i1, lang) or _joins(b, j1, lang)):
                i1, j1 = i1 + 1, j1 + 1
        if k < len(ops) - 1:  # a change after: it takes the start of the word it ends in
            while i2 > i1 and (_joins(a, i2, lang) or _joins(b, j2, lang)):
                i2, j2 = i2 - 1, j2 - 1
        between = 0 < k < len(ops) - 1
        if i1 < i2 and not (between and "".join(a[i1:i2]).isspace()):
            kept.append((i1, i2, j1, j2))
    out: list[Segment] = []
    pa = pb = 0
    for i1, i2, j1, j2 in [*kept, (len(a), len(a), len(b), len(b))]:
        out += [("del", t) for t in _pieces(a[pa:i1])] + [("ins", t) for t in _pieces(b[pb:j1])]
        for t in _pieces(a[i1:i2]):
            moved = t.startswith("{date:") and t[6:-1] in moved_dates
            out += [("del", t), ("ins", t)] if moved else [("same", t)]
        pa, pb = i2, j2
    return tuple(_merge(out))


def _pieces(tokens: tuple[str, ...]) -> list[str]:
    """Join tokens into text, keeping each reference a piece alone."""
    return [p for p in _SPLIT.split("".join(tokens)) if p]


def _merge(segs: list[Segment]) -> list[Segment]:
    """Adjacent segments of one kind as one (references stay alone); dels before inses within a change."""
    out: list[Segment] = []
    for op, text in segs:
        ref = bool(REF.fullmatch(text))
        if out and out[-1][0] == op and not ref and not REF.fullmatch(out[-1][1]):
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    i = 0
    while i < len(out) - 1:  # del ins del ins → del del ins ins, so each column reads in one piece
        if out[i][0] == "ins" and out[i + 1][0] == "del":
            out[i], out[i + 1] = out[i + 1], out[i]
            i = max(i - 1, 0)
        else:
            i += 1
    return out


def columns(segs: list[Segment]) -> tuple[list[Segment], list[Segment]]:
    """The two columns of a diff: 改正後 (same and ins) and 改正前 (same and del)."""
    return [x for x in segs if x[0] != "del"], [x for x in segs if x[0] != "ins"]


# ---- alignment -------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str, lang: str) -> float:
    x, y = _tokens(a, lang), _tokens(b, lang)
    if not x and not y:
        return 1.0
    same = sum(i2 - i1 for tag, i1, i2, _, _ in _opcodes(x, y) if tag == "equal")
    return 2 * same / (len(x) + len(y))


def similarity(a: s.Text | None, b: s.Text | None) -> float:
    """0…1, the mean over both languages (one pairing for both pages)."""
    if a is None or b is None:
        return 1.0 if a is b else 0.0
    return sum(_ratio(a.get(lang), b.get(lang), lang) for lang in LANGS) / len(LANGS)


def _align(old: list, new: list, key: Callable, similar: Callable) -> list[tuple]:
    """Merge two sequences in order as (old, new) pairs, (old, None) or (None, new): equal keys first
    (difflib), then within each gap the pairing of greatest total similarity (each pair ≥ SIMILAR)."""
    out: list[tuple] = []
    ops = SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new], autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out += zip(old[i1:i2], new[j1:j2], strict=True)
        else:
            out += _pair(old[i1:i2], new[j1:j2], similar)
    return out


def _pair(old: list, new: list, similar: Callable) -> list[tuple]:
    n, m = len(old), len(new)
    if not n or not m:
        return [(o, None) for o in old] + [(None, x) for x in new]
    sim = [[similar(o, x) for x in new] for o in old]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            match = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= SIMILAR else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], match)
    out: list[tuple] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= SIMILAR and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((old[i], None))
            i += 1
        else:
            out.append((None, new[j]))
            j += 1
    return out + [(o, None) for o in old[i:]] + [(None, x) for x in new[j:]]


# ---- one year as one view shows it -----------------------------------------------------------------------


class _Year:
    """One year's guidelines as one view shows them, walked in the page's order (guidelines.j2): sections
    and their full numbers, tables, the order footnotes are numbered in, and where each key date is shown."""

    def __init__(self, g: s.Guidelines, role: str | None):
        self.g, self.year, self.role = g, g.year, role
        self.sections: dict[str, tuple[s.Section, str]] = {}  # id → (section, full number)
        self.tables: dict[str, tuple[object, str | None]] = {}  # id → (table, its section)
        self._known = {f.id for f in g.footnotes}
        self.footnotes: list[str] = []
        self.uses: dict[str, list[str]] = {}  # date id → anchors
        self.schedule: dict[str, str] = {}  # date id → the schedule table showing it
        self._texts([g.title], TOP)
        self._blocks(g.preamble, TOP)
        self._sections(g.sections, "")
        self.dates = {d.id: d for d in g.dates if role is None or d.id in self.uses or d.id in self.schedule}
        self.notes = {f.id: f for f in g.footnotes if f.id in self.footnotes}

    def shows(self, obj) -> bool:
        return self.role is None or getattr(obj, "role", None) in (None, self.role)

    def _texts(self, texts, anchor: str) -> None:
        for text in texts:
            for kind, ref in REF.findall(text.ja):
                if kind == "fn" and ref not in self.footnotes and ref in self._known:
                    self.footnotes.append(ref)
                elif kind == "date":
                    self.uses.setdefault(ref, []).append(anchor)

    def _sections(self, sections: list[s.Section], parent: str) -> None:
        for sec in sections:
            if not self.shows(sec):
                continue
            number = (parent + "." if parent and sec.number else parent) + (sec.number or "")
            self.sections[sec.id] = (sec, number)
            self._texts([sec.title], sec.id)
            self._blocks(sec.blocks, sec.id)
            self._sections(sec.sections, number)

    def _blocks(self, blocks: list, anchor: str) -> None:
        for b in blocks:
            if not self.shows(b):
                continue
            if isinstance(b, s.Paragraph):
                self._texts([b.text], anchor)
            elif isinstance(b, s.ListBlock):
                self._texts([i.text for i, _ in _items(b, self)], anchor)
            else:
                self.tables[b.id] = (b, None if anchor == TOP else anchor)
                self._texts([b.caption], b.id)
                if isinstance(b, s.DocumentsBlock):
                    self._texts([t for r in b.rows for t in (r.name, *r.notes)], b.id)
                elif isinstance(b, s.ScheduleBlock):
                    for d in b.dates:
                        self.schedule.setdefault(d, b.id)
                    labels = {k.id: k.label for k in self.g.dates}
                    self._texts([labels[d] for d in b.dates if d in labels], b.id)
                elif isinstance(b, s.TableBlock):
                    self._texts([*b.columns, *(c for row in b.rows for c in row)], b.id)


def _items(lst: s.ItemList, year: _Year, labels: tuple = ()) -> Iterator[tuple[s.ListItem, tuple]]:
    """Visible items of a list and its nested lists, in order, each with its labels by language (those of
    the items it is nested in, then its own), as the page labels them (by position in the whole list)."""
    for i, item in enumerate(lst.items):
        if not year.shows(item):
            continue
        path = (*labels, {lang: fmt.list_label(lst.style, i, lang) for lang in LANGS})
        yield item, path
        if item.list:
            yield from _items(item.list, year, path)


def _label(path: tuple[dict[str, str], ...]) -> dict[str, str]:
    return {lang: " ".join(p[lang] for p in path if p[lang]) for lang in LANGS}


NONE = {lang: "" for lang in LANGS}


# ---- the comparison --------------------------------------------------------------------------------------


class _Comparer:
    def __init__(self, old: _Year, new: _Year):
        self.old, self.new, self.full = old, new, new.role is None
        self.changes: list[Change] = []
        self.unchanged = 0
        self.moved = frozenset(
            d.id for d in new.g.dates for o in old.g.dates if o.id == d.id and _when(o) != _when(d)
        )

    def run(self) -> Comparison:
        self._edition()
        self._container(None, self.old.g.preamble, self.new.g.preamble)
        self._sections(self.old.g.sections, self.new.g.sections)
        self._by_id(self.old.dates, self.new.dates, self._date)
        self._by_id(
            {i: self.old.notes[i] for i in self.old.footnotes},
            {i: self.new.notes[i] for i in self.new.footnotes},
            self._footnote,
        )
        headings = {
            i: (self._section_clause(self.new, i), self._section_clause(self.old, i))
            for i in {*self.old.sections, *self.new.sections}
        }
        return Comparison(
            self.old.year, self.new.year, self.new.role, tuple(self.changes), self.unchanged, headings
        )

    def _emit(self, old: Clause | None, new: Clause | None, same: bool | None = None) -> None:
        """Record a pair: added, removed, or changed unless ``same`` (by default: texts, fields and, in the
        complete view, role marks equal)."""
        if old is None or new is None:
            self.changes.append(Change("added" if old is None else "removed", old, new, self.moved))
            return
        if same is None:
            same = (
                _text(old.text, "ja") == _text(new.text, "ja")
                and _text(old.text, "en") == _text(new.text, "en")
                and old.fields == new.fields
                and (not self.full or old.role == new.role)
            )
        if same:
            self.unchanged += 1
        else:
            self.changes.append(Change("changed", old, new, self.moved))

    # the edition: moving the year, 令和 year and intake on is not a change of the title
    def _edition(self) -> None:
        o, n = self.old.g, self.new.g
        before = edition.Edition(o.year, o.intake)
        after = edition.Edition(n.year, n.intake)
        same = all(
            edition.move(o.title.get(lang), before, after, True)[0] == n.title.get(lang) for lang in LANGS
        )
        for kind, same_as in (("title", same), ("country", None)):
            pair = [
                Clause(kind, y.year, getattr(y.g, kind), TOP, None, NONE, text=getattr(y.g, kind))
                for y in (self.old, self.new)
            ]
            self._emit(*pair, same=same_as)

    # sections -------------------------------------------------------------------------------------------
    def _section_clause(self, y: _Year, sid: str, body: tuple = ()) -> Clause | None:
        if sid not in y.sections:
            return None
        sec, number = y.sections[sid]
        n = {lang: number for lang in LANGS}
        return Clause("section", y.year, sec, sid, sid, n, sec.role, sec.title, body=body)

    def _sections(self, old: list[s.Section], new: list[s.Section]) -> None:
        old = [x for x in old if x.id in self.old.sections]
        new = [x for x in new if x.id in self.new.sections]
        for o, n in _align(old, new, lambda x: x.id, lambda a, b: 0.0):
            if n is not None:
                o = self.old.sections.get(n.id, (None,))[0]
                if o is None:
                    self._emit(None, self._section_clause(self.new, n.id, self._body(self.new, n, self.old)))
                    self._moved_in(n)
                    continue
                self._emit(self._section_clause(self.old, o.id), self._section_clause(self.new, n.id))
                self._container(n.id, o.blocks, n.blocks, o.id)
                self._sections(o.sections, n.sections)
            elif o.id not in self.new.sections:
                self._emit(self._section_clause(self.old, o.id, self._body(self.old, o, self.new)), None)

    def _moved_in(self, sec: s.Section) -> None:
        """An added section's subsections and tables that existed before (elsewhere) are compared."""
        for b in sec.blocks:
            if getattr(b, "id", None) in self.new.tables and b.id in self.old.tables:
                self._table(*self.old.tables[b.id], b, sec.id)
        for sub in sec.sections:
            if sub.id in self.new.sections:
                if sub.id in self.old.sections:
                    self._sections([self.old.sections[sub.id][0]], [sub])
                else:
                    self._moved_in(sub)

    def _body(self, y: _Year, sec: s.Section, other: _Year) -> tuple[Clause, ...]:
        """What an added (removed) section holds, less what the other year has elsewhere."""
        out: list[Clause] = []
        for unit in self._units(y, sec.id, sec.blocks):
            if unit.kind == "table":
                if unit.model.id not in other.tables:
                    out.append(self._table_clause(y, unit.model, sec.id, body=True))
            else:
                out.append(unit)
        for sub in sec.sections:
            if sub.id in y.sections and sub.id not in other.sections:
                out.append(self._section_clause(y, sub.id, self._body(y, sub, other)))
        return tuple(out)

    # paragraphs, list items and tables of one section (or the preamble) -----------------------------------
    def _units(self, y: _Year, section: str | None, blocks: list) -> list[Clause]:
        out: list[Clause] = []
        anchor = section or TOP
        for b in blocks:
            if not y.shows(b):
                continue
            if isinstance(b, s.Paragraph):
                out.append(Clause("paragraph", y.year, b, anchor, section, NONE, b.role, b.text))
            elif isinstance(b, s.ListBlock):
                for item, path in _items(b, y):
                    label = _label(path)
                    out.append(
                        Clause("item", y.year, item, anchor, section, label, item.role or b.role, item.text)
                    )
            else:
                out.append(Clause("table", y.year, b, b.id, section, NONE, b.role, b.caption))
        return out

    def _key(self, c: Clause):
        if c.kind == "table":
            return ("table", c.model.id)
        return (c.kind, c.text.ja, c.text.en, c.role if self.full else None)

    @staticmethod
    def _similar(a: Clause, b: Clause) -> float:
        if a.kind != b.kind or a.kind == "table":
            return 0.0
        return similarity(a.text, b.text)

    def _container(self, section: str | None, old_blocks: list, new_blocks: list, old_section=None) -> None:
        old = self._units(self.old, old_section, old_blocks)
        new = self._units(self.new, section, new_blocks)
        for o, n in _align(old, new, self._key, self._similar):
            if (o or n).kind != "table":
                self._emit(o, n)
            elif n is not None:
                if n.model.id in self.old.tables:
                    self._table(*self.old.tables[n.model.id], n.model, section)
                else:
                    self._emit(None, self._table_clause(self.new, n.model, section, body=True))
            elif o.model.id not in self.new.tables:
                self._emit(self._table_clause(self.old, o.model, old_section, body=True), None)

    # tables ---------------------------------------------------------------------------------------------
    def _table_clause(self, y: _Year, b, section: str | None, body: bool = False) -> Clause:
        rows = tuple(self._rows(y, b, section)) if body else ()
        return Clause("table", y.year, b, b.id, section, NONE, b.role, b.caption, body=rows)

    def _table(self, o, old_section: str | None, n, section: str | None) -> None:
        if type(o) is not type(n):
            self._emit(self._table_clause(self.old, o, old_section, True), None)
            self._emit(None, self._table_clause(self.new, n, section, True))
            return
        self._emit(self._table_clause(self.old, o, old_section), self._table_clause(self.new, n, section))
        if isinstance(n, s.TableBlock):
            cols = [
                Clause("columns", y.year, b, b.id, sec, NONE, fields=tuple(enumerate(b.columns)), table=b.id)
                for y, b, sec in ((self.old, o, old_section), (self.new, n, section))
            ]
            self._emit(*cols)
        old_rows = list(self._rows(self.old, o, old_section))
        new_rows = list(self._rows(self.new, n, section))
        if isinstance(n, s.PayBlock | s.ScheduleBlock):  # keyed by years / key date
            pairs = _align(old_rows, new_rows, lambda r: r.fields[0], lambda a, b: 0.0)
        else:
            pairs = _align(old_rows, new_rows, lambda r: r.fields, lambda a, b: _row_similarity(a, b))
        for ro, rn in pairs:
            self._emit(ro, rn, same=True if ro and rn and isinstance(n, s.ScheduleBlock) else None)
            if isinstance(n, s.DocumentsBlock) and ro and rn:
                notes = [self._notes(y, r) for y, r in ((self.old, ro), (self.new, rn))]
                for no, nn in _align(*notes, self._key, self._similar):
                    self._emit(no, nn)

    def _rows(self, y: _Year, b, section: str | None) -> Iterator[Clause]:
        def row(model, fields, number=NONE) -> Clause:
            return Clause("row", y.year, model, b.id, section, number, fields=tuple(fields), table=b.id)

        if isinstance(b, s.DocumentsBlock):
            for i, r in enumerate(b.rows):
                fields = [
                    (k, getattr(r, k)) for k in ("name", "originals", "copies", "copies_each", "condition")
                ]
                yield row(r, fields, {lang: f"{i + 1})" for lang in LANGS})
        elif isinstance(b, s.PayBlock):
            for r in b.rows:
                yield row(r, [("years", tuple(r.years)), ("yen", r.yen)])
        elif isinstance(b, s.ScheduleBlock):
            for d in b.dates:
                yield row(next(k for k in y.g.dates if k.id == d), [("date", d)])
        else:
            for r in b.rows:
                yield row(r, enumerate(r))

    def _notes(self, y: _Year, row: Clause) -> list[Clause]:
        return [
            Clause(
                "note",
                y.year,
                n,
                row.anchor,
                row.section,
                {lang: f"{row.number[lang]} {i + 1}" for lang in LANGS},
                text=n,
                table=row.table,
            )
            for i, n in enumerate(row.model.notes)
        ]

    # key dates and footnotes ----------------------------------------------------------------------------
    def _by_id(self, old: dict, new: dict, clause: Callable) -> None:
        pairs = _align(list(old), list(new), lambda i: i, lambda a, b: 0.0)
        for o, n in pairs:
            if o is None and n in old:  # moved in the list: compared here
                o = n
            elif n is None and o in new:
                continue
            self._emit(o and clause(self.old, o), n and clause(self.new, n))

    def _date(self, y: _Year, did: str) -> Clause:
        d = y.dates[did]
        uses = y.uses.get(did, [])
        anchor = y.schedule.get(did) or (uses[0] if uses else None)
        return Clause("date", y.year, d, anchor, None, NONE, text=d.label, fields=_when(d))

    def _footnote(self, y: _Year, fid: str) -> Clause:
        n = {lang: str(y.footnotes.index(fid) + 1) for lang in LANGS}
        return Clause("footnote", y.year, y.notes[fid], f"fn-{fid}", None, n, text=y.notes[fid].text)


def _when(d: s.KeyDate) -> tuple:
    return (("kind", d.kind), ("start", d.start), ("end", d.end), ("week", d.week))


def _row_similarity(a: Clause, b: Clause) -> float:
    """Rows without a key: by their text cells (documents: the name; tables: every cell)."""
    texts = [(x, y) for (_, x), (_, y) in zip(a.fields, b.fields, strict=False) if isinstance(x, s.Text)]
    if isinstance(a.model, s.DocumentRow):
        texts = texts[:1]
    return sum(similarity(x, y) for x, y in texts) / len(texts) if texts else 0.0
