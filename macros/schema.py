"""The one schema of all data files (pydantic). The build validates with it; editors get its JSON Schema."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
    Field(description="安定した英語のID（小文字・ハイフン区切り） / stable English id, kebab-case"),
]
Url = Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    """Plain text in both languages; escaped when rendered."""

    ja: NonEmpty = Field(description="日本語（必須） / Japanese (required)")
    en: NonEmpty | None = Field(
        None, description="英語（必須。untranslated: true のときのみ省略可） / English"
    )
    untranslated: bool = Field(
        False, description="英訳が未作成であることを明示 / English explicitly not yet written"
    )

    @model_validator(mode="after")
    def _english_or_waiver(self):
        if self.en is None and not self.untranslated:
            raise ValueError("en: required (or mark the field `untranslated: true`)")
        if self.en is not None and self.untranslated:
            raise ValueError("untranslated: true but en is given")
        return self

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en is not None else self.ja


class MarkdownText(Text):
    """Text in both languages that may carry Markdown (paragraphs, lists, links)."""


class Keywords(Model):
    """Words users search for that the text itself doesn't use (indexed, not shown)."""

    ja: list[NonEmpty] = []
    en: list[NonEmpty] = []


# ---- dates ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar day, or a month when ``day`` is None."""

    year: int
    month: int
    day: int | None = None

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def last(self) -> dt.date:
        if self.day:
            return self.first
        nxt = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    def iso(self) -> str:
        return self.first.isoformat() if self.day else f"{self.year:04d}-{self.month:02d}"


PLACEHOLDERS = ("YYYY-MM-DD", "YYYY-MM")  # a key date the scaffold cleared for the maintainer to fill in


def _partial_date(value):
    if isinstance(value, PartialDate):
        return value
    text = str(value)
    if text in PLACEHOLDERS:
        raise ValueError("to fill in")
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    if not m:
        raise ValueError(f"invalid date {text!r}: use YYYY-MM-DD or YYYY-MM")
    year, month, day = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        raise ValueError(f"invalid date {text!r}: no such day") from None
    return PartialDate(year, month, day)


def _day(value):
    d = _partial_date(value)
    if d.day is None:
        raise ValueError(f"invalid date {value!r}: a full date YYYY-MM-DD is required")
    return d.first


