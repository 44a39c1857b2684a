"""Frozen records handed from stage to stage: Page -> Article -> Mention/Event -> Alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# The event taxonomy's ids are a contract (CLI output, store, config filters,
# evaluation); the labels are only for people.
EVENT_LABELS: dict[str, str] = {
    "executive_departure": "Executive departure",
    "executive_appointment": "Executive appointment",
    "layoffs": "Layoffs",
    "hiring_freeze": "Hiring freeze",
    "acquisition": "Acquisition",
    "investment": "Investment",
    "partnership": "Partnership",
    "contract": "Contract",
    "earnings": "Earnings",
    "guidance": "Guidance",
    "dividend": "Dividend",
    "buyback": "Buyback",
    "stock_split": "Stock split",
    "offering": "Offering",
    "legal": "Legal",
    "regulatory": "Regulatory",
    "product": "Product",
    "clinical_trial": "Clinical trial",
    "analyst_rating": "Analyst rating",
    "bankruptcy": "Bankruptcy",
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_LABELS)

SourceKind = Literal["auto", "listing", "feed", "article"]
MentionKind = Literal["exchange", "cashtag", "name"]


@dataclass(frozen=True)
class Page:
    """What `fetch` returns: bytes as served plus their decoded text."""

    url: str  # as requested (http(s) URL or file:// URI)
    final_url: str  # after redirects
    status: int  # 200, or 304 when the server says it has not changed
    content_type: str  # media type, lower-case, no parameters; "" when unknown
    text: str  # body decoded (header charset, then <meta charset>, then detection)
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Article:
    """An article's readable content; `text` holds paragraphs separated by newlines."""

    url: str  # canonical URL
    title: str
    text: str
    published: datetime | None  # timezone-aware, UTC
    lang: str | None  # ISO 639-1, declared or detected
    source: str = ""

    @property
    def analysed_text(self) -> str:
        """What extraction reads: the headline, then the main text."""
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class Mention:
    """A tracked company named in an article (offsets into `Article.analysed_text`)."""

    ticker: str
    start: int
    end: int
    text: str
    how: MentionKind


@dataclass(frozen=True)
class Event:
    """One event of the taxonomy reported about one tracked ticker."""

    ticker: str
    type: str
    evidence: str  # the sentence that reports it, in the article's language
    confidence: float
    trigger: str  # the words that fired
    why: str  # how the event was attributed to the ticker, for --explain


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one article."""

    article: Article
    tickers: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    mentions: tuple[Mention, ...] = ()
    skipped: str | None = None  # why the article was not analysed


@dataclass(frozen=True)
class Alert:
    """One message to post: an article's events about one ticker."""

    key: str  # deterministic; claimed in the store before posting
    ticker: str
    events: tuple[str, ...]
    url: str
    title: str
    published: datetime | None
    evidence: str
    lang: str
    source: str
    channel: str | None = None
