"""Synthetic data at N times the real amount: news items, FAQ entries and guideline sections."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import yaml


def _renamed(node, suffix: str, keys=("id",)):
    """A deep copy with every id (and references to anchors inside it) given a suffix."""
    node = copy.deepcopy(node)

    def visit(n):
        if isinstance(n, dict):
            for k in keys:
                if isinstance(n.get(k), str):
                    n[k] = f"{n[k]}-{suffix}"
            for v in n.values():
                visit(v)
        elif isinstance(n, list):
            for v in n:
                visit(v)

    visit(node)
    return node


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def scale(root: Path, factor: int) -> None:
    """Multiply the data of a project copy in place (factor 1 leaves it as it is)."""
    if factor == 1:
        return
    news_path = root / "data/news.yml"
    news = yaml.safe_load(news_path.read_text(encoding="utf-8"))
    news["items"] += [_renamed(i, f"x{k}") for k in range(1, factor) for i in news["items"]]
    _dump(news_path, news)
    faq_path = root / "data/faq/faq.yml"
    faq = yaml.safe_load(faq_path.read_text(encoding="utf-8"))
    faq["entries"] += [_renamed(e, f"x{k}") for k in range(1, factor) for e in faq["entries"]]
    _dump(faq_path, faq)
    for g_path in (root / "data/guidelines").glob("*.yml"):
        text = g_path.read_text(encoding="utf-8")
        g = yaml.safe_load(
            re.sub(r"(?m)^(\s*(?:- )?(?:start|end|date): )(\d{4}-\d{2}(?:-\d{2})?)$", r"\1'\2'", text)
        )
        g["sections"] += [_renamed(sec, f"x{k}") for k in range(1, factor) for sec in g["sections"]]
        _dump(g_path, g)
