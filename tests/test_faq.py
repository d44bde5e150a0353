"""The password-protected FAQ: encryption, password rules, zero leakage, and the gate in a real browser."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSWORD, ROOT, csp_watched, project_copy, run, serve
from cryptography.exceptions import InvalidTag
from lxml import html as lhtml
from pydantic import BaseModel
from quality import link_problems

from macros import crypto, headers
from macros import faq as faq_build
from macros import schema as s
from macros.browser import read_headers
from macros.data import LANGS, lang_prefix, walk

FAST = 1_000  # iterations for unit tests of the format; the real build uses crypto.ITERATIONS


def envelope_of(page_html: str) -> dict:
    m = re.search(r'<script type="application/json" id="faq-payload">(.*?)</script>', page_html, re.S)
    return json.loads(m.group(1))


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
    "password",
    [
        "x7Kp-2mQ-9vLr-Zt",
        "GjqMCl2UKPRsujEdOgcDMFWpbgB1EmiNWWcjKy2b6_xIJpcW8QKoB3MKJxvZhlky0rUrZtkeU91Ej9n5TJFRXuTWiB9A4_XQDwuAAOILmrcux23rTbZ8V1_L",
    ],
)
def test_a_strong_password_is_taken_whatever_its_length(password):
    crypto.check_password(password)  # 16 and 120 characters: zxcvbn itself stops at 72


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
    """faq.js, faq.css and tokens.css are copied verbatim (so the scan below skips them): no data goes into them."""
    for name, source in faq_build.ASSETS.items():
        assert (built / "faq" / name).read_bytes() == source.read_bytes()


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


def test_make_faq_builds_the_whole_site_with_the_faq_and_nothing_in_clear(tmp_path, site):
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
    assert _make("faq", root).returncode == 2 and not out.exists()  # no password: refused, nothing written
    made = _make("faq", root, FAQ_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert (
        out.is_symlink()
    )  # one locked build, switched in whole: the landing and home pages link the editions
    for lang in LANGS:
        for page in ("faq/index.html", "index.html"):
            html = (out / lang_prefix(lang) / page).read_text("utf-8")
            assert site.ui[lang]["faq"]["not_built"] not in html
            assert all(f'href="{e.id}/"' in html or f"faq/{e.id}/" in html for e in site.home.faq.editions)
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert canary.encode() not in data, path
            for secret in (PASSWORD.encode(), base64.b64encode(PASSWORD.encode())):
                assert secret not in data, path
    assert canary in faq_build.open_gate(PASSWORD, (out / "faq/bilingual/index.html").read_text("utf-8"))


def _make(target: str, root: Path, **env: str) -> subprocess.CompletedProcess:
    """`make TARGET` in a project copy, with this environment's Python and tools (already set up)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    environ.update(env, NO_MKDOCS_2_WARNING="1")
    set_up = ["-o", "install", "-o", "browser", "-o", "node_modules/.installed"]
    args = ["make", "-s", *set_up, target, f"PY={sys.executable}"]
    return subprocess.run(args, cwd=root, env=environ, capture_output=True, text=True)


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


def test_the_aad_is_the_page_s_edition_not_part_of_the_payload(built):
    pages = {e: (built / "faq" / e / "index.html").read_text(encoding="utf-8") for e in ("ja", "en")}
    for edition, html in pages.items():
        assert f'data-faq-edition="{edition}"' in html and "aad" not in envelope_of(html)
        assert "faq-entry" in faq_build.open_gate(PASSWORD, html)
    swapped = pages["ja"].replace(json.dumps(envelope_of(pages["ja"]), separators=(",", ":")), "X")
    swapped = swapped.replace("X", json.dumps(envelope_of(pages["en"]), separators=(",", ":")))
    assert envelope_of(swapped) == envelope_of(pages["en"])
    with pytest.raises(InvalidTag):
        faq_build.open_gate(PASSWORD, swapped)


_RECORDER = '#!/bin/sh\ncat /proc/self/environ > "{dumps}/{name}.$$"\n{parent}exec "{real}" "$@"\n'


