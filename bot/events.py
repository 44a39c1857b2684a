"""Find taxonomy events in sentences and attribute them to the tracked companies they concern.

Triggers are lemma patterns from `resources/triggers_<lang>.yaml`. Attribution follows
the spec: relational events (deals, lawsuits, executive moves) belong to every company
that is a party in the sentence; the other events belong to the company that acts —
the nearest one not separated from the trigger by another company ("the startup").
A sentence that names no tracked company can still report about the company the
article is following ("the company", "il") when nothing else was named in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from bot.models import Event, Mention

RELATIONAL = frozenset(
    {
        "acquisition",
        "investment",
        "partnership",
        "contract",
        "legal",
        "regulatory",
        "executive_departure",
        "executive_appointment",
    }
)
EXECUTIVE = frozenset({"executive_departure", "executive_appointment"})
CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–"})
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Token:
    """What attribution needs of a token; offsets are into the analysed text."""

    text: str
    lower: str
    lemma: str
    start: int
    end: int
    is_break: bool = False  # ends a clause (a ticker's own "(NASDAQ:META)" does not)


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[Token, ...]
    text: str
    is_title: bool = False


@dataclass(frozen=True)
class _Slot:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    gap: int  # tokens allowed between the previous slot and this one
    negated: bool = False  # "!a|b": the next token must not be one of these

    def matches(self, token: Token) -> bool:
        return (
            token.lower in self.words
            or token.lemma in self.words
            or any(token.lower.startswith(p) for p in self.prefixes)
        )


@dataclass(frozen=True)
class _Rule:
    type: str
    slots: tuple[_Slot, ...]


@dataclass(frozen=True)
class _Trigger:
    type: str
    first: int  # token index of the first slot
    last: int
    words: str


@dataclass(frozen=True)
class Lexicon:
    """A language's triggers and attribution cues."""

    rules: tuple[_Rule, ...]
    negation: frozenset[str]
    speculation: frozenset[str]
    not_party: frozenset[str]
    other_entity: frozenset[str]
    anaphora: frozenset[str]
    gap_stop: frozenset[str]
    executive_titles: frozenset[str]


@cache
def lexicon(lang: str) -> Lexicon:
    package = resources.files("bot.resources")
    triggers = yaml.safe_load(package.joinpath(f"triggers_{lang}.yaml").read_text("utf-8"))
    cues = yaml.safe_load(package.joinpath("attribution.yaml").read_text("utf-8"))[lang]
    rules = tuple(
        _parse_rule(t, pattern) for t, patterns in triggers.items() for pattern in patterns
    )
    return Lexicon(
        rules, *(frozenset(cues[k]) for k in Lexicon.__dataclass_fields__ if k != "rules")
    )


def _parse_rule(event_type: str, pattern: str) -> _Rule:
    slots: list[_Slot] = []
    gap = 0
    for part in pattern.split():
        if part.startswith(".."):
            gap = int(part[2:])
            continue
        negated = part.startswith("!")
        alternatives = part.lower().lstrip("!").split("|")
        words = frozenset(a for a in alternatives if not a.endswith("*"))
        prefixes = tuple(a[:-1] for a in alternatives if a.endswith("*"))
        slots.append(_Slot(words, prefixes, gap, negated))
        gap = 0
    return _Rule(event_type, tuple(slots))


def find_triggers(sentence: Sentence, lex: Lexicon) -> list[_Trigger]:
    """The first match of each rule, at most one trigger per event type."""
    found: dict[str, _Trigger] = {}
    tokens = sentence.tokens
    for rule in lex.rules:
        if rule.type in found:
            continue
        for i, token in enumerate(tokens):
            if rule.slots[0].matches(token):
                end = _complete(rule.slots[1:], tokens, i, lex.gap_stop)
                if end is not None:
                    words = " ".join(t.text for t in tokens[i : end + 1])
                    found[rule.type] = _Trigger(rule.type, i, end, words)
                    break
    return list(found.values())


