"""Find tracked companies in text: exchange-prefixed tickers, cashtags, names and aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from bot.config import TickerConfig, Watchlist
from bot.models import Mention, MentionKind
from bot.nlp import mostly_names

_WORD = re.compile(r"[\w'’.-]+")
_EXCHANGE_PREFIXED = re.compile(
    r"\b(?P<exchange>[A-Z][A-Za-z.]{1,13})\s?:\s?(?P<symbol>[A-Z0-9]{1,6}(?:\.[A-Z]{1,3})?)(?![\w])"
)
# A first name or a name's first part: "Harrison Ford", "H&R Block" (not "NYSE", "Huang's").
_NAME_BEFORE = re.compile(r"(?<![\w'’])([A-ZÀ-Ý][a-zà-ÿ]+|[A-Z]+&[A-Z]+) +$")
_CAPITALISED_BEFORE = re.compile(r"[A-ZÀ-Ý][\w'’&-]* $")
_CASHTAG = re.compile(r"(?<![\w$])\$(?P<symbol>[A-Z]{1,6}(?:\.[A-Z]{1,2})?)(?![\w])")


@dataclass(frozen=True)
class _Alias:
    ticker: str
    ambiguous: bool  # a common word: needs the company's context to count
    # a dictionary word usually written as a name ("Ford", "Tesla"): ambiguous only in an
    # article that also uses the word ("how to ford a river")
    word: str | None = None


class TickerMatcher:
    """Built once per watchlist; `find` is pure. `common_words` are the dictionary words
    (lower-case) that make a name or symbol ambiguous."""

    def __init__(self, watchlist: Watchlist, common_words: frozenset[str]) -> None:
        self._by_symbol: dict[str, TickerConfig] = {t.symbol: t for t in watchlist.tickers}
        self._exchange_codes = _exchange_codes()
        self._aliases: dict[str, _Alias] = {}
        words = {n for t in watchlist.tickers for n in t.names if _is_common_word(n, common_words)}
        names_first = mostly_names(words)  # "tesla" is a dictionary word; "Tesla" is a name
        for ticker in watchlist.tickers:
            for name in ticker.names:
                word = name.lower() if name in names_first else None
                ambiguous = name in words and word is None
                self._aliases.setdefault(name, _Alias(ticker.symbol, ambiguous, word))
            # A bare symbol counts only when it cannot be read as a word ("F", "ALL", "T").
            if len(ticker.symbol) >= 3 and ticker.symbol.lower() not in common_words:
                self._aliases.setdefault(ticker.symbol, _Alias(ticker.symbol, False))
        names = sorted(self._aliases, key=len, reverse=True)
        self._names = (
            re.compile(r"(?<![\w\-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w\-])")
            if names
            else None
        )
        cues = _resources("attribution.yaml")
        self._context_by_lang = {
            lang: frozenset(str(w) for w in cue["company_context"]) for lang, cue in cues.items()
        }
        self._context = frozenset().union(*self._context_by_lang.values())
        self._places = frozenset(w for cue in cues.values() for w in cue["place"])
        self._common_words = common_words

    def find(self, text: str, lang: str | None = None) -> list[Mention]:
        """Mentions in document order; a common-word name counts only in company context."""
        strong: list[Mention] = []
        weak: list[Mention] = []
        for match in _EXCHANGE_PREFIXED.finditer(text):
            ticker = self._by_symbol.get(match["symbol"])
            exchange = self._exchange_codes.get(match["exchange"].upper().replace(" ", ""))
            if ticker and exchange == self._exchange_codes.get(ticker.exchange, ticker.exchange):
                strong.append(_mention(ticker.symbol, match, "exchange"))
        for match in _CASHTAG.finditer(text):
            if match["symbol"] in self._by_symbol:
                strong.append(_mention(match["symbol"], match, "cashtag"))
        taken = [(m.start, m.end) for m in strong]
        for match in self._names.finditer(text) if self._names else ():
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            alias = self._aliases[match.group()]
            mention = _mention(alias.ticker, match, "name")
            if alias.ambiguous or (alias.word and re.search(rf"\b{alias.word}\b", text)):
                weak.append(mention)
            elif not self._after_first_name(text, mention):
                strong.append(mention)
        # One sense per article: once a common-word name is clearly the company (a
        # stronger mention, company context, or capitalised mid-sentence where the word
        # would be lower-case), its other capitalised uses count too.
        weak = [m for m in weak if not self._not_the_company(text, m)]
        established = {m.ticker for m in strong} | {
            m.ticker
            for m in weak
            if self._in_company_context(
                text, m, self._context_by_lang.get(lang or "", self._context)
            )
            or not _needs_context(text, m)
            or _paired(text, m, strong)
        }
        strong.extend(m for m in weak if m.ticker in established)
        return sorted(strong, key=lambda m: m.start)

    def _in_company_context(self, text: str, mention: Mention, context: frozenset[str]) -> bool:
        before = _WORD.findall(text[max(0, mention.start - 40) : mention.start])[-3:]
        after_text = text[mention.end : mention.end + 40]
        if after_text.startswith(("'s", "’s")):
            return True
        after = _WORD.findall(after_text)[:3]
        return any(w.lower().strip(".") in context for w in before + after)

    def _not_the_company(self, text: str, mention: Mention) -> bool:
        """Part of another proper noun ("Orange County", "Harrison Ford") or a place."""
        before = _WORD.findall(text[max(0, mention.start - 40) : mention.start])
        after = _WORD.findall(text[mention.end : mention.end + 40].split("\n", 1)[0])
        # "Orange County", "Target Field": a capitalised dictionary word makes another name
        # ("Airbus A321neo" does not).
        following = after[0].lower().strip(".") if after else ""
        if after and after[0][:1].isupper() and following in self._common_words - self._context:
            return True
        if self._after_first_name(text, mention):
            return True
        # "the Big Apple", "Agent Orange": a capitalised word joined to it mid-sentence
        joined = _CAPITALISED_BEFORE.search(text, max(0, mention.start - 40), mention.start)
        if joined and not _needs_context(text, mention):
            return True
        # "the Oracle of Omaha": a title naming someone else
        if len(after) >= 2 and after[0] in ("of", "de", "du") and after[1][:1].isupper():
            return True
        return any(w.lower() in self._places for w in before[-3:])

    def _after_first_name(self, text: str, mention: Mention) -> bool:
        """The end of a person's name: "Harrison Ford", "Nikola Tesla" (not "Huang's Nvidia")."""
        adjacent = _NAME_BEFORE.search(text, max(0, mention.start - 40), mention.start)
        return adjacent is not None and adjacent.group(1).lower() not in self._common_words