DateOrMonth = Annotated[
    PartialDate,
    BeforeValidator(_partial_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"}),
]
Day = Annotated[
    dt.date,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


DateKind = Literal["deadline", "by", "date", "period", "from"]


class KeyDate(Model):
    """A date of the guidelines; text refers to it with {date:ID}. Its kind decides how pages and the
    calendar show it: a deadline or "by" date is one day with a reminder, a period runs from start to end."""

    id: Id
    kind: DateKind = Field(
        description=(
            "deadline: 期限（その日まで） / last day to do something; by: 「～まで」に起こること / something happens"
            " no later than this; date: その日・その月 / a day or a month; period: start～end の期間 /"
            " from start to end; from: 「～」以降 / from this date onwards"
        )
    )
    start: DateOrMonth
    end: DateOrMonth | None = Field(
        None, description="期間の終わり（period のみ） / last day or month of a period"
    )
    week: int | None = Field(
        None,
        ge=1,
        le=5,
        description="「12月第2週」の週（月だけの日付に） / week of the month, with YYYY-MM only",
    )
    calendar: bool = Field(
        True,
        description=(
            "読者が行動する日付ならカレンダー（.ics）に入れる / in the calendar file (only dates a reader acts on)"
        ),
    )
    label: Text

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "period" and self.end is None:
            raise ValueError("end: a period needs an end")
        if self.kind != "period" and self.end is not None:
            raise ValueError(f"end: only a period has an end (this date is {self.kind!r})")
        if self.end is not None and self.end.first < self.start.first:
            raise ValueError("end: before start")
        if self.kind == "deadline" and self.start.day is None:
            raise ValueError("start: a deadline is a day (YYYY-MM-DD)")
        if self.week is not None and (self.start.day is not None or self.kind == "period"):
            raise ValueError("week: only for a single month (YYYY-MM)")
        if self.calendar and (self.week is not None or (self.kind == "by" and self.start.day is None)):
            raise ValueError("calendar: no exact day to put in the calendar; set `calendar: false`")
        return self


# ---- guidelines ----------------------------------------------------------------------

RoleRef = Annotated[Id, Field(description="職種ID（programme.yml の roles） / role id")]
ListStyle = Literal["decimal", "paren-decimal", "katakana", "paren-katakana", "bullet"]


class Paragraph(Model):
    type: Literal["paragraph"]
    role: RoleRef | None = None
    text: Text


class ListItem(Model):
    text: Text
    role: RoleRef | None = None
    list: ItemList | None = None


class ItemList(Model):
    style: ListStyle
    items: list[ListItem] = Field(min_length=1)


class ListBlock(ItemList):
    type: Literal["list"]
    role: RoleRef | None = None


class DocumentRow(Model):
    name: Text
    originals: int = Field(ge=0, description="原本の部数 / number of originals")
    copies: int = Field(ge=0, description="写しの部数 / number of copies")
    copies_each: bool = Field(False, description="「各」: 原本1部ごとの写し / copies of each original")
    condition: Text | None = None
    notes: list[Text] = []


class DocumentsBlock(Model):
    type: Literal["documents"]
    id: Id
    role: RoleRef | None = None
    caption: Text
    rows: list[DocumentRow] = Field(min_length=1)


class PayRow(Model):
    years: list[int] = Field(min_length=1, description="参加年次 / year(s) of participation")
    yen: int = Field(gt=0, description="年間報酬額（円、程度） / annual remuneration in yen (approx.)")


class PayBlock(Model):
    type: Literal["pay"]
    id: Id
    role: RoleRef | None = None
    caption: Text
    rows: list[PayRow] = Field(min_length=1)


class TableBlock(Model):
    type: Literal["table"]
    id: Id
    role: RoleRef | None = None
    caption: Text
    columns: list[Text] = Field(min_length=1)
    rows: list[list[Text]] = Field(min_length=1)

    @model_validator(mode="after")
    def _widths(self):
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"rows[{i}]: {len(row)} cells for {len(self.columns)} columns")
        return self


class ScheduleBlock(Model):
    type: Literal["schedule"]
    id: Id
    role: RoleRef | None = None
    caption: Text
    dates: list[Id] = Field(min_length=1, description="dates: のID / ids of key dates")


Block = Annotated[
    Paragraph | ListBlock | DocumentsBlock | PayBlock | TableBlock | ScheduleBlock,
    Field(discriminator="type"),
]


class Section(Model):
    id: Id
    number: str | None = Field(None, description="「2」「(1)」など / e.g. 2 or (1)")
    role: RoleRef | None = None
    title: Text
    keywords: Keywords | None = None
    blocks: list[Block] = []
    sections: list[Section] = []


class Footnote(Model):
    id: Id
    text: Text


class Guidelines(Model):
    """data/guidelines/<year>.yml: one year's application guidelines (募集要項)."""

    year: int = Field(ge=1987, le=2100)
    intake: int = Field(ge=1)
    country: Text
    roles: list[RoleRef] = Field(min_length=1)
    title: Text
    dates: list[KeyDate] = []
    footnotes: list[Footnote] = []
    preamble: list[Block] = []
    sections: list[Section] = Field(min_length=1)


# ---- portal ----------------------------------------------------------------------------


class Body(Model):
    """A ministry, agency or organisation the programme is carried out in cooperation with."""

    id: Id
    name: Text
    url: Url | None = None
    part_of: Id | None = Field(
        None, description="上位の機関のID（スポーツ庁→文部科学省） / id of the parent body"
    )


class Cooperation(Model):
    """The bodies the contracting organisations carry out the programme in cooperation with (募集要項)."""

    intro: Text
    bodies: list[Body] = Field(min_length=1)


class Figures(Model):
    since: int = Field(description="開始年 / first year")
    countries: int = Field(gt=0, description="累計の国数 / countries so far")
    participants: int = Field(gt=0, description="延べ参加者数（以上） / participants so far (over)")


class Role(Model):
    id: Id
    abbr: NonEmpty
    name: Text
    plural: Text = Field(
        description="複数形（英語。日本語は name と同じ） / plural (English; Japanese as name)"
    )
    share: int = Field(ge=0, le=100, description="参加者に占める割合（約%） / approx. share in %")
    placement: Text
    duties: Text
    residence_status: Text


class Strengths(Model):
    title: Text
    items: list[Text] = Field(min_length=1)


class Programme(Model):
    """data/programme.yml: the programme, the bodies it cooperates with, figures, roles and strengths."""

    name: Text
    overview: list[Text] = Field(min_length=1)
    cooperation: Cooperation
    figures: Figures
    participants: list[Text] = []
    roles: list[Role] = Field(min_length=1)
    strengths: Strengths


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Hours(Model):
    days: list[Weekday] | None = Field(
        None, min_length=1, description="受付日（出典にあるときだけ） / days, only when the source gives them"
    )
    opens: Clock
    closes: Clock

    @model_validator(mode="after")
    def _order(self):
        if self.closes <= self.opens:
            raise ValueError("closes: must be after opens")
        return self


class Desk(Model):
    id: Id
    name: Text
    summary: Text
    duties: list[Text] = Field(min_length=1)
    hours: Hours
    keywords: Keywords | None = None


class Organisation(Model):
    name: Text
    url: Url


class SecurityContact(Model):
    """/.well-known/security.txt (RFC 9116): where to report a security problem with the site."""

    desk: Id = Field(description="窓口ID / contact desk id")
    expires: Day = Field(
        description="この日を過ぎたら無効（1年以内の日付） / stale after this day (less than a year ahead)"
    )
    sample: bool = False

    @model_validator(mode="after")
    def _less_than_a_year_ahead(self):
        today = dt.date.today()
        if self.expires <= today:
            raise ValueError(f"expires: {self.expires} has passed: set a day less than a year ahead")
        if self.expires > today + dt.timedelta(days=365):
            raise ValueError(f"expires: {self.expires} is more than a year ahead (RFC 9116 recommends less)")
        return self


class Contacts(Model):
    """data/contacts.yml: the contact desks."""

    organisation: Organisation
    desks: list[Desk] = Field(min_length=1)
    security: SecurityContact


class Tag(Model):
    id: Id
    name: Text


class NewsItem(Model):
    id: Id
    date: Day
    title: Text
    body: MarkdownText | None = None
    url: Url | None = None
    tags: list[Id] = Field(min_length=1)
    sample: bool = False

    @model_validator(mode="after")
    def _body_or_url(self):
        if self.body is None and self.url is None:
            raise ValueError("body: required when there is no url")
        return self


class News(Model):
    """data/news.yml: news items (最新情報) and their audience tags."""

    tags: list[Tag] = Field(min_length=1)
    items: list[NewsItem] = []


ResourceKind = Literal["pamphlet", "handbook", "manual", "forms", "tool", "guide", "list"]


class Resource(Model):
    id: Id
    title: Text
    description: Text
    kind: ResourceKind
    format: NonEmpty = Field(description="PDF, XLSX … / file format")
    size_bytes: int | None = Field(None, gt=0, description="不明なら null / null when unknown")
    url: Url | None = Field(None, description="公開ファイルがなければ null / null when not available")
    date: DateOrMonth
    keywords: Keywords | None = None
    sample: bool = False


class Audience(Model):
    id: Id
    title: Text
    nav_title: Text
    summary: Text
    body: list[Text] = Field(min_length=1)
    keywords: Keywords | None = None
    resources: list[Resource] = []
    pamphlet: bool = Field(False, description="パンフレットを表示する / show the pamphlet")
    sample: bool = False


class Audiences(Model):
    """data/audiences.yml: the five audiences and their resources."""

    audiences: list[Audience] = Field(min_length=1)


class Story(Model):
    id: Id
    role: RoleRef
    place: Text
    person: Text
    summary: Text


class Video(Model):
    id: Id
    title: Text
    description: Text
    summary: list[Text] = Field(min_length=1, description="見られない人のための要約 / text alternative")
    provider: Literal["youtube"]
    video_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{11}$")] | None = None
    keywords: Keywords | None = None
    sample: bool = False
    stories: list[Story] = []


class Videos(Model):
    """data/videos.yml: videos, shown as click-to-load players."""

    videos: list[Video] = Field(min_length=1)


class Pamphlet(Model):
    title: Text
    description: list[Text] = Field(min_length=1)
    published: DateOrMonth = Field(
        description="CLAIRのパンフレットの出版年月 / when CLAIR published its pamphlet"
    )
    url: Url | None = Field(
        None,
        description="CLAIRのパンフレット（PDF）の公開URL。なければ null / its address, null when not published",
    )
    guidelines: list[Id] = Field(
        min_length=1,
        description="パンフレットに抜粋する最新の募集要項の節ID / sections of the latest guidelines to excerpt",
    )


class Headings(Model):
    pamphlet: Text
    audiences: Text
    news: Text
    programme: Text
    participants: Text
    strengths: Text
    contacts: Text
    videos: Text
    faq: Text


class Edition(Model):
    id: Literal["bilingual", "en", "ja"]
    title: Text


class SampleText(Text):
    """Text that carries `sample: true` when the sources do not give it; the page then says so."""

    sample: bool = False


class FaqGate(Model):
    intro: Text
    password_note: Text
    ask: SampleText = Field(
        description="パスワードの入手方法。{desk} に窓口名が入ります / who gives out the password; {desk}: the desk"
    )
    desk: Id
    editions: list[Edition] = Field(min_length=1)

    @model_validator(mode="after")
    def _desk_once(self):
        for lang in ("ja", "en"):
            if self.ask.get(lang).count("{desk}") != 1:
                raise ValueError(f"ask: the {lang} text must name the desk once, as {{desk}}")
        return self


class Home(Model):
    """data/home.yml: the home page 「団体の皆さまへ」."""

    title: Text
    intro: list[Text] = Field(min_length=1)
    pamphlet: Pamphlet
    headings: Headings
    faq: FaqGate


# ---- FAQ (read only by the separate FAQ build) ------------------------------------------


class FaqCategory(Model):
    id: Id
    title: Text


class FaqEntry(Model):
    id: Id
    category: Id
    question: Text
    answer: MarkdownText
    refs: list[Id] = Field([], description="募集要項の節ID / guideline section ids")


class Faq(Model):
    """data/faq/faq.yml: the password-protected FAQ (質疑応答集)."""

    sample: bool = False
    categories: list[FaqCategory] = Field(min_length=1)
    entries: list[FaqEntry] = Field(min_length=1)


# ---- glossary ---------------------------------------------------------------------------------


class Term(Model):
    """An official term: its Japanese, the one English for it, and English variants not to use."""

    ja: NonEmpty = Field(description="正式な日本語 / official Japanese term")
    en: NonEmpty = Field(description="使う英語 / the English to use")
    avoid: list[NonEmpty] = Field(
        min_length=1, description="使わない英語の表記 / English variants not to use"
    )

    @model_validator(mode="after")
    def _distinct(self):
        for i, variant in enumerate(self.avoid):
            if variant == self.en:
                raise ValueError(f"avoid[{i}]: the same as en")
        return self


class Spelling(Model):
    """One way of writing a word in our own Japanese copy (送り仮名, ご／御)."""

    use: NonEmpty = Field(description="使う表記 / the spelling to use")
    avoid: list[NonEmpty] = Field(min_length=1, description="使わない表記 / spellings not to use")

    @model_validator(mode="after")
    def _distinct(self):
        for i, variant in enumerate(self.avoid):
            if variant == self.use:
                raise ValueError(f"avoid[{i}]: the same as use")
        return self


class Glossary(Model):
    """data/glossary.yml: official terms and our Japanese spellings; `make check` reports every variant."""

    terms: list[Term] = Field(min_length=1)
    spelling: list[Spelling] = []


# ---- accessibility statement ------------------------------------------------------------------


class Statement(Model):
    """data/accessibility.yml: the accessibility statement (ウェブアクセシビリティ方針)."""

    title: Text
    policy: list[Text] = Field(min_length=1)
    target: Text
    scope: Text
    method: Text
    contact: Text
    desk: Id = Field(description="問い合わせ先の窓口ID（contacts.yml） / contact desk id")


class PageCounts(Model):
    ja: int = Field(ge=0)
    en: int = Field(ge=0)
    faq: int = Field(ge=0)


class AuditResults(Model):
    """data/accessibility-results.yml: written by `make a11y-report` from an axe-core run; not edited by hand."""

    date: Day
    axe: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    browser: NonEmpty
    tags: list[NonEmpty] = Field(min_length=1)
    pages: PageCounts
    rules_passed: int = Field(ge=0)
    violations: int = Field(ge=0)


# file stem → model; guidelines/<year>.yml and faq/faq.yml are matched by folder
MODELS: dict[str, type[BaseModel]] = {
    "guidelines": Guidelines,
    "programme": Programme,
    "contacts": Contacts,
    "news": News,
    "audiences": Audiences,
    "videos": Videos,
    "home": Home,
    "faq": Faq,
    "accessibility": Statement,
    "accessibility-results": AuditResults,
    "glossary": Glossary,
}