def _complete(
    slots: Sequence[_Slot], tokens: Sequence[Token], at: int, stop: frozenset[str]
) -> int | None:
    """Match the remaining slots; a gap never crosses a clause or an agent ("by the CEO")."""
    for slot in slots:
        if slot.negated:
            if at + 1 < len(tokens) and slot.matches(tokens[at + 1]):
                return None
            continue
        for j in range(at + 1, min(len(tokens), at + 2 + slot.gap)):
            if slot.matches(tokens[j]):
                at = j
                break
            if tokens[j].is_break or tokens[j].lower in stop:
                return None
        else:
            return None
    return at


@dataclass
class _Focus:
    """The company the article is talking about at this point ("the company", "il")."""

    ticker: str | None = None


def extract_events(
    sentences: Iterable[Sentence],
    mentions: Sequence[Mention],
    lang: str,
    published_year: int | None,
) -> list[Event]:
    """All (ticker, type) events with their best evidence; pure."""
    lex = lexicon(lang)
    best: dict[tuple[str, str], Event] = {}
    focus = _Focus()
    for sentence in sentences:
        inside = _mentions_in(sentence, mentions)
        for trigger in find_triggers(sentence, lex):
            for event in _attribute(sentence, trigger, inside, lex, focus, published_year):
                key = (event.ticker, event.type)
                if key not in best or event.confidence > best[key].confidence:
                    best[key] = event
        _update_focus(
            sentence,
            [(i, m) for i, m in inside if not _not_a_party(sentence.tokens, i, lex)],
            lex,
            focus,
        )
    return sorted(best.values(), key=lambda e: (e.ticker, e.type))


def _mentions_in(sentence: Sentence, mentions: Sequence[Mention]) -> list[tuple[int, Mention]]:
    """Mentions as (token index, mention), one per company occurrence."""
    out: list[tuple[int, Mention]] = []
    tokens = sentence.tokens
    for mention in mentions:
        for i, token in enumerate(tokens):
            if (
                token.start <= mention.start < token.end
                or mention.start <= token.start < mention.end
            ):
                # "Alphabet Inc. (NASDAQ:GOOGL)" is one occurrence, not two.
                if not (out and out[-1][1].ticker == mention.ticker and i - out[-1][0] <= 4):
                    out.append((i, mention))
                break
    return out


def _attribute(
    sentence: Sentence,
    trigger: _Trigger,
    mentions: list[tuple[int, Mention]],
    lex: Lexicon,
    focus: _Focus,
    published_year: int | None,
) -> list[Event]:
    tokens = sentence.tokens
    if trigger.type in EXECUTIVE and not any(
        t.lower in lex.executive_titles or t.lemma in lex.executive_titles for t in tokens
    ):
        return []
    if _cue_before(tokens, trigger.first, lex.negation, window=8):
        return []
    if _background(tokens, trigger, published_year):
        return []
    confidence = 0.5 if _cue_before(tokens, trigger.first, lex.speculation, window=3) else 1.0
    if sentence.is_title:
        confidence -= 0.05  # a body sentence makes better evidence than the headline
    parties = [(i, m) for i, m in mentions if not _not_a_party(tokens, i, lex)]
    chosen: list[tuple[Mention | None, str, float]] = []
    if trigger.type in RELATIONAL and parties:
        for i, mention in parties:
            where = _where(tokens, i, trigger)
            chosen.append((mention, f"a party to it ({where})", _weight(tokens, i, trigger)))
    else:
        actor = _actor(tokens, trigger, parties, lex)
        if actor is not None:
            i, mention = actor
            where = _where(tokens, i, trigger)
            chosen.append(
                (mention, f"the company that acts ({where})", _weight(tokens, i, trigger))
            )
        elif focus.ticker and _anaphor_before(tokens, trigger, lex, parties):
            chosen.append((None, "the company the article follows, referred back to", 0.7))
    events: dict[str, Event] = {}
    for party, reason, weight in chosen:
        ticker = party.ticker if party else focus.ticker
        assert ticker is not None
        named = f"'{party.text}' ({party.how})" if party else f"{ticker} (in focus)"
        why = f"trigger '{trigger.words}' → {trigger.type}; {named} is {reason}"
        event = Event(
            ticker, trigger.type, sentence.text, round(weight * confidence, 2), trigger.words, why
        )
        if ticker not in events or event.confidence > events[ticker].confidence:
            events[ticker] = event
    return list(events.values())


