"""Attribute triggered events to the tracked companies they concern (the spec's rules).

Relational events (deals, lawsuits, regulators, executive moves) belong to every company
that is a party in the sentence; other events to the company that acts — the nearest one
not separated from the trigger by another company ("the startup"). A sentence naming no
tracked company can report about the company the article follows ("the company", "il"),
which is the subject of the latest sentence that named one. Denied, speculative and
background events are not reported; a broker is not the company it rates.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.models import Event, Mention
from bot.triggers import Token, Trigger, TriggerSet, find_triggers, trigger_set

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
_YEAR = re.compile(r"^(19|20)\d\d$")
_FORWARD_WINDOW = 6  # an actor after its trigger is close to it: "layoffs at Meta"
_REACH = 25  # beyond this many words a company is not a party to a trigger
_CONFIDENT = 0.6  # a party weighed below this leaves room for "the company" to take over
_STRONG_BREAKS = frozenset({";", ":"})
_LIST_OPENERS = frozenset(
    {"and", "et", "including", "such", "like", "dont", "notamment", "comme", "tels", "telles"}
)
# A company right after these is an object ("a deal with Meta"), never the actor.
_AGENT_MARKERS = frozenset({"by", "from", "at", "par", "de", "d'", "d’", "chez"})
_OBJECT_MARKERS = frozenset({"with", "to", "from", "against", "avec", "auprès", "contre", "à"})
_DASHES = frozenset({"—", "–", "-"})
_COMPARATIVE = frozenset(
    {"from", "than", "with", "over", "versus", "vs", "to", "à", "sur", "qu'", "qu’"}
)
_MONTHS = {
    name: number
    for names in (
        "january february march april may june july august september october november december",
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    )
    for number, name in enumerate(names.split(), start=1)
}
_FUTURE = frozenset({"will", "plans", "expects", "prévoit", "va", "sera", "devrait", "d'ici"})
_DEAL_NOUNS = frozenset(
    {
        "acquisition",
        "takeover",
        "merger",
        "purchase",
        "ipo",
        "offering",
        "spin-off",
        "rachat",
        "fusion",
        "cession",
        "introduction",
        "scission",
    }
)
_TIME_LINKS = frozenset({"when", "where", "lorsque", "quand", "où"})
_WHO = frozenset({"which", "who", "qui"})
_RELATIVE = frozenset({"which", "who", "whose", "qui", "dont", "lequel", "laquelle"})
_FIGURES = frozenset(
    {
        "résultat",
        "chiffre",
        "bénéfice",
        "ventes",
        "perte",
        "marge",
        "dividende",
        "acompte",
        "bpa",
        "revenue",
        "revenues",
        "sales",
        "profit",
        "earnings",
        "income",
        "loss",
        "margin",
        "eps",
        "dividend",
        "payout",
        "buyback",
        "rachat",
        "rachats",
    }
)
_OWN_FIGURES = frozenset({"earnings", "guidance", "dividend", "buyback"})
_THE_STOCK = frozenset({"stock", "shares", "titre", "valeur", "action"})
_TOWARD = frozenset({"to", "for", "joins", "joining", "chez", "vers", "rejoindre", "rejoint"})
_ACTIVE_RATING_VERBS = frozenset(
    {"upgraded", "downgraded", "upgrades", "downgrades", "relève", "abaisse", "dégrade"}
)
_NOTE_NOUNS = frozenset(
    {"relèvement", "abaissement", "dégradation", "rehaussement", "initiation", "révision"}
)
_POSSESSIVES = frozenset({"its", "their", "sa", "son", "ses", "leur", "leurs"})
_ISSUING_VERBS = frozenset(
    {
        "initiate",
        "start",
        "resume",
        "reiterate",
        "initier",
        "débuter",
        "démarrer",
        "entamer",
        "réitérer",
    }
)
# "relève sa recommandation sur la banque": the note's subject follows
_SUBJECT_OF_NOTE = frozenset({"on", "sur", "of", "for", "de", "du", "d'", "d’", "pour"})
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "its",
        "le",
        "la",
        "les",
        "l'",
        "l’",
        "un",
        "une",
        "des",
        "ce",
        "cette",
        "ces",
        "sa",
        "son",
        "ses",
    ]
)


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[Token, ...]
    text: str
    is_title: bool = False


@dataclass(frozen=True)
class Phrases:
    """Multi-word cues, indexed by their first word."""

    by_first: dict[str, tuple[tuple[str, ...], ...]]

    @classmethod
    def of(cls, phrases: Iterable[list[str]]) -> Phrases:
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            index.setdefault(phrase[0], []).append(tuple(phrase[1:]))
        return cls({first: tuple(rests) for first, rests in index.items()})

    def find(self, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        """(start, end) of each occurrence, matched on words or lemmas."""
        found = []
        for i, token in enumerate(tokens):
            rests = self.by_first.get(token.lower) or self.by_first.get(token.lemma) or ()
            for rest in rests:
                following = tokens[i + 1 : i + 1 + len(rest)]
                if len(following) == len(rest) and all(
                    w in (t.lower, t.lemma) for w, t in zip(rest, following, strict=True)
                ):
                    found.append((i, i + 1 + len(rest)))
        return found


@dataclass(frozen=True)
class Cues:
    """A language's attribution cues (`resources/attribution.yaml`)."""

    negation: frozenset[str]
    denial: frozenset[str]
    speculation: frozenset[str]
    background: frozenset[str]
    not_party: frozenset[str]
    other_entity: frozenset[str]
    anaphora: frozenset[str]
    gap_stop: frozenset[str]
    executive_titles: frozenset[str]
    broker: frozenset[str]
    fiscal: frozenset[str]
    # multi-word cues ("declined to comment", "ces dernières années"), by cue name
    phrases: dict[str, Phrases]


