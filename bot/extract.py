"""Article -> Extraction: language check, tracked tickers, then events above a confidence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Token as SpacyToken

from bot.config import Watchlist
from bot.events import Sentence, extract_events
from bot.models import Article, Extraction, Mention
from bot.nlp import Pipelines
from bot.tickers import TickerMatcher
from bot.triggers import Token

DEFAULT_MIN_CONFIDENCE = 0.6
# Punctuation that ends a clause for attribution ("Meta, which ..., said").
_YEAR = re.compile(r"^(19|20)\d\d$")
CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–"})


class Extractor:
    """Built once (pipelines, ticker patterns); `extract` is then pure."""

    def __init__(
        self,
        watchlist: Watchlist,
        pipelines: Pipelines,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> None:
        self._matcher = TickerMatcher(watchlist, pipelines.common_words)
        self._pipelines = pipelines
        self._min_confidence = min_confidence

    def extract(self, article: Article) -> Extraction:
        if not article.text.strip():
            return Extraction(article, skipped="no article text found")
        if self._pipelines.get(article.lang) is None:
            supported = ", ".join(sorted(self._pipelines.by_lang))
            found = f"'{article.lang}'" if article.lang else "undetermined"
            return Extraction(
                article, skipped=f"language {found} is not analysed (only {supported})"
            )
        assert article.lang is not None
        text = article.analysed_text
        mentions = self._matcher.find(text, article.lang)
        tickers = tuple(dict.fromkeys(m.ticker for m in mentions))
        if not mentions:
            return Extraction(article, tickers=tickers)
        sentences = self._sentences(text, article.lang, mentions)
        events = extract_events(
            sentences, mentions, article.lang, article.published, self._pipelines.common_words
        )
        kept = tuple(e for e in events if e.confidence >= self._min_confidence)
        return Extraction(article, tickers=tickers, events=kept, mentions=tuple(mentions))

    def _sentences(self, text: str, lang: str, mentions: list[Mention]) -> Iterator[Sentence]:
        nlp = self._pipelines.get(lang)
        assert nlp is not None
        # A ticker's own punctuation, "(NASDAQ:META)", does not end a clause.
        starts = {m.start for m in mentions}
        quiet: set[int] = set()
        for m in mentions:
            quiet.update(range(m.start, m.end))
            if text[m.start - 1 : m.start] == "(" and text[m.end : m.end + 1] == ")":
                quiet.update((m.start - 1, m.end))
        offsets: list[int] = []
        segments: list[str] = []
        position = 0
        for line in text.split("\n"):
            if line.strip():
                offsets.append(position)
                segments.append(line)
            position += len(line) + 1
        for number, (offset, doc) in enumerate(zip(offsets, nlp.pipe(segments), strict=True)):
            for span in doc.sents:
                words = [t for t in span if not t.is_space]
                capital = [t.text[:1].isupper() for t in words]
                title_case = _title_case(words)
                tokens = tuple(
                    Token(
                        t.text,
                        t.lower_,
                        t.lemma_.lower(),
                        offset + t.idx,
                        offset + t.idx + len(t.text),
                        t.text in CLAUSE_BREAKS and offset + t.idx not in quiet,
                        t.like_num and not _YEAR.match(t.text),
                        offset + t.idx in starts,
                        # a headline capitalises its words; a sentence only its names
                        number > 0 and not title_case and _inside_name(capital, i),
                    )
                    for i, t in enumerate(words)
                )
                yield Sentence(tokens, span.text.strip(), is_title=number == 0)


def _inside_name(capital: list[bool], i: int) -> bool:
    """A capitalised word after the sentence's first, next to another capitalised word."""
    if i == 0 or not capital[i]:
        return False
    return (capital[i - 1] and i - 1 > 0) or (i + 1 < len(capital) and capital[i + 1])


def _title_case(words: list[SpacyToken]) -> bool:
    """A subheading in title case ("Meta Launches New Glasses") capitalises its verbs."""
    alpha = [t.text for t in words if t.is_alpha]
    return len(alpha) >= 3 and sum(w[:1].isupper() for w in alpha) / len(alpha) >= 0.6
