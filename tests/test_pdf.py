"""The printed PDFs (macros/pdf.py): every PDF of the built site passes the check, reads the data's words and
carries its own Japanese font; the check stops Japanese drawn without a Japanese font."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, project_copy, run
from lxml import html as lhtml
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from quality import squeezed

from macros import fmt, pdf
from macros.browser import ARGS, executable
from macros.data import LANGS, lang_prefix
from macros.render import PAMPHLET_PDF, Renderer


def _pdf_text(path: Path) -> str:
    return squeezed("".join(page.extract_text() for page in PdfReader(path).pages))


def test_every_pdf_of_the_site_is_printed_by_the_one_mechanism_and_passes_its_check(built, site):
    jobs = {job.pdf: job for job in pdf.site_jobs(built)}
    assert sorted(built.rglob("*.pdf")) == sorted(jobs)
    pamphlets = {built / lang_prefix(lang) / PAMPHLET_PDF.format(lang=lang): lang for lang in LANGS}
    assert set(pamphlets) <= set(jobs)
    for path, job in jobs.items():
        if path in pamphlets:
            assert (job.lang, job.title) == (pamphlets[path], site.home.pamphlet.title.get(pamphlets[path]))
        assert pdf.problems(path, job.lang, job.title) == [], path


@pytest.mark.parametrize("lang", LANGS)
def test_pamphlet_pdf_reads_the_data_in_its_language(built, site, lang):
    path = built / lang_prefix(lang) / PAMPHLET_PDF.format(lang=lang)
    reader = PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata["/Title"] == site.home.pamphlet.title.get(lang)
    text = _pdf_text(path)
    p = site.home.pamphlet
    expected = [p.title, *p.description, *site.programme.overview, site.home.headings.contacts]
    for desk in site.contacts.desks:
        expected += [desk.name, *desk.duties]
    missing = [t.get(lang) for t in expected if squeezed(t.get(lang)) not in text]
    assert missing == []
    # bookmarks from the headings: the title, its sections, and a desk's name under its section
    outline = reader.outline
    assert outline[0].title == p.title.get(lang)
    titles = [item.title for item in _flat(outline)]
    assert site.home.headings.contacts.get(lang) in titles
    assert all(desk.name.get(lang) in titles for desk in site.contacts.desks)


def _flat(outline):
    for item in outline:
        yield from _flat(item) if isinstance(item, list) else [item]


def test_the_check_finds_what_a_plain_chromium_print_lacks(built, tmp_path, site, browser):
    # the print before this mechanism: Letter size, untagged, no bookmarks, the page's title
    path = tmp_path / "plain.pdf"
    page = browser.new_page()
    page.goto((built / "pamphlet" / "index.html").as_uri())
    page.pdf(path=str(path))
    page.close()
    found = pdf.problems(path, "ja", site.home.pamphlet.title.get("ja"))
    assert "not tagged (no /MarkInfo /Marked true with a /StructTreeRoot)" in found
    assert "no bookmarks" in found
    assert any(f.startswith("title ") for f in found)
    assert any(f.startswith("page 1 is ") and f.endswith("not A4") for f in found)


def _no_japanese_fonts(tmp_path: Path) -> Path:
    """fontconfig as on a machine without fonts-noto-cjk: only the folder of a font with no Japanese."""
    latin = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True
    ).stdout
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><dir>{Path(latin).parent}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    japanese = subprocess.run(
        ["fc-list", ":lang=ja", "family"],
        capture_output=True,
        text=True,
        env={"FONTCONFIG_FILE": str(config)},
    )
    assert latin and japanese.stdout == "", "the test's font folder must hold no Japanese font"
    return config


def test_the_pdfs_bring_their_japanese_font_to_a_machine_without_one(tmp_path, site):
    out = tmp_path / "site"
    result = run(["-m", "macros.build", str(out)], FONTCONFIG_FILE=str(_no_japanese_fonts(tmp_path)))
    assert result.returncode == 0, result.stderr
    path = out / PAMPHLET_PDF.format(lang="ja")
    names = {str(pdf._name(f)) for f in pdf._fonts(PdfReader(path).pages)}
    assert names == {"NotoSansJP-Regular", "NotoSansJP-Bold"}  # the package's, in DADS's two weights
    assert squeezed(site.home.pamphlet.title.get("ja")) in _pdf_text(path)


def _plain_print(html: Path, path: Path, fontconfig: Path | None) -> str:
    """A page printed by Chromium as this mechanism prints it but without its font; returns the page's text."""
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig)} if fontconfig else None
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable(), args=ARGS, env=env)
        page = b.new_page()
        page.emulate_media(media="print")
        page.goto(html.as_uri())
        page.pdf(path=str(path), format="A4", prefer_css_page_size=True, tagged=True, outline=True)
        text = page.evaluate("document.body.innerText")
        b.close()
    return text


def test_the_check_stops_japanese_drawn_without_a_japanese_font_and_type_3_glyphs(built, tmp_path, site):
    html, title = built / "pamphlet" / "index.html", site.home.pamphlet.title.get("ja")
    boxes, cjk = tmp_path / "boxes.pdf", tmp_path / "cjk.pdf"
    with ThreadPoolExecutor(
        1
    ) as pool:  # in a thread of its own: the session's browser holds this one's Playwright
        text = pool.submit(_plain_print, html, boxes, _no_japanese_fonts(tmp_path)).result()
        pool.submit(_plain_print, html, cjk, None).result()
    found = pdf.problems(boxes, "ja", title, text)
    assert any(f.startswith("embeds no Japanese font") for f in found)
    assert "its text holds no Japanese" in found
    type3 = "fonts drawn as Type 3 glyphs, not embedded font programs"
    assert any(f.endswith(type3) for f in pdf.problems(cjk, "ja", title))  # the installed Noto Sans CJK