@cache
def cues(lang: str) -> Cues:
    text = resources.files("bot.resources").joinpath("attribution.yaml").read_text("utf-8")
    data = yaml.safe_load(text)[lang]
    fields = [k for k in Cues.__dataclass_fields__ if k != "phrases"]
    entries = {k: [str(w).lower() for w in data[k]] for k in fields}
    words: dict[str, Any] = {k: frozenset(w for w in entries[k] if " " not in w) for k in fields}
    phrases = {k: Phrases.of(w.split() for w in entries[k] if " " in w) for k in fields}
    return Cues(**words, phrases=phrases)


@dataclass
class _Focus:
    """The company the article is talking about at this point."""

    ticker: str | None = None
    headline: str | None = None  # the company the headline opens with
    opened: bool = False  # the text has named a company
    foreign: bool = False  # an untracked company was the subject before any tracked one


def extract_events(
    sentences: Iterable[Sentence],
    mentions: Sequence[Mention],
    lang: str,
    published: date | None,
    common_words: frozenset[str],
) -> list[Event]:
    """All (ticker, type) events with their best evidence; pure."""
    cue = cues(lang)
    triggers: TriggerSet = trigger_set(lang, cue.gap_stop)
    best: dict[tuple[str, str], Event] = {}
    denied_in_title: set[tuple[str, str]] = set()
    focus = _Focus()
    for sentence in sentences:
        inside = _mentions_in(sentence, mentions)
        parties = [(i, m) for i, m in inside if not _not_a_party(sentence.tokens, i, cue)]
        found = find_triggers(sentence.tokens, triggers)
        if sentence.is_title and parties and parties[0][0] == 0:
            focus.headline = parties[0][1].ticker
        elif sentence.is_title and sentence.tokens:
            # "Safran relève ses objectifs": the article is about an untracked company
            opening = sentence.tokens[0]
            focus.foreign = opening.text[:1].isupper() and opening.lower not in _DETERMINERS
        elif not focus.opened and parties and not sentence.is_title:
            # a headline naming no company ("Le numéro un des cosmétiques rassure"): the
            # article's company is the first subject its text names
            i, first = parties[0]
            if (i == 0 or sentence.tokens[i - 1].text == ",") and not focus.foreign:
                focus.headline = focus.headline or first.ticker
        focus.opened = focus.opened or (bool(parties) and not sentence.is_title)
        if sentence.is_title:
            # "Pfizer says it is not in talks for Cardiff Bio": the body's report of the
            # talks is what the headline denies
            denied_in_title |= {
                (m.ticker, t.type)
                for t in found
                if _denied(sentence.tokens, t, cue)
                for _, m in parties
            }
        if any(t.type == "analyst_rating" for t in found):
            # a broker's note speaks of price targets and its own forecasts, not guidance
            found = [t for t in found if t.type != "guidance"]
        for trigger in found:
            for event in _attribute(sentence, trigger, found, parties, cue, focus, published):
                key = (event.ticker, event.type)
                if key not in best or event.confidence > best[key].confidence:
                    best[key] = event
        _update_focus(sentence, parties, cue, focus, common_words)
    kept = [e for key, e in best.items() if key not in denied_in_title]
    return sorted(kept, key=lambda e: (e.ticker, e.type))


