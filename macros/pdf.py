"""The one PDF mechanism: pages of the built site printed by headless Chromium to tagged A4 PDFs, then checked.

A job names a page of the built site, the PDF to write, its language and its title (`site_jobs`: every PDF the
site prints). `print_pdfs` prints them all with one Chromium, from local files only (print stylesheet, tags,
bookmarks from the headings), sets each title and language with pypdf, mends the text layer, and stops with
every `problems()` found: a PDF that cannot be read as it should is not published.

The type: Noto Sans JP from npm (@fontsource/noto-sans-jp, pinned), in DADS's two weights, given to every page
as it is printed, so a PDF is the same on every machine and embeds named TrueType subsets (the installed Noto Sans
CJK has CFF outlines, which Chromium can only draw as unnamed Type 3 glyphs).

The mend: Chromium's PDF writer gives a glyph that several characters share the lowest of them, so in Noto
Sans CJK 用 reads as the radical ⽤ (U+2F64) and 青 as ⻘ (U+2EC4), "ff" as the ligature ﬀ, for search, copying
and screen readers alike (crbug.com/981259). Each such glyph is given back the characters the page has.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from fontTools.ttLib import TTFont
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

from .browser import ARGS, executable, launch
from .data import LANGS, ROOT, lang_prefix, load_site
from .render import Renderer, css_string, esc

A4 = (595.28, 841.89)  # points
FONT = ROOT / "node_modules" / "@fontsource" / "noto-sans-jp"  # package.json: the PDFs' type
WEIGHTS = ("400", "700")
JAPANESE = re.compile(r"[\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]")
# CJK radicals and Latin ligatures: characters a page rarely has, but a glyph it shares with others turns into
SUSPECT = re.compile(r"[\u2e80-\u2fdf\ufb00-\ufb4f]")


@dataclass(frozen=True)
class Job:
    html: Path  # a page of the built site; its print stylesheet decides the look
    pdf: Path  # where the PDF is written
    lang: str
    title: str
    footer: str = ""  # text in every page's foot (e.g. the edition), beside the page number


def _margins(job: Job) -> str:
    """The page-margin boxes of a job's pages: its footer (a CSS string, escaped) and "page / pages"."""
    box = "font: 8pt var(--jet-font); color: var(--jet-muted)"  # tokens.css, which every page loads
    return (
        f"@page {{ @bottom-left {{ content: {css_string(job.footer)}; {box} }}"
        f' @bottom-right {{ content: counter(page) " / " counter(pages); {box} }} }}'
    )


class PdfError(Exception):
    pass


@functools.cache
def font_faces() -> str:
    """@font-face rules of Noto Sans JP in the two weights, from its local files (by unicode range: a page loads
    only the parts it uses). The WOFF files only: the ones whose glyph maps the mend reads."""
    if not all((FONT / f"{w}.css").is_file() for w in WEIGHTS):
        raise PdfError(f"the PDFs' font is not installed ({FONT.relative_to(ROOT)}): run `npm ci`")
    css = "".join((FONT / f"{w}.css").read_text(encoding="utf-8") for w in WEIGHTS)
    files = (FONT / "files").as_uri()
    return re.sub(r"url\(\./files/[^)]+\.woff2\) format\('woff2'\), url\(\./files/", f"url({files}/", css)


PAMPHLET_PAGE = "pamphlet.md"  # content/pamphlet.md: its macro says what the foot of its PDF says


def site_jobs(site_dir: Path) -> list[Job]:
    """Every PDF the site prints: the pamphlet (data/home.yml) and each view of each year's guidelines
    (data/guidelines/<year>.yml), in each language."""
    site = load_site()
    jobs = []
    for lang in LANGS:
        r, folder = Renderer(site, lang), site_dir / lang_prefix(lang)
        pamphlet = Renderer(site, lang, PAMPHLET_PAGE)
        pamphlet.render_page((site.root / "content" / PAMPHLET_PAGE).read_text(encoding="utf-8"))
        jobs.append(
            Job(
                folder / "pamphlet" / "index.html",
                folder / r.pamphlet_pdf(),
                lang,
                site.home.pamphlet.title.get(lang),
                pamphlet.page_meta["pdf_footer"],  # the edition: the day its data last changed
            )
        )
        for year, g in site.guidelines.items():
            for role in (None, *g.roles):
                view = r.ui["guidelines"]["view_suffix"].format(role=r.role_label(role)) if role else ""
                page = folder / "guidelines" / str(year) / (role or "") / "index.html"
                footer = r.ui["guidelines"]["pdf_footer"].format(year=year, intake=g.intake, view=view)
                jobs.append(
                    Job(page, folder / r.guidelines_pdf(year, role), lang, g.title.get(lang) + view, footer)
                )
    return jobs


