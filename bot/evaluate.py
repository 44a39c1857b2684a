"""Score extraction against a labelled corpus: `{page: {ticker: [event ids]}}` per folder.

Events are scored as (page, ticker, type) triples, tickers as (page, ticker) pairs;
precision, recall and F1 per event type, per language and overall (micro). Pages
named `trap-*` must yield no ticker outside their labels.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.models import EVENT_TYPES, Extraction

Labels = dict[str, set[str]]  # ticker -> event types


@dataclass(frozen=True)
class LabelledPage:
    path: Path
    labels: Labels

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def is_trap(self) -> bool:
        return self.path.name.startswith("trap-")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Report:
    pages: int = 0
    events: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    tickers: Tally = field(default_factory=Tally)
    trap_pages: int = 0
    trap_false_tickers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, page: LabelledPage, extraction: Extraction, lang: str) -> None:
        """Score one page's extraction against its labels."""
        self.pages += 1
        if extraction.skipped:
            self.skipped.append(f"{page.name}: {extraction.skipped}")
        evidence = {(e.ticker, e.type): e.evidence for e in extraction.events}
        predicted = set(evidence)
        gold = {(t, e) for t, types in page.labels.items() for e in types}
        for ticker, event_type in sorted(predicted | gold):
            hit = (ticker, event_type) in gold
            found = (ticker, event_type) in predicted
            for tally in (self.events, self.by_type[event_type], self.by_lang[lang]):
                tally.tp += hit and found
                tally.fp += found and not hit
                tally.fn += hit and not found
            if hit != found:
                self.errors.append(
                    {
                        "page": page.name,
                        "lang": lang,
                        "ticker": ticker,
                        "type": event_type,
                        "error": "spurious" if found else "missed",
                        "evidence": evidence.get((ticker, event_type), extraction.article.title),
                    }
                )
        named = set(extraction.tickers)
        self.tickers.tp += len(named & set(page.labels))
        self.tickers.fp += len(named - set(page.labels))
        self.tickers.fn += len(set(page.labels) - named)
        if page.is_trap:
            self.trap_pages += 1
            self.trap_false_tickers += [
                f"{page.name}: {t}" for t in sorted(named - set(page.labels))
            ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "events": self.events.as_dict(),
            "by_lang": {k: v.as_dict() for k, v in sorted(self.by_lang.items())},
            "by_type": {t: self.by_type[t].as_dict() for t in EVENT_TYPES if t in self.by_type},
            "tickers": self.tickers.as_dict(),
            "trap_pages": self.trap_pages,
            "trap_false_tickers": self.trap_false_tickers,
            "skipped": self.skipped,
            "errors": self.errors,
        }

    def render(self) -> str:
        lines = [
            f"{self.pages} pages, {self.trap_pages} of them traps",
            "",
            f"{'':24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}",
        ]
        rows = [(t, self.by_type[t]) for t in EVENT_TYPES if t in self.by_type]
        rows += [(f"lang {k}", v) for k, v in sorted(self.by_lang.items())]
        rows += [("events (micro)", self.events), ("tickers", self.tickers)]
        for label, t in rows:
            lines.append(
                f"{label:24}{t.precision:7.3f}{t.recall:7.3f}{t.f1:7.3f}{t.tp:5}{t.fp:5}{t.fn:5}"
            )
        lines.append(f"false tickers on trap pages: {len(self.trap_false_tickers)}")
        lines += [f"  {x}" for x in self.trap_false_tickers]
        lines += ["", f"skipped: {len(self.skipped)}"] + [f"  {x}" for x in self.skipped]
        lines += ["", f"errors: {len(self.errors)}"]
        lines += [
            f"  {e['error']:8} {e['page']} {e['ticker']} {e['type']}: {e['evidence'][:160]}"
            for e in self.errors
        ]
        return "\n".join(lines)


def load_corpus(folder: Path) -> list[LabelledPage]:
    """Every `labels.json` below `folder`, with the pages it labels."""
    pages: list[LabelledPage] = []
    label_files = sorted(folder.rglob("labels.json"))
    if not label_files:
        raise ConfigError([f"{folder}: no labels.json found below it"])
    for labels_path in label_files:
        try:
            data = json.loads(labels_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ConfigError([f"{labels_path}:{error.lineno}: {error.msg}"]) from None
        for name, labels in sorted(data.items()):
            unknown = {e for types in labels.values() for e in types} - set(EVENT_TYPES)
            if unknown:
                raise ConfigError([f"{labels_path}: {name}: unknown event ids {sorted(unknown)}"])
            pages.append(
                LabelledPage(
                    labels_path.parent / name, {t: set(types) for t, types in labels.items()}
                )
            )
    return pages


def evaluate(
    pages: Iterable[LabelledPage], extract: Callable[[Path], tuple[Extraction, str]]
) -> Report:
    """`extract` reads one page and returns its extraction and language."""
    report = Report()
    for page in pages:
        extraction, lang = extract(page.path)
        report.add(page, extraction, lang)
    return report