def _mentions_in(sentence: Sentence, mentions: Sequence[Mention]) -> list[tuple[int, Mention]]:
    """Mentions as (token index, mention), one per company occurrence."""
    out: list[tuple[int, Mention]] = []
    for mention in mentions:
        for i, token in enumerate(sentence.tokens):
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
    trigger: Trigger,
    others: Sequence[Trigger],
    parties: list[tuple[int, Mention]],
    cue: Cues,
    focus: _Focus,
    published: date | None,
) -> list[Event]:
    tokens = sentence.tokens
    if trigger.type in EXECUTIVE and not any(_is(t, cue.executive_titles) for t in tokens):
        return []
    if _denied(tokens, trigger, cue) or _background(tokens, trigger, cue, published):
        return []
    confidence = 1.0
    if _speculative(tokens, trigger, cue):
        confidence = 0.5
    if sentence.is_title:
        confidence -= 0.05  # a body sentence makes better evidence than the headline
    chosen: list[tuple[Mention | None, str, float]] = []
    joined: list[tuple[Mention, str]] = []  # "leaves for Microsoft": Microsoft hires
    extra: list[Event] = []
    if trigger.type == "analyst_rating":
        rated = _rated(tokens, trigger, parties, cue)
        if rated is not None:
            i, mention = rated
            where = _where(tokens, i, trigger)
            chosen.append((mention, f"the company rated ({where})", 0.9))
    elif trigger.type in RELATIONAL and parties:
        # "Boeing décroche le feu vert, Agilent met la main sur Quantilab": when a party
        # shares the trigger's clause, the other clauses tell other stories
        own = any(_same_clause(tokens, i, trigger) for i, _ in parties)
        for i, mention in parties:
            elsewhere = own and any(
                o is not trigger
                and _same_clause(tokens, i, o)
                and not _same_clause(tokens, i, trigger)
                for o in others
            )
            if abs(i - trigger.first) > _REACH or elsewhere:
                continue
            where = _where(tokens, i, trigger)
            if trigger.type == "executive_departure" and i > 0 and tokens[i - 1].lower in _TOWARD:
                joined.append((mention, f"the executive's destination ({where})"))
                continue
            chosen.append((mention, f"a party to it ({where})", _weight(tokens, i, trigger)))
    else:
        actor = _actor(tokens, trigger, parties, cue)
        if actor is not None and trigger.type == "guidance" and _is_broker(tokens, actor[0], cue):
            actor = None  # "BNP Paribas Exane relève son objectif": a price target
        if actor is not None:
            i, mention = actor
            where = _where(tokens, i, trigger)
            chosen.append(
                (mention, f"the company that acts ({where})", _weight(tokens, i, trigger))
            )
    # a note naming companies but rating none of them, or issued by "the bank" itself
    rated_elsewhere = trigger.type == "analyst_rating" and (
        bool(parties) or _issued(tokens, trigger)
    )
    if rated_elsewhere and not chosen and focus.ticker and _rates_described(tokens, trigger, cue):
        # "BNP Paribas Exane upgraded the planemaker": the article's company, described
        chosen.append((None, "the company the article follows, described after the trigger", 0.75))
    if max((w for _, _, w in chosen), default=0.0) < _CONFIDENT and not rated_elsewhere:
        # "…; the group lifts its dividend", "the company said it would cut jobs": the
        # subject refers back to the company named last in the sentence, else in focus.
        anaphor = _anaphor_before(tokens, trigger, cue)
        if anaphor is not None:
            before = [(i, m) for i, m in parties if i < anaphor]
            if before:
                i, mention = before[-1]
                chosen.append((mention, f"referred back to by '{tokens[anaphor].text}'", 0.8))
            elif focus.ticker:
                chosen.append((None, "the company the article follows, referred back to", 0.7))
        elif (
            trigger.type in _OWN_FIGURES
            and focus.ticker
            and focus.ticker == focus.headline
            and not parties
            and _figure_subject(tokens)
            and not any(_is(t, cue.other_entity) for t in tokens)
            and not any(t.text[:1].isupper() and t.lower not in _DETERMINERS for t in tokens)
        ):
            # "Le résultat net ajusté ressort à 4 milliards": a company's own figures
            # need no subject; they are the article's company's
            chosen.append((None, "the company the article follows (its own figures)", 0.65))
    events: dict[str, Event] = {}
    for mention, reason in joined:
        why = f"trigger '{trigger.words}' → executive_departure; '{mention.text}' is {reason}"
        score = round(0.75 * confidence, 2)
        event = Event(
            mention.ticker, "executive_appointment", sentence.text, score, trigger.words, why
        )
        if mention.ticker not in {m.ticker for m, _, _ in chosen if m}:
            extra.append(event)
    for party, reason, weight in chosen:
        ticker = party.ticker if party else focus.ticker
        assert ticker is not None
        named = f"'{party.text}' ({party.how})" if party else f"{ticker} (in focus)"
        why = f"trigger '{trigger.words}' → {trigger.type}; {named} is {reason}"
        score = round(weight * confidence, 2)
        event = Event(ticker, trigger.type, sentence.text, score, trigger.words, why)
        if ticker not in events or event.confidence > events[ticker].confidence:
            events[ticker] = event
    return [*events.values(), *extra]