def _paired(text: str, mention: Mention, others: list[Mention]) -> bool:
    """Named alongside another company: "Orange et Google Cloud", "Apple and Microsoft"."""
    for other in others:
        between = (
            text[mention.end : other.start]
            if other.start >= mention.end
            else text[other.end : mention.start]
        )
        if between.strip() in {"et", "and", "&", ",", "ou", "or"} and len(between) <= 6:
            return True
    return False


def _needs_context(text: str, mention: Mention) -> bool:
    """At the start of a sentence or in a title-case headline, a capital proves nothing."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[line_start : mention.start].rstrip(" \"“«'‘—–-(")
    if not before or before[-1] in ".!?:;" or before[-1].isupper():
        return True
    # "In Orange, ..." / "À Orange, ...": a capitalised lone preposition starts the sentence.
    last = before.rsplit(None, 1)
    if len(last) == 1 or last[-2][-1:] in ".!?:;":
        return last[-1][:1].isupper()
    words = text[line_start : text.find("\n", mention.end) % (len(text) + 1)].split()
    capitalised = sum(w[:1].isupper() for w in words)
    return len(words) >= 4 and capitalised / len(words) >= 0.6


def _mention(ticker: str, match: re.Match[str], how: MentionKind) -> Mention:
    return Mention(ticker, match.start(), match.end(), match.group(), how)


@cache
def _resources(name: str) -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(
        resources.files("bot.resources").joinpath(name).read_text(encoding="utf-8")
    )
    return data


@cache
def _exchange_codes() -> dict[str, str]:
    table: dict[str, list[str]] = yaml.safe_load(
        resources.files("bot.resources").joinpath("exchanges.yaml").read_text(encoding="utf-8")
    )
    return {alias: code for code, aliases in table.items() for alias in [code, *aliases]}


def _is_common_word(name: str, common_words: frozenset[str]) -> bool:
    # Multi-word names ("Meta Platforms") and acronyms ("LVMH") are unambiguous.
    return " " not in name and not name.isupper() and name.lower() in common_words
