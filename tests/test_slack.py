"""Formatting and delivery, with the real slack-sdk talking HTTP to a fake Slack."""

from __future__ import annotations

import html
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator

from bot.config import Settings
from bot.errors import ConfigError, DeliveryError
from bot.models import EVENT_TYPES, Alert
from bot.slack import (
    ConsoleSink,
    JsonlSink,
    SlackBotSink,
    WebhookSink,
    escape_mrkdwn,
    format_alert,
    make_sink,
)
from tests.fakeslack import FakeSlack  # `fake_slack` fixture: tests/conftest.py

SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_CHANNEL", "SLACK_API_URL")


def make_alert(**changes: Any) -> Alert:
    fields: dict[str, Any] = {
        "key": "0123456789abcdef0123456789abcdef",
        "ticker": "AAPL",
        "events": ("acquisition", "earnings"),
        "url": "https://example.com/apple?x=1&y=2",
        "title": "Apple buys <Acme> & more",
        "published": datetime(2025, 9, 1, 9, 27, tzinfo=timezone(timedelta(hours=2))),
        "evidence": "Apple said on Monday it would buy Acme for $1bn.",
        "lang": "en",
        "source": "example.com",
        "channel": "#aapl",
    }
    fields.update(changes)
    return Alert(**fields)


@pytest.fixture(autouse=True)
def no_slack_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Settings read the environment and ./.env: neither may leak into these tests.
    for name in SLACK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def settings(**values: Any) -> Settings:
    return Settings(**values)


@pytest.fixture
def bot_sink(fake_slack: FakeSlack) -> Iterator[SlackBotSink]:
    sink = make_sink(
        "slack",
        settings(
            slack_bot_token=fake_slack.token,
            slack_api_url=fake_slack.base_url,
            slack_channel="#alerts",
        ),
        stream=io.StringIO(),
    )
    assert isinstance(sink, SlackBotSink)
    yield sink


# formatting


def test_format_alert_layout() -> None:
    text, blocks = format_alert(make_alert())
    assert [b["type"] for b in blocks] == ["header", "section", "section", "context"]
    assert blocks[0]["text"]["text"] == "AAPL · Acquisition, Earnings"
    link = "<https://example.com/apple?x=1&amp;y=2|Apple buys &lt;Acme&gt; &amp; more>"
    assert blocks[1]["text"]["text"] == f"*{link}*"
    assert blocks[2]["text"]["text"] == "> Apple said on Monday it would buy Acme for $1bn."
    assert blocks[3]["elements"][0]["text"] == "example.com · 2025-09-01 07:27 UTC"
    assert text == f"AAPL · Acquisition, Earnings: {link}"


def test_long_evidence_is_cut_at_a_word_boundary() -> None:
    evidence = "Apple agreed to acquire Acme " + "in a deal worth billions " * 20
    _, blocks = format_alert(make_alert(evidence=evidence))
    shown = blocks[2]["text"]["text"].removeprefix("> ")
    assert len(shown) <= 200
    assert shown.endswith("…")
    assert evidence.startswith(shown[:-1])
    assert shown[-2] != " " and evidence[len(shown) - 1] == " "


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y", ""])
def test_non_web_urls_are_not_linked(url: str) -> None:
    text, blocks = format_alert(make_alert(url=url, title="Title"))
    assert blocks[1]["text"]["text"] == "*Title*"
    assert "<" not in text


def test_unknown_publication_time_is_said_plainly() -> None:
    _, blocks = format_alert(make_alert(published=None, source=""))
    assert blocks[-1]["elements"][0]["text"] == "publication time unknown"


def test_escape_mrkdwn_defuses_mentions_and_broadcasts() -> None:
    escaped = escape_mrkdwn("<!channel> <@U123> <http://x|y> @here @Everyone a&b")
    assert escaped == (
        "&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; @\u200bhere @\u200bEveryone a&amp;b"
    )


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


hostile = st.text() | st.sampled_from(["<!channel>", "<@U1>", "@here", "x<http://a|b>", "&<>|@"])


