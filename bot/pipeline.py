"""One cycle: poll each source, read new articles, queue alerts, deliver the queue.

`poll_source` is the one error boundary per source: a broken site, page or feed is
logged and counted and never stops the cycle. Alerts are claimed in the store
(insert-if-absent on a deterministic key) before anything is posted, so re-runs,
restarts and overlapping workers never post twice, and a crash loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.article import read_article
from bot.config import SourceConfig, Watchlist
from bot.dedupe import alert_key, canonical_url, fingerprint
from bot.discover import discover
from bot.errors import BotError, DeliveryError
from bot.extract import Extractor
from bot.fetch import Fetcher
from bot.models import EVENT_TYPES, Alert, Article, Extraction
from bot.slack import Sink
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass
class Stats:
    """Counters for one cycle (or one source), merged into the cycle's summary line."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: Stats) -> None:
        self.counts.update(other.counts)

    def summary(self) -> str:
        c = self.counts
        parts = [
            f"{c['sources']} sources",
            f"{c['unchanged']} unchanged",
            f"{c['articles_new']} new articles",
            f"{c['articles_old']} too old",
            f"{c['duplicates']} duplicates",
            f"{c['skipped']} skipped",
            f"{c['alerts_queued']} alerts queued",
            f"{c['alerts_sent']} sent",
            f"{c['alerts_failed']} failed",
            f"{c['errors']} errors",
        ]
        return ", ".join(parts)


class Pipeline:
    """Everything expensive (HTTP client, spaCy, DB) is built once and passed in."""

    def __init__(
        self,
        *,
        fetcher: Fetcher,
        extractor: Extractor,
        store: Store,
        sink: Sink,
        watchlist: Watchlist,
        default_channel: str | None,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._fetcher = fetcher
        self._extractor = extractor
        self._store = store
        self._sink = sink
        self._watchlist = watchlist
        self._default_channel = default_channel
        self._stop = stop or threading.Event()
        self._clock = clock
        # spaCy pipelines are shared; extraction runs one article at a time.
        self._extract_lock = threading.Lock()
        self._deliver_lock = threading.Lock()

    def run_once(self, sources: Iterable[SourceConfig]) -> Stats:
        started = time.monotonic()
        stats = Stats()
        for source in sources:
            if self._stop.is_set():
                break
            stats.add(self.poll_source(source))
        stats.add(self.deliver())
        log.info("cycle: %s (%.1f s)", stats.summary(), time.monotonic() - started)
        return stats

    def poll_source(self, source: SourceConfig) -> Stats:
        stats = Stats()
        stats.counts["sources"] += 1
        try:
            self._poll(source, stats)
        except BotError as error:
            stats.counts["errors"] += 1
            log.warning("source %s: %s", source.label, error)
            self._store.record_poll(source.url, self._clock(), error=str(error))
        return stats

    def _poll(self, source: SourceConfig, stats: Stats) -> None:
        first_poll = not self._store.source_known(source.url)
        etag, last_modified = self._store.poll_state(source.url) or (None, None)
        page = self._fetcher.fetch(source.url, etag=etag, last_modified=last_modified)
        if page.not_modified:
            stats.counts["unchanged"] += 1
            self._store.record_poll(
                source.url, self._clock(), etag=etag, last_modified=last_modified
            )
            return
        found = discover(page, source.kind)
        failures = 0
        for link in found.links:
            if self._stop.is_set():
                return  # the source is polled again next time; nothing half-done is recorded
            if self._store.article_known(canonical_url(link)):
                continue  # an article already seen is never fetched again
            try:
                article_page = page if link == page.final_url else self._fetcher.fetch(link)
                article = read_article(article_page, source.label)
            except BotError as error:
                failures += 1
                stats.counts["errors"] += 1
                log.warning("source %s: article %s: %s", source.label, link, error)
                continue
            self._handle_article(article, source, first_poll, stats)
        # After a failed article the listing's validators are dropped, so the next poll
        # reads the listing again (rather than a 304) and retries the article.
        self._store.record_poll(
            source.url,
            self._clock(),
            etag=None if failures else page.etag,
            last_modified=None if failures else page.last_modified,
        )

    def _handle_article(
        self, article: Article, source: SourceConfig, first_poll: bool, stats: Stats
    ) -> None:
        url = canonical_url(article.url)
        content = fingerprint(article.text)
        if self._store.article_known(url) or self._store.content_known(content):
            stats.counts["duplicates"] += 1
            self._store.record_article(
                url, content, source.label, article.title, article.published, alerted=False
            )
            return
        alerts: list[Alert] = []
        if self._too_old(article, source, first_poll):
            stats.counts["articles_old"] += 1
        else:
            stats.counts["articles_new"] += 1
            with self._extract_lock:
                extraction = self._extractor.extract(article)
            if extraction.skipped:
                stats.counts["skipped"] += 1
                log.info("article %s skipped: %s", url, extraction.skipped)
            alerts = self.alerts_for(extraction, url)
        # Alerts are claimed before the article is recorded: a crash in between
        # re-reads the article next cycle and the claims stop a second post.
        for alert in alerts:
            if self._store.enqueue_alert(alert):
                stats.counts["alerts_queued"] += 1
        self._store.record_article(
            url, content, source.label, article.title, article.published, alerted=bool(alerts)
        )

    def _too_old(self, article: Article, source: SourceConfig, first_poll: bool) -> bool:
        """No flood: old news never alerts; undated articles alert unless a source is new."""
        if source.max_age_h is None:
            return False
        if article.published is None:
            return first_poll
        return article.published < self._clock() - timedelta(hours=source.max_age_h)

    def alerts_for(self, extraction: Extraction, url: str) -> list[Alert]:
        article = extraction.article
        alerts = []
        for ticker in extraction.tickers:
            config = self._watchlist.get(ticker)
            events = [e for e in extraction.events if e.ticker == ticker]
            if config is None or not events:
                continue
            if config.events is not None:
                events = [e for e in events if e.type in config.events]
            if not events:
                continue
            # The most confident event; on a tie the one reported first, as a lead
            # sentence tells the story best.
            best = max(events, key=lambda e: (e.confidence, -_position(article, e.evidence)))
            types = tuple(t for t in EVENT_TYPES if any(e.type == t for e in events))
            alerts.append(
                Alert(
                    key=alert_key(ticker, url),
                    ticker=ticker,
                    events=types,
                    url=url,
                    title=article.title,
                    published=article.published,
                    evidence=best.evidence,
                    lang=article.lang or "",
                    source=article.source,
                    channel=config.channel or self._default_channel,
                )
            )
        return alerts

    def deliver(self) -> Stats:
        """Send queued alerts, oldest first; a transient failure leaves the rest queued."""
        stats = Stats()
        with self._deliver_lock:
            for alert in self._store.queued_alerts():
                if self._stop.is_set():
                    break  # still queued: the next worker sends it
                try:
                    ref = self._sink.send(alert)
                except DeliveryError as error:
                    if error.permanent:
                        stats.counts["alerts_failed"] += 1
                        self._store.mark_failed(alert.key, error.reason)
                        log.error(
                            "alert %s for %s failed for good: %s",
                            alert.key,
                            alert.ticker,
                            error.reason,
                        )
                        continue
                    log.warning("delivery paused, will retry: %s", error.reason)
                    break
                self._store.mark_sent(alert.key, self._clock(), ref)
                stats.counts["alerts_sent"] += 1
        return stats


def _position(article: Article, evidence: str) -> int:
    position = article.text.find(evidence)
    return position if position >= 0 else len(article.text)  # the headline comes last
