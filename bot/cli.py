"""Command line: `run` (the worker), `extract` (no store, no Slack), `eval`, `check`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from bot.config import (
    DEFAULT_MAX_AGE_H,
    Config,
    SourceConfig,
    check_delivery,
    load_settings,
    load_sources,
    load_watchlist,
    resolve_location,
    source_from_argument,
)
from bot.errors import BotError, ConfigError
from bot.extract import DEFAULT_MIN_CONFIDENCE, Extractor
from bot.models import Extraction

log = logging.getLogger("bot")

DEFAULT_WATCHLIST = Path("config/watchlist.yaml")
DEFAULT_SOURCES = Path("config/sources.yaml")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("spacy").setLevel(logging.WARNING)  # it logs pipeline set-up at INFO
    try:
        code: int = args.command(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot", description="News alerts about the tickers you follow, posted to Slack."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="the worker: poll sources, post alerts")
    run.add_argument("--once", action="store_true", help="one cycle over all sources, then exit")
    _config_arguments(run)
    run.add_argument("--store", metavar="URL", help="database URL (default: $DATABASE_URL)")
    run.add_argument(
        "--sink",
        default="slack",
        metavar="slack|console|jsonl:PATH",
        help="where alerts go (slack falls back to the console without credentials)",
    )
    run.set_defaults(command=_run)

    extract = commands.add_parser(
        "extract", help="print what each input reports, one JSON line each (no store, no Slack)"
    )
    extract.add_argument("inputs", nargs="+", metavar="INPUT", help="a .html/.txt file or a URL")
    extract.add_argument("--watchlist", type=Path, default=DEFAULT_WATCHLIST, metavar="PATH")
    extract.add_argument(
        "--explain", action="store_true", help="show which mention and trigger fired, and why"
    )
    _confidence_argument(extract)
    extract.set_defaults(command=_extract)

    evaluate = commands.add_parser(
        "eval", help="score extraction on a labelled corpus (precision, recall, F1, errors)"
    )
    evaluate.add_argument(
        "corpus",
        type=Path,
        metavar="CORPUS",
        help="a folder with labels.json files (searched recursively)",
    )
    evaluate.add_argument(
        "--watchlist",
        type=Path,
        default=None,
        metavar="PATH",
        help="default: the nearest watchlist.yaml in CORPUS or above it",
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON report on stdout")
    _confidence_argument(evaluate)
    evaluate.set_defaults(command=_eval)

    check = commands.add_parser(
        "check", help="validate config and environment; say what would be watched and where"
    )
    _config_arguments(check)
    check.add_argument("--sink", default="slack", metavar="slack|console|jsonl:PATH")
    check.set_defaults(command=_check)
    return parser


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--watchlist", type=Path, default=DEFAULT_WATCHLIST, metavar="PATH")
    parser.add_argument(
        "--sources",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"sources file (default {DEFAULT_SOURCES})",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="URL_OR_PATH",
        help="watch this page or feed instead of a sources file (repeatable)",
    )


def _confidence_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=DEFAULT_MIN_CONFIDENCE,
        metavar="X",
        help=f"drop events below this confidence (default {DEFAULT_MIN_CONFIDENCE})",
    )


def _load_config(args: argparse.Namespace) -> Config:
    """Everything is validated before anything is started; all problems reported at once."""
    problems: list[str] = []
    watchlist = sources = settings = None
    try:
        watchlist = load_watchlist(args.watchlist)
    except ConfigError as error:
        problems += error.problems
    try:
        sources = _sources(args)
    except ConfigError as error:
        problems += error.problems
    try:
        settings = load_settings()
    except ConfigError as error:
        problems += error.problems
    if args.sink not in ("slack", "console") and not args.sink.startswith("jsonl:"):
        problems.append(f"--sink {args.sink}: expected slack, console or jsonl:PATH")
    if problems or watchlist is None or sources is None or settings is None:
        raise ConfigError(problems)
    config = Config(watchlist, sources, settings)
    check_delivery(config, args.sink)
    return config


def _sources(args: argparse.Namespace) -> tuple[SourceConfig, ...]:
    if args.source and args.sources:
        raise ConfigError(["use either --sources or --source, not both"])
    if args.source:
        return tuple(source_from_argument(s, DEFAULT_MAX_AGE_H) for s in args.source)
    return load_sources(args.sources or DEFAULT_SOURCES)


def _run(args: argparse.Namespace) -> int:
    # Imported here so `check` and `--help` stay instant.
    from bot.fetch import Fetcher, make_client
    from bot.nlp import load_pipelines
    from bot.pipeline import Pipeline
    from bot.scheduler import run_worker
    from bot.slack import make_sink
    from bot.store import open_store

    config = _load_config(args)
    sink = make_sink(args.sink, config.settings, stream=sys.stdout)
    store = open_store(args.store or config.settings.database_url)
    stop = threading.Event()
    with make_client() as client:
        pipeline = Pipeline(
            fetcher=Fetcher(client),
            extractor=Extractor(config.watchlist, load_pipelines()),
            store=store,
            sink=sink,
            watchlist=config.watchlist,
            default_channel=config.settings.slack_channel,
            stop=stop,
        )
        try:
            if args.once:
                pipeline.run_once(config.sources)
            else:
                run_worker(pipeline, config.sources, stop)
        finally:
            store.close()
    return 0


def _extract(args: argparse.Namespace) -> int:
    from bot.article import read_article
    from bot.fetch import Fetcher, make_client
    from bot.nlp import load_pipelines

    extractor = Extractor(load_watchlist(args.watchlist), load_pipelines(), args.min_confidence)
    with make_client() as client:
        fetcher = Fetcher(client)
        for item in args.inputs:
            try:
                page = fetcher.fetch(resolve_location(item, Path.cwd()))
                line = _extraction_json(item, extractor.extract(read_article(page)), args.explain)
            except BotError as error:
                line = {"input": item, "error": str(error)}
            print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bot.article import read_article
    from bot.evaluate import evaluate, load_corpus
    from bot.fetch import Fetcher, make_client
    from bot.models import Article
    from bot.nlp import SUPPORTED_LANGS, load_pipelines

    pages = load_corpus(args.corpus)
    watchlist = load_watchlist(args.watchlist or _nearest_watchlist(args.corpus))
    extractor = Extractor(watchlist, load_pipelines(), args.min_confidence)
    with make_client() as client:
        fetcher = Fetcher(client)

        def run(path: Path) -> tuple[Extraction, str]:
            try:
                article = read_article(fetcher.fetch(path.resolve().as_uri()))
                extraction = extractor.extract(article)
            except BotError as error:
                article = Article(path.as_uri(), path.name, "", None, None)
                extraction = Extraction(article, skipped=str(error))
            # Pages are grouped by the language folder they sit in, so a page whose
            # language is mis-detected still counts against its own language.
            folder = path.parent.name
            return extraction, folder if folder in SUPPORTED_LANGS else article.lang or "?"

        progress = tqdm(pages, desc="eval", unit="page", file=sys.stderr, disable=None)
        report = evaluate(progress, run)
    print(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else report.render()
    )
    return 0


def _nearest_watchlist(corpus: Path) -> Path:
    for folder in [corpus, *corpus.resolve().parents]:
        if (folder / "watchlist.yaml").exists():
            return folder / "watchlist.yaml"
    raise ConfigError([f"{corpus}: no watchlist.yaml in it or above it; pass --watchlist"])


def _extraction_json(item: str, extraction: Extraction, explain: bool) -> dict[str, Any]:
    article = extraction.article
    events: list[dict[str, Any]] = []
    for event in extraction.events:
        entry: dict[str, Any] = {
            "ticker": event.ticker,
            "type": event.type,
            "evidence": event.evidence,
        }
        if explain:
            entry.update(confidence=event.confidence, trigger=event.trigger, why=event.why)
        events.append(entry)
    line: dict[str, Any] = {
        "input": item,
        "url": article.url,
        "title": article.title,
        "lang": article.lang,
        "published": article.published.isoformat() if article.published else None,
        "skipped": extraction.skipped,
        "tickers": list(extraction.tickers),
        "events": events,
    }
    if explain:
        line["mentions"] = [
            {"ticker": m.ticker, "text": m.text, "how": m.how} for m in extraction.mentions
        ]
    return line


def _check(args: argparse.Namespace) -> int:
    config = _load_config(args)
    settings = config.settings
    print(f"watchlist: {len(config.watchlist.tickers)} tickers")
    for ticker in config.watchlist.tickers:
        only = f" (only {', '.join(ticker.events)})" if ticker.events is not None else ""
        where = ticker.channel or settings.slack_channel or "-"
        print(
            f"  {ticker.exchange}:{ticker.symbol}  names: {', '.join(ticker.names) or '-'}"
            f"  channel: {where}{only}"
        )
    print(f"sources: {len(config.sources)}")
    for source in config.sources:
        age = "no age limit" if source.max_age_h is None else f"max age {source.max_age_h:g} h"
        print(
            f"  {source.label}: {source.url} ({source.kind}, every {source.interval_s:g} s, {age})"
        )
    print(f"alerts go to: {_destination(config, args.sink)}")
    print(f"store: {_redact(settings.database_url)}")
    return 0


def _destination(config: Config, sink: str) -> str:
    settings = config.settings
    if sink.startswith("jsonl:"):
        return f"JSON lines in {sink[6:]}"
    if sink == "slack" and settings.slack_bot_token is not None:
        api = f" via {settings.slack_api_url}" if settings.slack_api_url else ""
        return f"Slack (bot token{api}), default channel {settings.slack_channel or '-'}"
    if sink == "slack" and settings.slack_webhook_url is not None:
        return "Slack (incoming webhook)"
    return "the console (no Slack credentials set)" if sink == "slack" else "the console"


def _redact(url: str) -> str:
    """Database URLs can carry a password; never print it."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
