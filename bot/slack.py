"""Alerts as Slack messages, and the sinks that deliver them (Slack, console, JSON lines)."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import UTC
from http.client import HTTPException
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.config import Settings
from bot.errors import ConfigError, DeliveryError
from bot.models import EVENT_LABELS, Alert

HEADER_LIMIT = 150  # Slack's limit for header text
EVIDENCE_LIMIT = 200
TITLE_LIMIT = 300
LINK_LIMIT = 2000  # with the title, keeps the headline section under Slack's 3000
TIMEOUT_S = 15
# Errors worth retrying; any other Slack error repeats for the same request.
_TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_BROADCAST = re.compile(r"@(?=channel|here|everyone)", re.IGNORECASE)
_SECRET_SHAPES = re.compile(r"xox[a-z]-[\w-]+|https://hooks\.slack\.com/\S+", re.IGNORECASE)
_URL_UNSAFE = {"&": "&amp;", "<": "%3C", ">": "%3E", "|": "%7C", "@": "%40"}


def escape_mrkdwn(text: str) -> str:
    """Text that Slack shows as written: no mentions, broadcasts or links from it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b", text)  # a zero-width space defuses @channel/@here


def format_alert(alert: Alert) -> tuple[str, list[dict[str, Any]]]:
    """The notification `text` fallback and the Block Kit blocks of one alert."""
    title = _fit(alert.title or alert.url, TITLE_LIMIT)
    target = _link_target(alert.url)
    headline = f"<{target}|{title}>" if target else title
    labels = _labels(alert)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _fit(f"{alert.ticker} · {labels}", HEADER_LIMIT),
                "emoji": False,
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
    ]
    if alert.evidence.strip():
        evidence = escape_mrkdwn(_shorten(alert.evidence, EVIDENCE_LIMIT))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"> {evidence}"}})
    context = f"{_fit(alert.source, 100)} · {_when(alert)}" if alert.source else _when(alert)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    text = f"{escape_mrkdwn(alert.ticker)} · {escape_mrkdwn(labels)}: {headline}"
    return text, blocks


class Sink(Protocol):
    def send(self, alert: Alert) -> str | None:
        """Deliver one alert; return a message reference (Slack's ts) when there is one.

        Raises DeliveryError; `permanent` says whether sending it again can help.
        """
        ...


class SlackBotSink:
    """chat.postMessage with a bot token, to the ticker's channel or the default one."""

    def __init__(self, client: WebClient, default_channel: str | None) -> None:
        self._client = client
        self._default_channel = default_channel

    def __repr__(self) -> str:
        return f"SlackBotSink(default_channel={self._default_channel!r})"

    def send(self, alert: Alert) -> str | None:
        channel = alert.channel or self._default_channel
        if channel is None:
            raise DeliveryError(
                f"{alert.ticker}: no Slack channel (set SLACK_CHANNEL or the ticker's channel)",
                permanent=True,
            )
        text, blocks = format_alert(alert)
        secrets = (self._client.token or "",)
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                # Lets a later check find what was posted by alert key.
                metadata={
                    "event_type": "news_alert",
                    "event_payload": {"key": alert.key, "ticker": alert.ticker},
                },
            )
        except SlackApiError as error:
            failure = _api_failure(error, secrets)
        except (OSError, HTTPException) as error:  # timeouts, refused or reset connections
            failure = _unreachable(error, secrets)
        else:
            ts = response.get("ts")
            return str(ts) if ts else None
        # Raised outside `except` so no chained context carries the request's headers.
        raise failure


