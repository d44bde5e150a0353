"""The pamphlet (macros/templates/pamphlet.j2, content/assets/pamphlet.css, printed by macros/pdf.py) and the
site's type and frame to the Digital Agency design system (content/assets/site.css, overrides/partials/).

The pamphlet: an A4 PDF of 4–8 pages in each language whose every fact is read from the data, in reading order,
nothing outside its page box, no card or table split, no page ending on a heading, the edition in every foot but
the cover's; the page and its PDF link each other. The site: the DADS tokens as the package has them, text
contrast from their values, 16 px type at 1.7 in weights 400 and 700, the language selector, the short name on
phones — with and without JavaScript."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import fixture_year
import pytest
import yaml
from conftest import PORT, ROOT
from lxml import html as lhtml
from pypdf import PdfReader
from quality import squeezed

from macros import fmt, pdf
from macros.data import LANGS, lang_prefix
from macros.render import PAMPHLET_PDF, Renderer

A4 = (595.28, 841.89)  # points
MM = 72 / 25.4  # points in a millimetre
CSS_PX_PER_MM = 96 / 25.4
SITE_CSS = ROOT / "content" / "assets" / "site.css"
TOKENS_CSS = ROOT / "content" / "assets" / "tokens.css"
FAQ_CSS = ROOT / "macros" / "faq_templates" / "faq.css"
PAMPHLET_CSS = ROOT / "content" / "assets" / "pamphlet.css"
TOKENS = ROOT / "node_modules" / "@digital-go-jp" / "design-tokens"
PAGES = [
    "",
    "guidelines/2024/",
    "contacts/",
    "programme/",
    "pamphlet/",
]  # the main pages, looked at and tested


def _pamphlet(built: Path, lang: str) -> tuple[Path, Path]:
    folder = built / lang_prefix(lang)
    return folder / "pamphlet" / "index.html", folder / PAMPHLET_PDF.format(lang=lang)


def _page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _job(built: Path, lang: str) -> pdf.Job:
    (job,) = [j for j in pdf.site_jobs(built) if j.lang == lang and j.pdf == _pamphlet(built, lang)[1]]
    return job


def _edition_day(site):
    """The day the data the pamphlet is made of last changed: its edition."""
    files = {f"data/{name}.yml" for name in ("home", "programme", "videos", "contacts")}
    return site.changed(files | {f"data/guidelines/{site.latest_year}.yml"})


def _facts(site, lang: str) -> dict[str, list[str]]:
    """What the pamphlet must say, by part, read from the data (and the UI strings that frame it)."""
    r, ui = Renderer(site, lang), site.ui[lang]
    p, prog, g = site.home.pamphlet, site.programme, site.guidelines[site.latest_year]
    f = prog.figures
    v = r.guidelines_view(site.latest_year)
    anchors = site.anchors(site.latest_year)
    day = _edition_day(site)
    stories = [s for video in site.videos.videos for s in video.stories]
    return {
        "cover": [
            p.title.get(lang),
            prog.name.get(lang),
            *(d.get(lang) for d in p.description),
            ui["pamphlet"]["issued"].format(date=fmt.day(day, lang)),
            site.contacts.organisation.name.get(lang),
        ],
        "programme": [
            *(o.get(lang) for o in prog.overview),
            ui["programme"]["since_value"].format(year=f.since),
            ui["programme"]["countries_value"].format(n=f.countries),
            ui["programme"]["participants_value"].format(n=f"{f.participants:,}"),
        ],
        "roles": [
            x
            for role in prog.roles
            for x in (
                r.role_label(role.id),
                ui["programme"]["share"].format(n=role.share),
                role.placement.get(lang),
                role.duties.get(lang),
            )
        ],
        "strengths": [prog.strengths.title.get(lang), *(i.get(lang) for i in prog.strengths.items)],
        "stories": [
            x
            for s in stories
            for x in (
                ui["videos"]["story"].format(
                    place=s.place.get(lang), role=r.role_label(s.role), person=s.person.get(lang)
                ),
                *([ui["sample"]["badge"]] if site.is_sample(s) else []),
                s.summary.get(lang),
            )
        ],
        "hosting": [ui["guidelines"]["edition"].format(intake=g.intake, country=g.country.get(lang))]
        + [
            x
            for sec in p.guidelines
            for x in (
                anchors[sec].title.get(lang),
                ui["guidelines"]["source"].format(clause=v.number(anchors[sec])),
                *(
                    x
                    for b in anchors[sec].blocks
                    if b.type == "pay"
                    for row in b.rows
                    for x in (fmt.years(row.years, ui), fmt.yen(row.yen, ui))
                ),
            )
        ],
        "contacts": [
            x
            for d in site.contacts.desks
            for x in (d.name.get(lang), *(u.get(lang) for u in d.duties), r.hours(d.hours))
        ],
        "back": [ui["pamphlet"]["about"], site.contacts.organisation.url],
    }


# ---- the PDF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_pamphlet_is_four_to_eight_a4_pages(built, lang):
    reader = PdfReader(_pamphlet(built, lang)[1])
    assert 4 <= len(reader.pages) <= 8
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert all(abs(a - b) <= 1 for a, b in zip(size, A4, strict=True)), size


@pytest.mark.parametrize("lang", LANGS)
def test_every_fact_of_the_pamphlet_is_read_from_the_data(built, site, lang):
    html, path = _pamphlet(built, lang)
    pdf_text = squeezed("".join(_page_texts(path)))
    page_text = squeezed(lhtml.fromstring(html.read_bytes()).xpath("//article")[0].text_content())
    facts = [x for part in _facts(site, lang).values() for x in part]
    assert [x for x in facts if squeezed(x) not in pdf_text] == []
    assert [x for x in facts if squeezed(x) not in page_text] == []  # the page is the PDF's twin


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_text_reads_in_the_order_of_the_pamphlet(built, site, lang):
    text = squeezed("".join(_page_texts(_pamphlet(built, lang)[1])))
    facts, at = _facts(site, lang), 0
    order = ["cover", "programme", "roles", "strengths", "stories", "hosting", "contacts", "back"]
    for part in order:
        for fact in facts[part]:
            found = text.find(squeezed(fact), at)
            assert found >= 0, (part, fact)  # found after everything before it
            at = found


@pytest.mark.parametrize("lang", LANGS)
def test_every_foot_but_the_covers_has_the_edition_and_the_page_number(built, site, lang):
    job = _job(built, lang)
    day = _edition_day(site)
    issued = site.ui[lang]["pamphlet"]["issued"].format(date=fmt.day(day, lang))
    assert job.footer == site.ui[lang]["pamphlet"]["pdf_footer"].format(
        title=site.home.pamphlet.title.get(lang), issued=issued
    )
    texts = [squeezed(t) for t in _page_texts(job.pdf)]
    assert squeezed(job.footer) not in texts[0] and f"1/{len(texts)}" not in texts[0]
    for number, text in enumerate(texts[1:], 2):
        assert squeezed(job.footer) in text and f"{number}/{len(texts)}" in text, number


def _margins() -> dict[str, list[float]]:
    """The @page margins of the pamphlet's print stylesheet, in points: the default page and the cover."""
    css = PAMPHLET_CSS.read_text(encoding="utf-8")
    out = {}
    for name, values in re.findall(r"@page( cover)?\s*\{[^{}]*?margin:\s*([\d.mm ]+);", css):
        mm = [float(v) for v in values.replace("mm", "").split()]
        mm = mm + [mm[0]] * (3 - len(mm)) if len(mm) < 3 else mm
        top, side, bottom = mm[0], mm[1], mm[2] if len(mm) > 2 else mm[0]
        out["cover" if name else "page"] = [top * MM, side * MM, bottom * MM]
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_of_the_pdf_leaves_its_page_box(built, lang, tmp_path):
    path = _pamphlet(built, lang)[1]
    margins = _margins()
    assert set(margins) == {"page", "cover"}
    layout = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(path), str(layout)], check=True)
    pages = lhtml.fromstring(layout.read_text(encoding="utf-8")).xpath("//page")
    assert len(pages) == len(PdfReader(path).pages)
    outside = []
    for number, page in enumerate(pages, 1):
        width, height = float(page.get("width")), float(page.get("height"))
        side = margins["cover" if number == 1 else "page"][1]
        for word in page.xpath(".//word"):
            x0, y0, x1, y1 = (float(word.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
            # inside the sheet, and between its side margins (2 pt for a glyph's side bearing)
            if x0 < side - 2 or x1 > width - side + 2 or y0 < 0 or y1 > height:
                outside.append((number, word.text_content(), round(x0), round(x1)))
    assert outside == []


PRINT_LAYOUT = """(pageHeight) => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('article *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width && (r.left < -0.5 || r.right > width + 0.5);
  }).map((e) => e.tagName + '.' + e.className);
  // a box that may not be split must fit a page
  const whole = 'article :is(.card, figure, table, .gl-table, .figures, ul.cards, .desks, ul.strengths > li, .pp-about, .pp-colophon)';
  const tall = [...document.querySelectorAll(whole)].filter((e) => e.getBoundingClientRect().height > pageHeight)
    .map((e) => e.tagName + '.' + e.className);
  const breaks = [...document.querySelectorAll(whole)].filter((e) => getComputedStyle(e).breakInside !== 'avoid')
    .map((e) => e.tagName + '.' + e.className);
  const keep = [...document.querySelectorAll('article :is(h2, h3, h4)')]
    .filter((e) => getComputedStyle(e).breakAfter !== 'avoid').map((e) => e.id);
  return {wide, tall, breaks, keep};
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_in_the_print_layout_nothing_is_wider_than_the_page_and_no_card_can_be_split(built, browser, lang):
    top, side, bottom = _margins()["page"]
    width = (A4[0] - 2 * side) / 72 * 96  # CSS px
    context = browser.new_context(viewport={"width": round(width), "height": 1000})
    page = context.new_page()
    try:
        page.emulate_media(media="print")
        page.goto(_pamphlet(built, lang)[0].as_uri())
        found = page.evaluate(PRINT_LAYOUT, (A4[1] - top - bottom) / 72 * 96)
        cover = page.evaluate(
            """() => [...document.querySelectorAll('.pp-title, .pp-cover, .pp-cover *')]
                 .map((e) => e.getBoundingClientRect().bottom)"""
        )
        # the white text of the cover stays on its band; what follows the band starts below it
        band = page.evaluate(
            """() => {
              const top = document.querySelector('.pp-title').getBoundingClientRect().top;
              const band = parseFloat(getComputedStyle(document.querySelector('.pp-title'), '::before').height);
              const on = [...document.querySelectorAll('.pp-title, .pp-programme, .pp-lead')];
              return {band: top + band, text: Math.max(...on.map((e) => e.getBoundingClientRect().bottom)),
                      below: document.querySelector('.pp-issued').getBoundingClientRect().top};
            }"""
        )
    finally:
        context.close()
    assert found == {"wide": [], "tall": [], "breaks": [], "keep": []}
    cover_top, _, cover_bottom = _margins()["cover"]
    assert max(cover) <= (A4[1] - cover_top - cover_bottom) / 72 * 96  # the cover is one page
    assert band["text"] <= band["band"] <= band["below"], band


@pytest.mark.parametrize("lang", LANGS)
def test_no_card_or_table_is_split_and_no_page_ends_on_a_heading(built, site, lang):
    html, path = _pamphlet(built, lang)
    texts = [squeezed(t) for t in _page_texts(path)]
    r, ui = Renderer(site, lang), site.ui[lang]
    whole = []  # each card, table and figure as its text runs, which must all be on one page
    for role in site.programme.roles:
        share = ui["programme"]["share"].format(n=role.share)
        whole.append(r.role_label(role.id) + share + role.placement.get(lang) + role.duties.get(lang))
    for desk in site.contacts.desks:
        duties = "".join(d.get(lang) for d in desk.duties)
        hours = ui["contacts"]["hours"] + ui["formats"]["label_sep"] + r.hours(desk.hours)
        whole.append(desk.name.get(lang) + desk.summary.get(lang) + duties + hours)
    for video in site.videos.videos:
        for s in video.stories:
            title = ui["videos"]["story"].format(
                place=s.place.get(lang), role=r.role_label(s.role), person=s.person.get(lang)
            )
            whole.append(title + (ui["sample"]["badge"] if site.is_sample(s) else "") + s.summary.get(lang))
    for sec in site.home.pamphlet.guidelines:
        for b in site.anchors(site.latest_year)[sec].blocks:
            if b.type == "pay":
                rows = "".join(fmt.years(row.years, ui) + fmt.yen(row.yen, ui) for row in b.rows)
                whole.append(
                    b.caption.get(lang) + ui["guidelines"]["pay_year"] + ui["guidelines"]["pay_amount"] + rows
                )
    labels = [ui["programme"][k] for k in ("since", "countries", "participants")]
    whole.append(
        "".join(x for pair in zip(labels, _facts(site, lang)["programme"][-3:], strict=True) for x in pair)
    )
    whole += [i.get(lang) for i in site.programme.strengths.items]
    assert [w for w in whole if not any(squeezed(w) in t for t in texts)] == []
    # the last words on each page are not a heading, nor the source line under one
    doc = lhtml.fromstring(html.read_bytes())
    heads = [
        squeezed("".join(h.xpath("text()")))
        for h in doc.xpath("//article//*[self::h2 or self::h3 or self::h4 or contains(@class, 'gl-source')]")
    ]
    job = _job(built, lang)
    for number, text in enumerate(texts, 1):
        body = text.replace(squeezed(job.footer), "").replace(f"{number}/{len(texts)}", "")
        assert not any(body.endswith(h) for h in heads if h), number


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_and_its_pdf_link_each_other(built, site, lang):
    html, path = _pamphlet(built, lang)
    r = Renderer(site, lang, "pamphlet.md", f"http://127.0.0.1:{PORT}/")
    doc = lhtml.fromstring(html.read_bytes())
    (link,) = doc.xpath(f"//article//a[@href='{path.name}']")
    size = r.ui["formats"]["pdf_size"].format(size=r.size(path.stat().st_size))
    assert link.text_content().endswith(size) and link.get("type") == "application/pdf"
    uris = _pdf_uris(path)
    assert r.absolute("pamphlet.md") == f"http://127.0.0.1:{PORT}/{lang_prefix(lang)}pamphlet/"
    assert r.absolute("pamphlet.md") in uris  # back to the page, at its public address


def _pdf_uris(path: Path) -> list[str]:
    return [
        a.get_object()["/A"].get("/URI")
        for page in PdfReader(path).pages
        for a in page.get("/Annots") or []
        if "/A" in a.get_object()
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_a_build_given_no_public_address_prints_none(tmp_path_factory, lang):
    _, out = fixture_year.two_years(tmp_path_factory)  # built as `make build` builds: no SITE_URL
    html, path = _pamphlet(out, lang)
    hrefs = lhtml.fromstring(html.read_bytes()).xpath("//article//a/@href") + _pdf_uris(path)
    assert hrefs and not [h for h in hrefs if urlsplit(h).hostname in ("127.0.0.1", "localhost")]


# ---- the design tokens and the type ---------------------------------------------------------------------


def _custom_properties(css: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))


def test_the_copied_design_tokens_are_the_packages(site):
    package = yaml.safe_load((TOKENS / "package.json").read_text(encoding="utf-8"))
    pinned = yaml.safe_load((ROOT / "package.json").read_text(encoding="utf-8"))
    version = package["version"]
    deps = {**pinned.get("dependencies", {}), **pinned.get("devDependencies", {})}
    assert deps[package["name"]] == version  # pinned exactly
    css = TOKENS_CSS.read_text(encoding="utf-8")
    block = re.search(
        r"/\* DADS design tokens, copied from .*? (\d+\.\d+\.\d+).*?\*/\s*:root\s*\{(.*?)\}", css, re.S
    )
    assert block and block[1] == version  # the version named is the one installed
    copied = _custom_properties(block[2])
    theirs = _custom_properties((TOKENS / "dist" / "tokens.css").read_text(encoding="utf-8"))
    assert len(copied) >= 20
    assert {k: v for k, v in copied.items() if theirs.get(k) != v} == {}


STYLESHEETS = [TOKENS_CSS, SITE_CSS, PAMPHLET_CSS, FAQ_CSS]


def test_every_stylesheet_takes_its_colours_from_the_tokens():
    """Colours are named once, in tokens.css: the other stylesheets use its roles."""
    own = {
        p.name: re.findall(
            r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|hsl)a?\(",
            re.sub(r"/\*.*?\*/", "", p.read_text(encoding="utf-8"), flags=re.S),
        )
        for p in STYLESHEETS[1:]
    }
    assert own == {p.name: [] for p in STYLESHEETS[1:]}


def _resolved() -> dict[str, str]:
    """Every custom property of the site's stylesheets, var() references resolved."""
    props = _custom_properties("".join(p.read_text(encoding="utf-8") for p in STYLESHEETS))

    def value(v: str) -> str:
        m = re.fullmatch(r"var\((--[\w-]+)\)", v.strip())
        return value(props[m[1]]) if m else v.strip()

    return {k: value(v) for k, v in props.items()}


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# the colour pairs the stylesheets use: text on its background (4.5:1), and the chart's bars on white (3:1, WCAG
# 1.4.11); contrast is a matter of lightness, so each pair keeps it printed in grey
TEXT_PAIRS = [
    ("--jet-text", "--color-neutral-white"),
    ("--jet-heading", "--color-neutral-white"),
    ("--jet-muted", "--color-neutral-white"),
    ("--jet-link", "--color-neutral-white"),
    ("--jet-primary", "--color-neutral-white"),  # the pamphlet's headings and figures
    ("--jet-on-primary", "--jet-primary"),  # the header, the cover, the back page
    ("--jet-text", "--jet-tint"),
    ("--jet-muted", "--jet-tint"),
    ("--jet-link", "--jet-tint"),
    ("--jet-primary", "--jet-tint"),
    ("--jet-text", "--jet-notice"),  # an earlier year's notice
    ("--jet-link", "--jet-notice"),
    ("--jet-ins-text", "--jet-ins"),  # 新旧対照表
    ("--jet-del-text", "--jet-del"),
    ("--jet-text", "--jet-mark"),  # search words found
]
BAR_COLOURS = ["--jet-primary", "--color-primitive-green-800", "--color-primitive-orange-800"]


def test_text_contrast_of_the_token_pairs():
    colours = _resolved()
    low = {
        (fg, bg): round(contrast(colours[fg], colours[bg]), 2)
        for fg, bg in TEXT_PAIRS
        if contrast(colours[fg], colours[bg]) < 4.5
    }
    assert low == {}
    bars = {bar: round(contrast(colours[bar], colours["--color-neutral-white"]), 2) for bar in BAR_COLOURS}
    assert min(bars.values()) >= 3, bars
    css = SITE_CSS.read_text(encoding="utf-8")
    for bar, role in zip(BAR_COLOURS, ["chart-bar", "chart-cir", "chart-sea"], strict=True):
        assert re.search(rf"\.{role} \{{ fill: var\({bar}\); \}}", css), role  # the bars are these tokens


TYPE = """() => {
  const body = getComputedStyle(document.querySelector('.md-typeset p:not([class])'));
  const weights = new Set([...document.querySelectorAll('body *')].filter((e) => e.getClientRects().length
    && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())).map((e) => getComputedStyle(e).fontWeight));
  return {size: body.fontSize, line: parseFloat(body.lineHeight) / parseFloat(body.fontSize),
          family: body.fontFamily, weights: [...weights].sort()};
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_body_type_is_dads_16px_at_1_7_in_noto_sans_jp_with_weights_400_and_700(browser, base_url, width):
    tokens = _custom_properties((TOKENS / "dist" / "tokens.css").read_text(encoding="utf-8"))
    first_family = tokens["--font-family-sans"].split(",")[0].strip("'\" ")
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        for lang in LANGS:
            for path in PAGES:
                page.goto(base_url + lang_prefix(lang) + path)
                found = page.evaluate(TYPE)
                assert found["size"] == "16px", path
                assert round(found["line"], 2) == float(tokens["--line-height-170"]), path
                assert found["family"].split(",")[0].strip("'\" ") == first_family, path
                assert set(found["weights"]) <= {"400", "700"}, (path, found["weights"])
    finally:
        context.close()


# ---- the frame: language selector, short name, desks -----------------------------------------------------


def _language_names() -> dict[str, str]:
    """Each language's name as mkdocs.yml gives it (the i18n plugin), in its own script."""
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=loader)
    (i18n,) = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    return {lang["locale"]: lang["name"] for lang in i18n["languages"]}


@pytest.mark.parametrize("lang", LANGS)
def test_the_language_selector_names_both_languages_and_marks_the_current_one(built, lang):
    names = _language_names()
    assert set(names) == set(LANGS)
    for path in PAGES:
        doc = lhtml.fromstring((built / lang_prefix(lang) / path / "index.html").read_bytes())
        (nav,) = doc.xpath("//header//nav[contains(@class, 'lang-select')]")
        assert nav.get("aria-label") and nav.xpath(".//*[@aria-hidden='true']")  # icons hidden from readers
        links = nav.xpath(".//a")
        assert [a.text_content().strip() for a in links] == [names[code] for code in LANGS]
        for a, code in zip(links, LANGS, strict=True):
            assert a.get("lang") == a.get("hreflang") == code
            assert a.get("aria-current") == ("true" if code == lang else None)
            href = a.get("href")  # root-relative (the i18n plugin's) or relative
            here = built if href.startswith("/") else built / lang_prefix(lang) / path
            target = (here / href.lstrip("/")).resolve()
            assert target == (built / lang_prefix(code) / path).resolve()  # the same page, in that language


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_language_selector_works_on_phones_and_without_javascript(browser, base_url, width, javascript):
    names = _language_names()
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript, bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto(base_url + "contacts/")
        for code in LANGS:
            box = page.locator(f".md-header a[hreflang='{code}']").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
                code
            )  # on screen, not in a menu
            assert box["height"] >= 24  # a target a finger can hit (WCAG 2.5.8)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the header does not widen it
        page.click(f".md-header a:text-is('{names['en']}')")
        page.wait_for_url(base_url + "en/contacts/")
        assert page.locator(".md-header a[aria-current='true']").text_content().strip() == names["en"]
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("lang", LANGS)
def test_phones_show_the_short_site_name_whole(browser, base_url, site, lang, javascript):
    ui = site.ui[lang]["site"]
    for width, shown in ((390, ui["short_name"]), (1366, ui["name"])):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, java_script_enabled=javascript, bypass_csp=True
        )
        page = context.new_page()
        try:
            page.goto(base_url + lang_prefix(lang) + "contacts/")
            title = page.evaluate(
                """() => {
                  const name = [...document.querySelectorAll('.md-header .site-name')].filter((e) => e.getClientRects().length);
                  const box = name.map((e) => e.closest('.md-ellipsis'))[0];
                  const r = name[0].getBoundingClientRect();
                  return {text: name.map((e) => e.textContent.trim()), cut: box.scrollWidth > box.clientWidth,
                          left: r.left, right: r.right};
                }"""
            )
        finally:
            context.close()
        assert title["text"] == [shown] and not title["cut"], (width, title)
        assert 0 <= title["left"] and title["right"] <= width


def test_a_desk_heading_sits_at_the_top_of_its_card(page, base_url):
    for path in ("contacts/", "", "pamphlet/"):
        page.goto(base_url + path)
        gaps = page.evaluate(
            """() => [...document.querySelectorAll('.desk')].map((card) => {
                 const h = card.querySelector('h2, h3'), style = getComputedStyle(card);
                 return h.getBoundingClientRect().top - card.getBoundingClientRect().top
                   - parseFloat(style.paddingTop) - parseFloat(style.borderTopWidth);
               })"""
        )
        assert gaps and max(gaps) <= 1, (path, gaps)