@given(
    ticker=hostile,
    title=hostile,
    evidence=hostile,
    source=hostile,
    url=urls() | hostile | st.just("https://ex.com/@channel|x<!here>"),
    events=st.lists(st.sampled_from(EVENT_TYPES) | hostile, max_size=25),
)
def test_no_output_can_ping_or_inject_links(
    ticker: str, title: str, evidence: str, source: str, url: str, events: list[str]
) -> None:
    alert = make_alert(
        ticker=ticker, title=title, evidence=evidence, source=source, url=url, events=tuple(events)
    )
    text, blocks = format_alert(alert)
    for out in [text, *_texts(blocks)]:
        assert "<!" not in out and "<@" not in out
        for word in ("@channel", "@here", "@everyone"):
            assert word not in out.lower()
        # The only markup left is our own link to an http(s) URL.
        for piece in out.split("<")[1:]:
            assert piece.startswith(("http://", "https://")) and "|" in piece.split(">")[0]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    quoted = [b["text"]["text"] for b in blocks[2:] if b["type"] == "section"]
    for block_text in quoted:
        shown = html.unescape(block_text.removeprefix("> ")).replace("\u200b", "")
        assert len(shown) <= 200


# delivery through the Web API


def test_alert_arrives_in_the_tickers_channel(
    fake_slack: FakeSlack, bot_sink: SlackBotSink
) -> None:
    alert = make_alert(channel="#aapl")
    ts = bot_sink.send(alert)
    [post] = fake_slack.posts
    text, blocks = format_alert(alert)
    assert post["channel"] == "#aapl"
    assert (post["text"], post["blocks"]) == (text, blocks)
    assert ts == post["ts"]
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    assert post["metadata"]["event_payload"]["key"] == alert.key


def test_default_channel_when_the_ticker_has_none(
    fake_slack: FakeSlack, bot_sink: SlackBotSink
) -> None:
    first = bot_sink.send(make_alert(channel=None))
    second = bot_sink.send(make_alert(channel=None, key="other"))
    assert [p["channel"] for p in fake_slack.posts] == ["#alerts", "#alerts"]
    assert first is not None and second is not None and first < second


def test_posted_alerts_are_readable_back_with_their_keys(
    fake_slack: FakeSlack, bot_sink: SlackBotSink
) -> None:
    bot_sink.send(make_alert())
    client = WebClient(token=fake_slack.token, base_url=fake_slack.base_url, retry_handlers=[])
    history = client.conversations_history(channel="#aapl", include_all_metadata=True)
    [message] = history["messages"]
    assert message["metadata"]["event_payload"]["key"] == make_alert().key


def test_no_channel_at_all_is_permanent_and_sends_nothing(fake_slack: FakeSlack) -> None:
    sink = make_sink(
        "slack",
        settings(slack_bot_token=fake_slack.token, slack_api_url=fake_slack.base_url),
        stream=io.StringIO(),
    )
    with pytest.raises(DeliveryError) as caught:
        sink.send(make_alert(channel=None))
    assert caught.value.permanent
    assert fake_slack.requests == []


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_permanent_error_after_exactly_one_request(
    fake_slack: FakeSlack, bot_sink: SlackBotSink, error: str
) -> None:
    fake_slack.fail_next(1, error=error)
    with pytest.raises(DeliveryError) as caught:
        bot_sink.send(make_alert())
    assert caught.value.permanent
    assert error in caught.value.reason
    assert fake_slack.requests == ["/api/chat.postMessage"]
    assert fake_slack.posts == []


def test_unknown_channel_is_permanent(fake_slack: FakeSlack, bot_sink: SlackBotSink) -> None:
    with pytest.raises(DeliveryError, match="channel_not_found") as caught:
        bot_sink.send(make_alert(channel="#nowhere"))
    assert caught.value.permanent


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 503}, "HTTP 503"),
        ({"status": 429, "retry_after": 7}, "retry after 7 s"),
        ({"error": "ratelimited"}, "ratelimited"),
        ({"error": "internal_error"}, "internal_error"),
    ],
)
def test_transient_errors_are_retryable_after_one_request(
    fake_slack: FakeSlack, bot_sink: SlackBotSink, fault: dict[str, Any], said: str
) -> None:
    fake_slack.fail_next(1, **fault)
    with pytest.raises(DeliveryError) as caught:
        bot_sink.send(make_alert())
    assert not caught.value.permanent
    assert said in caught.value.reason
    assert len(fake_slack.requests) == 1
    assert bot_sink.send(make_alert()) is not None  # the next attempt goes through


