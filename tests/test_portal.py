"""The organisations portal: every data entry on its page in both languages, feeds, chart, contacts."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import pages_of
from lxml import html as lhtml

from macros import fmt
from macros import schema as s
from macros.data import walk
from macros.render import Renderer

PREFIX = {"ja": "", "en": "en/"}
ATOM = "{http://www.w3.org/2005/Atom}"


def page(built, lang, path) -> lhtml.HtmlElement:
    return lhtml.fromstring((built / PREFIX[lang] / path / "index.html").read_text(encoding="utf-8"))


def text_of(el) -> str:
    return re.sub(r"[ \t\r\n]+", " ", el.text_content()).strip()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_portal_text_appears_on_the_site(built, site, lang):
    all_text = " ".join(text_of(lhtml.fromstring(h)) for h in pages_of(built, lang).values())
    models = [site.home, site.programme, site.contacts, site.audiences, site.videos, site.news]
    missing = []
    for model in models:
        for path, obj in walk(model):
            if isinstance(obj, s.Text) and not isinstance(obj, s.MarkdownText) and "keywords" not in path:
                text = re.sub(r"[ \t\r\n]+", " ", obj.get(lang)).strip()
                text = text.replace("{desk}", site.desk(site.home.faq.desk).name.get(lang))  # faq.ask
                if text not in all_text:
                    missing.append(text)
    assert missing == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_audience_page_lists_exactly_its_resources(built, site, lang):
    for audience in site.audiences.audiences:
        doc = page(built, lang, f"audiences/{audience.id}")
        listed = doc.xpath("//li[contains(@class, 'resource')]/h3/@id")
        assert listed == [res.id for res in audience.resources]
        for res in audience.resources:
            item = doc.get_element_by_id(res.id).getparent()
            assert res.title.get(lang) in text_of(item)
            assert bool(item.xpath(".//a[contains(@class, 'download')]")) == (res.url is not None)
        assert bool(doc.xpath("//*[contains(@class, 'pamphlet-card')]")) == audience.pamphlet


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_news_index_tag_pages_and_home(built, site, lang):
    index = page(built, lang, "news")
    assert index.xpath("//h2/@id") == [i.id for i in site.news_items()]
    for tag in site.news.tags:
        doc = page(built, lang, f"news/{tag.id}")
        titles = [
            text_of(a) for a in doc.xpath("//li[contains(@class, 'news-item')]//p[@class='news-title']/a")
        ]
        assert titles == [i.title.get(lang) for i in site.news_items(tag.id)]
    home = page(built, lang, "")
    latest = [text_of(a) for a in home.xpath("//p[@class='news-title']/a")]
    assert latest == [i.title.get(lang) for i in site.news_items()[:4]]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_atom_feed_parses_and_holds_every_item(built, site, lang):
    feed = ET.parse(built / PREFIX[lang] / "news" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    sample = site.ui[lang]["sample"]["feed_title"]  # sample items say so (tests/test_honesty.py)
    assert sorted(e.find(f"{ATOM}title").text for e in entries) == sorted(
        sample.format(title=i.title.get(lang)) if site.is_sample(i) else i.title.get(lang)
        for i in site.news.items
    )
    home = (built / PREFIX[lang] / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="news/feed.xml"', home)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_role_chart_numbers_come_from_the_data(built, site, lang):
    doc = page(built, lang, "programme")
    r = Renderer(site, lang)
    roles = site.programme.roles
    bars = doc.xpath("//figure[contains(@class, 'role-shares')]//*[local-name()='rect']")
    assert [float(b.get("width")) for b in bars] == [round(300 * role.share / 100, 1) for role in roles]
    rows = doc.xpath("//table[contains(@class, 'role-shares-table')]//tbody/tr")
    expected = [[r.role_label(role.id), r.ui["programme"]["share"].format(n=role.share)] for role in roles]
    assert [[text_of(c) for c in tr] for tr in rows] == expected
    title = text_of(doc.xpath("//*[local-name()='svg']/*[local-name()='title']")[0])
    assert title == r.ui["programme"]["shares_alt"].format(list=r.shares_text())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_contact_desks_and_json_ld(built, site, lang):
    doc = page(built, lang, "contacts")
    r = Renderer(site, lang)
    for desk in site.contacts.desks:
        card = doc.get_element_by_id(desk.id).getparent()
        assert desk.name.get(lang) in text_of(card)
        assert [text_of(li) for li in card.xpath(".//ul/li")] == [d.get(lang) for d in desk.duties]
        assert r.hours(desk.hours) in text_of(card)
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "Organization"
    points = data["contactPoint"]
    assert [p["name"] for p in points] == [d.name.get(lang) for d in site.contacts.desks]
    for p, desk in zip(points, site.contacts.desks, strict=True):
        assert (p["hoursAvailable"]["opens"], p["hoursAvailable"]["closes"]) == (
            desk.hours.opens,
            desk.hours.closes,
        )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_videos_load_nothing_before_a_click_and_have_text_summaries(built, site, lang):
    doc = page(built, lang, "videos")
    assert not doc.xpath("//iframe")
    for video in site.videos.videos:
        assert all(p.get(lang) in text_of(doc) for p in video.summary)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_home_has_every_section_of_the_seed_page(built, site, lang):
    doc = page(built, lang, "")
    headings = {h.get("id"): text_of(h) for h in doc.xpath("//article//h2")}
    for key, text in site.home.headings.model_dump().items():
        assert headings[key].startswith(text[lang])
    faq_links = doc.xpath("//ul[contains(@class, 'faq-links')]//a/@href")
    prefix = "../" if lang == "en" else ""
    assert faq_links == [f"{prefix}faq/{e.id}/" for e in site.home.faq.editions]


def test_pamphlet_pdfs_are_built(built):
    for lang in ("ja", "en"):
        pdf = built / PREFIX[lang] / "pamphlet" / f"jet-pamphlet-{lang}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pamphlet_reads_hosting_terms_from_the_guidelines(built, site, lang):
    doc = page(built, lang, "pamphlet")
    ids = set(doc.xpath("//@id"))
    assert set(site.home.pamphlet.guidelines) <= ids
    r = Renderer(site, lang)
    for _, block in walk(site.guidelines[site.latest_year]):
        if isinstance(block, s.PayBlock) and "remuneration" in site.home.pamphlet.guidelines:
            assert all(fmt.yen(row.yen, r.ui) in text_of(doc) for row in block.rows)
