from __future__ import annotations

import pytest

from bot.config import TickerConfig, Watchlist
from bot.nlp import Pipelines
from bot.tickers import TickerMatcher

WATCHLIST = Watchlist(
    tickers=(
        TickerConfig(
            symbol="META", exchange="NASDAQ", names=("Meta Platforms", "Meta", "Facebook")
        ),
        TickerConfig(symbol="AAPL", exchange="NASDAQ", names=("Apple",)),
        TickerConfig(symbol="TGT", exchange="NYSE", names=("Target",)),
        TickerConfig(symbol="F", exchange="NYSE", names=("Ford Motor",)),
        TickerConfig(symbol="T", exchange="NYSE", names=("AT&T",)),
        TickerConfig(symbol="ALL", exchange="NYSE", names=("Allstate",)),
        TickerConfig(symbol="MC", exchange="EPA", names=("LVMH",)),
        TickerConfig(symbol="GOOGL", exchange="NASDAQ", names=("Alphabet",)),
    )
)


@pytest.fixture(scope="module")
def matcher(pipelines: Pipelines) -> TickerMatcher:
    return TickerMatcher(WATCHLIST, pipelines.common_words)


def found(matcher: TickerMatcher, text: str) -> list[tuple[str, str]]:
    return [(m.ticker, m.how) for m in matcher.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Meta Platforms Inc. (NASDAQ:META) fell.", [("META", "name"), ("META", "exchange")]),
        ("Shares of NYSE: F slipped.", [("F", "exchange")]),
        ("LVMH (EPA:MC) a publié ses ventes.", [("MC", "name"), ("MC", "exchange")]),
        ("Traders piled into $AAPL today.", [("AAPL", "cashtag")]),
    ],
)
def test_prefixed_tickers_cashtags_and_names_are_found(
    matcher: TickerMatcher, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(matcher, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "An apple a day keeps the doctor away.",
        "A meta-analysis of 40 trials found no effect.",
        "Target practice resumes on Monday.",
        "The deal is worth $5 billion, up from $3.2 billion.",
        "F is the sixth letter. T and ALL are words too.",
        "Alphabet soup for lunch.",
        "Ford the river at dawn.",
        "Shares of NASDAQ:F rose.",  # F trades on the NYSE, not the Nasdaq
    ],
)
def test_common_words_and_lone_letters_are_not_companies(matcher: TickerMatcher, text: str) -> None:
    assert found(matcher, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Apple said on Tuesday it would open a new campus.",
        "Target shares fell 4% after the report.",
        "Apple's new phone goes on sale Friday.",
        "Meta plans to spend more on data centres, Meta Platforms said.",
    ],
)
def test_common_word_names_count_in_company_context(matcher: TickerMatcher, text: str) -> None:
    assert found(matcher, text)


def test_a_strong_mention_corroborates_the_short_name(matcher: TickerMatcher) -> None:
    text = "Meta Platforms reported results. Later, Meta cut prices."
    assert [m.text for m in matcher.find(text)] == ["Meta Platforms", "Meta"]


NAMES_FIRST = Watchlist(
    tickers=(
        TickerConfig(symbol="F", exchange="NYSE", names=("Ford",)),
        TickerConfig(symbol="TSLA", exchange="NASDAQ", names=("Tesla",)),
        TickerConfig(symbol="XYZ", exchange="NYSE", names=("Block",)),
    )
)


@pytest.fixture(scope="module")
def names_first(pipelines: Pipelines) -> TickerMatcher:
    return TickerMatcher(NAMES_FIRST, pipelines.common_words)


def test_a_name_usually_written_as_a_name_needs_no_context(names_first: TickerMatcher) -> None:
    # "tesla" and "ford" are dictionary words, but news writes them as names
    assert found(names_first, "Tesla rappelle 200 000 véhicules.") == [("TSLA", "name")]
    assert found(names_first, "Ford Recalls 500,000 SUVs") == [("F", "name")]


@pytest.mark.parametrize(
    "text",
    [
        "How to ford a river safely.\nFord where the channel is widest.",
        "Harrison Ford a reçu le prix Lumière.",
        "Nikola Tesla died in 1943.",
        "H&R Block reported higher tax-season revenue.",
    ],
)
def test_a_name_inside_another_name_or_used_as_a_word_is_not_the_company(
    names_first: TickerMatcher, text: str
) -> None:
    assert found(names_first, text) == []


def test_company_context_is_read_in_the_articles_language(matcher: TickerMatcher) -> None:
    # French "a" (has) marks a subject; English "a" is an article
    assert [m.ticker for m in matcher.find("Target a noué un partenariat.", "fr")] == ["TGT"]
    assert matcher.find("Target a spot on the far bank.", "en") == []
