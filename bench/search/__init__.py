"""Search benchmark: queries typed into the header search of the built site in headless Chromium.

The queries (bench/search/queries.yml) and the checks on what a result shows are shared with
tests/test_search.py.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml

from macros import schema as s
from macros.data import Site, walk

QUERIES = Path(__file__).resolve().parent / "queries.yml"

WATCH = """() => {
  const input = document.getElementById('site-search-input');
  const count = document.getElementById('site-search-count');
  window.__bench = {input: 0, done: 0};
  input.addEventListener('input', () => { window.__bench.input = performance.now(); window.__bench.done = 0; });
  new MutationObserver(() => { window.__bench.done = performance.now(); })
    .observe(document.getElementById('site-search-results'), {childList: true});
  new MutationObserver(() => { if (count.textContent) window.__bench.done = performance.now(); })
    .observe(count, {childList: true, characterData: true, subtree: true});
}"""


def type_query(page, q: str, keys: bool = True) -> float:
    """Type a query into the header search (key by key, or all at once); the milliseconds from the last
    keystroke to the results. The page must be watched first (WATCH)."""
    page.fill("#site-search-input", "")
    page.wait_for_timeout(80)
    page.click("#site-search-input")
    if keys:
        page.keyboard.type(q)
    else:
        page.fill("#site-search-input", q)
    page.wait_for_function(
        "window.__bench.done > window.__bench.input && "
        "!document.getElementById('site-search-count').textContent.includes('…')",
        timeout=15000,
    )
    page.wait_for_timeout(30)
    timing = page.evaluate("window.__bench")
    return timing["done"] - timing["input"]


# Every result in the panel as the reader sees it: link, page title, section, excerpt and its marked words.
RESULTS_JS = """() => [...document.querySelectorAll('#site-search-results a')].map(a => ({
  href: a.getAttribute('href'),
  title: a.querySelector('.site-search__title').textContent,
  section: (a.querySelector('.site-search__section') || {}).textContent || null,
  excerpt: a.querySelector('.site-search__excerpt').textContent,
  marks: [...a.querySelectorAll('.site-search__excerpt mark')].map(m => m.textContent),
}))"""


def queries() -> dict[str, list[dict]]:
    """{lang: [{q, page, anchor}]}: what people type, and the page and heading id they expect."""
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))


def keyword_lists(site: Site, lang: str) -> list[list[str]]:
    """Every `keywords:` list of the public data, in one language."""
    roots = [*site.guidelines.values(), site.contacts, site.audiences, site.videos, site.programme]
    return [getattr(obj, lang) for root in roots for _, obj in walk(root) if isinstance(obj, s.Keywords)]


def shows_keywords(text: str, lists: list[list[str]]) -> str | None:
    """Two keywords of one list side by side (as a list would print them) in a shown text, or None."""
    flat = " ".join(text.split()).lower()
    for words in lists:
        for a, b in itertools.pairwise(words):
            if f"{a} {b}".lower() in flat:
                return f"{a} {b}"
    return None


# The query's words as the browser cuts them (Pagefind cuts a query the same way before it searches).
WORDS_JS = """q => [...new Intl.Segmenter(document.documentElement.lang, {granularity: 'word'}).segment(q)]
  .filter(s => s.isWordLike).map(s => s.segment)"""


def partial_marks(query: str, words: list[str], marks: list[str]) -> list[str]:
    """Marked text that is only a piece of a word: part of one of the query's words (給 of 給与), or one
    character the query does not hold on its own (者 of 参加者)."""
    typed = query.lower().split()
    return [
        m
        for m in marks
        if any(m.lower() in w.lower() and m.lower() != w.lower() for w in words)
        or (len(m) == 1 and m.lower() not in typed)
    ]