def test_without_its_font_package_the_build_stops_and_says_so(tmp_path):
    root = project_copy(tmp_path / "p")
    (root / "node_modules").unlink()
    (root / "node_modules").mkdir()
    for entry in (ROOT / "node_modules").iterdir():
        if entry.name != "@fontsource":
            (root / "node_modules" / entry.name).symlink_to(entry)
    out = root / "site"
    result = run(["-m", "macros.build", str(out)], cwd=root)
    assert result.returncode == 1
    assert (
        "the PDFs' font is not installed (node_modules/@fontsource/noto-sans-jp): run `npm ci`"
        in result.stderr
    )
    assert f"{out} left unchanged" in result.stderr and not out.exists()


def test_a_pdf_is_made_from_local_files_only(tmp_path):
    # a page that asks for files elsewhere: the requests are stopped before they leave Chromium
    asked = []

    class Elsewhere(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    html = tmp_path / "index.html"
    html.write_text(
        f'<!doctype html><html lang="en"><title>t</title><link rel="stylesheet" href="{url}x.css">'
        f'<h1>t</h1><img src="{url}x.png" alt="x"></html>',
        encoding="utf-8",
    )
    try:  # in a thread of its own, as the session's browser holds this one's Playwright
        job = pdf.Job(html, tmp_path / "t.pdf", "en", "t")
        ThreadPoolExecutor(1).submit(pdf.print_pdfs, [job], tmp_path).result()
    finally:
        server.shutdown()
    assert asked == [] and (tmp_path / "t.pdf").is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_each_guidelines_view_is_a_pdf_with_its_edition_and_page_numbers_in_every_foot(built, site, lang):
    r = Renderer(site, lang)
    for year, g in site.guidelines.items():
        for role in (None, *g.roles):
            path = built / lang_prefix(lang) / r.guidelines_pdf(year, role)
            reader = PdfReader(path)
            view = r.ui["guidelines"]["view_suffix"].format(role=r.role_label(role)) if role else ""
            assert reader.metadata["/Title"] == g.title.get(lang) + view
            footer = r.ui["guidelines"]["pdf_footer"].format(year=year, intake=g.intake, view=view)
            pages = len(reader.pages)
            assert pages > 3
            for number, page in enumerate(reader.pages, 1):
                text = squeezed(page.extract_text())
                assert squeezed(footer) in text and f"{number}/{pages}" in text, (path.name, number)
            # bookmarks say what the page's headings say, every section this view shows among them
            page = lhtml.fromstring((path.parent / (role or "") / "index.html").read_bytes())
            headings = [
                " ".join("".join(h.xpath("text() | *[not(contains(@class, 'headerlink'))]//text()")).split())
                for h in page.xpath("//article//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5]")
            ]
            assert [item.title for item in _flat(reader.outline)] == headings
            shown = [sec for sec in g.sections if role is None or sec.role in (None, role)]
            assert all(any(h.endswith(sec.title.get(lang)) for h in headings) for sec in shown)
            # the page links its PDF with the size of the file
            (link,) = page.xpath(f"//a[@href='{path.name if not role else '../' + path.name}']")
            size = r.ui["formats"]["pdf_size"].format(size=r.size(path.stat().st_size))
            assert link.text_content().endswith(size)


PRINT_TWO = """
import json, sys
from pathlib import Path
from macros import fmt, pdf
from macros.browser import ARGS, executable
site_dir, cache = Path(sys.argv[1]), Path(sys.argv[2])
real = pdf._print
pdf._print = lambda todo: (print(json.dumps([j.pdf.name for j in todo])), real(todo))[1]
pdf.print_pdfs([j for j in pdf.site_jobs(site_dir) if j.lang == "en"][:2], site_dir, cache)
"""


def test_a_pdf_is_printed_again_only_when_its_page_changed(built, tmp_path):
    site_dir, cache = tmp_path / "site", tmp_path / "cache"
    shutil.copytree(built, site_dir)
    jobs = [j for j in pdf.site_jobs(site_dir) if j.lang == "en"][:2]

    def printed() -> list[str]:
        result = run(["-c", PRINT_TWO, str(site_dir), str(cache)])
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.splitlines()[-1])

    assert printed() == [j.pdf.name for j in jobs]
    assert printed() == [] and len(list(cache.glob("*.pdf"))) == 2  # both taken from the cache
    jobs[0].html.write_text(jobs[0].html.read_text().replace("</article>", "<p>Changed.</p></article>"))
    assert printed() == [jobs[0].pdf.name] and "Changed." in _pdf_text(jobs[0].pdf)
    assert len(list(cache.glob("*.pdf"))) == 2  # the changed page's old print is gone


@pytest.mark.parametrize("lang", LANGS)
def test_the_pamphlet_job_takes_its_foot_from_its_page_and_a_named_cover_page_drops_it(built, site, lang):
    # the foot is what the page's macro says (r.meta pdf_footer): the edition, the day its data last changed
    (job,) = [j for j in pdf.site_jobs(built) if j.pdf.name == PAMPHLET_PDF.format(lang=lang).split("/")[-1]]
    r = Renderer(site, lang, pdf.PAMPHLET_PAGE)
    r.render_page((site.root / "content" / pdf.PAMPHLET_PAGE).read_text(encoding="utf-8"))
    day = r.changed()
    assert job.footer == r.page_meta["pdf_footer"]
    assert fmt.day(day, lang) in job.footer
    # the margin boxes pdf.py adds are on every page but those of a named page that sets them to none
    pages = [squeezed(page.extract_text()) for page in PdfReader(job.pdf).pages]
    assert squeezed(job.footer) not in pages[0]
    assert all(squeezed(job.footer) in text for text in pages[1:])
