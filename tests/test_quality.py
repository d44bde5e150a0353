"""Quality gates over both builds: axe (WCAG 2.x A/AA), HTML validity, links and anchors, titles and languages.
A deliberately broken page must make every gate fail."""

from __future__ import annotations

import shutil

import pytest
from conftest import PASSWORD, serve
from quality import (
    axe_rule_problems,
    axe_violations,
    link_problems,
    title_and_language_problems,
    vnu_problems,
)

from macros.a11y import TAGS, audit, axe_version, check
from macros.faq import open_gate


def _decrypted(built) -> dict[str, str]:
    return {
        gate.relative_to(built).as_posix(): open_gate(PASSWORD, gate.read_text(encoding="utf-8"))
        for gate in sorted((built / "faq").glob("*/index.html"))
    }


def test_axe_finds_no_violation_on_any_page_and_the_statement_reports_this_run(
    built, base_url, browser, site
):
    editions = [e.id for e in site.home.faq.editions]
    result = audit(browser, base_url, built, PASSWORD, editions)
    assert result["problems"] == []
    recorded = site.accessibility_results
    assert recorded.pages.model_dump() == result["pages"], "run `make a11y-report` and commit the results"
    assert recorded.tags == TAGS and recorded.axe == axe_version()
    assert recorded.rules_passed == len(result["rules_passed"]) and recorded.violations == 0
    statement = (built / "accessibility" / "index.html").read_text(encoding="utf-8")
    assert f"axe-core {recorded.axe}" in statement and str(sum(result["pages"].values())) in statement


def test_every_internal_link_and_anchor_resolves(built, base_url):
    decrypted = _decrypted(built)
    assert len(decrypted) == 3
    assert link_problems(built, base_url, decrypted) == []


def test_titles_languages_and_hreflang(built):
    assert title_and_language_problems(built) == []


def test_html_is_valid(built):
    assert vnu_problems(built) == []


def test_aria_roles_fit_their_elements_on_every_page(built, base_url, browser):
    # a best-practice rule outside the WCAG tags above, which Lighthouse reports: e.g. a label given role=button
    assert axe_rule_problems(browser, base_url, built, ["aria-allowed-role"], PASSWORD) == []


def test_a_deliberately_broken_page_fails_every_gate(built, tmp_path, browser):
    site = tmp_path / "site"
    shutil.copytree(built, site)
    page = site / "contacts" / "index.html"
    broken = site / "broken" / "index.html"
    broken.parent.mkdir()
    html = page.read_text(encoding="utf-8").replace("<base href", "<base data-x href")
    html = html.replace(
        "</article>",
        '<p><img src="../assets/missing.png"> <a href="../nowhere/">x</a> <a href="../contacts/#no-such-anchor">y</a>'
        "<p><div>block in a paragraph</p></div>"
        '<input type="checkbox" id="x" autocomplete="off"><label for="x" tabindex="">x</label>'
        '<label for="__drawer" role="button" tabindex="0">menu</label></article>',
        1,
    )
    broken.write_text(html, encoding="utf-8")
    links = link_problems(site)
    assert any("broken/index.html: broken link ../nowhere/" in p for p in links)
    assert any("broken/index.html: broken link ../assets/missing.png" in p for p in links)
    assert any("no anchor #no-such-anchor" in p for p in links)
    titles = title_and_language_problems(site)
    assert any("duplicate title" in p and "broken/index.html" in p for p in titles)
    html_problems = [p for p in vnu_problems(site) if p.startswith('"file:broken/index.html"')]
    for message in ("“p” end tag", "“autocomplete” is only allowed", "Bad value “” for attribute “tabindex”"):
        assert any(message in p for p in html_problems), message  # theme markup is not excused either
    url, server = serve(site)
    try:
        tab = browser.new_page()
        tab.goto(url + "broken/")
        problems, _ = check(tab)
        roles = axe_violations(tab, ["aria-allowed-role"])
        tab.close()
    finally:
        server.shutdown()
    assert any(p.startswith("image-alt") for p in problems)
    assert any(p.startswith("aria-allowed-role") and "menu</label>" in p for p in roles)


def test_language_switch_by_keyboard(page, base_url):
    page.goto(base_url + "contacts/")
    page.focus(".md-header a[hreflang='ja']")  # the current language, then the other one
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('hreflang')") == "en"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "en/contacts/")


@pytest.mark.parametrize("edition", ["bilingual"])
def test_faq_filter_by_keyboard(page, base_url, faq, edition):
    page.goto(f"{base_url}faq/{edition}/")
    page.focus("#faq-password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(".faq-entry")
    page.focus("#faq-q")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("insurance")
    expected = [
        e
        for e in faq.entries
        if "insurance" in (e.question.en + e.answer.en + e.question.ja + e.answer.ja).lower()
    ]
    assert page.locator(".faq-entry:visible").count() == len(expected) > 0
