"""The command line as documented: extract, check, exit codes, --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED_HTML = ROOT / "seeds" / "benzinga-fr-meta-scale-ai.html"
SEED_TEXT = ROOT / "seeds" / "benzinga-fr-meta-scale-ai.txt"
WATCHLIST = ROOT / "config" / "watchlist.yaml"
SPEC_META_EVENTS = [
    "analyst_rating",
    "executive_departure",
    "hiring_freeze",
    "investment",
    "partnership",
]


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_extract_on_the_seed_prints_the_spec_events_and_nothing_for_googl(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["extract", "--watchlist", str(WATCHLIST), str(SEED_HTML), str(SEED_TEXT)]) == 0
    for line in json_lines(capsys.readouterr().out):
        assert line["lang"] == "fr" and line["skipped"] is None
        assert line["published"] == "2025-09-01T07:27:00+00:00"
        events = line["events"]
        assert isinstance(events, list)
        assert sorted(e["type"] for e in events if e["ticker"] == "META") == SPEC_META_EVENTS
        assert [e for e in events if e["ticker"] != "META"] == []
        assert all(e["evidence"] for e in events)
        assert set(line) == {
            "input",
            "url",
            "title",
            "lang",
            "published",
            "skipped",
            "tickers",
            "events",
        }


def test_extract_explain_says_which_mention_and_trigger_fired(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["extract", "--explain", "--watchlist", str(WATCHLIST), str(SEED_TEXT)])
    (line,) = json_lines(capsys.readouterr().out)
    events = {e["type"]: e for e in line["events"]}  # type: ignore[attr-defined]
    freeze = events["hiring_freeze"]
    assert "embauches" in freeze["trigger"]
    assert "'Meta'" in freeze["why"] and "acts" in freeze["why"]
    assert 0.6 <= freeze["confidence"] <= 1
    assert {"ticker": "GOOGL", "text": "NASDAQ:GOOGL", "how": "exchange"} in line["mentions"]  # type: ignore[operator]


def test_extract_reports_a_failing_input_and_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.html"
    main(["extract", "--watchlist", str(WATCHLIST), str(missing), str(SEED_TEXT)])
    first, second = json_lines(capsys.readouterr().out)
    assert first["input"] == str(missing) and "error" in first
    assert second["events"]


def test_check_says_what_is_watched_and_where_alerts_go(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "NASDAQ:META" in out
    assert "seeds/index.html" in out
    assert "the console (no Slack credentials set)" in out


def test_token_without_any_channel_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-not-a-real-token")
    monkeypatch.delenv("SLACK_CHANNEL", raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_CHANNEL" in err
    assert "xoxb-test-not-a-real-token" not in err


def test_a_wrong_config_stops_run_before_anything_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text("tickers:\n  - symbol: META\n    exchange: NASDAQ\n    events: [layoff]\n")
    store = tmp_path / "bot.db"
    code = main(
        [
            "run",
            "--once",
            "--watchlist",
            str(watchlist),
            "--source",
            str(SEED_HTML),
            "--store",
            f"sqlite:///{store}",
            "--sink",
            "console",
        ]
    )
    assert code == 2
    assert (
        f"{watchlist}:4: tickers.0.events: unknown event type 'layoff'" in capsys.readouterr().err
    )
    assert not store.exists()  # nothing half-started


@pytest.mark.parametrize("command", [[], ["run"], ["extract"], ["check"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: bot" in capsys.readouterr().out
