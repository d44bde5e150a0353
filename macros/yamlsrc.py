"""Read YAML keeping the source line of every value, so errors can name file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

Path_ = tuple[str | int, ...]


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


def _to_python(node: yaml.Node, path: Path_, lines: dict, loader: _Constructor, last: dict) -> object:
    lines[path] = node.start_mark.line + 1
    end = node.end_mark
    last[path] = max(lines[path], end.line if end.column == 0 else end.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int):
                raise YamlProblem(key_node.start_mark.line + 1, path, "keys must be text")
            key = str(key)
            if key in out:
                raise YamlProblem(key_node.start_mark.line + 1, (*path, key), "duplicate key")
            out[key] = _to_python(value_node, (*path, key), lines, loader, last)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines, loader, last) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value
    return loader.construct_object(node)


def read(path: Path, display: str) -> Source:
    """Parse one YAML file; raise YamlProblem for syntax errors and duplicate keys."""
    text = path.read_text(encoding="utf-8")
    loader = _Constructor(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, (), f"YAML syntax: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    last: dict[Path_, int] = {}
    data = {} if node is None else _to_python(node, (), lines, loader, last)
    return Source(display, data, lines, last)


def fmt_path(path: Path_) -> str:
    """Show a path as error messages do: sections[3].items[2].text.en"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"
