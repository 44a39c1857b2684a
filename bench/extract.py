"""Extraction benchmark: the bot (HTML bytes -> events) against trafilatura + full spaCy fr.

Run from the repository: `.venv/bin/python bench/extract.py [--limit N] [--json]`.
Pages: the shared fundus corpus (../shared/corpus/fundus, when present) and tests/corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from tqdm import tqdm

# numpy/spaCy are imported later, in functions; the worker subprocess inherits these too.
os.environ.update(
    dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fundus"
WATCHLIST = REPO / "tests" / "corpus" / "watchlist.yaml"
BUDGET_MB = 450
sys.path.insert(0, str(REPO))

Sample = tuple[str, bytes]  # (url, raw HTML bytes)


def iter_pages(limit: int | None) -> Iterator[Sample]:
    """Shared pages first (url from pairs.jsonl), then the project's own corpus pages."""
    yield from islice(_all_pages(), limit)


def _all_pages() -> Iterator[Sample]:
    if (SHARED / "pairs.jsonl").is_file():
        for line in (SHARED / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
            pair = json.loads(line)
            yield pair["url"], gzip.decompress((SHARED / pair["html_file"]).read_bytes())
    else:
        print("shared corpus not found at ../shared/corpus/fundus: skipped", file=sys.stderr)
    for path in sorted((REPO / "tests" / "corpus").glob("**/*.html")):
        with suppress(OSError):  # a page being (re)written right now
            yield path.as_uri(), path.read_bytes()


BotResult = tuple[str, float, float, float]  # outcome, decode/read_article/extract seconds


def bot_runner() -> Callable[[Sample], BotResult]:
    """Runs one page through the bot; outcome: failed, skipped, no-ticker or nlp (spaCy ran)."""
    from bot.article import read_article
    from bot.config import load_watchlist
    from bot.errors import ParseError
    from bot.extract import Extractor
    from bot.fetch import decode_body
    from bot.models import Page
    from bot.nlp import load_pipelines

    extractor = Extractor(load_watchlist(WATCHLIST), load_pipelines())
    now = datetime.now(UTC)

    def run(sample: Sample) -> BotResult:
        url, body = sample
        t0 = time.perf_counter()
        page = Page(url, url, 200, "text/html", decode_body(body, None), now)
        t1 = time.perf_counter()
        try:
            article = read_article(page)
        except ParseError:
            return "failed", t1 - t0, time.perf_counter() - t1, 0.0
        t2 = time.perf_counter()
        found = extractor.extract(article)
        outcome = "skipped" if found.skipped else "nlp" if found.mentions else "no-ticker"
        return outcome, t1 - t0, t2 - t1, time.perf_counter() - t2

    return run


def baseline_runner() -> Callable[[Sample], None]:
    import spacy
    import trafilatura

    nlp = spacy.load("fr_core_news_sm")

    def run(sample: Sample) -> None:
        text = trafilatura.extract(sample[1])
        if text:
            nlp(text)

    return run


Round = tuple[float, list[Any]]  # seconds for the whole set, per-page results


def timed(run: Callable[[Sample], Any], pages: list[Sample], repeat: int, name: str) -> list[Round]:
    """Warm up on a few pages, then one Round per repeat."""
    for sample in pages[:3]:
        run(sample)
    rounds: list[Round] = []
    for number in range(repeat):
        results: list[Any] = []
        start = time.perf_counter()
        for sample in tqdm(pages, desc=f"{name} {number + 1}/{repeat}", file=sys.stderr):
            results.append(run(sample))
        rounds.append((time.perf_counter() - start, results))
    return rounds


def rss_worker(limit: int | None) -> None:
    """What the worker builds, one pass over the pages, then the peak RSS as JSON."""
    import bot.fetch
    import bot.pipeline
    import bot.scheduler
    import bot.slack
    import bot.store  # noqa: F401

    run = bot_runner()
    for sample in iter_pages(limit):
        run(sample)
    status = Path("/proc/self/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"peak_rss_mb": round(kb / 1024, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (median kept)")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--cpu", type=int, help="CPU to pin to (default: first allowed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", action="store_true", help="cProfile one bot pass (stderr)")
    parser.add_argument("--rss-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    if args.rss_worker:
        return rss_worker(args.limit)

    pages = list(iter_pages(args.limit))
    if not pages:
        sys.exit("no pages found: nothing to measure")
    run_bot = bot_runner()
    bot_rounds = timed(run_bot, pages, args.repeat, "bot")
    if args.profile:  # one more bot pass, its top 10 functions by cumulative time to stderr
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [run_bot(sample) for sample in pages])
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(10)
    base_rounds = timed(baseline_runner(), pages, args.repeat, "baseline")
    command = [sys.executable, __file__, "--rss-worker", "--cpu", str(cpu)]
    command += ["--limit", str(args.limit)] if args.limit is not None else []
    worker = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if worker.returncode:
        sys.exit(f"worker subprocess failed:\n{worker.stderr}")

    k = 1000 / len(pages)
    bot_rate = statistics.median(len(pages) / seconds for seconds, _ in bot_rounds)
    base_rate = statistics.median(len(pages) / seconds for seconds, _ in base_rounds)
    stages = {  # bot milliseconds per page in each stage, median over the passes
        name: round(statistics.median(sum(r[i] for r in res) for _, res in bot_rounds) * k, 2)
        for i, name in enumerate(("decode_ms", "read_article_ms", "extract_ms"), start=1)
    }
    outcomes = [r[0] for r in bot_rounds[0][1]]
    peak = json.loads(worker.stdout.strip().splitlines()[-1])["peak_rss_mb"]
    report = {
        "pages": len(pages),
        "failures": outcomes.count("failed"),
        "skipped_language": outcomes.count("skipped"),
        "spacy_ran_on": outcomes.count("nlp"),
        "bot_articles_per_s": round(bot_rate, 2),
        "baseline_articles_per_s": round(base_rate, 2),
        "ratio": round(bot_rate / base_rate, 2),
        "worker_peak_rss_mb": peak,
        "within_budget": peak <= BUDGET_MB,
        **stages,
    }
    if args.json:
        print(json.dumps({**report, "budget_mb": BUDGET_MB, "cpu": cpu, "repeat": args.repeat}))
        return
    print(f"median of {args.repeat} passes on cpu {cpu}; RSS budget {BUDGET_MB} MB")
    for key, value in report.items():
        print(f"{key:<26} {value!s:>10}")


if __name__ == "__main__":
    main()