def _where(tokens: Sequence[Token], index: int, trigger: _Trigger) -> str:
    distance = trigger.first - index if index < trigger.first else index - trigger.last
    side = "before" if index < trigger.first else "after"
    clause = "same clause" if _same_clause(tokens, index, trigger) else "another clause"
    return f"{distance} words {side} the trigger, {clause}"


def _same_clause(tokens: Sequence[Token], index: int, trigger: _Trigger) -> bool:
    lo, hi = (index, trigger.first) if index < trigger.first else (trigger.last, index)
    return not any(t.is_break for t in tokens[lo + 1 : hi])


def _weight(tokens: Sequence[Token], index: int, trigger: _Trigger) -> float:
    return 0.9 if _same_clause(tokens, index, trigger) else 0.75


def _actor(
    tokens: Sequence[Token],
    trigger: _Trigger,
    parties: list[tuple[int, Mention]],
    lex: Lexicon,
) -> tuple[int, Mention] | None:
    """The nearest company before the trigger, else after it, unless another company
    (a "startup", a "rival") stands between them."""
    by_index = dict(parties)
    for i in range(trigger.first - 1, -1, -1):
        if i in by_index:
            return i, by_index[i]
        if _other_entity(tokens[i], lex):
            break
    for i in range(trigger.last + 1, len(tokens)):
        if i in by_index:
            return i, by_index[i]
        if _other_entity(tokens[i], lex) or tokens[i].text in {";", ":"}:
            break
    return None


def _anaphor_before(
    tokens: Sequence[Token], trigger: _Trigger, lex: Lexicon, parties: list[tuple[int, Mention]]
) -> bool:
    if parties:
        return False
    for token in reversed(tokens[: trigger.first]):
        if _other_entity(token, lex):
            return False
        if token.lower in lex.anaphora:
            return True
    return False


def _other_entity(token: Token, lex: Lexicon) -> bool:
    return token.lower in lex.other_entity or token.lemma in lex.other_entity


def _not_a_party(tokens: Sequence[Token], index: int, lex: Lexicon) -> bool:
    """A company named as a comparison, a former employer or in a rivals list."""
    for j in range(index - 1, max(-1, index - 7), -1):
        token = tokens[j]
        if token.lower in lex.not_party or token.lemma in lex.not_party:
            return True
        if token.text in {".", ";", ":"}:
            return False
        # "rivals, including X": a comma may only be crossed into a list that it opens.
        if token.text == "," and tokens[j + 1].lower not in lex.not_party | {"and", "et"}:
            return False
    return False


def _cue_before(tokens: Sequence[Token], index: int, cues: frozenset[str], window: int) -> bool:
    for token in reversed(tokens[max(0, index - window) : index]):
        if token.is_break:
            return False
        if token.lower in cues or token.lemma in cues:
            return True
    return False


def _background(tokens: Sequence[Token], trigger: _Trigger, published_year: int | None) -> bool:
    """A past event told as background: a year two or more before publication in its clause."""
    if published_year is None:
        return False
    lo, hi = trigger.first, trigger.last
    while lo > 0 and not tokens[lo - 1].is_break:
        lo -= 1
    while hi < len(tokens) - 1 and not tokens[hi + 1].is_break:
        hi += 1
    return any(
        _YEAR.match(t.text) and int(t.text) <= published_year - 2 for t in tokens[lo : hi + 1]
    )


def _update_focus(
    sentence: Sentence, mentions: list[tuple[int, Mention]], lex: Lexicon, focus: _Focus
) -> None:
    """The last company named in the sentence is the one "the company" refers to next."""
    last_mention = mentions[-1][0] if mentions else -1
    last_other = max(
        (i for i, t in enumerate(sentence.tokens) if _other_entity(t, lex)), default=-1
    )
    if last_other > last_mention:
        focus.ticker = None
    elif last_mention >= 0:
        focus.ticker = mentions[-1][1].ticker
