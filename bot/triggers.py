"""Trigger patterns per language (`resources/triggers_<lang>.yaml`) and their matching.

A rule is a sequence of slots separated by spaces:
  "a|b"   either word (lower-case form or lemma)   "word*"     a prefix
  "..N"   up to N tokens before the next slot       "#"         a number
  "@"     a tracked company                         "!..N a|b"  not a or b in the next N+1 tokens
  "^"     a capitalised word, not an acronym (a name)
  "=word" that exact form, not its lemma ("=rachat": a deal; "rachats" are buybacks)
A rule starting with "~" is weak: it yields to any other type's trigger in the sentence
("a deal valued at $4.7 billion" is a contract only when no acquisition is told there).
No rule starts on a word inside a proper name ("United Launch Alliance").
A gap never crosses a clause break or an agent word ("hired by the CEO"). The type
`not_an_event` lists phrases that only look like events ("dividend yield", "dépenses
d'investissement"): a trigger inside one is dropped, and so is a trigger inside a
longer trigger of another type ("price target" is a rating, not guidance).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

NOT_AN_EVENT = "not_an_event"
_NOT_AGENT = frozenset({"mesure", "précaution", "ailleurs", "exemple", "conséquent", "far", "then"})


@dataclass(frozen=True)
class Token:
    """What matching and attribution need of a token; offsets are into the analysed text."""

    text: str
    lower: str
    lemma: str
    start: int
    end: int
    is_break: bool = False  # ends a clause (a ticker's own "(NASDAQ:META)" does not)
    like_num: bool = False  # a quantity, not a year ("40 Boeing 787", not "2027")
    is_company: bool = False  # starts a tracked company's mention
    in_name: bool = False  # a capitalised word inside a multi-word name, mid-sentence


@dataclass(frozen=True)
class _Slot:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    gap: int  # tokens allowed between the previous slot and this one
    negated: bool = False
    exact: frozenset[str] = frozenset()  # forms matched on the word only, not the lemma

    def matches(self, token: Token) -> bool:
        if "#" in self.words and token.like_num:
            return True
        if "@" in self.words and token.is_company:
            return True
        if "^" in self.words and token.text[:1].isupper() and not token.text.isupper():
            return True
        return (
            token.lower in self.words
            or token.lower in self.exact
            or token.lemma in self.words
            or any(token.lower.startswith(p) for p in self.prefixes)
        )


@dataclass(frozen=True)
class Rule:
    type: str
    slots: tuple[_Slot, ...]
    weak: bool = False


@dataclass(frozen=True)
class Trigger:
    type: str
    first: int  # token index of the first slot
    last: int
    words: str
    weak: bool = False

    def inside(self, other: Trigger) -> bool:
        return other.first <= self.first and self.last <= other.last and self != other


@dataclass(frozen=True)
class TriggerSet:
    """A language's rules, indexed by the words their first slot accepts."""

    by_word: dict[str, tuple[Rule, ...]]
    by_prefix: tuple[Rule, ...]  # first slot is a prefix, a number or a company
    gap_stop: frozenset[str]

    def candidates(self, token: Token) -> list[Rule]:
        rules = [*self.by_word.get(token.lower, ())]
        if token.lemma != token.lower:
            rules += [r for r in self.by_word.get(token.lemma, ()) if r.slots[0].matches(token)]
        rules += [r for r in self.by_prefix if r.slots[0].matches(token)]
        return rules


@cache
def trigger_set(lang: str, gap_stop: frozenset[str]) -> TriggerSet:
    text = resources.files("bot.resources").joinpath(f"triggers_{lang}.yaml").read_text("utf-8")
    rules = [parse_rule(t, p) for t, patterns in yaml.safe_load(text).items() for p in patterns]
    by_word: dict[str, list[Rule]] = defaultdict(list)
    by_prefix: list[Rule] = []
    for rule in rules:
        first = rule.slots[0]
        if first.prefixes or first.words & {"#", "@", "^"}:
            by_prefix.append(rule)
        for word in first.words | first.exact:
            by_word[word].append(rule)
    return TriggerSet({w: tuple(r) for w, r in by_word.items()}, tuple(by_prefix), gap_stop)


def parse_rule(event_type: str, pattern: str) -> Rule:
    slots: list[_Slot] = []
    gap, negated = 0, False
    weak = pattern.startswith("~")
    for part in pattern.removeprefix("~").split():
        if part.startswith("!.."):
            gap, negated = int(part[3:]), True
            continue
        if part.startswith(".."):
            gap = int(part[2:])
            continue
        if part.startswith("!"):
            part, negated = part[1:], True
        alternatives = part.lower().split("|")
        exact = frozenset(a[1:] for a in alternatives if a.startswith("="))
        words = frozenset(a for a in alternatives if not a.endswith("*") and a[:1] != "=")
        prefixes = tuple(a[:-1] for a in alternatives if a.endswith("*"))
        slots.append(_Slot(words, prefixes, gap, negated, exact))
        gap, negated = 0, False
    if not slots or gap:
        # a trailing gap is a rule cut short, typically by YAML reading " #" as a comment
        raise ValueError(f"{event_type} rule {pattern!r} must end with words")
    return Rule(event_type, tuple(slots), weak)


def find_triggers(tokens: Sequence[Token], triggers: TriggerSet) -> list[Trigger]:
    """The earliest trigger of each type, after dropping those inside a more specific one."""
    found: list[Trigger] = []
    for i, token in enumerate(tokens):
        if token.in_name:
            continue
        for rule in triggers.candidates(token):
            end = _complete(rule.slots[1:], tokens, i, triggers.gap_stop)
            if end is not None:
                words = " ".join(t.text for t in tokens[i : end + 1])
                found.append(Trigger(rule.type, i, end, words, rule.weak))
    kept = [
        t
        for t in found
        if t.type != NOT_AN_EVENT
        and not any(t.inside(o) and o.type != t.type and not o.weak for o in found)
        and not any(o.type == NOT_AN_EVENT and _overlap(t, o) for o in found)
    ]
    strong_types = {t.type for t in kept if not t.weak}
    kept = [t for t in kept if not t.weak or not strong_types - {t.type}]
    first: dict[str, Trigger] = {}
    for trigger in kept:
        first.setdefault(trigger.type, trigger)
    return list(first.values())


def _adverbial(tokens: Sequence[Token], at: int) -> bool:
    """ "par mesure de précaution", "by far": the stop word does not name an agent here."""
    return at + 1 < len(tokens) and tokens[at + 1].lower in _NOT_AGENT


def _overlap(a: Trigger, b: Trigger) -> bool:
    return a.first <= b.last and b.first <= a.last


def _complete(
    slots: Sequence[_Slot], tokens: Sequence[Token], at: int, stop: frozenset[str]
) -> int | None:
    for slot in slots:
        if slot.negated:
            window = tokens[at + 1 : at + 2 + slot.gap]
            if any(slot.matches(t) for t in window):
                return None
            continue
        for j in range(at + 1, min(len(tokens), at + 2 + slot.gap)):
            if slot.matches(tokens[j]):
                at = j
                break
            if tokens[j].is_break or (tokens[j].lower in stop and not _adverbial(tokens, j)):
                return None
        else:
            return None
    return at