def _is(token: Token, words: frozenset[str]) -> bool:
    return token.lower in words or token.lemma in words


def _where(tokens: Sequence[Token], index: int, trigger: Trigger) -> str:
    distance = trigger.first - index if index < trigger.first else index - trigger.last
    side = "before" if index < trigger.first else "after"
    clause = "same clause" if _same_clause(tokens, index, trigger) else "another clause"
    return f"{distance} words {side} the trigger, {clause}"


def _same_clause(tokens: Sequence[Token], index: int, trigger: Trigger) -> bool:
    lo, hi = (index, trigger.first) if index < trigger.first else (trigger.last, index)
    return not any(t.is_break for t in tokens[lo + 1 : hi])


def _weight(tokens: Sequence[Token], index: int, trigger: Trigger) -> float:
    """Same clause 0.9; another clause 0.75; across ":" or ";", below the threshold —
    except a headline's topic: "Orange : acompte sur dividende relevé"."""
    lo, hi = (index, trigger.first) if index < trigger.first else (trigger.last, index)
    between = tokens[lo + 1 : hi]
    if index <= 1 and len(between) > 0 and between[0].text == ":":
        return 0.9
    if any(t.text in _STRONG_BREAKS and t.is_break for t in between):
        return 0.5
    return 0.75 if any(t.is_break for t in between) else 0.9


def _actor(
    tokens: Sequence[Token], trigger: Trigger, parties: list[tuple[int, Mention]], cue: Cues
) -> tuple[int, Mention] | None:
    """The nearest company before the trigger, else just after it, unless another company
    (a "startup", a "rival") stands between them."""
    by_index = dict(parties)
    for i in range(trigger.first - 1, max(-1, trigger.first - 1 - _REACH), -1):
        if (
            i in by_index
            and not (i > 0 and tokens[i - 1].lower in _OBJECT_MARKERS)
            and not _in_aside(tokens, i, trigger)
        ):
            return i, by_index[i]
        if _blocks(tokens, i, by_index, cue):
            break
    for i in range(trigger.last + 1, min(len(tokens), trigger.last + 1 + _FORWARD_WINDOW)):
        if i in by_index:
            return i, by_index[i]
        if _blocks(tokens, i, by_index, cue) or tokens[i].is_break:
            break  # "X entre en Bourse, Nvidia allège sa participation"
    return None