def print_pdfs(jobs: list[Job], site_dir: Path, cache: Path | None = None) -> list[Path]:
    """Print, finish and check every job; raises PdfError naming each file and what is wrong with it.
    With ``cache``, a PDF whose page and printing (`_printing`) have not changed since it was printed (and
    passed the check) is taken from there instead; the cache keeps this build's PDFs only."""
    printing = _printing(site_dir) if cache else ""
    kept = {job: cache / f"{_key(job, printing)}.pdf" for job in jobs} if cache else {}
    fresh = [job for job in jobs if not (job in kept and kept[job].is_file())]
    texts = _print(fresh)
    found = [
        f"{job.pdf.relative_to(site_dir).as_posix()}: {p}"
        for job in fresh
        for p in problems(job.pdf, job.lang, job.title, texts[job])
    ]
    if found:
        raise PdfError("PDF check failed:\n  " + "\n  ".join(found))
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    for job, path in kept.items():
        shutil.copyfile(*((job.pdf, path) if job in texts else (path, job.pdf)))
    if cache:
        for old in set(cache.glob("*.pdf")) - set(kept.values()):
            old.unlink()
    link_sizes(jobs, site_dir)
    return [job.pdf for job in jobs]


def _printing(site_dir: Path) -> str:
    """What every PDF depends on besides its page: this mechanism, its font, the site's assets (styles and
    scripts), and the browser and libraries that print and finish it."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + font_faces().encode())  # the font, or why not
    digest.update((FONT / "package.json").read_bytes())
    for asset in sorted(p for p in site_dir.glob("assets/**/*") if p.is_file()):
        digest.update(asset.read_bytes())
    browser = Path(executable() or "/dev/null").resolve().stat()  # its package's update rewrites it
    chromium = f"{executable()} {browser.st_size} {browser.st_mtime_ns}"
    tools = [chromium, *(metadata.version(name) for name in ("playwright", "pypdf", "fonttools")), *ARGS]
    digest.update("\0".join(tools).encode())
    return digest.hexdigest()


def _key(job: Job, printing: str) -> str:
    """What a printed PDF depends on: its page, how it is printed, its title, language and footer."""
    digest = hashlib.sha256(job.html.read_bytes())
    digest.update(f"{printing}\0{job.title}\0{job.lang}\0{job.footer}".encode())
    return digest.hexdigest()[:32]


def _print(jobs: list[Job]) -> dict[Job, str]:
    """Print the jobs with one Chromium; returns each page's text as printed (for the check)."""
    texts: dict[Job, str] = {}
    if not jobs:
        return texts
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(bypass_csp=True).new_page()  # the margin boxes come as a style element
        # the PDF is made from local files only: anything else would be a leak of the reader's privacy
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        page.emulate_media(media="print")
        for job in jobs:
            page.goto(job.html.resolve().as_uri())
            page.add_style_tag(content=font_faces() + (_margins(job) if job.footer else ""))
            page.evaluate(FONTS_LOADED)
            page.pdf(
                path=str(job.pdf),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                tagged=True,
                outline=True,
            )
            texts[job] = page.evaluate("document.body.innerText")
            _finish(job, texts[job], page.evaluate(HEADINGS))
        browser.close()
    return texts


SIZE_SLOT = re.compile(r'<span class="pdf-size" data-pdf="([^"]+)"></span>')  # written by templates/pdf.j2


def link_sizes(jobs: list[Job], site_dir: Path) -> None:
    """Write each printed PDF's size into the links to it (known only now), in the language of the PDF."""
    site = load_site()
    sizes = {}
    for job in jobs:
        r = Renderer(site, job.lang)
        text = r.ui["formats"]["pdf_size"].format(size=r.size(job.pdf.stat().st_size))
        sizes[job.pdf.relative_to(site_dir).as_posix()] = esc(text)
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        filled = SIZE_SLOT.sub(lambda m: m[0].replace("></span>", f">{sizes.get(m[1], '')}</span>"), html)
        if filled != html:
            page.write_text(filled, encoding="utf-8")


