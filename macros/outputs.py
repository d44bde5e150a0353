"""Files generated beside the pages: calendars (.ics) of key dates and Atom feeds of news."""

from __future__ import annotations

import datetime as dt
import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
from feedgen.feed import FeedGenerator
from markupsafe import escape

from .data import Site, lang_prefix
from .render import Renderer
from .schema import KeyDate

REMINDER = dt.timedelta(days=7)  # a deadline's or "by" date's alarm goes off a week before


def event_span(k: KeyDate) -> tuple[dt.date, dt.date]:
    """First and last day of a key date's calendar event: a day is one day, a month (of a "date" or "from"
    date) is that month, a period runs from its start to its end."""
    return k.start.first, (k.end or k.start).last


def calendar(site: Site, year: int, lang: str) -> bytes:
    """guidelines-<year>.ics: an all-day event per key date a reader acts on (RFC 5545); deadlines and "by"
    dates carry a reminder (VALARM) a week before."""
    g = site.guidelines[year]
    ui = site.ui[lang]
    view = Renderer(site, lang).guidelines_view(year)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//JET Programme for organisations//guidelines//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("x-wr-calname", g.title.get(lang))
    stamp = dt.datetime(g.year, 1, 1, tzinfo=dt.UTC)
    for k in (k for k in g.dates if k.calendar):
        first, last = event_span(k)
        event = icalendar.Event()
        event.add("uid", f"{year}-{k.id}@guidelines.jet-organisations")
        event.add("dtstamp", stamp)
        event.add("summary", k.label.get(lang))
        event.add("description", view.date(k.id))
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a reminder of a date, not busy time
        if k.kind in ("deadline", "by"):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -REMINDER)
            alarm.add(
                "description",
                ui["guidelines"]["reminder"].format(
                    days=REMINDER.days, label=k.label.get(lang), date=view.date(k.id)
                ),
            )
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def feed(site: Site, lang: str, base_url: str) -> bytes:
    """news/feed.xml: the news items of one language as an Atom feed."""
    r = Renderer(site, lang, "news/index.md")
    home = base_url.rstrip("/") + "/" + lang_prefix(lang)
    fg = FeedGenerator()
    fg.id(home + "news/")
    fg.title(f"{r.ui['site']['name']} – {site.home.headings.news.get(lang)}")
    fg.link(href=home + "news/", rel="alternate")
    fg.link(href=home + "news/feed.xml", rel="self")
    fg.language(lang)
    items = sorted(site.news.items, key=lambda i: (i.date, i.id))
    for item in items:
        when = dt.datetime.combine(item.date, dt.time(), tzinfo=dt.UTC)
        entry = fg.add_entry()
        link = item.url or f"{home}news/#{item.id}"
        entry.id(f"{home}news/#{item.id}")
        sample = site.is_sample(item)  # the one rule: the title and the content say so
        title = item.title.get(lang)
        entry.title(r.ui["sample"]["feed_title"].format(title=title) if sample else title)
        entry.link(href=link)
        entry.published(when)
        entry.updated(when)
        note = f"<p>{escape(r.ui['sample']['entry'])}</p>" if sample else ""
        if item.body is not None or note:
            entry.content(note + (str(r.md(item.body)) if item.body is not None else ""), type="html")
        for tag in item.tags:
            entry.category(term=tag)
    if items:
        fg.updated(dt.datetime.combine(items[-1].date, dt.time(), tzinfo=dt.UTC))
    return fg.atom_str(pretty=True)


def write_all(site: Site, lang: str, out: Path, base_url: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for year in site.guidelines:
        (out / f"guidelines-{year}.ics").write_bytes(calendar(site, year, lang))
    (out / "news").mkdir(exist_ok=True)
    (out / "news" / "feed.xml").write_bytes(feed(site, lang, base_url))


def write_sitemap(site_dir: Path, pages: dict[str, dict[str, tuple[str, tuple[str, str] | None]]]) -> None:
    """sitemap.xml (and .gz): every current page in each language with its alternates, dated by its 更新日
    (not the build); earlier years' guidelines are left out, so search engines send readers to the current year."""
    sm, xhtml = "http://www.sitemaps.org/schemas/sitemap/0.9", "http://www.w3.org/1999/xhtml"
    ET.register_namespace("", sm)
    ET.register_namespace("xhtml", xhtml)
    urlset = ET.Element(f"{{{sm}}}urlset")
    for path in sorted(pages):
        for url, updated in pages[path].values():
            entry = ET.SubElement(urlset, f"{{{sm}}}url")
            ET.SubElement(entry, f"{{{sm}}}loc").text = url
            if updated:
                ET.SubElement(entry, f"{{{sm}}}lastmod").text = updated[0]
            for other, (other_url, _) in pages[path].items():
                ET.SubElement(entry, f"{{{xhtml}}}link", rel="alternate", hreflang=other, href=other_url)
    ET.indent(urlset)
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    (site_dir / "sitemap.xml").write_bytes(body)
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(body, mtime=0))