def _rated(
    tokens: Sequence[Token], trigger: Trigger, parties: list[tuple[int, Mention]], cue: Cues
) -> tuple[int, Mention] | None:
    """A rating belongs to the company rated ("downgraded Netflix"), not to the broker."""
    broker = _acting_broker(tokens, trigger, parties)
    noun = tokens[trigger.first].lemma in _NOTE_NOUNS  # "un relèvement de JPMorgan"
    after = [
        (i, m)
        for i, m in parties
        if i > trigger.first
        and (broker is not None or _same_clause(tokens, i, trigger))
        and not any(t.lower in cue.gap_stop for t in tokens[max(0, i - 2) : i])
        and not (noun and tokens[i - 1].lower in _AGENT_MARKERS)
        and tokens[i - 1].lower not in {"at", "chez"}  # "upgraded to overweight at JPMorgan"
        and not (i + 2 < len(tokens) and tokens[i + 1].text == "," and tokens[i + 2].lower in _WHO)
    ]
    if after:
        return after[0]
    colon = next((j for j, t in enumerate(tokens[:6]) if t.text == ":"), None)
    topic = parties[0] if parties else None
    if topic and colon is not None and topic[0] < colon < trigger.first and topic[0] != broker:
        return topic  # "Airbus : JPMorgan passe à surpondérer"
    if broker is not None:
        # "LVMH recule, JPMorgan abaisse sa recommandation": the rated company came first —
        # unless the note names its subject after the trigger ("sur la banque").
        if trigger.last + 1 < len(tokens) and tokens[trigger.last + 1].lower in _SUBJECT_OF_NOTE:
            return None
        issuer = dict(parties)[broker].ticker
        before = [(i, m) for i, m in parties if i < broker and m.ticker != issuer]
        return before[-1] if before else None
    # "JPMorgan analysts", "une dégradation de JPMorgan": the broker, not the rated company.
    brokers = {
        i
        for i, _ in parties
        if _is_broker(tokens, i, cue) or (i > 0 and tokens[i - 1].lower in _AGENT_MARKERS)
    }
    return _actor(tokens, trigger, [(i, m) for i, m in parties if i not in brokers], cue)


def _is_broker(tokens: Sequence[Token], index: int, cue: Cues) -> bool:
    """A company named with its research arm: "JPMorgan analysts", "BNP Paribas Exane"."""
    return any(_is(t, cue.broker) for t in tokens[index + 1 : index + 3])


def _acting_broker(
    tokens: Sequence[Token], trigger: Trigger, parties: list[tuple[int, Mention]]
) -> int | None:
    """The company just before a rating it issues: "JPMorgan raised its price target",
    "JPMorgan initie le suivi"."""
    if not _issued(tokens, trigger):
        return None
    for i, _ in reversed(parties):
        if trigger.first - 4 <= i < trigger.first and _same_clause(tokens, i, trigger):
            return i
        # "une initiation de couverture de JPMorgan, qui démarre le suivi"
        if i + 2 < trigger.first and tokens[i + 1].text == "," and tokens[i + 2].lower in _WHO:
            return i
    return None


def _figure_subject(tokens: Sequence[Token]) -> bool:
    """The sentence's subject is a figure: "Le résultat net ressort…", "Revenue rose…"."""
    for token in tokens[:3]:
        if token.lower in _DETERMINERS or token.lower in {"ce", "cette", "net", "total"}:
            continue
        return token.lemma in _FIGURES or token.lower in _FIGURES
    return False


def _in_aside(tokens: Sequence[Token], index: int, trigger: Trigger) -> bool:
    """Inside a relative clause set off by commas before the trigger: "Foxconn, which
    assembles iPhones for Apple, reported…" (Apple only describes Foxconn)."""
    if index >= trigger.first:
        return False
    opened = False
    for j in range(index - 1, -1, -1):
        if tokens[j].is_break:
            opened = tokens[j].text == "," and j + 1 < index and tokens[j + 1].lower in _RELATIVE
            break
    if not opened:
        return False
    return any(t.text == "," for t in tokens[index + 1 : trigger.first])


def _rates_described(tokens: Sequence[Token], trigger: Trigger, cue: Cues) -> bool:
    """An issued rating whose object is a description: "upgraded the planemaker"."""
    after = tokens[trigger.first + 1 : trigger.first + 4]
    return (
        _issued(tokens, trigger)
        and len(after) >= 2
        and after[0].lower in _DETERMINERS
        and any(t.lower in cue.anaphora or t.lower in _THE_STOCK for t in after[1:])
    )


