"""Read YAML keeping the source line of every value, so errors can name file:line.

A data file is untrusted input: its size, nesting and alias expansion are bounded, and every failure (bytes,
syntax, tags, values) becomes one YamlProblem with a line, never an exception from the YAML library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.reader import Reader

Path_ = tuple[str | int, ...]

# Limits, far above the real data (largest file 113 KB, nesting 14, no aliases; README "Limits"):
MAX_BYTES = 4 * 1024 * 1024  # per file
MAX_DEPTH = 100  # lists and mappings inside each other
MAX_ALIASES = 1000  # expansions of `*name` while converting (nested expansions count too)
MAX_EXPANDED = 10_000_000  # characters of text after expanding aliases, plus one per value


@dataclass
class Source:
    """Plain data read from one YAML file plus the line of every path in it."""

    file: str
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    last_lines: dict[Path_, int] = field(default_factory=dict)  # where each value ends (block scalars)

    def line(self, path: Path_) -> int:
        """Line of the deepest existing prefix of ``path`` (a missing key reports its parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


class YamlProblem(Exception):
    def __init__(self, line: int, path: Path_, reason: str):
        super().__init__(reason)
        self.line, self.path, self.reason = line, path, reason


class _Constructor(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader (libyaml's parser when present); timestamps stay strings (the schema parses dates)."""


_STD = "tag:yaml.org,2002:"
_SCALARS = {  # the plain YAML a data file may use, and what a value of that tag must be
    f"{_STD}str": "text",
    f"{_STD}int": "a whole number",
    f"{_STD}float": "a number",
    f"{_STD}bool": "true or false",
    f"{_STD}null": "null",
    f"{_STD}timestamp": "a date",
}
_COLLECTIONS = {yaml.MappingNode: f"{_STD}map", yaml.SequenceNode: f"{_STD}seq"}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _tag(tag: str) -> str:
    return tag.replace(_STD, "!!", 1)


@dataclass
class _Converter:
    """Node tree → plain data with lines; counts alias expansions and the expanded size as it goes."""

    loader: _Constructor
    lines: dict[Path_, int] = field(default_factory=dict)
    last: dict[Path_, int] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    outer: tuple[int, Path_] | None = None  # the alias being expanded, as written: its line and path
    aliases: int = 0
    size: int = 0

    def convert(self, node: yaml.Node, path: Path_, ref: int) -> object:
        """``ref``: the line that refers to ``node`` (where an alias to it is written)."""
        line = _line(node)
        if len(path) > MAX_DEPTH:
            raise YamlProblem(line, path[:4], f"nested more than {MAX_DEPTH} levels deep")
        outer = self.outer
        if id(node) in self.seen:  # the composer gives an alias the very node of its anchor
            self.outer = outer or (ref, path)  # errors inside an expansion name the alias written in the file
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlProblem(*self.outer, f"aliases (*name) expanded more than {MAX_ALIASES} times")
        self.seen.add(id(node))
        self.size += 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
        if self.size > MAX_EXPANDED:
            where = self.outer or (line, path)
            raise YamlProblem(*where, f"aliases (*name) expand the data beyond {MAX_EXPANDED:,} characters")
        self.lines[path] = line
        end = node.end_mark
        self.last[path] = max(line, end.line if end.column == 0 else end.line + 1)
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, path)
        elif node.tag != _COLLECTIONS[type(node)]:
            raise YamlProblem(line, path, f"unknown tag {_tag(node.tag)}")
        elif isinstance(node, yaml.SequenceNode):
            value = [self.convert(item, (*path, i), line) for i, item in enumerate(node.value)]
        else:
            value = self.mapping(node, path)
        self.outer = outer
        return value

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        try:
            self.loader.flatten_mapping(node)  # merge keys (<<)
        except yaml.MarkedYAMLError as exc:
            raise YamlProblem(exc.problem_mark.line + 1, (*path, "<<"), exc.problem) from None
        out: dict = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int):
                raise YamlProblem(_line(key_node), path, "keys must be text")
            key = str(key)
            if key in out:
                raise YamlProblem(_line(key_node), (*path, key), "duplicate key")
            out[key] = self.convert(value_node, (*path, key), _line(key_node))
        return out

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> object:
        what = _SCALARS.get(node.tag)
        if what is None:
            raise YamlProblem(_line(node), path, f"unknown tag {_tag(node.tag)}")
        if node.tag == f"{_STD}timestamp":
            return node.value
        try:
            return self.loader.construct_object(node)
        except (ValueError, TypeError, KeyError, OverflowError, yaml.YAMLError):
            shown = node.value if len(node.value) <= 40 else node.value[:39] + "…"
            raise YamlProblem(_line(node), path, f"{shown!r} is not {what}") from None


def _text(raw: bytes) -> str:
    """UTF-8 text that YAML accepts (no control characters), or a YamlProblem at the offending line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(line, (), f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    bad = Reader.NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlProblem(line, (), f"control character U+{ord(bad[0]):04X} is not allowed in YAML")
    return text


def _check_depth(text: str) -> None:
    """Nesting is bounded before composing: libyaml's composer recurses in C and crashes beyond some 20,000
    levels. A level needs a further column of indentation (two levels at most per column: a list may sit at its
    key's column) or a flow bracket (two levels: `[a: b]` is a list of a mapping), so a file whose bound stays
    low is safe to compose (the converter enforces MAX_DEPTH); any other is parsed once for its real depth."""
    bound = 2 * (max(map(len, text.split("\n"))) + 1) + 2 * (text.count("[") + text.count("{"))
    if bound <= 2000:
        return
    parser, depth = _Constructor(text), 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(_line(event), (), f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()


def read(path: Path, display: str) -> Source:
    """Parse one YAML file; raise YamlProblem for anything that is not plain, bounded YAML."""
    with path.open("rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YamlProblem(1, (), f"larger than {MAX_BYTES // 1024 // 1024} MB (the limit for a data file)")
    text = _text(raw)
    loader = _Constructor(text)
    try:
        _check_depth(text)
        node = loader.get_single_node()
        converter = _Converter(loader)
        data = {} if node is None else converter.convert(node, (), 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, (), f"YAML syntax: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:  # without a position (e.g. the reader of the pure-Python parser)
        raise YamlProblem(1, (), f"YAML syntax: {exc}") from None
    except RecursionError:  # a fallback: the limits above stop every deep input known
        raise YamlProblem(1, (), "nested too deeply (an alias or merge key that contains itself?)") from None
    finally:
        loader.dispose()
    return Source(display, data, converter.lines, converter.last)


def fmt_path(path: Path_) -> str:
    """Show a path as error messages do: sections[3].items[2].text.en"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def texts(node: object, path: Path_ = ()):
    """(path, mapping) of every text in raw YAML data: a mapping with a ``ja`` string (not looked inside)."""
    if isinstance(node, dict):
        if isinstance(node.get("ja"), str):
            yield path, node
            return
        for key, value in node.items():
            yield from texts(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from texts(value, (*path, i))
