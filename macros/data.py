"""The one loader: read data/**/*.yml, validate against the schema, cross-check, return typed objects.

Every problem becomes ``data/file.yml:LINE: path: reason``; all problems of a run are collected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import edition, links
from . import glossary as gl
from . import schema as s
from .yamlsrc import Path_, Source, YamlProblem, fmt_path, read

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ja", "en")  # the first is the default language, served at the site root
REF = re.compile(r"\{(fn|date|ref):([^{}\s]*)\}")


def lang_prefix(lang: str) -> str:
    """The folder of a language in the built site: "" for the default language, "en/" for English."""
    return "" if lang == LANGS[0] else f"{lang}/"


def _notes(text: str) -> list[str]:
    """The footnotes a text refers to, in order."""
    return [ref for kind, ref in REF.findall(text) if kind == "fn"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    path: Path_
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {fmt_path(self.path)}: {self.reason}"


class DataError(Exception):
    """Raised with every problem found; str() is one line per problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class Site:
    """Everything the public site is made of."""

    guidelines: dict[int, s.Guidelines]
    programme: s.Programme
    contacts: s.Contacts
    news: s.News
    audiences: s.Audiences
    videos: s.Videos
    home: s.Home
    accessibility: s.Statement
    accessibility_results: s.AuditResults
    glossary: s.Glossary
    ui: dict[str, dict]
    untranslated: list[Problem] = field(default_factory=list)
    _anchors: dict[int, dict[str, object]] = field(default_factory=dict, repr=False)
    _samples: set[int] | None = field(default=None, repr=False)
    root: Path = ROOT
    _changed: dict | None = field(default=None, repr=False)

    def changed(self, files: set[str]):
        """The day the newest of these data files last changed (updated.last_changed), or None."""
        if self._changed is None:
            from .updated import last_changed

            self._changed = last_changed(self.root)
        days = [self._changed[f] for f in files if f in self._changed]
        return max(days, default=None)

    def is_sample(self, obj: object) -> bool:
        """The one rule for made-up content: an item with `sample: true`, or anything inside one."""
        if self._samples is None:
            self._samples = set()
            for model in (*self.guidelines.values(), *(getattr(self, k) for k in _PUBLIC)):
                for path, item in walk(model):
                    if getattr(item, "sample", False) and id(item) not in self._samples:
                        self._samples |= {id(inner) for _, inner in walk(item, path)}
        return id(obj) in self._samples

    @property
    def latest_year(self) -> int:
        return max(self.guidelines)

    def anchors(self, year: int) -> dict[str, object]:
        """A year's sections and tables by id, computed once."""
        if year not in self._anchors:
            self._anchors[year] = anchors(self.guidelines[year])
        return self._anchors[year]

    def role(self, role_id: str) -> s.Role:
        return next(r for r in self.programme.roles if r.id == role_id)

    def desk(self, desk_id: str) -> s.Desk:
        return next(d for d in self.contacts.desks if d.id == desk_id)

    def audience(self, audience_id: str) -> s.Audience:
        return next(a for a in self.audiences.audiences if a.id == audience_id)

    def tag(self, tag_id: str) -> s.Tag:
        return next(t for t in self.news.tags if t.id == tag_id)

    def news_items(self, tag: str | None = None) -> list[s.NewsItem]:
        """News items, newest first, optionally only those with one audience tag."""
        items = [i for i in self.news.items if tag is None or tag in i.tags]
        return sorted(items, key=lambda i: (i.date, i.id), reverse=True)


_PUBLIC = ("programme", "contacts", "news", "audiences", "videos", "home", "accessibility")


# ---- reading and schema validation -------------------------------------------------------

_REASONS = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


def _data_path(data: object, loc: tuple) -> Path_:
    """Turn a pydantic location into a path of the data (dropping union tags)."""
    path: list = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int):
            path.append(part)
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif i == len(loc) - 1 or not isinstance(node, dict):
            path.append(part)
            node = None
        # otherwise: a discriminator tag pydantic inserted; skip it
    return tuple(path)


