"""The data layer: real data loads; every kind of broken file gives one clear `file:line: path: reason`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from conftest import project_copy, run
from lxml import html as lhtml

from macros import schema as s
from macros.data import walk
from macros.render import Renderer, esc
from macros.yamlsrc import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_EXPANDED


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


# Hostile input: (file, bytes to replace, replacement, expected path, expected reason); the expected line is the
# line of the replacement's last line
HOSTILE = [
    ("data/news.yml", b"Career Fair and", b"Career \xff Fair and", "(file)", "not UTF-8 text (byte 0xff)"),
    (
        "data/news.yml",
        b"Career Fair and",
        b"Career \x00 Fair and",
        "(file)",
        "control character U+0000 is not allowed in YAML",
    ),
    (
        "data/videos.yml",
        b"provider: youtube",
        b"provider: !secret youtube",
        "videos[0].provider",
        "unknown tag !secret",
    ),
    (
        "data/videos.yml",
        b"provider: youtube",
        b"provider: !!binary eW91dHViZQ==",
        "videos[0].provider",
        "unknown tag !!binary",
    ),
    (
        "data/programme.yml",
        b"share: 90",
        b"share: !!int abc",
        "roles[0].share",
        "'abc' is not a whole number",
    ),
    (
        "data/contacts.yml",
        b"  - id: coordination\n",
        b"  - id: coordination\n    <<: 5\n",
        "desks[0].<<",
        "expected a mapping or list of mappings for merging, but found scalar",
    ),
    (
        "data/programme.yml",
        b"participants: 77000}\n",
        b"participants: 77000}\ndeep: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "(file)",
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    (  # not deep enough to need the parser's check first: the converter stops it
        "data/programme.yml",
        b"participants: 77000}\n",
        b"participants: 77000}\ndeep: " + b"[" * (MAX_DEPTH + 50) + b"]" * (MAX_DEPTH + 50) + b"\n",
        "deep[0][0][0]",
        f"nested more than {MAX_DEPTH} levels deep",
    ),
]


def _check(root, timeout=30) -> tuple[subprocess.CompletedProcess, int]:
    """`make check` in a project copy, stopped after ``timeout`` s; returns its result and peak RSS (KB)."""
    measured = (
        "import resource, runpy, sys; sys.argv = ['macros', 'check']\n"
        "try: runpy.run_module('macros', run_name='__main__')\n"
        "finally: print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    result = subprocess.run(
        [sys.executable, "-c", measured], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )
    rss = int(result.stderr.rsplit("maxrss ", 1)[1])
    return result, rss


def _problems(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return [x for x in result.stderr.splitlines() if x.startswith("data/")]


@pytest.mark.parametrize(
    "file, old, new, path, reason", HOSTILE, ids=[f"{h[4][:30]}-{h[3]}" for h in HOSTILE]
)
def test_hostile_yaml_is_reported_with_file_line_path_reason(tmp_path, file, old, new, path, reason):
    root = project_copy(tmp_path / "p")
    target = root / file
    raw = target.read_bytes()
    assert old in raw, f"fixture text not found in {file}"
    line = raw[: raw.index(old)].count(b"\n") + 1 + new.rstrip(b"\n").count(b"\n")
    target.write_bytes(raw.replace(old, new, 1))
    result, _ = _check(root)
    assert f"{file}:{line}: {path}: {reason}" in _problems(result), result.stderr


def test_a_file_too_large_is_not_read(tmp_path):
    root = project_copy(tmp_path / "p")
    with (root / "data/news.yml").open("ab") as f:
        f.write(b"#" * MAX_BYTES + b"\n")
    problems = _problems(_check(root)[0])
    assert problems == [
        f"data/news.yml:1: (file): larger than {MAX_BYTES // 2**20} MB (the limit for a data file)"
    ]


def _bomb(levels: int = 9) -> str:
    """A "billion laughs": each level an alias of the previous one ten times (10**levels strings)."""
    out = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    out += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(out) + "\n"


def test_alias_bomb_is_stopped_quickly_in_little_memory(tmp_path):
    root = project_copy(tmp_path / "p")
    (root / "data/news.yml").write_text(_bomb(), encoding="utf-8")
    result, rss = _check(root)  # before the limits: minutes, then killed at 7.6 GB
    [problem] = _problems(result)
    line = int(problem.split(":")[1])
    assert problem.startswith("data/news.yml:") and 2 <= line <= 10, (
        problem
    )  # a line where an alias is written
    assert problem.endswith(f"aliases (*name) expanded more than {MAX_ALIASES} times"), problem
    assert rss < 300_000, rss  # KB


def test_alias_of_a_long_text_is_bounded_by_the_expanded_size(tmp_path):
    root = project_copy(tmp_path / "p")
    copies = MAX_EXPANDED // (MAX_BYTES // 8) + 1
    text = f's: &s "{"x" * (MAX_BYTES // 8)}"\nl: [{", ".join(["*s"] * copies)}]\n'
    (root / "data/news.yml").write_text(text, encoding="utf-8")
    result, rss = _check(root)
    [problem] = _problems(result)
    assert problem.startswith("data/news.yml:2: l[") and "expand the data beyond" in problem, problem
    assert rss < 300_000


def test_links_out_of_the_repository_are_refused_and_links_inside_read(tmp_path):
    root = project_copy(tmp_path / "p")
    outside = tmp_path / "outside"
    (outside / "guidelines").mkdir(parents=True)
    (root / "data/contacts.yml").rename(outside / "contacts.yml")
    (root / "data/contacts.yml").symlink_to(outside / "contacts.yml")
    (root / "data/guidelines/2024.yml").rename(outside / "guidelines/2024.yml")
    (root / "data/guidelines").rmdir()
    (root / "data/guidelines").symlink_to(outside / "guidelines", target_is_directory=True)
    problems = _problems(_check(root)[0])
    assert (
        f"data/contacts.yml:1: (file): a link to {outside}/contacts.yml, outside the repository: not read"
        in problems
    )
    assert (
        f"data/guidelines:1: (file): a link to {outside}/guidelines, outside the repository: not read"
        in problems
    )
    # the same files linked from inside the repository are read
    for name in ("data/contacts.yml", "data/guidelines"):
        (root / name).unlink()
    (outside / "contacts.yml").rename(root / "contacts-real.yml")
    (outside / "guidelines").rename(root / "guidelines-real")
    (root / "data/contacts.yml").symlink_to("../contacts-real.yml")
    (root / "data/guidelines").symlink_to("../guidelines-real", target_is_directory=True)
    result, _ = _check(root)
    assert result.returncode == 0, result.stderr


def test_a_yaml_file_is_reported_not_ignored(tmp_path):
    root = project_copy(tmp_path / "p")
    (root / "data/news.yml").rename(root / "data/news.yaml")
    problems = _problems(_check(root)[0])
    assert "data/news.yaml:1: (file): rename to news.yml: only .yml files are read" in problems


def test_several_hostile_files_are_reported_in_one_run(tmp_path):
    root = project_copy(tmp_path / "p")
    (root / "data/news.yml").write_text(_bomb(), encoding="utf-8")
    with (root / "data/programme.yml").open("ab") as f:
        f.write(b"\nextra: \xfe\n")
    contacts = root / "data/contacts.yml"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace("desks:", "x: !secret 1\ndesks:", 1))
    (root / "data/videos.yaml").write_bytes((root / "data/videos.yml").read_bytes())
    (root / "data/home.yml").unlink()
    (root / "data/home.yml").symlink_to("/etc/hostname")
    result, _ = _check(root)
    reported = {x.split(":")[0] for x in _problems(result)}
    assert reported == {
        f"data/{f}" for f in ("news.yml", "programme.yml", "contacts.yml", "videos.yaml", "home.yml")
    }
    assert f"{len(_problems(result))} problem(s) in data/" in result.stderr


def test_live_reload_notices_the_files_the_loader_reads(tmp_path):
    """`make serve` reloads the data when a file the loader reads or refuses appears or changes."""
    root = project_copy(tmp_path / "p")
    (root / "data/news.yml").rename(root / "news-real.yml")
    (root / "data/news.yml").symlink_to("../news-real.yml")
    code = (
        "import sys; from pathlib import Path; from macros.data import DataError; import macros.mkdocs_hook as h\n"
        "def load():\n"
        "    try: return h._load_once().news.tags[0].name.en\n"
        "    except DataError as exc: return str(exc)\n"
        "print(load())\n"
        "real = Path('news-real.yml'); real.write_text(real.read_text().replace('Prospective applicants', 'Hopefuls'))\n"
        "print(load())\n"
        "Path('data/extra.yaml').write_text('a: 1')\n"
        "print(load())\n"
        "Path('data/extra.yaml').unlink(); Path('data/outside.yml').symlink_to('/etc/hostname')\n"
        "print(load())\n"
    )
    result = run(["-c", code], cwd=root)
    assert result.returncode == 0, result.stderr
    first, changed, yaml_file, link = result.stdout.splitlines()
    assert (first, changed) == ("Prospective applicants", "Hopefuls")
    assert yaml_file.startswith("data/extra.yaml:1:") and link.startswith("data/outside.yml:1:")


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


def test_footnotes_are_referred_to_in_one_order_in_both_languages(tmp_path, site):
    """One numbering serves both languages' pages: a text's English refers to its footnotes as its Japanese does."""
    g = site.guidelines[site.latest_year]
    root = project_copy(tmp_path / "p")
    file = root / "data" / "guidelines" / f"{g.year}.yml"
    text = file.read_text(encoding="utf-8")
    a = re.search(r"\{fn:([a-z0-9-]+)\}", text)[
        1
    ]  # the first footnote referred to: in a ja text, then its en
    b = next(f.id for f in g.footnotes if f.id != a)
    ref = f"{{fn:{a}}}"
    ja = text.index(ref)
    en = text.index(ref, ja + 1)
    text = text[:en] + f"{{fn:{b}}}{ref}" + text[en + len(ref) :]  # en: b, a
    text = text[:ja] + f"{ref}{{fn:{b}}}" + text[ja + len(ref) :]  # ja: a, b
    file.write_text(text, encoding="utf-8")
    result = run(["-m", "macros", "check"], cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"footnotes referred to in another order than in ja ({ref}, {{fn:{b}}})" in result.stderr
