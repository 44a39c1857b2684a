"""A wrong config stops start-up with `file:line: what is wrong`, every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_sources, load_watchlist
from bot.errors import ConfigError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(excinfo: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return excinfo.value.problems


def test_watchlist_errors_name_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "watchlist.yaml",
        """\
tickers:
  - symbol: META
    exchange: NASDAQ
    events: [layoffs, acquisitoin]
  - symbol: AAPL
    exchange: NASDAQ
    nmes: [Apple]
  - exchange: NYSE
""",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_watchlist(path)
    assert problems(excinfo) == [
        f"{path}:4: tickers.0.events: unknown event type 'acquisitoin' "
        "(did you mean 'acquisition'?)",
        f"{path}:7: tickers.1.nmes: Extra inputs are not permitted",
        f"{path}:8: tickers.2.symbol: Field required",
    ]


def test_invalid_yaml_points_at_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "watchlist.yaml", "tickers:\n  - symbol: META\n   exchange: [\n")
    with pytest.raises(ConfigError) as excinfo:
        load_watchlist(path)
    assert problems(excinfo)[0].startswith(f"{path}:3: invalid YAML")


def test_a_ticker_listed_twice_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "watchlist.yaml",
        "tickers:\n  - {symbol: META, exchange: NASDAQ}\n  - {symbol: meta, exchange: NASDAQ}\n",
    )
    with pytest.raises(ConfigError, match="META is listed twice"):
        load_watchlist(path)


def test_sources_inherit_the_files_max_age_and_null_lifts_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<html></html>")
    path = write(
        tmp_path,
        "sources.yaml",
        """\
max_age_h: 6
sources:
  - url: page.html
  - url: https://news.example/feed.xml
    kind: feed
    max_age_h: null
    interval_s: 60
""",
    )
    local, remote = load_sources(path)
    assert local.url == (tmp_path / "page.html").as_uri()  # relative to the config file
    assert local.max_age_h == 6 and local.kind == "auto" and local.interval_s == 300
    assert remote.max_age_h is None and remote.kind == "feed" and remote.interval_s == 60


def test_bad_sources_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources.yaml",
        """\
sources:
  - url: missing.html
  - url: https://news.example/
    kind: newsletter
    interval_s: -5
""",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_sources(path)
    found = problems(excinfo)
    assert any(p.startswith(f"{path}:4: sources.1.kind:") for p in found)
    assert any(p.startswith(f"{path}:5: sources.1.interval_s:") for p in found)
    with pytest.raises(ConfigError, match=rf"{path}:2: sources.0.url: no such file"):
        load_sources(write(tmp_path, "sources.yaml", "sources:\n  - url: missing.html\n"))
