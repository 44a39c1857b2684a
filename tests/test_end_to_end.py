"""The worker as users run it: a real `python -m bot` process polls a local news site
over HTTP and posts to a fake Slack Web API through slack-sdk (`SLACK_API_URL`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakeslack import FakeSlack
from tests.localsite import LocalSite
from tests.newsroom import Newsroom

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC)

WATCHLIST = """\
tickers:
  - symbol: AAPL
    exchange: NASDAQ
    names: ["Apple"]
    channel: "#aapl"
  - symbol: MSFT
    exchange: NASDAQ
    names: ["Microsoft"]
"""


def publish_first_stories(newsroom: Newsroom) -> None:
    newsroom.publish(
        "/news/apple-cuts-jobs.html",
        "Apple to cut 600 jobs in California",
        [
            "Apple Inc. (NASDAQ:AAPL) said on Tuesday it will cut about 600 jobs in "
            "California as it winds down its car project.",
            "The company told state officials the layoffs take effect at the end of May.",
        ],
        NOW - timedelta(hours=2),
    )
    newsroom.publish(
        "/news/microsoft-rachat.html",
        "Microsoft rachète un éditeur de jeux",
        [
            "Microsoft a annoncé mardi le rachat de l'éditeur de jeux vidéo Nimbus "
            "pour 2 milliards de dollars.",
            "L'opération doit encore être approuvée par les autorités.",
        ],
        NOW - timedelta(hours=1),
        lang="fr",
    )
    newsroom.publish(
        "/news/apple-dividend-old.html",
        "Apple raises its dividend",
        ["Apple raised its quarterly dividend by 4% and expanded its share buyback."],
        NOW - timedelta(days=3),  # older than max_age_h: recorded, never alerted
    )
    newsroom.publish(
        "/news/weather.html",
        "Storms expected over the weekend",
        ["Forecasters expect heavy rain across the region on Saturday."],
        NOW - timedelta(hours=1),
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)
    return tmp_path


def bot_command(workdir: Path, newsroom: Newsroom, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bot",
        "run",
        *extra,
        "--watchlist",
        str(workdir / "watchlist.yaml"),
        "--source",
        newsroom.listing_url,
        "--store",
        f"sqlite:///{workdir / 'bot.db'}",
    ]


def bot_env(slack: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        SLACK_BOT_TOKEN=slack.token,
        SLACK_CHANNEL="#alerts",
        SLACK_API_URL=slack.base_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def run_once(
    workdir: Path,
    newsroom: Newsroom,
    slack: FakeSlack,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*bot_command(workdir, newsroom, "--once"), *extra],
        cwd=workdir,
        env=env or bot_env(slack),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    return done


def posted(slack: FakeSlack) -> list[tuple[str, str]]:
    return sorted((p["channel"], p["text"].split(" ")[0]) for p in slack.posts)


def test_run_once_posts_each_story_once_and_only_new_ones_later(
    local_site: LocalSite, fake_slack: FakeSlack, workdir: Path
) -> None:
    newsroom = Newsroom(local_site)
    publish_first_stories(newsroom)

    first = run_once(workdir, newsroom, fake_slack)
    assert len(fake_slack.posts) == 2, first.stderr
    by_channel = {p["channel"]: p for p in fake_slack.posts}
    assert set(by_channel) == {"#aapl", "#alerts"}  # per-ticker channel, else the default
    assert "AAPL" in by_channel["#aapl"]["text"] and "Layoffs" in by_channel["#aapl"]["text"]
    assert "MSFT" in by_channel["#alerts"]["text"]
    assert "Acquisition" in by_channel["#alerts"]["text"]
    assert "cycle:" in first.stderr  # one summary line per cycle

    run_once(workdir, newsroom, fake_slack)
    assert len(fake_slack.posts) == 2  # nothing new, nothing repeated

    newsroom.publish(
        "/news/microsoft-guidance.html",
        "Microsoft lifts its annual forecast",
        ["Microsoft raised its full-year revenue outlook on strong cloud demand."],
        NOW,
    )
    third = run_once(workdir, newsroom, fake_slack)
    assert len(fake_slack.posts) == 3, third.stderr
    assert "Guidance" in fake_slack.posts[-1]["text"]


def test_a_broken_article_is_reported_and_the_rest_goes_on(
    local_site: LocalSite, fake_slack: FakeSlack, workdir: Path
) -> None:
    newsroom = Newsroom(local_site)
    publish_first_stories(newsroom)
    local_site.set_status("/news/apple-cuts-jobs.html", 500)

    done = run_once(workdir, newsroom, fake_slack)
    assert [p["channel"] for p in fake_slack.posts] == ["#alerts"]
    assert "apple-cuts-jobs.html" in done.stderr and "500" in done.stderr

    local_site.set_status("/news/apple-cuts-jobs.html", None)  # the site recovers
    run_once(workdir, newsroom, fake_slack)
    assert sorted(p["channel"] for p in fake_slack.posts) == ["#aapl", "#alerts"]


def test_sigterm_mid_cycle_exits_promptly_and_loses_or_doubles_nothing(
    local_site: LocalSite, fake_slack: FakeSlack, workdir: Path
) -> None:
    newsroom = Newsroom(local_site)
    publish_first_stories(newsroom)
    for path in ("/news/apple-cuts-jobs.html", "/news/microsoft-rachat.html"):
        local_site.set_delay(path, 1.5)  # slow pages keep the cycle in flight

    worker = subprocess.Popen(
        bot_command(workdir, newsroom),
        cwd=workdir,
        env=bot_env(fake_slack),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r.path.startswith("/news/") for r in local_site.requests):
            assert time.monotonic() < deadline, "the worker never fetched an article"
            assert worker.poll() is None, worker.communicate()[1]
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        _, stderr = worker.communicate(timeout=15)
        assert worker.returncode == 0, stderr
        assert time.monotonic() - stopped < 10
    finally:
        if worker.poll() is None:
            worker.kill()

    local_site.set_delay("/news/apple-cuts-jobs.html", 0)
    local_site.set_delay("/news/microsoft-rachat.html", 0)
    run_once(workdir, newsroom, fake_slack)
    counts = Counter(p["channel"] for p in fake_slack.posts)
    assert counts == {"#aapl": 1, "#alerts": 1}


def test_webhook_delivery_when_only_a_webhook_is_configured(
    local_site: LocalSite, fake_slack: FakeSlack, workdir: Path
) -> None:
    newsroom = Newsroom(local_site)
    publish_first_stories(newsroom)
    env = bot_env(fake_slack)
    del env["SLACK_BOT_TOKEN"]
    env["SLACK_WEBHOOK_URL"] = fake_slack.webhook_url
    done = run_once(workdir, newsroom, fake_slack, env=env)
    assert len(fake_slack.webhook_posts) == 2
    assert fake_slack.posts == []
    assert fake_slack.webhook_url not in done.stderr  # the webhook URL is a secret


def test_jsonl_sink_writes_one_object_per_alert(
    local_site: LocalSite, fake_slack: FakeSlack, workdir: Path
) -> None:
    newsroom = Newsroom(local_site)
    publish_first_stories(newsroom)
    out = workdir / "alerts.jsonl"
    run_once(workdir, newsroom, fake_slack, "--sink", f"jsonl:{out}")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((x["ticker"], tuple(x["events"])) for x in lines) == [
        ("AAPL", ("layoffs",)),
        ("MSFT", ("acquisition",)),
    ]
    assert all(
        set(x) == {"kind", "ticker", "events", "url", "title", "published", "text", "blocks"}
        for x in lines
    )
    assert fake_slack.posts == []