@pytest.mark.parametrize("how", ["env", "file"])
def test_no_secret_reaches_a_child_process_an_output_or_a_log(tmp_path, how):
    """A project copy whose MkDocs hook, Pagefind and Chromium (with Playwright's driver, its parent) each
    record their environment: none holds the password or the variables that carried it."""
    from macros.browser import executable

    root, dumps, bin_dir = project_copy(tmp_path / "p"), tmp_path / "dumps", tmp_path / "bin"
    dumps.mkdir()
    bin_dir.mkdir()
    chromium = bin_dir / "chromium"
    parent = f'cat /proc/$PPID/environ > "{dumps}/driver.$$"\n'
    chromium.write_text(_RECORDER.format(dumps=dumps, name="chromium", parent=parent, real=executable()))
    (root / "node_modules").unlink()  # the shared npm tools, but for a recording pagefind
    (root / "node_modules" / ".bin").mkdir(parents=True)
    for entry in (ROOT / "node_modules").iterdir():
        if entry.name != ".bin":
            (root / "node_modules" / entry.name).symlink_to(entry)
    pagefind = root / "node_modules" / ".bin" / "pagefind"
    real = ROOT / "node_modules" / ".bin" / "pagefind"
    pagefind.write_text(_RECORDER.format(dumps=dumps, name="pagefind", parent="", real=real))
    for script in (chromium, pagefind):
        script.chmod(0o755)
    hook = root / "macros" / "mkdocs_hook.py"
    hook.write_text(
        hook.read_text(encoding="utf-8")
        + f"\nimport os as _os\n(Path({str(dumps)!r}) / f'mkdocs.{{_os.getpid()}}')"
        ".write_text('\\0'.join(f'{k}={v}' for k, v in _os.environ.items()))\n",
        encoding="utf-8",
    )
    if how == "env":
        secret = {"FAQ_PASSWORD": PASSWORD}
    else:
        (tmp_path / "pw.txt").write_text(PASSWORD + "\n", encoding="utf-8")
        secret = {"FAQ_PASSWORD_FILE": str(tmp_path / "pw.txt")}
    out = root / "site"
    path = f"{bin_dir}:{os.environ['PATH']}"
    result = run(["-m", "macros.build", str(out)], cwd=root, PATH=path, **secret)
    assert result.returncode == 0, result.stderr
    assert (out / "faq" / "ja" / "index.html").is_file()  # the password was used
    recorded = {d.name.split(".")[0] for d in dumps.iterdir()}
    assert recorded == {"mkdocs", "pagefind", "chromium", "driver"}
    for dump in dumps.iterdir():
        text = dump.read_bytes()
        assert PASSWORD.encode() not in text and b"FAQ_PASSWORD" not in text, dump.name
    assert PASSWORD not in result.stdout + result.stderr
    for path in out.rglob("*"):
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path


def _gate(built, edition):
    return lhtml.fromstring((built / "faq" / edition / "index.html").read_bytes())


def _resolves(built, page: Path, href: str) -> Path:
    target = (page.parent / href.split("#")[0]).resolve()
    return target / "index.html" if target.is_dir() else target


_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")


