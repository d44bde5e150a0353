"""Nothing invented is shown as fact: every output that shows sample content says so (one rule), the pamphlet
says whose it is, and every page's 更新日 comes from the history of its data, never from the build."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from conftest import pages_of, project_copy, run
from lxml import html as lhtml

from macros import fmt
from macros.data import LANGS, lang_prefix

ATOM = "{http://www.w3.org/2005/Atom}"


def doc(built, lang, path) -> lhtml.HtmlElement:
    return lhtml.fromstring((built / lang_prefix(lang) / path / "index.html").read_bytes())


def marked(el, ui) -> bool:
    """The element says it holds sample content: the badge or a note, in the reader's language."""
    badges = [b.text_content().strip() for b in el.xpath(".//*[contains(@class, 'sample-badge')]")]
    notes = [n.text_content().strip() for n in el.xpath(".//*[contains(@class, 'sample-note')]")]
    return ui["sample"]["badge"] in badges or bool({ui["sample"]["entry"], ui["sample"]["page"]} & set(notes))


@pytest.mark.parametrize("lang", LANGS)
def test_sample_news_is_marked_on_every_list_and_in_the_feed(built, site, lang):
    ui = site.ui[lang]
    lists = [doc(built, lang, "")] + [doc(built, lang, f"news/{t.id}") for t in site.news.tags]
    assert all(page.xpath("//li[contains(@class, 'news-item')]") for page in lists)
    for page in lists:
        for li in page.xpath("//li[contains(@class, 'news-item')]"):
            item_id = li.xpath(".//p[@class='news-title']/a/@href")[0].rsplit("#", 1)[1]
            item = next(i for i in site.news.items if i.id == item_id)
            assert marked(li, ui) == site.is_sample(item), item_id
    index = doc(built, lang, "news")
    for item in site.news.items:
        heading = index.get_element_by_id(item.id)
        after = heading.xpath("following-sibling::*[self::h2 or contains(@class, 'sample-note')][1]")
        assert (bool(after) and "sample-note" in (after[0].get("class") or "")) == site.is_sample(item)
    feed = ET.parse(built / lang_prefix(lang) / "news" / "feed.xml").getroot()
    assert list(feed.iter(f"{ATOM}entry"))
    for entry in feed.iter(f"{ATOM}entry"):
        item = next(i for i in site.news.items if entry.findtext(f"{ATOM}id").endswith("#" + i.id))
        title, content = entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}content") or ""
        expected = ui["sample"]["feed_title"].format(title=item.title.get(lang))
        assert (title == expected) == site.is_sample(item)
        assert (ui["sample"]["entry"] in content) == site.is_sample(item)


@pytest.mark.parametrize("lang", LANGS)
def test_sample_audiences_videos_and_stories_are_marked_where_they_show(built, site, lang):
    ui = site.ui[lang]
    home = doc(built, lang, "")
    for a in site.audiences.audiences:
        card = home.xpath(f"//li[contains(@class, 'card')][a[contains(@href, 'audiences/{a.id}/')]]")[0]
        assert marked(card, ui) == site.is_sample(a), a.id
        page = doc(built, lang, f"audiences/{a.id}")
        (lead,) = page.xpath("//article//h1/following-sibling::*[not(@hidden)][1]")
        assert (lead.text_content().strip() == ui["sample"]["page"]) == site.is_sample(a), a.id
    for v in site.videos.videos:
        card = home.xpath(f"//li[contains(@class, 'card')][a[contains(@href, '#{v.id}')]]")[0]
        assert marked(card, ui) == site.is_sample(v), v.id
    stories = doc(built, lang, "pamphlet").xpath("//*[contains(@class, 'story')]")
    all_stories = [s for v in site.videos.videos for s in v.stories]
    assert len(stories) == len(all_stories)
    for card, story in zip(stories, all_stories, strict=True):
        assert story.summary.get(lang) in card.text_content()
        assert marked(card, ui) == site.is_sample(story)
    assert any(site.is_sample(s) for s in all_stories)  # today's stories are samples: the test must see one


@pytest.mark.parametrize("lang", LANGS)
def test_the_pamphlet_says_it_is_this_sites_edition(built, site, lang):
    ui, p = site.ui[lang], site.home.pamphlet
    published = fmt.partial(p.published, lang)
    for page in (doc(built, lang, ""), doc(built, lang, "pamphlet")):
        text = re.sub(r"\s+", " ", page.text_content())
        assert ui["pamphlet"]["edition"].format(date=published) in text
        if p.url:
            assert page.xpath(f"//a[@href='{p.url}']")
        else:
            assert ui["pamphlet"]["official_unavailable"].format(date=published) in text


def _git(root, *args, day=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org")
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if day:
        env |= {"GIT_AUTHOR_DATE": f"{day}T12:00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00"}
    subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def test_each_page_shows_when_its_own_data_last_changed(tmp_path, site):
    root = project_copy(tmp_path / "p")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "all", day="2021-03-04")
    news = root / "data" / "news.yml"
    news.write_text(news.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _git(root, "commit", "-qam", "news", day="2022-05-06")
    videos = root / "data" / "videos.yml"  # edited, not committed: the day it was saved
    videos.write_text(videos.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    saved = dt.datetime(2023, 7, 8, 12).timestamp()
    os.utime(videos, (saved, saved))
    out = tmp_path / "out"
    assert run(["-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=root).returncode == 0
    expected = {
        "guidelines/2024/": "2021-03-04",  # only the guidelines
        "news/": "2022-05-06",
        "videos/": "2023-07-08",
        "": "2023-07-08",  # the home page shows news and videos
        "programme/": "2021-03-04",
    }
    for lang in LANGS:
        for path, day in expected.items():
            (time,) = doc(out, lang, path).xpath("//*[@class='page-updated']/time")
            shown = site.ui[lang]["site"]["updated"].format(date=fmt.day(dt.date.fromisoformat(day), lang))
            assert (time.get("datetime"), time.text) == (day, shown), (lang, path)
        for rel, html in pages_of(out, lang).items():  # every page has one
            assert lhtml.fromstring(html).xpath("//*[@class='page-updated']/time"), rel
