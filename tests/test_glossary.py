"""The terminology check (data/glossary.yml) and Japanese punctuation: `make check` names every variant with its
file and line; quoted official Japanese is left alone; the real data and pages pass."""

from __future__ import annotations

import re

from conftest import pages_of, project_copy, run
from lxml import html as lhtml

from macros import glossary as gl
from macros.faq import render_document
from macros.yamlsrc import read

_JAPANESE = "\u3040-\u30ff\u3400-\u9fff"
HALF_WIDTH = re.compile(rf"[{_JAPANESE}]\s*[:,]|[:,]\s*[{_JAPANESE}]")  # 「受付時間:」「報酬, 2.(1)」


def _plant(root, file: str, old: str, new: str) -> int:
    """Replace the first ``old`` in a data file; return the line where ``new`` begins."""
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_planted_variants_are_reported_with_file_line_and_path(tmp_path, site):
    term = site.glossary.terms[0]
    variant = term.avoid[0]
    spelling = site.glossary.spelling[0]
    root = project_copy(tmp_path / "p")
    news = site.news_items()[0]
    first_en = news.body.en.splitlines()[0]
    news_line = _plant(root, "data/news.yml", first_en, f"{first_en} The {variant} is due.")
    index = site.news.items.index(news)
    ui_line = _plant(root, "data/ui/en.yml", "  skip: Skip to content", f"  skip: Skip to the {variant}")
    # the guidelines' Japanese is quoted from the official document: not ours to respell
    quoted = site.guidelines[site.latest_year].preamble[0].text.ja
    _plant(root, f"data/guidelines/{site.latest_year}.yml", quoted, f"{spelling.avoid[0]}。{quoted}")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("data/")]
    reason = f"{variant!r}: write {term.en!r} ({term.ja}; data/glossary.yml)"
    assert lines == [
        f"data/news.yml:{news_line}: items[{index}].body.en: {reason}",
        f"data/ui/en.yml:{ui_line}: site.skip: {reason}",
    ], result.stderr


def test_planted_spelling_in_the_faq_is_reported_on_its_line(tmp_path, site, faq):
    spelling = site.glossary.spelling[0]
    root = project_copy(tmp_path / "p")
    answer = faq.entries[0].answer.ja.splitlines()[-1]
    line = _plant(root, "data/faq/faq.yml", answer, f"{answer}{spelling.avoid[0]}。")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1
    expected = f"data/faq/faq.yml:{line}: entries[0].answer.ja: {spelling.avoid[0]!r}: write {spelling.use!r}"
    assert [x for x in result.stderr.splitlines() if x.startswith("data/")] == [
        f"{expected} (data/glossary.yml)"
    ], result.stderr


def test_our_own_texts_in_the_guidelines_are_checked(tmp_path, site):
    spelling = site.glossary.spelling[0]
    g = site.guidelines[site.latest_year]
    label = g.dates[0].label.ja
    root = project_copy(tmp_path / "p")
    line = _plant(root, f"data/guidelines/{g.year}.yml", f"ja: {label}", f"ja: {label}{spelling.avoid[0]}")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1
    expected = f"data/guidelines/{g.year}.yml:{line}: dates[0].label.ja: {spelling.avoid[0]!r}"
    assert any(x.startswith(expected) for x in result.stderr.splitlines()), result.stderr


def test_every_variant_of_the_glossary_is_caught_and_the_preferred_form_is_not(tmp_path, site):
    g = site.glossary
    cases = [("en", t.en, v) for t in g.terms for v in t.avoid] + [
        ("ja", sp.use, v) for sp in g.spelling for v in sp.avoid
    ]
    for lang in ("en", "ja"):
        mine = [c for c in cases if c[0] == lang]
        body = "".join(f"bad{i}: 'x {v} x'\ngood{i}: 'x {use} x'\n" for i, (_, use, v) in enumerate(mine))
        (tmp_path / f"{lang}.yml").write_text(body, encoding="utf-8")
        src = read(tmp_path / f"{lang}.yml", f"{lang}.yml")
        hits = gl.check(g, src, gl.ui_texts(src, lang), tmp_path)
        assert sorted({path[0] for _, path, _ in hits}) == sorted(f"bad{i}" for i in range(len(mine)))
        for line, path, _ in hits:
            assert line == src.line(path)


def test_a_capitalisation_rule_allows_a_capital_at_the_start_of_a_sentence(tmp_path, site):
    term = next(t for t in site.glossary.terms if any(v.lower() == t.en.lower() for v in t.avoid))
    variant = next(v for v in term.avoid if v.lower() == term.en.lower())
    sentence_start = term.en[0].upper() + term.en[1:]
    (tmp_path / "en.yml").write_text(
        f"a: '{sentence_start} first.'\nb: 'Then the {variant}.'\n", encoding="utf-8"
    )
    src = read(tmp_path / "en.yml", "en.yml")
    assert [path for _, path, _ in gl.check(site.glossary, src, gl.ui_texts(src, "en"), tmp_path)] == [("b",)]


def test_real_data_passes_the_glossary(site, faq):
    assert site.glossary.terms and site.glossary.spelling  # load_site and load_faq ran the check


def test_japanese_pages_and_faq_use_full_width_punctuation(built, site, faq):
    offenders = []
    htmls = {**pages_of(built, "ja"), "faq/ja (decrypted)": render_document(site, faq, "ja")}
    for path, page in htmls.items():
        doc = lhtml.fromstring(page)
        for el in doc.xpath("//*[@lang and not(starts-with(@lang, 'ja'))] | //script | //style | //code"):
            el.drop_tree()
        text = re.sub(r"\s+", " ", doc.text_content())
        offenders += [
            f"{path}: …{text[max(m.start() - 8, 0) : m.end() + 8]}…" for m in HALF_WIDTH.finditer(text)
        ]
    assert offenders == []