def _reason(err: dict) -> tuple[Path_, str]:
    kind, msg = err["type"], err["msg"]
    if kind in _REASONS:
        return (), _REASONS[kind]
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if "a-z0-9" in pattern:
            return (), "must be a lowercase kebab-case id (e.g. working-hours)"
        if pattern.startswith("^https://"):
            return (), f"must be an https:// address, not {err.get('input')!r}"
        return (), f"does not match the pattern {pattern}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return ("type",), f"unknown type {ctx.get('tag')!r} (expected {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return ("type",), "required"
    msg = msg.removeprefix("Value error, ")
    # model-level validators name the field they are about: "en: required …"
    m = re.match(r"^([a-z_]+)(?:\[(\d+)\])?: (.*)$", msg)
    if m:
        sub: Path_ = (m[1],) if m[2] is None else (m[1], int(m[2]))
        return sub, m[3]
    return (), msg[:1].lower() + msg[1:]


def _validate(model: type[BaseModel], src: Source, problems: list[Problem]):
    try:
        return model.model_validate(src.data)
    except ValidationError as exc:
        for err in exc.errors():
            path = _data_path(src.data, err["loc"])
            sub, reason = _reason(err)
            path = path + sub
            problems.append(Problem(src.file, src.line(path), path, reason))
        return None


def data_files(root: Path = ROOT) -> tuple[list[Path], list[Problem]]:
    """Every *.yml file under data/ (links followed only inside the repository), and a problem for each entry
    refused: a link leaving the repository or to nothing, a *.yaml file, a .yml that is not a file."""
    top, files, problems, seen = root.resolve(), [], [], set()

    def real(entry: Path) -> Path:  # where a link leads (a link that loops: a path that does not exist)
        return Path(os.path.realpath(entry))

    def refuse(entry: Path, reason: str) -> None:
        problems.append(Problem(entry.relative_to(root).as_posix(), 1, (), reason))

    def visit(entry: Path) -> None:
        if entry.is_symlink():
            target = os.readlink(entry)
            if not real(entry).is_relative_to(top):
                return refuse(entry, f"a link to {target}, outside the repository: not read")
            if not entry.exists():
                return refuse(entry, f"a link to {target}, which does not exist")
        if entry.is_dir():
            if real(entry) not in seen:  # a folder linked twice (or into itself) is read once
                seen.add(real(entry))
                for child in sorted(entry.iterdir()):
                    if not child.name.startswith("."):  # editors' lock and swap files
                        visit(child)
        elif entry.suffix.lower() in (".yml", ".yaml"):
            if entry.suffix != ".yml":
                refuse(entry, f"rename to {entry.stem}.yml: only .yml files are read")
            elif not entry.is_file():
                refuse(entry, "not a regular file")
            else:
                files.append(entry)

    visit(root / "data")
    return files, problems


def _read(root: Path, file: Path, problems: list[Problem]) -> Source | None:
    display = file.relative_to(root).as_posix()
    try:
        return read(file, display)
    except YamlProblem as exc:
        problems.append(Problem(display, exc.line, exc.path, exc.reason))
    except OSError as exc:
        problems.append(Problem(display, 1, (), f"cannot be read ({exc.strerror})"))
    return None


# ---- walking validated models ------------------------------------------------------------


def walk(obj: object, path: Path_ = ()) -> Iterator[tuple[Path_, object]]:
    """Yield (path, object) for every model in a validated tree."""
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in type(obj).model_fields:
            yield from walk(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from walk(item, (*path, i))


class _Checker:
    """Cross-file checks on validated models; records problems with their lines."""

    def __init__(self, problems: list[Problem], untranslated: list[Problem]):
        self.problems, self.untranslated = problems, untranslated

    def add(self, src: Source, path: Path_, reason: str) -> None:
        self.problems.append(Problem(src.file, src.line(path), path, reason))

    def ids(self, src: Source, model: BaseModel, groups: dict[type, str] | None = None) -> None:
        """Duplicate ids, per kind of object (``groups`` puts several kinds in one namespace)."""
        seen: dict[str, dict[str, Path_]] = {}
        for path, obj in walk(model):
            if isinstance(obj, BaseModel) and isinstance(getattr(obj, "id", None), str):
                kind = (groups or {}).get(type(obj), type(obj).__name__)
                first = seen.setdefault(kind, {}).setdefault(obj.id, path)
                if first != path:
                    self.add(src, (*path, "id"), f"duplicate id {obj.id!r} (first at {fmt_path(first)})")

    def texts(self, src: Source, model: BaseModel, targets: dict[str, set[str]] | None = None):
        """Translations present (or waived) and inline references valid; returns refs used."""
        used: set[tuple[str, str]] = set()
        for path, obj in walk(model):
            if not isinstance(obj, s.Text):
                continue
            if obj.untranslated:
                self.untranslated.append(Problem(src.file, src.line(path), (*path, "en"), "untranslated"))
            if isinstance(obj, s.MarkdownText):
                self.links(src, path, obj)
            ja = set(REF.findall(obj.ja))
            en = set(REF.findall(obj.en)) if obj.en is not None else ja
            if ja != en:
                diff = ", ".join(sorted(f"{{{k}:{v}}}" for k, v in ja ^ en))
                self.add(src, (*path, "en"), f"references differ from ja: {diff}")
            elif obj.en is not None and _notes(obj.ja) != _notes(obj.en):  # one numbering serves both pages
                order = ", ".join(f"{{fn:{n}}}" for n in _notes(obj.ja))
                self.add(src, (*path, "en"), f"footnotes referred to in another order than in ja ({order})")
            for lang, refs in (("ja", ja), ("en", en)):
                for kind, ref in refs:
                    if targets is None:
                        self.add(
                            src,
                            (*path, lang),
                            f"{{{kind}:{ref}}}: references are only allowed in guidelines",
                        )
                    elif ref not in targets[kind]:
                        self.add(src, (*path, lang), f"{{{kind}:{ref}}}: no such {_KIND[kind]}")
            used |= ja
        return used

    @cached_property
    def _md(self):
        return links.markdown_without_html()

    def links(self, src: Source, path: Path_, text: s.MarkdownText) -> None:
        """Every link and image of a Markdown field points where a page may point (links.SCHEMES)."""
        for lang in ("ja", "en"):
            raw = getattr(text, lang)
            for target in links.targets(self._md.reset().convert(raw)) if raw else []:
                reason = links.problem(target)
                if reason:
                    self.add(src, (*path, lang), reason)

    def role(self, src: Source, path: Path_, role: str | None, allowed: set[str]) -> None:
        if role is not None and role not in allowed:
            self.add(src, path, f"unknown role {role!r} (expected one of {', '.join(sorted(allowed))})")


_KIND = {"fn": "footnote", "date": "key date", "ref": "section or table"}


def anchors(g: s.Guidelines) -> dict[str, object]:
    """Every section and table of the guidelines by id (their anchors)."""
    out: dict[str, object] = {}
    for _, obj in walk(g):
        if isinstance(obj, s.Section) or (hasattr(obj, "type") and hasattr(obj, "id")):
            out.setdefault(obj.id, obj)
    return out


def _check_guidelines(
    c: _Checker, src: Source, g: s.Guidelines, file: Path, roles: set[str], since: int
) -> None:
    if file.stem != str(g.year):
        c.add(src, ("year",), f"{g.year} does not match the file name {file.name}")
    intake = edition.intake_of(g.year, since)
    if g.intake != intake:
        c.add(src, ("intake",), f"{g.intake} is not the {g.year} intake ({intake}: one a year since {since})")
    for lang in LANGS:
        problem = edition.title_problem(g.title.get(lang), edition.Edition(g.year, intake), lang)
        if problem and (lang == "ja" or g.title.en is not None):
            c.add(src, ("title", lang), problem)
    for i, role in enumerate(g.roles):
        c.role(src, ("roles", i), role, roles)
    anchor_kinds = {
        t: "anchor" for t in (s.Section, s.DocumentsBlock, s.PayBlock, s.TableBlock, s.ScheduleBlock)
    }
    c.ids(src, g, anchor_kinds)
    targets = {
        "fn": {f.id for f in g.footnotes},
        "date": {d.id for d in g.dates},
        "ref": set(anchors(g)),
    }
    used = c.texts(src, g, targets)
    for i, fn in enumerate(g.footnotes):
        if ("fn", fn.id) not in used:
            c.add(src, ("footnotes", i, "id"), f"footnote {fn.id!r} is never referenced")
    for path, obj in walk(g):
        if hasattr(obj, "role") and not isinstance(obj, s.Guidelines):
            c.role(src, (*path, "role"), obj.role, set(g.roles))
        if isinstance(obj, s.ScheduleBlock):
            for i, date_id in enumerate(obj.dates):
                if date_id not in targets["date"]:
                    c.add(src, (*path, "dates", i), f"no such key date {date_id!r}")


def _missing(file: str, files: list[Path], root: Path, problems: list[Problem]) -> bool:
    """True (and a problem, unless the file was refused already) when a required file is not there to read."""
    if root / file in files:
        return False
    if not any(p.file == file for p in problems):
        problems.append(Problem(file, 1, (), "missing file"))
    return True


def _ui(
    root: Path, files: list[Path], problems: list[Problem], sources: dict[str, Source]
) -> dict[str, dict]:
    """data/ui/<lang>.yml: nested strings, the same keys in every language (their sources into ``sources``)."""
    ui: dict[str, dict] = {}
    keys: dict[str, dict[Path_, Source]] = {}
    for lang in LANGS:
        file = root / "data" / "ui" / f"{lang}.yml"
        if _missing(f"data/ui/{lang}.yml", files, root, problems):
            continue
        src = _read(root, file, problems)
        if src is None:
            continue
        sources[lang] = src
        leaves: dict[Path_, Source] = {}
        stack: list[tuple[Path_, object]] = [((), src.data)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                stack += [((*path, k), v) for k, v in node.items()]
            elif isinstance(node, str) and node.strip():
                leaves[path] = src
            else:
                problems.append(Problem(src.file, src.line(path), path, "expected non-empty text"))
        ui[lang], keys[lang] = src.data if isinstance(src.data, dict) else {}, leaves
    if len(keys) == len(LANGS):
        for lang in LANGS:
            for other in LANGS:
                for path in keys[other].keys() - keys[lang].keys():
                    src = keys[other][path]
                    problems.append(
                        Problem(f"data/ui/{lang}.yml", 1, path, f"missing (present in {src.file})")
                    )
    return ui


def _glossary(c: _Checker, glossary: s.Glossary, src: Source, texts, root: Path) -> None:
    """Terms and spellings of data/glossary.yml, over one file's texts."""
    for line, path, reason in gl.check(glossary, src, texts, root):
        c.problems.append(Problem(src.file, line, path, reason))


def load_site(root: Path = ROOT) -> Site:
    """Load and check all public data (data/faq/ is not read here). Raises DataError."""
    found, refused = data_files(root)
    problems = [p for p in refused if not p.file.startswith("data/faq/")]
    untranslated: list[Problem] = []
    c = _Checker(problems, untranslated)
    data_dir = root / "data"
    ui_files = {data_dir / "ui" / f"{lang}.yml" for lang in LANGS}
    files = [p for p in found if p.relative_to(data_dir).parts[0] != "faq" and p not in ui_files]
    loaded: dict[str, tuple[Source, BaseModel]] = {}
    guidelines: dict[int, tuple[Source, s.Guidelines, Path]] = {}
    for file in files:
        rel = file.relative_to(data_dir)
        key = rel.parts[0] if len(rel.parts) > 1 else file.stem
        model = s.MODELS.get(key)
        if model is None or (key == "guidelines") != (len(rel.parts) > 1) or key == "faq":
            problems.append(Problem(f"data/{rel.as_posix()}", 1, (), "unknown data file"))
            continue
        src = _read(root, file, problems)
        obj = src and _validate(model, src, problems)
        if obj is None:
            continue
        if key == "guidelines":
            guidelines[obj.year] = (src, obj, file)
        else:
            loaded[key] = (src, obj)
    for key in (k for k in s.MODELS if k not in ("guidelines", "faq")):  # one file each
        if key not in loaded and not any(p.file == f"data/{key}.yml" for p in problems):
            problems.append(Problem(f"data/{key}.yml", 1, (), "missing file"))
    if not guidelines and not any(p.file.startswith("data/guidelines/") for p in problems):
        problems.append(Problem("data/guidelines/", 1, (), "no guidelines file"))
    ui_sources: dict[str, Source] = {}
    ui = _ui(root, found, problems, ui_sources)
    if problems:
        raise DataError(problems)

    roles = {r.id for r in loaded["programme"][1].roles}
    for src, g, file in guidelines.values():
        _check_guidelines(c, src, g, file, roles, loaded["programme"][1].figures.since)
    for src, obj in loaded.values():
        c.ids(src, obj)
        c.texts(src, obj)
    news_src, news = loaded["news"]
    tags = {t.id for t in news.tags}
    for i, item in enumerate(news.items):
        for j, tag in enumerate(item.tags):
            if tag not in tags:
                c.add(news_src, ("items", i, "tags", j), f"unknown tag {tag!r}")
    programme_src, programme = loaded["programme"]
    listed: set[str] = set()
    for i, body in enumerate(programme.cooperation.bodies):
        if body.part_of is not None and body.part_of not in listed:
            reason = f"unknown body {body.part_of!r} (a parent is listed before its parts)"
            c.add(programme_src, ("cooperation", "bodies", i, "part_of"), reason)
        listed.add(body.id)
    videos_src, videos = loaded["videos"]
    for path, obj in walk(videos):
        if isinstance(obj, s.Story):
            c.role(videos_src, (*path, "role"), obj.role, roles)
    home_src, home = loaded["home"]
    desks = {d.id for d in loaded["contacts"][1].desks}
    if home.faq.desk not in desks:
        c.add(home_src, ("faq", "desk"), f"unknown contact desk {home.faq.desk!r}")
    contacts_src, contacts = loaded["contacts"]
    if contacts.security.desk not in desks:
        c.add(contacts_src, ("security", "desk"), f"unknown contact desk {contacts.security.desk!r}")
    statement_src, statement = loaded["accessibility"]
    if statement.desk not in desks:
        c.add(statement_src, ("desk",), f"unknown contact desk {statement.desk!r}")
    latest = max(guidelines)
    sections = {k for k, v in anchors(guidelines[latest][1]).items() if isinstance(v, s.Section)}
    for i, sec in enumerate(home.pamphlet.guidelines):
        if sec not in sections:
            c.add(
                home_src,
                ("pamphlet", "guidelines", i),
                f"no section {sec!r} in the {latest} guidelines",
            )
    glossary = loaded["glossary"][1]
    for src, obj in [*loaded.values(), *((src, g) for src, g, _ in guidelines.values())]:
        _glossary(c, glossary, src, gl.texts(obj), root)
    for lang, src in ui_sources.items():
        _glossary(c, glossary, src, gl.ui_texts(src, lang), root)
    if problems:
        raise DataError(problems)
    return Site(
        root=root,
        guidelines={year: g for year, (_, g, _) in sorted(guidelines.items())},
        ui=ui,
        untranslated=untranslated,
        **{key.replace("-", "_"): obj for key, (_, obj) in loaded.items()},
    )


def load_faq(site: Site, root: Path = ROOT) -> tuple[s.Faq, list[Problem]]:
    """Load data/faq/faq.yml for the separate FAQ build. Returns the FAQ and untranslated fields."""
    found, refused = data_files(root)
    problems = [p for p in refused if p.file.startswith("data/faq/")]
    untranslated: list[Problem] = []
    c = _Checker(problems, untranslated)
    file = root / "data" / "faq" / "faq.yml"
    for other in (f for f in found if f.relative_to(root / "data").parts[0] == "faq" and f != file):
        problems.append(Problem(other.relative_to(root).as_posix(), 1, (), "unknown data file"))
    missing = _missing("data/faq/faq.yml", found, root, problems)
    src = None if missing else _read(root, file, problems)
    faq = src and _validate(s.Faq, src, problems)
    if faq is not None:
        c.ids(src, faq)
        c.texts(src, faq)
        categories = {cat.id for cat in faq.categories}
        sections = {
            k for k, v in anchors(site.guidelines[site.latest_year]).items() if isinstance(v, s.Section)
        }
        for i, entry in enumerate(faq.entries):
            if entry.category not in categories:
                c.add(src, ("entries", i, "category"), f"unknown category {entry.category!r}")
            for j, ref in enumerate(entry.refs):
                if ref not in sections:
                    c.add(src, ("entries", i, "refs", j), f"no such guideline section {ref!r}")
        _glossary(c, site.glossary, src, gl.texts(faq), root)
    if problems:
        raise DataError(problems)
    return faq, untranslated
