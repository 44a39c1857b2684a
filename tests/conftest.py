"""Shared fixtures: the real spaCy pipelines (loaded once), the repo's config, and the
local servers every end-to-end test talks to over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Watchlist, load_watchlist
from bot.extract import Extractor
from bot.nlp import Pipelines, load_pipelines
from tests.fakeslack import fake_slack  # noqa: F401  (fixture)
from tests.localsite import local_site  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pipelines() -> Pipelines:
    return load_pipelines()


@pytest.fixture(scope="session")
def watchlist() -> Watchlist:
    return load_watchlist(ROOT / "config" / "watchlist.yaml")


@pytest.fixture(scope="session")
def extractor(watchlist: Watchlist, pipelines: Pipelines) -> Extractor:
    return Extractor(watchlist, pipelines)
