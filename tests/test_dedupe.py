"""Two links to one story must collapse; two different stories must not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from bot.dedupe import alert_key, canonical_url, fingerprint


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/News/Story?b=2&a=1&utm_source=x&fbclid=abc#comments",
            "https://www.example.com/News/Story?a=1&b=2",
        ),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        (
            "https://finance.yahoo.com/news/x.html?guccounter=1&guce_referrer=aHR0&mc_cid=9&mc_eid=3",
            "https://finance.yahoo.com/news/x.html",
        ),
        ("https://example.com/a?UTM_Medium=mail&gclid=1&id=7", "https://example.com/a?id=7"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/a/./b/../c  ", "https://example.com/a/c"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_keeps_what_identifies_the_story() -> None:
    # Path case and ordinary parameters can select a different article.
    assert canonical_url("https://ex.com/News?id=1") != canonical_url("https://ex.com/news?id=1")
    assert canonical_url("https://ex.com/a?id=1") != canonical_url("https://ex.com/a?id=2")
    assert canonical_url("https://ex.com/a?page=2&source=rss") == (
        "https://ex.com/a?page=2&source=rss"
    )


@given(urls())
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_fingerprint_ignores_layout_case_and_punctuation() -> None:
    a = "Apple buys Acme.\n\nThe deal — worth $1bn — closes in Q4!"
    b = "  apple BUYS acme   the deal worth 1bn, closes in q4 "
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint("Apple buys Acme. The deal closes in Q3.")
    assert len(fingerprint(a)) == 64


@given(st.text())
def test_fingerprint_is_stable_under_rewrapping(text: str) -> None:
    assert fingerprint(text) == fingerprint(" ,\n\n".join(text.split()) + "!")


def test_alert_key_is_deterministic_and_per_ticker() -> None:
    url = canonical_url("https://example.com/story")
    key = alert_key("AAPL", url)
    assert key == alert_key("AAPL", url)
    assert len(key) == 32 and int(key, 16) >= 0
    assert key != alert_key("MSFT", url)
    assert key != alert_key("AAPL", url + "2")