class WebhookSink:
    """An incoming webhook: one fixed channel, no message reference."""

    def __init__(self, client: WebhookClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "WebhookSink()"  # the URL is the secret

    def send(self, alert: Alert) -> str | None:
        text, blocks = format_alert(alert)
        secrets = (self._client.url,)
        try:
            response = self._client.send(
                text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except (OSError, HTTPException) as error:
            failure = _unreachable(error, secrets)
        else:
            if response.status_code == 200:
                return None
            status = response.status_code
            body = _redact(str(response.body)[:100], secrets)
            failure = DeliveryError(
                f"Slack webhook answered HTTP {status}: {body}",
                permanent=not (status == 429 or status >= 500),
            )
        raise failure


class ConsoleSink:
    """Human-readable alerts on a stream, for runs without Slack."""

    def __init__(self, stream: TextIO, *, why: str | None = None) -> None:
        self._stream = stream
        self._label = f"console: {why}" if why else "console"
        self._lock = threading.Lock()  # one block at a time from worker threads

    def send(self, alert: Alert) -> str | None:
        lines = [
            f"── alert ({self._label}) ──",
            f"{alert.ticker} · {_labels(alert)}",
            alert.title,
            alert.url,
        ]
        if alert.evidence.strip():
            lines.append(f"“{_shorten(alert.evidence, EVIDENCE_LIMIT)}”")
        lines.append(" · ".join(part for part in (alert.source, _when(alert)) if part))
        with self._lock:
            self._stream.write("\n".join(lines) + "\n\n")
            self._stream.flush()
        return None


class JsonlSink:
    """One JSON object per alert appended to a file, for tests and other tools."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, alert: Alert) -> str | None:
        text, blocks = format_alert(alert)
        record = {
            "kind": "alert",
            "ticker": alert.ticker,
            "events": list(alert.events),
            "url": alert.url,
            "title": alert.title,
            "published": alert.published.isoformat() if alert.published else None,
            "text": text,
            "blocks": blocks,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            # Opened per alert: each line is flushed and closed before send returns.
            with self._lock, self._path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as error:
            reason = f"cannot write {self._path}: {error.strerror}"
            raise DeliveryError(reason, permanent=False) from None
        return None


def make_sink(spec: str, settings: Settings, *, stream: TextIO) -> Sink:
    """`slack` (bot token, else webhook, else console), `console` or `jsonl:PATH`."""
    if spec == "console":
        return ConsoleSink(stream)
    if spec.startswith("jsonl:") and spec != "jsonl:":
        return JsonlSink(Path(spec.removeprefix("jsonl:")))
    if spec != "slack":
        raise ConfigError([f"--sink {spec}: expected slack, console or jsonl:PATH"])
    if settings.slack_bot_token is not None:
        # retry_handlers=[]: slack-sdk's default retries a POST after a connection error,
        # which re-posts messages Slack had already accepted. The outbox retries instead.
        client = WebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url or WebClient.BASE_URL,  # WebClient appends "/"
            timeout=TIMEOUT_S,
            retry_handlers=[],
        )
        return SlackBotSink(client, settings.slack_channel)
    if settings.slack_webhook_url is not None:
        # slack-sdk logs the webhook URL at DEBUG unless its logger's own level is higher.
        logger = logging.getLogger(f"{__name__}.webhook")
        logger.setLevel(logging.INFO)
        webhook = WebhookClient(
            url=settings.slack_webhook_url.get_secret_value(),
            timeout=TIMEOUT_S,
            retry_handlers=[],
            logger=logger,
        )
        return WebhookSink(webhook)
    return ConsoleSink(stream, why="no Slack credentials set")


def _api_failure(error: SlackApiError, secrets: tuple[str, ...]) -> DeliveryError:
    response = error.response
    status: int = response.status_code
    data = response.data if isinstance(response.data, dict) else {}
    # A 5xx body is often an HTML page; its status says enough.
    code = f"HTTP {status}" if status >= 500 else str(data.get("error") or f"HTTP {status}")
    reason = f"Slack {_redact(code[:100], secrets)}"
    if status == 429:
        reason += f" (retry after {response.headers.get('Retry-After', '?')} s)"
    transient = status == 429 or status >= 500 or code in _TRANSIENT_ERRORS
    return DeliveryError(reason, permanent=not transient)


def _unreachable(error: Exception, secrets: tuple[str, ...]) -> DeliveryError:
    detail = _redact(str(error)[:200], secrets)
    return DeliveryError(f"Slack unreachable: {type(error).__name__}: {detail}", permanent=False)


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _SECRET_SHAPES.sub("[redacted]", text)


def _labels(alert: Alert) -> str:
    return ", ".join(EVENT_LABELS.get(event, event) for event in alert.events)


def _when(alert: Alert) -> str:
    if alert.published is None:
        return "publication time unknown"
    return alert.published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _link_target(url: str) -> str | None:
    """The URL as a link target, or None when it must not become a link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc  # user-info links mislead about their host
        or len(url) > LINK_LIMIT
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        return None
    # Percent-encoding keeps the link working while '|' cannot end it early and
    # '@' cannot spell a broadcast.
    return "".join(_URL_UNSAFE.get(c, c) for c in url)


def _fit(text: str, limit: int) -> str:
    """Escaped and shortened so the escaped form (entities are longer) fits in `limit`."""
    room = limit
    while len(escaped := escape_mrkdwn(_shorten(text, room))) > limit:
        room -= len(escaped) - limit
    return escaped


def _shorten(text: str, limit: int) -> str:
    """Whitespace collapsed; cut at a word boundary with "…" when over `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
