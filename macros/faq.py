"""Separate FAQ build: `python -m macros.faq OUT` writes three encrypted editions to OUT/{bilingual,en,ja}/.

The FAQ is rendered with Jinja, encrypted with crypto.Sealer, and wrapped in a gate page; nothing of its
text is written in the clear. The public build never reads data/faq/; its landing page /faq/ is a public page
(templates/faq.j2).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import escape

from . import headers
from . import schema as s
from .crypto import ITERATIONS, PasswordError, Sealer, open_envelope, take_password
from .data import LANGS, ROOT, DataError, Site, lang_prefix, load_faq, load_site
from .render import Renderer, json_script, template_env

TEMPLATES = Path(__file__).parent / "faq_templates"
ASSETS = {  # copied verbatim next to the editions: the gate's code and style, and the site's design tokens
    "faq.js": TEMPLATES / "faq.js",
    "faq.css": TEMPLATES / "faq.css",
    "tokens.css": ROOT / "content" / "assets" / "tokens.css",
}
_GATE = re.compile(r'<html[^>]* data-faq-edition="([a-z]+)".*?id="faq-payload">(.*?)</script>', re.S)


def aad(edition: str) -> bytes:
    """What each document is bound to: its edition, which the gate page states outside the payload."""
    return f"jet-faq:{edition}".encode()


def is_gate(rel: str) -> bool:
    """A file of the encrypted editions (by path from the site root); the landing page faq/ is public."""
    return rel.startswith("faq/") and rel != "faq/index.html"


def _langs(edition: str) -> tuple[str, ...]:
    """The languages of an edition, the page's own first: the bilingual one has both, side by side."""
    return LANGS if edition == "bilingual" else (edition,)


@cache
def _env() -> Environment:
    return template_env(TEMPLATES)


def _renderers(site: Site, edition: str) -> dict[str, Renderer]:
    return {lang: Renderer(site, lang, "index.md") for lang in _langs(edition)}


def _guideline_link(site: Site, r: Renderer, section_id: str) -> dict:
    """Link from /faq/<edition>/ to a section of the latest public guidelines, in the reader's language."""
    view = r.latest_view
    sec = view.anchors[section_id]
    number = view.number(sec)
    return {
        "href": escape(
            f"../../{lang_prefix(r.lang)}guidelines/{site.latest_year}/#{section_id}"
        ),  # a URL, as r.link
        "text": f"{number} {sec.title.get(r.lang)}".strip(),
    }


def render_document(site: Site, faq: s.Faq, edition: str) -> str:
    """The FAQ itself (before encryption): categories, entries, filter and print controls."""
    rs = _renderers(site, edition)
    lang = _langs(edition)[0]
    return (
        _env()
        .get_template("document.html.j2")
        .render(
            faq=faq,
            edition=edition,
            langs=list(rs),
            rs=rs,
            ui=site.ui[lang],
            link=lambda r, sid: _guideline_link(site, r, sid),
        )
    )


def _other_edition(site: Site, edition: str) -> s.Edition:
    """The edition in the other language, for the gate's language link (the bilingual one leads to English)."""
    other = next(lang for lang in LANGS if lang != _langs(edition)[0])
    return next(e for e in site.home.faq.editions if e.id == other)


def render_gate(site: Site, edition: str, envelope: dict) -> str:
    lang = _langs(edition)[0]
    r = Renderer(site, lang, "index.md")
    title = next(e.title for e in site.home.faq.editions if e.id == edition)
    home = "../../" + lang_prefix(lang)
    other = _other_edition(site, edition)
    desk = site.desk(site.home.faq.desk)
    return (
        _env()
        .get_template("gate.html.j2")
        .render(
            lang=lang,
            edition=edition,
            csp=headers.meta_policy(),
            ui=site.ui[lang],
            t=r.t,
            title=title,
            home=home,
            landing=f"{home}faq/",
            other=other,
            other_lang=_langs(other.id)[0],
            gate=site.home.faq,
            sample=site.is_sample(site.home.faq.ask),
            desk=desk,
            contacts=f"{home}contacts/#{desk.id}",
            site_name=site.ui[lang]["site"]["name"],
            payload=json_script(envelope),
            strings=json_script(site.ui[lang]["faq"]),
        )
    )


def open_gate(password: str, html: str) -> str:
    """The FAQ document of a built gate page, decrypted as the browser does it (tests and tools)."""
    edition, payload = _GATE.search(html).groups()
    return open_envelope(password, json.loads(payload), aad(edition)).decode()


def build(out: Path, password: str, root: Path = ROOT, iterations: int = ITERATIONS) -> list[Path]:
    """Write the three encrypted editions and their assets to ``out``; returns the pages written."""
    site = load_site(root)
    faq, _ = load_faq(site, root)
    sealer = Sealer.new(password, iterations)  # one salt per build, one nonce per document
    out.mkdir(parents=True, exist_ok=True)
    for name, source in ASSETS.items():
        shutil.copyfile(source, out / name)
    pages = []
    for edition in (e.id for e in site.home.faq.editions):
        html = render_document(site, faq, edition).encode("utf-8")
        envelope = sealer.envelope(html, aad(edition))
        page = out / edition / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(render_gate(site, edition, envelope), encoding="utf-8")
        pages.append(page)
    return pages


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m macros.faq OUTPUT_DIR", file=sys.stderr)
        return 2
    try:
        password = take_password(ROOT)
        pages = build(Path(argv[0]), password)
    except PasswordError as exc:
        print(f"FAQ build refused: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"FAQ: {len(pages)} encrypted editions written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
