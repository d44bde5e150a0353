"""Translation report: untranslated waivers, and English older than its Japanese source (from git history)."""

from __future__ import annotations

import os
import subprocess

from conftest import project_copy, run


def _git(root, *args, date="2026-01-01T00:00:00"):
    env = dict(
        os.environ,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
    )
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_report_names_english_older_than_its_japanese(tmp_path):
    root = project_copy(tmp_path / "p")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "all", date="2026-01-01T00:00:00")
    assert "0 to check" in run(["-m", "macros.i18n"], cwd=root).stdout

    news = root / "data/news.yml"
    text = news.read_text(encoding="utf-8")
    edited = text.replace(
        "JETプログラムキャリアフェアの開催と出展団体の募集について",
        "JETプログラムキャリアフェア（秋）の開催について",
        1,
    )
    news.write_text(edited, encoding="utf-8")
    ui = root / "data/ui/ja.yml"
    ui.write_text(
        ui.read_text(encoding="utf-8").replace("all: 最新情報の一覧へ", "all: 最新情報をすべて見る"),
        encoding="utf-8",
    )
    _git(root, "commit", "-qam", "ja edits", date="2026-03-01T00:00:00")
    out = run(["-m", "macros.i18n"], cwd=root).stdout
    line = edited[: edited.index("en: JET Programme Career Fair")].count("\n") + 1
    assert (
        f"data/news.yml:{line}: items[0].title.en: Japanese changed 2026-03-01, English last 2026-01-01"
        in out
    )
    assert "data/ui/en.yml:" in out and "news.all: Japanese changed 2026-03-01" in out
    assert "2 to check" in out

    news.write_text(
        edited.replace(
            "en: JET Programme Career Fair and call for exhibitors", "en: JET Programme Career Fair (autumn)"
        ),
        encoding="utf-8",
    )
    _git(root, "commit", "-qam", "en edit", date="2026-03-02T00:00:00")
    out = run(["-m", "macros.i18n"], cwd=root).stdout
    assert "items[0].title.en" not in out and "1 to check" in out


def test_report_lists_untranslated_waivers(tmp_path):
    root = project_copy(tmp_path / "p")
    home = root / "data/home.yml"
    home.write_text(
        home.read_text(encoding="utf-8").replace(
            "title: {ja: 団体の皆さまへ, en: For organisations}",
            "title: {ja: 団体の皆さまへ, untranslated: true}",
        ),
        encoding="utf-8",
    )
    out = run(["-m", "macros.i18n"], cwd=root).stdout
    assert "data/home.yml:2: title.en: untranslated" in out and "1 untranslated" in out