# the page laid out again with the font, and every part of it the page uses loaded
FONTS_LOADED = "document.body.offsetHeight; document.fonts.ready.then(() => document.fonts.status)"

# the printed headings' text, in order: what the bookmarks should say (without the permalink sign)
HEADINGS = """[...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .filter((h) => h.getClientRects().length)
  .map((h) => [...h.childNodes].filter((n) => !n.classList?.contains("headerlink"))
    .map((n) => n.textContent).join("").replace(/\\s+/g, " ").trim())"""


def _finish(job: Job, text: str, headings: list[str]) -> None:
    """Title and language as the job says, the bookmarks titled as their headings (Chromium's lose the spaces
    at line ends and repeat a heading split over two pages), and the text layer mended (appended to the file:
    pypdf incremental)."""
    writer = PdfWriter(job.pdf, incremental=True)
    writer.add_metadata({"/Title": job.title})
    root = writer.root_object
    root[NameObject("/Lang")] = TextStringObject(job.lang)
    prefs = root.setdefault(NameObject("/ViewerPreferences"), DictionaryObject())
    prefs.get_object()[NameObject("/DisplayDocTitle")] = BooleanObject(True)  # the title, not the file name
    items = list(_outline(root.get("/Outlines")))
    if len(items) == len(headings):
        for item, heading in zip(items, headings, strict=True):
            item[NameObject("/Title")] = TextStringObject(heading)
    used = set(text)
    for font in _fonts(writer.pages):
        _mend(font, used)
    writer.write(job.pdf)


def _outline(node):
    """The bookmarks below an outline node, in reading order."""
    item = node.get_object().get("/First") if node is not None else None
    while item is not None:
        item = item.get_object()
        yield item
        yield from _outline(item)
        item = item.get("/Next")


