"""The data layer: real data loads; every kind of broken file gives one clear `file:line: path: reason`."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import project_copy, run
from lxml import html as lhtml

from macros import schema as s
from macros.data import walk
from macros.render import Renderer, esc


def test_real_data_loads_completely(site, faq):
    g = site.guidelines[site.latest_year]
    assert len(g.sections) >= 16 and len(g.footnotes) == 5 and len(g.dates) >= 10
    assert {r.id for r in site.programme.roles} == {"alt", "cir", "sea"}
    assert len(site.audiences.audiences) == 5
    assert len(faq.entries) >= 40 and faq.sample
    assert site.untranslated == []  # nothing waived at the moment


def test_every_text_has_both_languages(site, faq):
    texts = [
        o
        for model in (site.programme, site.home, site.news, faq)
        for _, o in walk(model)
        if isinstance(o, s.Text)
    ]
    assert texts and all(t.ja and t.en for t in texts)


def test_check_command_passes_on_real_data():
    result = run(["-m", "macros", "check"])
    assert result.returncode == 0, result.stderr
    assert "data OK" in result.stdout


def test_data_layer_does_not_import_mkdocs():
    code = (
        "import sys, macros.data, macros.render, macros.faq, macros.outputs, macros.crypto, macros.build;"
        "import macros.data as d; d.load_site();"
        "sys.exit(1 if any(m == 'mkdocs' or m.startswith('mkdocs.') for m in sys.modules) else 0)"
    )
    assert run(["-c", code]).returncode == 0


def test_plain_text_is_escaped_for_html_and_markdown():
    out = str(esc('<script>alert(1)</script> *bold* [link](http://x) `code` #1 & "q"'))
    for raw in ("<script>", "*bold*", "[link]", "`code`", "#1", '"q"', " & "):
        assert raw not in out
    assert "&#60;script&#62;" in out


# (file, text to replace, replacement, expected path, expected reason); the expected line is the line of the
# replacement's last line
BROKEN = [
    ("data/contacts.yml", 'opens: "09:00"', "opens: [9]", "desks[0].hours.opens", "expected text"),
    (
        "data/contacts.yml",
        "  - id: coordination\n",
        '  - id: coordination\n    phone: "03"\n',
        "desks[0].phone",
        "unknown field",
    ),
    (
        "data/home.yml",
        "title: {ja: 団体の皆さまへ, en: For organisations}",
        "title: {ja: 団体の皆さまへ}",
        "title.en",
        "required (or mark the field `untranslated: true`)",
    ),
    (
        "data/news.yml",
        "date: 2023-10-10",
        "date: 2023-02-30",
        "items[0].date",
        "invalid date '2023-02-30': no such day",
    ),
    (
        "data/news.yml",
        "- id: 2023-10-10-career-fair",
        "- id: 2023-10-10-career-fair\n    datum: 1",
        "items[0].datum",
        "unknown field",
    ),
    ("data/programme.yml", "share: 90", "share: lots", "roles[0].share", "expected a whole number"),
    (
        "data/videos.yml",
        "provider: youtube",
        "provider: vimeo",
        "videos[0].provider",
        "input should be 'youtube'",
    ),
    (
        "data/audiences.yml",
        "- id: host",
        "- id: considering",
        "audiences[1].id",
        "duplicate id 'considering' (first at audiences[0])",
    ),
    (
        "data/news.yml",
        "tags: [current, alumni, organisations, businesses]",
        "tags: [current, nobody]",
        "items[0].tags[1]",
        "unknown tag 'nobody'",
    ),
    (
        "data/guidelines/2024.yml",
        "year: 2024",
        "year: 2023",
        "year",
        "2023 does not match the file name 2024.yml",
    ),
    (
        "data/guidelines/2024.yml",
        "{date:application-deadline}までに",
        "{date:no-such-date}までに",
        None,
        "{date:no-such-date}: no such key date",
    ),
    (
        "data/guidelines/2024.yml",
        "  - id: positions\n",
        "  - id: positions\n    role: alt\n",
        "sections[0].role",
        "unknown role 'alt' (expected one of cir, sea)",
    ),
    (
        "data/home.yml",
        "  desk: training",
        "  desk: nowhere",
        "faq.desk",
        "unknown contact desk 'nowhere'",
    ),
    (
        "data/contacts.yml",
        "  - id: coordination",
        "  - id: coordination\n  - id: coordination",
        None,
        None,
    ),
    (
        "data/programme.yml",
        "figures: {since: 1987",
        "figures: {since: 1987,, }",
        None,
        "YAML syntax",
    ),
    (
        "data/faq/faq.yml",
        "category: remuneration-tax",
        "category: gossip",
        None,
        "unknown category 'gossip'",
    ),
    (
        "data/guidelines/2024.yml",
        "    kind: deadline\n    start: 2024-02-23",
        "    kind: deadline\n    start: 2024-02",
        "dates[0].start",
        "a deadline is a day (YYYY-MM-DD)",
    ),
    (
        "data/guidelines/2024.yml",
        "    calendar: false               # the guidelines give a week, not a day",
        "    calendar: true",
        "dates[9].calendar",
        "no exact day to put in the calendar; set `calendar: false`",
    ),
    (
        "data/guidelines/2024.yml",
        "    kind: period\n    start: 2024-03\n    end: 2024-04",
        "    kind: from\n    start: 2024-03\n    end: 2024-04",
        "dates[2].end",
        "only a period has an end (this date is 'from')",
    ),
    (
        "data/guidelines/2024.yml",
        "    kind: deadline",
        "    kind: soon",
        "dates[0].kind",
        "input should be 'deadline', 'by', 'date', 'period' or 'from'",
    ),
    (
        "data/programme.yml",
        "      part_of: mext",
        "      part_of: nowhere",
        "cooperation.bodies[3].part_of",
        "unknown body 'nowhere' (a parent is listed before its parts)",
    ),
    (
        "data/glossary.yml",
        "avoid: [residence tax, inhabitant tax]",
        "avoid: [resident tax]",
        "terms[0].avoid[0]",
        "the same as en",
    ),
    ("data/glossary.yml", "  - {ja: 住民税,", "  - {jp: 住民税,", "terms[0].jp", "unknown field"),
]


@pytest.mark.parametrize(
    "file, old, new, path, reason", BROKEN, ids=[f"{b[0]}:{b[3] or b[4]}" for b in BROKEN]
)
def test_broken_file_is_reported_with_file_line_path_reason(tmp_path, file, old, new, path, reason):
    root = project_copy(tmp_path / "p")
    target = root / file
    text = target.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {file}"
    line = text[: text.index(old)].count("\n") + 1 + new.rstrip("\n").count("\n")
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("data/")]
    assert lines, result.stderr
    if path and reason:
        assert f"{file}:{line}: {path}: {reason}" in lines, result.stderr
    else:
        assert any(x.startswith(f"{file}:") and (reason is None or reason in x) for x in lines), result.stderr


def test_all_problems_of_a_run_are_reported_at_once(tmp_path):
    root = project_copy(tmp_path / "p")
    contacts = root / "data/contacts.yml"
    contacts.write_text(contacts.read_text().replace('opens: "09:00"', "opens: 9"), encoding="utf-8")
    news = root / "data/news.yml"
    news.write_text(news.read_text().replace("date: 2023-10-10", "date: yesterday"), encoding="utf-8")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1
    reported = {x.split(":")[0] for x in result.stderr.splitlines() if x.startswith("data/")}
    assert reported == {"data/contacts.yml", "data/news.yml"}


def test_untranslated_field_is_allowed_and_reported(tmp_path):
    root = project_copy(tmp_path / "p")
    home = root / "data/home.yml"
    home.write_text(
        home.read_text().replace(
            "title: {ja: 団体の皆さまへ, en: For organisations}",
            "title: {ja: 団体の皆さまへ, untranslated: true}",
        ),
        encoding="utf-8",
    )
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 0, result.stderr
    assert "data/home.yml:2: title.en: untranslated" in result.stdout


def test_reception_hours_show_only_what_is_known(site):
    desk = site.contacts.desks[0]
    r = Renderer(site, "ja")
    hours = s.Hours(opens=desk.hours.opens, closes=desk.hours.closes)  # the source gives no days
    shown = r.hours(hours)
    assert desk.hours.closes in shown
    assert not any(day in shown for day in [*r.ui["days"].values(), r.ui["formats"]["weekdays"]])
    with_days = r.hours(hours.model_copy(update={"days": ["sat"]}))
    assert r.ui["days"]["sat"] in with_days
    nodays = site.contacts.model_copy(update={"desks": [desk.model_copy(update={"hours": hours})]})
    ld = Renderer(replace(site, contacts=nodays), "en").contacts_jsonld()
    point = json.loads(ld.removeprefix('<script type="application/ld+json">').removesuffix("</script>"))
    assert "dayOfWeek" not in point["contactPoint"][0]["hoursAvailable"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_cooperating_bodies_are_listed_under_their_parent(site, lang):
    r = Renderer(site, lang, "programme.md")
    page = lhtml.fromstring(f"<div>{r.render_page('{{ programme() }}')}</div>")
    bodies = site.programme.cooperation.bodies
    top = page.xpath("//ul[@class='cooperation' and not(ancestor::ul)]/li")
    assert [li.xpath("./a")[0].text_content() for li in top] == [
        b.name.get(lang) for b in bodies if b.part_of is None
    ]
    for body in (b for b in bodies if b.part_of):
        parent = next(b for b in bodies if b.id == body.part_of)
        nested = page.xpath(f"//li[a='{parent.name.get(lang)}']/ul/li/a")
        assert body.name.get(lang) in [a.text_content() for a in nested]
    assert r.ui["programme"]["cooperation"] in page.text_content()
