"""Configuration: declared once, validated at start-up, reported as `file:line: problem`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.models import EVENT_TYPES, SourceKind

DEFAULT_MAX_AGE_H = 24.0
M = TypeVar("M", bound=BaseModel)
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,11}$")
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9._\-]{0,79}|[CGD][A-Z0-9]{6,})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TickerConfig(_Strict):
    symbol: str
    exchange: str
    names: tuple[str, ...] = ()
    channel: str | None = None
    events: tuple[str, ...] | None = None

    @field_validator("symbol", "exchange")
    @classmethod
    def _upper(cls, value: str) -> str:
        value = value.strip().upper()
        if not _SYMBOL.match(value):
            raise ValueError(f"{value!r} is not a ticker symbol or exchange code")
        return value

    @field_validator("names")
    @classmethod
    def _names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(n.strip() for n in names)
        if any(not n for n in cleaned):
            raise ValueError("names must not be empty strings")
        return cleaned

    @field_validator("channel")
    @classmethod
    def _channel(cls, channel: str | None) -> str | None:
        if channel is not None and not _CHANNEL.match(channel):
            raise ValueError(f"{channel!r} is not a Slack channel ('#name' or a channel id)")
        return channel

    @field_validator("events")
    @classmethod
    def _events(cls, events: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for event in events or ():
            if event not in EVENT_TYPES:
                close = difflib.get_close_matches(event, EVENT_TYPES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"unknown event type {event!r}{hint}")
        return events


class Watchlist(_Strict):
    tickers: tuple[TickerConfig, ...]

    @model_validator(mode="after")
    def _unique(self) -> Watchlist:
        seen: set[str] = set()
        for ticker in self.tickers:
            if ticker.symbol in seen:
                raise ValueError(f"ticker {ticker.symbol} is listed twice")
            seen.add(ticker.symbol)
        return self

    def get(self, symbol: str) -> TickerConfig | None:
        return next((t for t in self.tickers if t.symbol == symbol), None)


class SourceConfig(_Strict):
    url: str
    kind: SourceKind = "auto"
    interval_s: float = Field(default=300.0, gt=0)
    max_age_h: float | None = Field(default=DEFAULT_MAX_AGE_H, gt=0)
    name: str | None = None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        parts = urlsplit(self.url)
        return parts.netloc or Path(parts.path).name or self.url


class SourcesFile(_Strict):
    max_age_h: float | None = Field(default=DEFAULT_MAX_AGE_H, gt=0)
    sources: tuple[SourceConfig, ...]


class Settings(BaseSettings):
    """Secrets and deployment settings, from the environment and an optional `.env`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_webhook_url: SecretStr | None = None
    slack_api_url: str | None = None
    database_url: str = "sqlite:///data/bot.db"


@dataclass(frozen=True)
class Config:
    watchlist: Watchlist
    sources: tuple[SourceConfig, ...]
    settings: Settings


def load_watchlist(path: Path) -> Watchlist:
    data, lines = _load_yaml(path)
    return _validate(Watchlist, data, lines, path)


def load_sources(path: Path) -> tuple[SourceConfig, ...]:
    data, lines = _load_yaml(path)
    parsed = _validate(SourcesFile, data, lines, path)
    raw_sources = data.get("sources", []) if isinstance(data, dict) else []
    resolved: list[SourceConfig] = []
    problems: list[str] = []
    for index, source in enumerate(parsed.sources):
        update: dict[str, Any] = {"url": resolve_location(source.url, path.parent)}
        # A source without its own max_age_h inherits the file's; an explicit null lifts it.
        if "max_age_h" not in raw_sources[index]:
            update["max_age_h"] = parsed.max_age_h
        source = source.model_copy(update=update)
        if source.url.startswith("file://") and not Path(urlsplit(source.url).path).exists():
            line = lines.get(("sources", index, "url"), 1)
            problems.append(f"{path}:{line}: sources.{index}.url: no such file: {source.url[7:]}")
        resolved.append(source)
    if problems:
        raise ConfigError(problems)
    return tuple(resolved)


def source_from_argument(location: str, max_age_h: float | None) -> SourceConfig:
    """A `--source URL_OR_PATH` given on the command line, relative to the working directory."""
    url = resolve_location(location, Path.cwd())
    if url.startswith("file://") and not Path(urlsplit(url).path).exists():
        raise ConfigError([f"--source {location}: no such file"])
    return SourceConfig(url=url, max_age_h=max_age_h)


def resolve_location(location: str, base: Path) -> str:
    """http(s) URLs stay as they are; anything else is a path, made a file:// URI."""
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("http", "https", "file"):
        return location
    return (base / Path(location).expanduser()).resolve().as_uri()


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(
            [f"environment: {_loc(e['loc'])}: {e['msg']}" for e in error.errors()]
        ) from None


def check_delivery(config: Config, sink: str) -> None:
    """Slack with a bot token needs a channel for every ticker."""
    settings = config.settings
    if sink != "slack" or settings.slack_bot_token is None or settings.slack_channel:
        return
    missing = [t.symbol for t in config.watchlist.tickers if t.channel is None]
    if missing:
        raise ConfigError(
            [
                "environment: SLACK_CHANNEL is not set and tickers "
                f"{', '.join(missing)} have no channel of their own"
            ]
        )


def _load_yaml(path: Path) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([f"{path}:1: cannot read: {error.strerror}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{path}:{line}: invalid YAML: {problem}"]) from None
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return data, lines


def _index_lines(
    node: yaml.Node, loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*loc, str(key.value)), lines)
            lines[(*loc, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*loc, index), lines)


def _validate(model: type[M], data: Any, lines: dict[tuple[str | int, ...], int], path: Path) -> M:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = tuple(part for part in e["loc"] if isinstance(part, str | int))
            line = _nearest_line(loc, lines)
            msg = e["msg"].removeprefix("Value error, ")
            where = f"{_loc(loc)}: " if loc else ""
            problems.append(f"{path}:{line}: {where}{msg}")
        raise ConfigError(problems) from None


def _nearest_line(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)
