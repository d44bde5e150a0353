"""Language-aware formatting of dates, amounts and list labels (patterns from data/ui/<lang>.yml)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_interval, format_skeleton

from .schema import KeyDate, PartialDate

LOCALES = {"ja": "ja", "en": "en_GB"}
_KATAKANA = "アイウエオカキクケコサシスセソタチツテト"


def day(d: dt.date, lang: str) -> str:
    return format_date(d, "long", locale=LOCALES[lang])


def partial(d: PartialDate, lang: str) -> str:
    return day(d.first, lang) if d.day else format_skeleton("yMMMM", d.first, locale=LOCALES[lang])


def key_date(k: KeyDate, ui: dict, lang: str, inline: bool = False) -> str:
    """A key date as its kind shows it: 2024年2月23日 / 2024年3月～4月 / 2024年5月～ / 2024年12月第2週まで, and
    the English forms. ``inline`` (in running text) leaves "from" and "by" to the sentence."""
    f = ui["formats"]
    if k.kind == "period":
        skeleton = "yMMMd" if k.start.day else "yMMMM"
        if lang == "en":
            skeleton = "yMMMMd" if k.start.day else "yMMMM"
        return format_interval(k.start.first, k.end.last, skeleton, locale=LOCALES[lang])
    text = partial(k.start, lang)
    if k.week is not None:
        text = f["week_of_month"].format(month=text, nth=f["ordinals"][str(k.week)])
    return f[k.kind].format(date=text) if k.kind in ("from", "by") and not inline else text


def yen(amount: int, ui: dict) -> str:
    """Amounts in yen: 336万円 / ¥3,360,000."""
    return ui["formats"]["yen"].format(full=f"{amount:,}", man=f"{amount / 10000:g}")


def years(numbers: list[int], ui: dict) -> str:
    """Year(s) of participation: 1年目, 4～5年目 / Year 1, Years 4–5."""
    f = ui["formats"]
    if len(numbers) == 1:
        return f["year_one"].format(n=numbers[0])
    return f["year_many"].format(first=numbers[0], last=numbers[-1])


def list_label(style: str, index: int, lang: str) -> str:
    """Label of the index-th (0-based) item of a list: 1) (1) ア) （ア） or a) (a)."""
    if style == "bullet":
        return ""
    if style in ("decimal", "paren-decimal"):
        mark = str(index + 1)
    else:
        mark = _KATAKANA[index] if lang == "ja" else chr(ord("a") + index)
    if style.startswith("paren"):
        return f"（{mark}）" if lang == "ja" and not mark.isdigit() else f"({mark})"
    return f"{mark})"