@pytest.mark.parametrize("edition", ["bilingual", "en", "ja"])
def test_gate_form_cannot_submit_and_names_the_desk_once(built, site, edition):
    page, doc = built / "faq" / edition / "index.html", _gate(built, edition)
    lang = doc.get("lang")
    ui = site.ui[lang]["faq"]
    form = doc.get_element_by_id("faq-unlock")
    assert (form.get("method"), form.get("action")) == ("post", "#")
    assert form.xpath(".//*[@name]") == []  # nothing of the form could ever be sent
    assert doc.get_element_by_id("faq-submit").get("disabled") is not None  # until faq.js is ready
    noscript = doc.xpath("//noscript")
    assert len(noscript) == 1 and ui["noscript"] in lhtml.tostring(noscript[0], encoding="unicode")
    toggle = doc.get_element_by_id("faq-toggle")
    assert toggle.xpath("svg[@aria-hidden='true']") and toggle.text_content().strip() == ui["show"]
    assert not _EMOJI.search(page.read_text(encoding="utf-8") + json.dumps(site.ui[lang], ensure_ascii=False))
    desk = site.desk(site.home.faq.desk).name.get(lang)
    gate = doc.get_element_by_id("faq-gate").text_content()
    assert gate.count(desk) == 1
    ask = doc.get_element_by_id("faq-ask")
    assert [a.text_content() for a in ask.xpath(".//a")] == [desk]
    assert "{desk}" not in ask.text_content()
    contact = _resolves(built, page, ask.xpath(".//a")[0].get("href"))
    assert f'id="{site.home.faq.desk}"' in contact.read_text(encoding="utf-8")
    notes = [n.text_content() for n in doc.xpath("//*[@class='sample-note']")]
    assert notes == ([site.ui[lang]["sample"]["entry"]] if site.home.faq.ask.sample else [])
    links = {a.text_content(): a for a in doc.xpath("//a[@href]")}
    landing = _resolves(built, page, links[ui["about"]].get("href"))
    assert landing == (built / ("en/" if lang == "en" else "") / "faq" / "index.html").resolve()
    other = doc.xpath("//a[@hreflang]")
    assert len(other) == 1 and other[0].get("hreflang") != lang == ("en" if edition == "en" else "ja")
    target = _resolves(built, page, other[0].get("href"))
    assert target.parent.name == other[0].get("hreflang") and target.is_file()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_landing_page_says_what_the_faq_holds_and_links_each_edition(built, site, lang):
    page = built / ("en/" if lang == "en" else "") / "faq" / "index.html"
    doc = lhtml.fromstring(page.read_bytes())
    f = site.home.faq
    assert doc.xpath("//h1")[0].text.strip() == site.home.headings.faq.get(lang)
    text = " ".join(doc.xpath("//article")[0].text_content().split())
    assert f.intro.get(lang) in text and site.ui[lang]["faq"]["not_built"] not in text
    links = doc.xpath("//ul[contains(@class, 'faq-links')]//a")
    assert [a.text_content() for a in links] == [e.title.get(lang) for e in f.editions]
    for a, e in zip(links, f.editions, strict=True):
        assert _resolves(built, page, a.get("href")) == (built / "faq" / e.id / "index.html").resolve()
    before, after = f.ask.get(lang).split("{desk}")
    assert before + site.desk(f.desk).name.get(lang) + after in text
    assert (site.ui[lang]["sample"]["entry"] in text) == site.is_sample(f.ask)
    home = built / ("en/" if lang == "en" else "") / "index.html"
    more = lhtml.fromstring(home.read_bytes()).xpath("//p[@class='more']/a[@href]")
    assert page.resolve() in {_resolves(built, home, a.get("href")) for a in more}


def test_the_password_sentence_must_name_the_desk_once(tmp_path, site):
    root = project_copy(tmp_path / "p")
    home = root / "data" / "home.yml"
    text = home.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    ja = next(i for i, t in enumerate(lines) if i > lines.index("  ask:\n") and "ja:" in t)
    assert "{desk}" in lines[ja]
    lines[ja] = lines[ja].replace("{desk}", site.desk(site.home.faq.desk).name.ja)  # written out instead
    home.write_text("".join(lines), "utf-8")
    result = run(["-m", "macros", "check"], cwd=root)
    line = 2 + next(i for i, t in enumerate(text.splitlines()) if t == "  ask:")  # where its value starts
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"data/home.yml:{line}: faq.ask: the ja text must name the desk once, as {{desk}}" in result.stderr


NO_FAQ_URL = "http://127.0.0.1:8765/"


@pytest.fixture(scope="module")
def unbuilt(tmp_path_factory) -> Path:
    """site/ as `make build` makes it without a password (`make serve` shows the same pages)."""
    out = tmp_path_factory.mktemp("nofaq") / "site"
    result = run(["-m", "macros.build", str(out)], SITE_URL=NO_FAQ_URL)
    assert result.returncode == 0 and "the FAQ is not built" in result.stderr, result.stderr
    return out


def test_build_without_password_says_so_and_links_to_nothing_missing(unbuilt, site):
    assert not [p for p in (unbuilt / "faq").iterdir() if p.is_dir()]
    for lang in ("ja", "en"):
        prefix = "en/" if lang == "en" else ""
        for page in (f"{prefix}faq/index.html", f"{prefix}index.html"):
            html = (unbuilt / page).read_text(encoding="utf-8")
            assert site.ui[lang]["faq"]["not_built"] in html, page
            assert "faq-links" not in html and "faq/ja/" not in html, page
    assert link_problems(unbuilt, NO_FAQ_URL) == []
    assert not [p for p, _ in read_headers(unbuilt / "_headers") if p.startswith("/faq/") and p != "/faq/*"]


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
    page.fill("#faq-password", PASSWORD)  # how fast: bench/perf's FAQ unlock budget
    page.press("#faq-password", "Enter")
    page.wait_for_selector("#faq-content .faq-entry")
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
    for asset in faq_build.ASSETS:
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