def _issued(tokens: Sequence[Token], trigger: Trigger) -> bool:
    """Whether the trigger's subject issues the rating: its own opinion ("its", "sa"), its
    own coverage ("initiates"), or an active verb with an object ("upgraded AMD")."""
    first = tokens[trigger.first]
    words = tokens[max(0, trigger.first - 1) : trigger.last + 2]  # "raised its price target"
    following = tokens[trigger.first + 1] if trigger.first + 1 < len(tokens) else None
    if first.lemma == "passer" or first.lower in {"passe", "passent", "passé"}:
        # "JPMorgan passe à surpondérer", but "Orange passe à l'achat chez Jefferies"
        return not any(
            t.lower in {"chez", "par"} for t in tokens[trigger.first : trigger.first + 9]
        )
    return (
        first.lemma in _ISSUING_VERBS
        or any(t.lower in _POSSESSIVES for t in words)
        or (
            first.lower in _ACTIVE_RATING_VERBS
            and following is not None
            and (following.text[:1].isupper() or following.lower in _DETERMINERS)
        )
    )


def _blocks(tokens: Sequence[Token], index: int, parties: dict[int, Mention], cue: Cues) -> bool:
    """Another company named by a noun blocks attribution — unless it is the tracked
    company's own unit ("Ford's German unit", "la filiale polonaise de Carrefour")."""
    if not _is(tokens[index], cue.other_entity):
        return False
    owner_before = any(
        j in parties and tokens[j + 1].lower in {"'s", "’s"} for j in range(index - 3, index)
    )
    owner_after = any(
        j in parties and tokens[j - 1].lower in {"of", "de", "du", "d'", "d’"}
        for j in range(index + 1, min(len(tokens), index + 4))
    )
    return not (owner_before or owner_after)


def _anaphor_before(tokens: Sequence[Token], trigger: Trigger, cue: Cues) -> int | None:
    """The index of "the company"/"il"/"the board" acting for the trigger, if any."""
    for i in range(trigger.first - 1, -1, -1):
        if _is(tokens[i], cue.other_entity):
            return None
        if tokens[i].lower in cue.anaphora:
            # "The startup is the third company to cut staff": the subject is another company
            subject = tokens[: min(i, 3)]
            return None if any(_is(t, cue.other_entity) for t in subject) else i
    return None


def _not_a_party(tokens: Sequence[Token], index: int, cue: Cues) -> bool:
    """A company named as a comparison, a former employer or in a rivals list."""
    after = tokens[index + 1 : index + 5]
    if after and after[0].lower in {"'s", "’s"} and any(_is(t, cue.not_party) for t in after):
        return True  # "Kering, LVMH's closest rival, agreed to sell…"
    if any(t.lower in {"among", "parmi"} for t in after[:3]):
        return True  # "rivals, Amazon and Google among them"
    for j in range(index - 1, max(-1, index - 7), -1):
        token = tokens[j]
        if _is(token, cue.not_party):
            return True
        if token.text in {".", ";", ":"}:
            return False
        # "rivals, including X": a comma may only be crossed into a list that it opens.
        if token.text == "," and tokens[j + 1].lower not in _LIST_OPENERS:
            return False
    return False


def _denied(tokens: Sequence[Token], trigger: Trigger, cue: Cues) -> bool:
    """A denial anywhere before the trigger, or a negation close to it in its clause."""
    if any(_is(t, cue.denial) for t in tokens[: trigger.first]):
        return True
    if cue.phrases["denial"].find(tokens):  # "declined to comment on the layoffs"
        return True
    if any(_is(t, cue.negation) for t in tokens[trigger.first + 1 : trigger.last]):
        return True  # "spun nothing off"
    return _cue_before(tokens, trigger.first, cue.negation, window=8)


def _speculative(tokens: Sequence[Token], trigger: Trigger, cue: Cues) -> bool:
    """A question, a modal or an "if" before the trigger ("investors floated the idea that
    Boeing might consider selling ..., or its stake in ULA")."""
    asked = bool(tokens) and tokens[-1].text == "?"
    before = tokens[: trigger.first]
    return (
        asked
        or any(_is(t, cue.speculation) for t in before)
        or bool(cue.phrases["speculation"].find(tokens))  # "…, selon certains observateurs"
    )


def _cue_before(tokens: Sequence[Token], index: int, words: frozenset[str], window: int) -> bool:
    for token in reversed(tokens[max(0, index - window) : index]):
        if token.is_break:
            return False
        if _is(token, words):
            return True
    return False


