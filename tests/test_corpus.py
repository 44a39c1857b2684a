"""Extraction quality on the project's held-out corpus never falls below today's level.

The floors are a ratchet, raised as extraction improves (README, "Measured quality");
the project's bar is micro-F1 >= 0.90 with precision >= 0.92 in both languages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.article import read_article
from bot.config import load_watchlist
from bot.evaluate import Report, evaluate, load_corpus
from bot.extract import Extractor
from bot.fetch import Fetcher
from bot.models import Extraction
from bot.nlp import Pipelines

CORPUS = Path(__file__).resolve().parent / "corpus"
FLOORS = {"en": 0.89, "fr": 0.87}


@pytest.fixture(scope="module")
def corpus_extractor(pipelines: Pipelines) -> Extractor:
    return Extractor(load_watchlist(CORPUS / "watchlist.yaml"), pipelines)


def score(lang: str, extractor: Extractor) -> Report:
    with httpx.Client() as client:
        fetcher = Fetcher(client)

        def run(path: Path) -> tuple[Extraction, str]:
            article = read_article(fetcher.fetch(path.resolve().as_uri()))
            return extractor.extract(article), lang

        return evaluate(load_corpus(CORPUS / "score" / lang), run)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_held_out_corpus_scores_stay_above_the_floor(
    lang: str, corpus_extractor: Extractor
) -> None:
    report = score(lang, corpus_extractor)
    assert report.pages >= 80
    assert report.events.f1 >= FLOORS[lang], report.render()
    assert report.tickers.precision >= 0.97
    assert len(report.trap_false_tickers) <= 2
