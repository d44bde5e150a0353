"""The one PDF mechanism: pages of the built site printed by headless Chromium to tagged A4 PDFs, then checked.

A job names a page of the built site, the PDF to write, its language and its title (`site_jobs`: every PDF the
site prints). `print_pdfs` prints them all with one Chromium, from local files only (print stylesheet, tags,
bookmarks from the headings), sets each title and language with pypdf, mends the text layer, and stops with
every `problems()` found: a PDF that cannot be read as it should is not published.

The mend: Chromium's PDF writer gives a glyph that several characters share the lowest of them, so in Noto
Sans CJK 用 reads as the radical ⽤ (U+2F64) and 青 as ⻘ (U+2EC4), "ff" as the ligature ﬀ, for search, copying
and screen readers alike (crbug.com/981259). Each such glyph is given back the characters the page has.
"""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

from .browser import launch
from .data import LANGS, lang_prefix, load_site
from .render import PAMPHLET_PDF

A4 = (595.28, 841.89)  # points
JAPANESE = re.compile(r"[\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]")
# CJK radicals and Latin ligatures: characters a page rarely has, but a glyph it shares with others turns into
SUSPECT = re.compile(r"[\u2e80-\u2fdf\ufb00-\ufb4f]")


@dataclass(frozen=True)
class Job:
    html: Path  # a page of the built site; its print stylesheet decides the look
    pdf: Path  # where the PDF is written
    lang: str
    title: str


class PdfError(Exception):
    pass


def site_jobs(site_dir: Path) -> list[Job]:
    """Every PDF the site prints (data/home.yml pamphlet: the pamphlet page of each language)."""
    site = load_site()
    return [
        Job(
            html=site_dir / lang_prefix(lang) / "pamphlet" / "index.html",
            pdf=site_dir / lang_prefix(lang) / PAMPHLET_PDF.format(lang=lang),
            lang=lang,
            title=site.home.pamphlet.title.get(lang),
        )
        for lang in LANGS
    ]


def print_pdfs(jobs: list[Job], site_dir: Path) -> list[Path]:
    """Print, finish and check every job; raises PdfError naming each file and what is wrong with it."""
    texts = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        # the PDF is made from local files only: anything else would be a leak of the reader's privacy
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        page.emulate_media(media="print")
        for job in jobs:
            page.goto(job.html.resolve().as_uri())
            page.pdf(
                path=str(job.pdf),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                tagged=True,
                outline=True,
            )
            texts.append(page.evaluate("document.body.innerText"))
        browser.close()
    found = []
    for job, text in zip(jobs, texts, strict=True):
        _finish(job, text)
        found += [
            f"{job.pdf.relative_to(site_dir).as_posix()}: {p}"
            for p in problems(job.pdf, job.lang, job.title, text)
        ]
    if found:
        raise PdfError("PDF check failed:\n  " + "\n  ".join(found))
    return [job.pdf for job in jobs]


def _finish(job: Job, text: str) -> None:
    """Title and language as the job says, and the text layer mended (appended to the file: pypdf incremental)."""
    writer = PdfWriter(job.pdf, incremental=True)
    writer.add_metadata({"/Title": job.title})
    root = writer.root_object
    root[NameObject("/Lang")] = TextStringObject(job.lang)
    prefs = root.setdefault(NameObject("/ViewerPreferences"), DictionaryObject())
    prefs.get_object()[NameObject("/DisplayDocTitle")] = BooleanObject(True)  # the title, not the file name
    used = set(text)
    for font in _fonts(writer.pages):
        _mend(font, used)
    writer.write(job.pdf)


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
    # Type 3 glyphs are drawings in the PDF itself; other fonts carry a font file
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
    that share the glyph in the font's own map (found through fontconfig by the font's PostScript name), or the
    plain form of a compatibility character (⽤ → 用, ﬀ → ff)."""
    mapping = _to_unicode(font)
    shared = _shared_glyphs(_name(font))
    fixed = {}
    for code, text in mapping.items():
        if len(text) != 1 or text in used:
            continue
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
    """For a font installed here: each character whose glyph other characters share → those characters."""
    found = subprocess.run(
        ["fc-list", "-f", "%{file}\t%{index}\n", f":postscriptname={postscript_name}"],
        capture_output=True,
        text=True,
    ).stdout.split("\n")[0]
    if not found:
        return {}
    file, index = found.split("\t")
    cmap = TTFont(file, fontNumber=int(index or 0), lazy=True).getBestCmap()
    glyphs: dict[str, list[str]] = {}
    for codepoint, glyph in cmap.items():
        glyphs.setdefault(glyph, []).append(chr(codepoint))
    return {c: tuple(o for o in same if o != c) for same in glyphs.values() if len(same) > 1 for c in same}
