"""Checks over a built site, shared by the quality tests: links and anchors, titles and languages, HTML validity,
axe rules beyond the WCAG set (aria-allowed-role, which Lighthouse reports)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from axe_playwright_python.sync_playwright import Axe
from lxml import html as lhtml

VENDOR = ("assets/javascripts/", "assets/stylesheets/", "pagefind/")
VNU = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 412, "height": 823}  # Lighthouse's mobile screen: the navigation is a drawer


def our_pages(site_dir: Path) -> dict[str, lhtml.HtmlElement]:
    return {
        p.relative_to(site_dir).as_posix(): lhtml.fromstring(p.read_bytes())
        for p in sorted(site_dir.rglob("*.html"))
        if not p.relative_to(site_dir).as_posix().startswith(VENDOR)
    }


def _url_of(rel: str) -> str:
    return rel.removesuffix("index.html")


def _target(site_dir: Path, base: str, ref: str, site_url: str) -> tuple[Path | None, str]:
    if site_url and ref.startswith(site_url):
        ref = "/" + ref[len(site_url) :]
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None, ""
    path = parts.path
    if path.startswith("/"):
        full = path.lstrip("/")
    else:
        full = str(Path("/" + base).parent.joinpath(path)) if path else "/" + base
        full = re_norm(full).lstrip("/")
    target = site_dir / unquote(full)
    if not path or full.endswith("/") or target.is_dir():
        target = target / "index.html" if (target.is_dir() or full.endswith("/")) else site_dir / base
    return target, unquote(parts.fragment)


def re_norm(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            out and out.pop()
        elif part not in (".", ""):
            out.append(part)
    return "/" + "/".join(out) + ("/" if path.endswith("/") else "")


def link_problems(site_dir: Path, site_url: str = "", extra: dict[str, str] | None = None) -> list[str]:
    """Every internal link, script, stylesheet and image of the pages (and of ``extra`` documents, by page
    path: the decrypted FAQ) resolves, and so does its anchor; so do feed and sitemap links."""
    pages = our_pages(site_dir)
    docs = dict(pages)
    for rel, text in (extra or {}).items():
        docs[rel + "#decrypted"] = lhtml.fromstring(text)
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            tree = lhtml.fromstring(path.read_bytes())
            ids[path] = set(tree.xpath("//@id")) | set(tree.xpath("//a/@name"))
            rel = path.relative_to(site_dir).as_posix()
            if rel in (extra or {}):
                ids[path] |= set(lhtml.fromstring(extra[rel]).xpath("//@id"))
        return ids[path]

    problems = []
    refs: list[tuple[str, str]] = []
    for rel, tree in docs.items():
        base = rel.split("#")[0]
        for attr in ("href", "src"):
            for el in tree.xpath(f"//*[@{attr}]"):
                refs.append((base, el.get(attr)))  # absolute links into the site (canonical, hreflang) too
    for feed in site_dir.rglob("feed.xml"):
        base = feed.relative_to(site_dir).as_posix()
        for link in ET.parse(feed).getroot().iter("{http://www.w3.org/2005/Atom}link"):
            refs.append((base, link.get("href")))
    for sitemap in site_dir.rglob("sitemap.xml"):
        for loc in ET.parse(sitemap).getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            refs.append((sitemap.relative_to(site_dir).as_posix(), loc.text))
    for base, ref in refs:
        if not ref or ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
            continue
        target, fragment = _target(site_dir, base, ref, site_url)
        if target is None:
            continue
        if not target.is_file():
            problems.append(f"{base}: broken link {ref}")
        elif fragment and target.suffix == ".html" and fragment not in anchors(target):
            problems.append(
                f"{base}: no anchor #{fragment} in {target.relative_to(site_dir).as_posix()} ({ref})"
            )
    return sorted(set(problems))


def title_and_language_problems(site_dir: Path) -> list[str]:
    """Unique non-empty titles per language, the right <html lang>, symmetric hreflang pairs, and passages in
    the other language marked with lang."""
    problems = []
    seen: dict[tuple[str, str], str] = {}
    hreflang: dict[str, dict[str, str]] = {}
    for rel, tree in our_pages(site_dir).items():
        lang = tree.get("lang", "")
        expected = "en" if rel.startswith(("en/", "faq/en/")) else "ja"
        if lang != expected:
            problems.append(f"{rel}: <html lang={lang!r}>, expected {expected!r}")
        title = " ".join(tree.findtext(".//title", "").split())
        if not title:
            problems.append(f"{rel}: empty <title>")
        elif (lang, title) in seen:
            problems.append(f"{rel}: duplicate title {title!r} (also {seen[lang, title]})")
        seen.setdefault((lang, title), rel)
        here = "/" + _url_of(rel)
        hreflang[here] = {}
        for link in tree.xpath("//head/link[@rel='alternate'][@hreflang]") if rel != "404.html" else []:
            href = link.get("href")
            if not urlsplit(href).scheme:  # search engines ignore relative hreflang links
                problems.append(f"{rel}: hreflang link {href!r} is not absolute")
            hreflang[here][link.get("hreflang")] = (
                re_norm(urlsplit(urljoin(here, href)).path).rstrip("/") + "/"
            )
        for node in tree.xpath("//article//text()[normalize-space()]"):
            text = str(node).strip()
            latin = re.findall(r"[A-Za-z]{2,}", text)
            japanese = re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text)
            parent = node.getparent()
            marked = parent is not None and (parent.xpath("ancestor-or-self::*[@lang][1]/@lang") or [lang])[0]
            if lang == "ja" and len(latin) >= 3 and not japanese and marked != "en" and len(text) >= 16:
                problems.append(f'{rel}: English passage without lang="en": {text[:50]!r}')
    for url, alternates in hreflang.items():
        for other_lang, other in alternates.items():
            if other != url and url not in hreflang.get(other, {}).values():
                problems.append(f"{url}: hreflang {other_lang} → {other} does not link back")
    return problems


def vnu_problems(site_dir: Path) -> list[str]:
    """Nu Html Checker errors over every page we write, each one (nothing is accepted)."""
    java = shutil.which("java")
    assert java and VNU.is_file(), "the Nu Html Checker needs java and `npm ci` (make test installs both)"
    pages = [str(site_dir / rel) for rel in our_pages(site_dir)]
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "gnu", *pages], capture_output=True, text=True
    )
    output = (result.stdout + result.stderr).splitlines()
    return [line.replace(str(site_dir) + "/", "") for line in output if line.strip()]


def axe_violations(page, rules: list[str]) -> list[str]:
    """Violations of the given axe rules on the page as it is now, one line per rule and element."""
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": rules}}).response
    return [f"{v['id']}: {n['target']} {n['html'][:120]}" for v in results["violations"] for n in v["nodes"]]


def axe_rule_problems(
    browser, base_url: str, site_dir: Path, rules: list[str], password: str = ""
) -> list[str]:
    """Violations of the given axe rules on every page we write, at a phone's width (where the menu is a drawer
    of buttons), and on each FAQ edition once unlocked when a password is given."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = []
    for rel in our_pages(site_dir):
        page.goto(base_url + rel)
        problems += [f"{rel}: {p}" for p in axe_violations(page, rules)]
        if password and page.locator("#faq-password").count():
            page.fill("#faq-password", password)
            page.press("#faq-password", "Enter")
            page.wait_for_selector(".faq-entry")
            problems += [f"{rel} (unlocked): {p}" for p in axe_violations(page, rules)]
    context.close()
    return problems


def squeezed(text: str) -> str:
    """Text without white space: a PDF's text breaks lines where the page did."""
    return re.sub(r"\s+", "", text)