_KEPT = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("jet-faq");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("keys")) { db.close(); reject(new Error("no key store")); return; }
    const all = db.transaction("keys").objectStore("keys").getAll();
    all.onsuccess = async () => {
      const out = [];
      for (const kept of all.result) {
        const exported = await crypto.subtle.exportKey("raw", kept.key).then(() => true, () => false);
        out.push({fields: Object.keys(kept).sort(), isKey: kept.key instanceof CryptoKey,
                  extractable: kept.key.extractable, usages: kept.key.usages, exported,
                  salt: kept.salt, hoursLeft: (kept.expires - Date.now()) / 3600000, json: JSON.stringify(kept)});
      }
      db.close();
      resolve(out);
    };
  };
})"""
_STORAGE = "JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])"


def test_browser_stay_unlocked_is_off_unless_ticked(page, base_url):
    page.goto(f"{base_url}faq/ja/")
    assert not page.is_checked("#faq-remember")
    unlock(page, base_url, "ja")
    page.wait_for_selector(".faq-entry")
    assert page.evaluate(_KEPT) == [] and page.evaluate(_STORAGE) == "[[],[]]"
    page.goto(f"{base_url}faq/en/")
    page.wait_for_timeout(300)
    assert page.is_visible("#faq-password") and page.locator(".faq-entry").count() == 0


def test_browser_stays_unlocked_with_a_non_extractable_key_and_lock_forgets_it(page, base_url, built, faq):
    unlock(page, base_url, "ja", remember=True)
    page.wait_for_selector(".faq-entry")
    env = envelope_of((built / "faq" / "ja" / "index.html").read_text(encoding="utf-8"))
    key = crypto.derive(PASSWORD, base64.b64decode(env["kdf"]["salt"]), env["kdf"]["iterations"])
    kept = page.evaluate(_KEPT)
    assert len(kept) == 1
    assert {k: kept[0][k] for k in ("isKey", "extractable", "usages", "exported", "salt")} == {
        "isKey": True,
        "extractable": False,
        "usages": ["decrypt"],
        "exported": False,
        "salt": env["kdf"]["salt"],
    }
    assert kept[0]["fields"] == ["expires", "key", "salt", "session"] and 7.9 < kept[0]["hoursLeft"] <= 8
    storage = page.evaluate(_STORAGE) + kept[0]["json"]
    for secret in (
        PASSWORD,
        base64.b64encode(key).decode(),
        key.hex(),
        base64.urlsafe_b64encode(key).decode(),
    ):
        assert secret not in storage
    assert [k for k, _ in json.loads(page.evaluate(_STORAGE))[0]] == ["jet-faq-session"]
    page.goto(f"{base_url}faq/bilingual/")  # the same key opens every edition of this build
    page.wait_for_selector(".faq-entry")
    assert page.locator(".faq-entry [lang=en]").count() >= len(faq.entries)
    page.click("#faq-lock")
    page.wait_for_timeout(200)
    assert page.evaluate(_KEPT) == [] and page.evaluate(_STORAGE) == "[[],[]]"
    assert page.is_visible("#faq-password") and page.locator(".faq-entry").count() == 0
    page.goto(f"{base_url}faq/en/")
    page.wait_for_timeout(300)
    assert page.is_visible("#faq-password")


def test_browser_kept_key_expires_and_stays_with_its_tab(page, base_url, browser):
    unlock(page, base_url, "ja", remember=True)
    page.wait_for_selector(".faq-entry")
    other = page.context.new_page()  # a new tab: its own session, so it does not share the key
    other.goto(f"{base_url}faq/en/")
    other.wait_for_timeout(300)
    assert other.is_visible("#faq-password")
    page.evaluate("""() => new Promise((resolve) => {
      const request = indexedDB.open("jet-faq");
      request.onsuccess = () => {
        if (!request.result.objectStoreNames.contains("keys")) { request.result.close(); resolve(); return; }
        const store = request.result.transaction("keys", "readwrite").objectStore("keys");
        store.getAll().onsuccess = (e) => e.target.result.forEach((k) => store.put({...k, expires: Date.now() - 1}));
        store.transaction.oncomplete = () => { request.result.close(); resolve(); };
      };
    })""")
    page.goto(f"{base_url}faq/en/")
    page.wait_for_timeout(300)
    assert page.is_visible("#faq-password") and page.evaluate(_KEPT) == []  # expired: deleted on sight


def _requests(page) -> list:
    seen = []
    page.on("request", lambda r: seen.append(f"{r.method} {r.url} {r.post_data or ''}"))
    return seen


def _try_to_submit(page):
    page.fill("#faq-password", PASSWORD)
    page.press("#faq-password", "Enter")
    page.click("#faq-submit", force=True)  # a reader's click, even on the disabled button
    page.focus("#faq-remember")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_browser_without_javascript_the_password_goes_nowhere(browser, base_url, site, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen = _requests(page)
    url = f"{base_url}faq/{lang}/"
    page.goto(url)
    _try_to_submit(page)
    assert page.url == url and not [r for r in seen if PASSWORD in r or "?" in r or r.startswith("POST")]
    message = page.locator("#faq-gate noscript p")  # (Playwright's text search skips <noscript>)
    assert message.is_visible() and message.inner_text() == site.ui[lang]["faq"]["noscript"]
    context.close()


def test_browser_before_the_script_has_run_the_password_goes_nowhere(page, base_url):
    held = []
    page.route("**/faq/faq.js", lambda route: held.append(route))  # held back: a slow connection
    seen = _requests(page)
    url = f"{base_url}faq/en/"
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#faq-remember")
    _try_to_submit(page)
    assert held and page.url == url
    held[0].continue_()
    page.wait_for_selector("#faq-submit:enabled")
    page.press("#faq-password", "Enter")
    page.wait_for_selector(".faq-entry")
    assert page.url == url and not [r for r in seen if PASSWORD in r or "?" in r or r.startswith("POST")]


def test_browser_without_web_crypto_says_what_is_needed(page, base_url, site):
    page.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined})")
    seen = _requests(page)
    url = f"{base_url}faq/ja/"
    page.goto(url)
    page.wait_for_selector("#faq-error:not(:empty)")
    assert page.text_content("#faq-error") == site.ui["ja"]["faq"]["unsupported"]
    assert page.is_disabled("#faq-submit")
    _try_to_submit(page)
    assert page.url == url and not [r for r in seen if PASSWORD in r or "?" in r]


def test_browser_refuses_a_payload_moved_from_another_edition(page, built, tmp_path, site):
    ja, en = ((built / "faq" / e / "index.html").read_text(encoding="utf-8") for e in ("ja", "en"))
    payload = re.compile(r'(id="faq-payload">)(.*?)(</script>)', re.S)
    swapped = payload.sub(lambda m: m[1] + payload.search(en)[2] + m[3], ja)
    assert envelope_of(swapped) == envelope_of(en)
    (tmp_path / "faq" / "ja").mkdir(parents=True)
    for asset in faq_build.ASSETS:
        (tmp_path / "faq" / asset).write_bytes((built / "faq" / asset).read_bytes())
    (tmp_path / "faq" / "ja" / "index.html").write_text(swapped, encoding="utf-8")
    url, server = serve(tmp_path)
    try:
        unlock(page, url, "ja")
        page.wait_for_selector("#faq-error:not(:empty)")
        assert page.text_content("#faq-error") == site.ui["ja"]["faq"]["damaged"]
        assert page.locator(".faq-entry").count() == 0
    finally:
        server.shutdown()


def test_browser_inserts_the_faq_only_through_its_trusted_types_policy(browser, base_url, built):
    script = (built / "faq" / "faq.js").read_text(encoding="utf-8")
    assert re.findall(r".*innerHTML.*", script) == ["    content.innerHTML = policy.createHTML(html);"]
    assert script.count('createPolicy("jet-faq"') == 1
    for sink in ("outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", 'setTimeout("'):
        assert sink not in script
    enforced = headers.policy() + "; require-trusted-types-for 'script'; trusted-types jet-faq"

    def with_trusted_types(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": enforced})

    context = csp_watched(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/faq/*/", with_trusted_types)
    for _ in range(2):  # unlock, lock, unlock again: one policy, created once
        unlock(page, base_url, "en")
        page.wait_for_selector(".faq-entry")
        page.click("#faq-lock")
    assert page.evaluate("window.__csp") == [] and errors == []
    context.close()


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