def problems(path: Path, lang: str, title: str, text: str = "") -> list[str]:
    """What a reader would miss in a printed PDF: tags, title, language, bookmarks, A4, embedded fonts, Japanese
    drawn with a Japanese font. `text` is the page's text as printed, when known: each of its Japanese
    characters must be in the PDF's text (an empty box or a wrong character is not)."""
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    out = []
    if not (root.get("/MarkInfo") or {}).get("/Marked") or "/StructTreeRoot" not in root:
        out.append("not tagged (no /MarkInfo /Marked true with a /StructTreeRoot)")
    if root.get("/Lang") != lang:
        out.append(f"language {root.get('/Lang')!r}, expected {lang!r}")
    if (reader.metadata or {}).get("/Title") != title:
        out.append(f"title {(reader.metadata or {}).get('/Title')!r}, expected {title!r}")
    if not reader.outline:
        out.append("no bookmarks")
    for number, page in enumerate(reader.pages, 1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if any(abs(a - b) > 1 for a, b in zip(size, A4, strict=True)):
            out.append(f"page {number} is {size[0]:.0f} × {size[1]:.0f} pt, not A4")
    fonts = list(_fonts(reader.pages))
    out += [f"font {_name(f)} is not embedded" for f in fonts if not _embedded(f)]
    type3 = [f for f in fonts if f.get("/Subtype") == "/Type3"]
    if type3:
        out.append(f"{len(type3)} fonts drawn as Type 3 glyphs, not embedded font programs")
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    if lang == "ja" or JAPANESE.search(text):
        japanese = [_name(f) for f in fonts if JAPANESE.search("".join(_to_unicode(f).values()))]
        if not japanese:
            out.append(f"embeds no Japanese font (only {', '.join(sorted({_name(f) for f in fonts}))})")
        if not JAPANESE.search(pdf_text):
            out.append("its text holds no Japanese")
    missing = sorted(set(JAPANESE.findall(text)) - set(pdf_text))
    if missing:
        out.append(
            f"{len(missing)} Japanese characters of the page are not in its text: {''.join(missing[:20])}"
        )
    wrong = sorted(set(SUSPECT.findall(pdf_text)) - set(text))
    if wrong:
        out.append(f"its text holds characters the page does not have: {''.join(wrong[:20])}")
    return out


def _fonts(pages):
    """Every font the pages use, those of form XObjects and Type 3 glyphs included, each once."""
    seen, stack = set(), [page.get("/Resources") for page in pages]
    while stack:
        resources = stack.pop()
        resources = resources.get_object() if resources is not None else None
        if not resources:
            continue
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                stack.append(font.get("/Resources"))
                yield font
        stack += [
            xobject.get_object().get("/Resources") for xobject in (resources.get("/XObject") or {}).values()
        ]


def _descriptor(font) -> dict:
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    return (font.get("/FontDescriptor") or DictionaryObject()).get_object()


def _name(font) -> str:
    name = _descriptor(font).get("/FontName") or font.get("/BaseFont") or font.get("/Subtype")
    return str(name).lstrip("/").split("+")[-1]


def _embedded(font) -> bool:
    # Type 3 glyphs are drawings in the PDF itself (reported on their own); other fonts carry a font file
    return font.get("/Subtype") == "/Type3" or any(
        k in _descriptor(font) for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def _to_unicode(font) -> dict[str, str]:
    """The font's ToUnicode map: character code (hex) → text."""
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    data = cmap.get_object().get_data().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[code.upper()] = _utf16(uni)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        arrays = r"<([0-9A-Fa-f]+)>\s*<[0-9A-Fa-f]+>\s*\[([^\]]*)\]"  # <lo> <hi> [<text> <text> …]
        for lo, targets in re.findall(arrays, block):
            for n, uni in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", targets)):
                out[f"{int(lo, 16) + n:0{len(lo)}X}"] = _utf16(uni)
        for lo, hi, uni in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", re.sub(arrays, "", block)
        ):
            for n in range(int(hi, 16) - int(lo, 16) + 1):
                text = _utf16(uni)
                out[f"{int(lo, 16) + n:0{len(lo)}X}"] = text[:-1] + chr(ord(text[-1]) + n)
    return out


def _utf16(hexdigits: str) -> str:
    return bytes.fromhex(hexdigits).decode("utf-16-be")


def _mend(font, used: set[str]) -> None:
    """Give each glyph mapped to a character the page does not use the one it does use: among the characters
    that share the glyph in the font's own map (the PDFs' font files, or fontconfig's by PostScript name), or the
    plain form of a compatibility character (⽤ → 用, ﬀ → ff)."""
    mapping = _to_unicode(font)
    odd = {code: text for code, text in mapping.items() if len(text) == 1 and text not in used}
    shared = _shared_glyphs(_name(font)) if odd else {}
    fixed = {}
    for code, text in odd.items():
        same = [c for c in shared.get(text, ()) if c in used]
        plain = unicodedata.normalize("NFKC", text)
        if same:
            fixed[code] = same[0]
        elif plain != text and set(plain) <= used:
            fixed[code] = plain
    if not fixed:
        return
    mapping.update(fixed)
    stream = font["/ToUnicode"].get_object()
    source = stream.get_data().decode("latin-1")
    spaces = re.search(r"\d+ begincodespacerange.*?endcodespacerange", source, re.S)[0]
    entries = [
        f"<{code}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in sorted(mapping.items())
    ]
    blocks = "".join(
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    )
    stream.set_data(
        (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            f"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n{spaces}\n{blocks}"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        ).encode("latin-1")
    )


@functools.cache
def _shared_glyphs(postscript_name: str) -> dict[str, tuple[str, ...]]:
    """For the PDFs' font or a font installed here: each character whose glyph other characters share → those
    characters."""
    fonts = [f for f in _font_files() if f["name"].getDebugName(6) == postscript_name]
    if not fonts:
        found = subprocess.run(
            ["fc-list", "-f", "%{file}\t%{index}\n", f":postscriptname={postscript_name}"],
            capture_output=True,
            text=True,
        ).stdout.split("\n")[0]
        if found:
            file, index = found.split("\t")
            fonts = [TTFont(file, fontNumber=int(index or 0), lazy=True)]
    shared: dict[str, tuple[str, ...]] = {}
    for font in fonts:
        glyphs: dict[str, list[str]] = {}
        for codepoint, glyph in font.getBestCmap().items():
            glyphs.setdefault(glyph, []).append(chr(codepoint))
        for same in glyphs.values():
            shared.update({c: tuple(o for o in same if o != c) for c in same if len(same) > 1})
    return shared


@functools.cache
def _font_files() -> list[TTFont]:
    """The parts of the PDFs' font by unicode range (WOFF: fontTools reads it without Brotli)."""
    return [
        TTFont(f, lazy=True) for w in WEIGHTS for f in sorted((FONT / "files").glob(f"*-{w}-normal.woff"))
    ]