def _background(
    tokens: Sequence[Token], trigger: Trigger, cue: Cues, published: date | None
) -> bool:
    """A past event told as background: "years ago", or a year before publication in its
    clause (fiscal years excepted: "fiscal 2025 results" are reported in 2026)."""
    if any(_is(t, cue.background) for t in tokens) or _years_ago(tokens):
        return True
    published_year = published.year if published else None
    for start, end in cue.phrases["background"].find(tokens):
        # "last October", "par le passé" — but "up from last year" is a comparison
        compared = (
            start > 0
            and tokens[start].lower in {"last", "l'", "l’"}
            and tokens[start - 1].lower in _COMPARATIVE
        )
        owned = end < len(tokens) and tokens[end].lower in {"'s", "’s"}
        if not compared and not owned:
            return True
    if published_year is not None and any(
        _YEAR.match(t.text) and int(t.text) < published_year for t in tokens[:6]
    ):
        return not any(_is(t, cue.fiscal) for t in tokens)  # "In October 2024, it raised…"
    if published_year is None:
        return False
    lo, hi = trigger.first, trigger.last
    while lo > 0 and not tokens[lo - 1].is_break:
        lo -= 1
    while hi < len(tokens) - 1 and not tokens[hi + 1].is_break:
        hi += 1
    if lo > 1 and tokens[lo].lower in _TIME_LINKS:
        # "in 2025, when it cut a fifth of its workforce": the year is the clause's own
        lo -= 1
        while lo > 0 and not tokens[lo - 1].is_break:
            lo -= 1
    clause = tokens[lo : hi + 1]
    if tokens[trigger.first].lemma in _DEAL_NOUNS:
        clause = tokens  # "Disney's acquisition of Fox, completed in March 2019"
    if published is not None and _months_before(clause, published.month) >= 2:
        return True  # "cut its outlook in November", read in February
    if any(_is(t, cue.fiscal) for t in clause):
        return False
    return any(_YEAR.match(t.text) and int(t.text) < published_year for t in clause)


def _months_before(clause: Sequence[Token], month: int) -> int:
    """How many months before publication "in November" lies (0 when no month is named or
    it may lie ahead: "will launch in May" is a plan)."""
    if any(t.lower in _FUTURE for t in clause):
        return 0
    for before, token in itertools.pairwise(clause):
        named = _MONTHS.get(token.lower)
        if named and before.lower in {"in", "en", "since", "depuis"}:
            ago = (month - named) % 12
            return ago if ago <= 6 else 0
    return 0


def _years_ago(tokens: Sequence[Token]) -> bool:
    """French "il y a trois ans": the event is years old."""
    words = [t.lower for t in tokens]
    for i in range(len(words) - 3):
        if words[i : i + 3] == ["il", "y", "a"] and {"ans", "années"} & set(words[i + 3 : i + 6]):
            return True
    return False


def _update_focus(
    sentence: Sentence,
    parties: list[tuple[int, Mention]],
    cue: Cues,
    focus: _Focus,
    common_words: frozenset[str],
) -> None:
    """The sentence's subject, when it names a company, is who "the company" is next;
    otherwise the last company it named."""
    tokens = sentence.tokens
    start = next((i + 1 for i, t in enumerate(tokens[:12]) if t.text in _DASHES), 0)
    by_index = dict(parties)
    for i in range(start, min(len(tokens), start + 3)):
        token = tokens[i]
        if i in by_index:
            focus.ticker = by_index[i].ticker
            return
        if _is(token, cue.other_entity) or _unknown_name(token, common_words):
            focus.ticker = None
            focus.foreign = focus.foreign or not focus.opened
            return
        if token.lower not in _DETERMINERS:
            break
    last_party = parties[-1][0] if parties else -1
    last_other = max((i for i, t in enumerate(tokens) if _is(t, cue.other_entity)), default=-1)
    if last_other > last_party:
        focus.ticker = None
    elif last_party >= 0:
        focus.ticker = parties[-1][1].ticker


def _unknown_name(token: Token, common_words: frozenset[str]) -> bool:
    """A capitalised word no dictionary knows: a company or person the watchlist does not."""
    return (
        token.text[:1].isupper()
        and token.text.isalpha()
        and not token.text.isupper()
        and token.lower not in common_words
    )