def test_dropped_connection_after_slack_accepted_is_not_reposted(
    fake_slack: FakeSlack, bot_sink: SlackBotSink
) -> None:
    fake_slack.fail_next(1, disconnect=True)
    with pytest.raises(DeliveryError) as caught:
        bot_sink.send(make_alert())
    assert not caught.value.permanent
    assert len(fake_slack.posts) == 1
    # Why retry_handlers=[]: slack-sdk's default handler (back-off shortened here)
    # posts the same message again.
    fake_slack.fail_next(1, disconnect=True)
    quick = FixedValueRetryIntervalCalculator(0.01)
    default = WebClient(
        token=fake_slack.token,
        base_url=fake_slack.base_url,
        retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=quick)],
    )
    default.chat_postMessage(channel="#aapl", text="hello")
    assert len(fake_slack.posts) == 3


def test_unreachable_slack_is_transient() -> None:
    sink = make_sink(
        "slack",
        settings(slack_bot_token="xoxb-1-2-abc", slack_api_url="http://127.0.0.1:1/api/"),
        stream=io.StringIO(),
    )
    with pytest.raises(DeliveryError, match="unreachable") as caught:
        sink.send(make_alert())
    assert not caught.value.permanent


def test_token_never_appears_in_errors_reprs_or_logs(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "xoxb-999-888-topsecretvalue"
    sink = make_sink(
        "slack",
        settings(slack_bot_token=wrong, slack_api_url=fake_slack.base_url),
        stream=io.StringIO(),
    )
    with pytest.raises(DeliveryError) as caught:
        sink.send(make_alert())
    error = caught.value
    assert error.permanent and "invalid_auth" in error.reason
    assert error.__cause__ is None and error.__context__ is None
    for shown in (str(error), repr(error), repr(sink), caplog.text):
        assert "topsecretvalue" not in shown


# delivery through an incoming webhook


@pytest.fixture
def webhook_sink(fake_slack: FakeSlack) -> WebhookSink:
    sink = make_sink(
        "slack", settings(slack_webhook_url=fake_slack.webhook_url), stream=io.StringIO()
    )
    assert isinstance(sink, WebhookSink)
    return sink


def test_webhook_delivery(fake_slack: FakeSlack, webhook_sink: WebhookSink) -> None:
    alert = make_alert()
    assert webhook_sink.send(alert) is None
    [post] = fake_slack.webhook_posts
    assert (post["text"], post["blocks"]) == format_alert(alert)
    assert post["unfurl_links"] is False


@pytest.mark.parametrize(
    ("fault", "permanent"),
    [({"error": "channel_not_found"}, True), ({"status": 500}, False), ({"status": 429}, False)],
)
def test_webhook_errors_never_show_the_url(
    fake_slack: FakeSlack,
    webhook_sink: WebhookSink,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
    permanent: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_slack.fail_next(1, **fault)
    with pytest.raises(DeliveryError) as caught:
        webhook_sink.send(make_alert())
    assert caught.value.permanent is permanent
    assert len(fake_slack.requests) == 1
    for shown in (str(caught.value), repr(webhook_sink), caplog.text):
        assert "hooksecret42" not in shown


# local sinks


def test_console_sink_is_labelled_when_slack_is_not_configured() -> None:
    stream = io.StringIO()
    sink = make_sink("slack", settings(), stream=stream)
    assert isinstance(sink, ConsoleSink)
    assert sink.send(make_alert()) is None
    out = stream.getvalue()
    assert out.startswith("── alert (console: no Slack credentials set) ──\n")
    for part in ("AAPL · Acquisition, Earnings", "Apple buys <Acme> & more", "07:27 UTC"):
        assert part in out


def test_jsonl_lines_parse_with_exactly_the_listed_keys(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    sink = make_sink(f"jsonl:{path}", settings(), stream=io.StringIO())
    assert isinstance(sink, JsonlSink)
    sink.send(make_alert())
    sink.send(make_alert(published=None, events=("layoffs",)))
    first, second = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    keys = {"kind", "ticker", "events", "url", "title", "published", "text", "blocks"}
    assert set(first) == set(second) == keys
    assert first["kind"] == "alert" and first["events"] == ["acquisition", "earnings"]
    assert datetime.fromisoformat(first["published"]) == datetime(2025, 9, 1, 7, 27, tzinfo=UTC)
    assert second["published"] is None
    assert (first["text"], first["blocks"]) == format_alert(make_alert())


@pytest.mark.parametrize("spec", ["teams", "jsonl:", ""])
def test_unknown_sink_is_a_config_error(spec: str) -> None:
    with pytest.raises(ConfigError):
        make_sink(spec, settings(), stream=io.StringIO())
