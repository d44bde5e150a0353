"""The password-protected FAQ: encryption, password rules, zero leakage, and the gate in a real browser."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time

import pytest
from conftest import PASSWORD, ROOT, project_copy, run, serve
from cryptography.exceptions import InvalidTag
from pydantic import BaseModel

from macros import crypto
from macros import faq as faq_build
from macros import schema as s
from macros.data import walk

FAST = 1_000  # iterations for unit tests of the format; the real build uses crypto.ITERATIONS


def envelope_of(page_html: str) -> dict:
    m = re.search(r'<script type="application/json" id="faq-payload">(.*?)</script>', page_html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_round_trip_and_tamper_detection():
    sealer = crypto.Sealer.new("a-long-enough-password", FAST)
    env = sealer.envelope(b"<p>secret FAQ</p>", b"jet-faq:ja")
    assert crypto.open_envelope("a-long-enough-password", env, b"jet-faq:ja") == b"<p>secret FAQ</p>"
    with pytest.raises(InvalidTag):
        crypto.open_envelope("another-long-password", env, b"jet-faq:ja")
    data = bytearray(base64.b64decode(env["doc"]["data"]))
    data[5] ^= 1
    with pytest.raises(InvalidTag):
        crypto.open_envelope(
            "a-long-enough-password",
            {**env, "doc": {**env["doc"], "data": crypto.b64(bytes(data))}},
            b"jet-faq:ja",
        )
    truncated = crypto.b64(base64.b64decode(env["doc"]["data"])[:-3])
    with pytest.raises(InvalidTag):
        crypto.open_envelope(
            "a-long-enough-password", {**env, "doc": {**env["doc"], "data": truncated}}, b"jet-faq:ja"
        )
    with pytest.raises(InvalidTag):  # a document moved to another edition
        crypto.open_envelope("a-long-enough-password", env, b"jet-faq:en")


def test_fresh_salt_per_build_and_nonce_per_document():
    a, b = (
        crypto.Sealer.new("a-long-enough-password", FAST),
        crypto.Sealer.new("a-long-enough-password", FAST),
    )
    assert a.salt != b.salt and len(a.salt) == 16
    nonces = {a.seal(b"x", b"y")["nonce"] for _ in range(50)}
    assert len(nonces) == 50


def test_real_iterations_meet_owasp(built):
    env = envelope_of((built / "faq" / "ja" / "index.html").read_text(encoding="utf-8"))
    assert env["kdf"] == {**env["kdf"], "name": "PBKDF2", "hash": "SHA-256"}
    assert env["kdf"]["iterations"] >= 600_000


@pytest.mark.parametrize(
    "password, message",
    [
        (None, "no FAQ password: set FAQ_PASSWORD, or FAQ_PASSWORD_FILE"),
        ("\n", "no FAQ password: set FAQ_PASSWORD, or FAQ_PASSWORD_FILE"),
        ("abcde", "too short: 5 characters, at least 16"),
        ("x7Kp-2mQ-9vLr-Z\n", "too short: 15 characters, at least 16"),  # the line ending does not count
        (" " * 16, "only whitespace"),
        ("\t  \t  \t  \t  \t  ", "only whitespace"),
        ("a" * 20, "one character repeated"),
        ("passwordpassword", "too easy to guess (zxcvbn score 0, at least 4 needed): it is made of"),
        ("1234567890123456", "too easy to guess (zxcvbn score 1, at least 4 needed): it is made of"),
        ("asdfghjkl;asdfgh", "keyboard patterns"),
        ("iloveyouiloveyou", "repetitions"),
        ("Password12345678", "common passwords or words"),
    ],
)
@pytest.mark.parametrize("how", ["env", "file"])
def test_password_is_refused_with_its_reason_and_never_shown(tmp_path, how, password, message):
    out, env = tmp_path / "faq", {}
    if password is not None and how == "env":
        env["FAQ_PASSWORD"] = password
    elif password is not None:
        (tmp_path / "pw.txt").write_text(password, encoding="utf-8")
        env["FAQ_PASSWORD_FILE"] = str(tmp_path / "pw.txt")
    result = run(["-m", "macros.faq", str(out)], **env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    if password and password.strip():
        assert password.strip() not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "env, message",
    [
        ({"FAQ_PASSWORD": "x" * 20, "FAQ_PASSWORD_FILE": "/tmp/x"}, "set only one of"),
        ({"FAQ_PASSWORD_FILE": str(ROOT / "data" / "home.yml")}, "must be outside the repository"),
        ({"FAQ_PASSWORD_FILE": "/no/such/file"}, "no such file"),
    ],
)
def test_password_source_is_refused_with_a_clear_message(tmp_path, env, message):
    result = run(["-m", "macros.faq", str(tmp_path / "faq")], **env)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("how", ["env", "file"])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_password_line_ending_is_stripped(tmp_path, how, ending):
    if how == "env":
        env = {"FAQ_PASSWORD": PASSWORD + ending}
    else:
        (tmp_path / "pw.txt").write_bytes((PASSWORD + ending).encode())
        env = {"FAQ_PASSWORD_FILE": str(tmp_path / "pw.txt")}
    result = run(["-m", "macros.faq", str(tmp_path / "faq")], **env)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "faq" / "en" / "index.html").read_text(encoding="utf-8")
    assert "faq-entry" in faq_build.open_gate(PASSWORD, html)  # the password readers type, without it


VENDOR = (
    "assets/javascripts/",
    "assets/stylesheets/",
    "pagefind/pagefind",
)  # theme and search code, not ours


def _all_output(built):
    """Every file generated from data, as text. Skipped: theme and search code, the compressed index and PDFs
    (the canary test covers those), and code files copied byte for byte from the repository."""
    verbatim = {p.read_bytes() for d in (ROOT / "content", faq_build.TEMPLATES) for p in d.rglob("*.*")}
    for path in built.rglob("*"):
        rel = path.relative_to(built).as_posix()
        skip = rel.startswith(VENDOR) or path.suffix in (".pdf", ".pf_fragment", ".pf_index")
        if path.is_file() and not skip and path.read_bytes() not in verbatim:
            yield path, path.read_text(encoding="utf-8", errors="ignore")


def _public_models(site) -> list:
    """Every model of the public site (all data files but the FAQ)."""
    models = [getattr(site, f.name) for f in dataclasses.fields(site)]
    return [m for m in models if isinstance(m, BaseModel)] + list(site.guidelines.values())


def _public_phrases(site) -> str:
    """Every public text (data and UI) in one string: FAQ runs that also occur there are not leaks."""
    texts = [
        o.ja + " " + (o.en or "") for m in _public_models(site) for _, o in walk(m) if isinstance(o, s.Text)
    ]
    texts += [
        " ".join(o.ja + o.en) for m in _public_models(site) for _, o in walk(m) if isinstance(o, s.Keywords)
    ]
    texts += [json.dumps(site.ui, ensure_ascii=False)]
    return "\n".join(texts)


def test_faq_code_files_are_the_repository_files(built):
    """faq.js and faq.css are copied verbatim (so the scan below skips them): no data goes into them."""
    for asset in faq_build.ASSETS:
        assert (built / "faq" / asset).read_bytes() == (faq_build.TEMPLATES / asset).read_bytes()


def test_no_faq_text_in_any_output_file(built, site, faq):
    public = _public_phrases(site)
    runs = set()
    for _, obj in walk(faq):
        if isinstance(obj, s.Text) and not isinstance(obj, s.FaqCategory):
            for text in (obj.ja, obj.en):
                for line in re.split(r"[\n。．]", text):
                    line = line.strip()
                    for i in range(0, max(len(line) - 11, 0), 6):
                        chunk = line[i : i + 12]
                        if chunk not in public and not set(chunk) & set("\"'<>&="):
                            runs.add(chunk)  # (runs with markup characters would match attribute syntax)
    assert len(runs) > 1000
    for path, content in _all_output(built):
        leaked = [r for r in runs if r in content]
        assert not leaked, (path, leaked[:3])


def test_canary_entry_never_appears_in_clear(tmp_path):
    root = project_copy(tmp_path / "p")
    canary = "CANARY" + base64.b32encode(bytes(range(10))).decode()
    faq_file = root / "data/faq/faq.yml"
    faq_file.write_text(
        faq_file.read_text(encoding="utf-8")
        + f"  - id: canary\n    category: handbooks\n    question: {{ja: {canary}質問, en: {canary} question}}\n"
        f"    answer: {{ja: {canary}回答, en: {canary} answer}}\n",
        encoding="utf-8",
    )
    out = root / "site"
    assert run(["-m", "macros.build", str(out)], cwd=root, FAQ_PASSWORD=PASSWORD).returncode == 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert canary.encode() not in data, path
            for secret in (PASSWORD.encode(), base64.b64encode(PASSWORD.encode())):
                assert secret not in data, path
    assert canary in faq_build.open_gate(PASSWORD, (out / "faq/bilingual/index.html").read_text("utf-8"))


def test_public_build_never_reads_the_faq(tmp_path):
    root = project_copy(tmp_path / "p")
    (root / "data/faq/faq.yml").write_text("this: [is not valid", encoding="utf-8")
    result = run(["-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "out")], cwd=root)
    assert result.returncode == 0, result.stderr


def test_faq_links_into_the_public_guidelines_resolve(built, faq, site):
    doc = faq_build.open_gate(PASSWORD, (built / "faq" / "en" / "index.html").read_text(encoding="utf-8"))
    hrefs = set(re.findall(r'href="(\.\./\.\./[^"]+)"', doc))
    assert len(hrefs) >= len({ref for e in faq.entries for ref in e.refs})
    for href in hrefs:
        path, _, anchor = href.removeprefix("../../").partition("#")
        target = (built / path / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in target


# ---- in Chromium ------------------------------------------------------------------------------


def unlock(page, base_url, edition="ja", password=PASSWORD, remember=False):
    page.goto(f"{base_url}faq/{edition}/")
    page.fill("#faq-password", password)
    if remember:
        page.check("#faq-remember")
    page.press("#faq-password", "Enter")


def test_browser_right_password_unlocks_and_wrong_one_is_refused(page, base_url, site, faq):
    unlock(page, base_url, "en", password="not-the-password-at-all")
    page.wait_for_function("document.getElementById('faq-error').textContent.length > 0")
    assert page.text_content("#faq-error") == site.ui["en"]["faq"]["wrong"]
    assert page.get_attribute("#faq-password", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "faq-password"
    assert page.is_hidden("#faq-content")
    started = time.perf_counter()
    page.fill("#faq-password", PASSWORD)
    page.press("#faq-password", "Enter")
    page.wait_for_selector("#faq-content .faq-entry")
    assert time.perf_counter() - started < 10
    assert page.locator(".faq-entry").count() == len(faq.entries)
    page.wait_for_selector("#faq-status:not(:empty)")  # the live region is filled just after the content
    assert page.text_content("#faq-status") == site.ui["en"]["faq"]["unlocked"]
    assert faq.entries[0].question.en in page.text_content("#faq-content")


def test_browser_wrong_password_message_in_japanese(page, base_url, site):
    unlock(page, base_url, "ja", password="まちがったパスワードです１２３４５６")
    page.wait_for_function("document.getElementById('faq-error').textContent.length > 0")
    assert page.text_content("#faq-error") == site.ui["ja"]["faq"]["wrong"]


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_browser_refuses_a_damaged_page(page, built, tmp_path, site, damage):
    html = (built / "faq" / "ja" / "index.html").read_text(encoding="utf-8")
    if damage == "flip":
        env = envelope_of(html)
        data = bytearray(base64.b64decode(env["doc"]["data"]))
        data[len(data) // 2] ^= 0x01
        bad = html.replace(env["doc"]["data"], crypto.b64(bytes(data)))
    else:
        bad = html[: len(html) * 2 // 3]
    folder = tmp_path / "faq"
    (folder / "ja").mkdir(parents=True)
    for asset in ("faq.js", "faq.css"):
        (folder / asset).write_bytes((built / "faq" / asset).read_bytes())
    (folder / "ja" / "index.html").write_text(bad, encoding="utf-8")
    url, server = serve(tmp_path)
    try:
        page.goto(f"{url}faq/ja/")
        if damage == "flip":
            page.fill("#faq-password", PASSWORD)
            page.press("#faq-password", "Enter")
        page.wait_for_function("document.getElementById('faq-error').textContent.length > 0")
        assert page.text_content("#faq-error") == site.ui["ja"]["faq"]["damaged"]
        assert page.locator(".faq-entry").count() == 0
    finally:
        server.shutdown()


def test_browser_session_unlock_carries_across_editions_and_lock_clears_it(page, base_url, faq):
    unlock(page, base_url, "ja", remember=True)
    page.wait_for_selector(".faq-entry")
    stored = page.evaluate("Object.entries(sessionStorage)")
    assert len(stored) == 1 and PASSWORD not in json.dumps(stored)
    page.goto(f"{base_url}faq/bilingual/")
    page.wait_for_selector(".faq-entry")
    assert page.locator(".faq-entry [lang=en]").count() >= len(faq.entries)
    page.click("#faq-lock")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.is_visible("#faq-password") and page.locator(".faq-entry").count() == 0
    page.goto(f"{base_url}faq/en/")
    page.wait_for_timeout(300)
    assert page.is_visible("#faq-password")


def test_browser_deep_link_lands_on_the_question(page, base_url, faq):
    target = faq.entries[-1]
    page.goto(f"{base_url}faq/en/#{target.id}")
    page.fill("#faq-password", PASSWORD)
    page.press("#faq-password", "Enter")
    page.wait_for_selector(".faq-entry")
    assert page.evaluate("document.activeElement.id") == target.id
    assert page.evaluate(f"document.getElementById('{target.id}').getBoundingClientRect().top") < 900


def test_browser_filter_narrows_and_highlights(page, base_url, faq, site):
    unlock(page, base_url, "ja")
    page.wait_for_selector(".faq-entry")
    word = "住民税"
    expected = [e for e in faq.entries if word in e.question.ja + e.answer.ja]
    assert 0 < len(expected) < len(faq.entries)
    page.fill("#faq-q", word)
    assert page.locator(".faq-entry:visible").count() == len(expected)
    assert page.locator(".faq-entry:visible mark").count() >= len(expected)
    count = site.ui["ja"]["faq"]["count"].format(n=len(expected), total=len(faq.entries))
    assert page.text_content("#faq-count") == count
    page.fill("#faq-q", "")
    assert page.locator(".faq-entry:visible").count() == len(faq.entries)
    assert page.locator("mark").count() == 0


def test_browser_gate_works_by_keyboard_alone(page, base_url):
    page.goto(f"{base_url}faq/en/")
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if seen[-1] == "faq-password":
            break
    assert "faq-password" in seen
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "faq-toggle"
    page.keyboard.press("Enter")
    assert page.get_attribute("#faq-password", "type") == "text"
    assert page.get_attribute("#faq-toggle", "aria-pressed") == "true"
    page.focus("#faq-password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".faq-entry")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "faq-lock"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
