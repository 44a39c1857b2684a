"""Extraction as users see it: the right companies, the right event types, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.extract import Extractor
from bot.models import Article
from bot.triggers import parse_rule

SEED_META_EVENTS = {
    "executive_departure",
    "partnership",
    "investment",
    "hiring_freeze",
    "analyst_rating",
}

ENGLISH_SEED = """\
The partnership between Meta Platforms Inc. (NASDAQ:META) and Scale AI is reportedly showing signs of strain, with a key executive leaving Meta just two months after the deal was formed.
Ruben Mayer, former senior vice president of GenAI product and operations at Scale AI, left Meta after only two months, according to TechCrunch.
Meta's TBD Labs is said to be working with alternative third-party data-labeling vendors, including Scale AI's main rivals Mercor and Surge.
Although Meta invested heavily in Scale AI, researchers at TBD Labs reportedly prefer Surge and Mercor.
Following Meta's $14.3 billion investment in Scale AI, the San Francisco startup laid off 14% of its total workforce, according to the report.
The company's new CEO, Jason Droege, attributed the layoffs to "shifts in market demand."
Meta froze hiring after criticism of its aggressive recruiting tactics, including nine-figure pay packages.
The freeze was put in place after Meta recruited more than 50 researchers and engineers from rivals including OpenAI and Alphabet Inc. (NASDAQ:GOOGL).
Benzinga Edge rankings place Meta in the 81st percentile for quality and the 85th percentile for growth."""


def article(text: str, lang: str, title: str = "Markets today") -> Article:
    return Article(
        url="https://news.example/a",
        title=title,
        text=text,
        published=datetime(2025, 9, 1, 7, 27, tzinfo=UTC),
        lang=lang,
    )


def events_by_ticker(extractor: Extractor, text: str, lang: str) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for event in extractor.extract(article(text, lang)).events:
        result.setdefault(event.ticker, set()).add(event.type)
    return result


def test_english_version_of_the_seed_yields_the_same_events(extractor: Extractor) -> None:
    assert events_by_ticker(extractor, ENGLISH_SEED, "en") == {"META": SEED_META_EVENTS}


def test_every_event_carries_its_evidence_sentence(extractor: Extractor) -> None:
    extraction = extractor.extract(article(ENGLISH_SEED, "en"))
    for event in extraction.events:
        assert event.evidence in ENGLISH_SEED
        assert 0 < event.confidence <= 1


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Meta Platforms denied reports that it plans to cut jobs in its AI unit.", "en"),
        (
            "Meta Platforms n'a pas l'intention de supprimer des postes, a indiqué un porte-parole.",
            "fr",
        ),
    ],
)
def test_a_denied_event_is_not_reported(extractor: Extractor, text: str, lang: str) -> None:
    assert events_by_ticker(extractor, text, lang) == {}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("After Meta Platforms invested in Scale AI, the startup cut 14% of its staff.", "en"),
        (
            "Après l'investissement de Meta Platforms dans Scale AI, la startup a licencié 14 % de son personnel.",
            "fr",
        ),
    ],
)
def test_layoffs_at_an_untracked_startup_are_not_the_investors(
    extractor: Extractor, text: str, lang: str
) -> None:
    assert "layoffs" not in events_by_ticker(extractor, text, lang).get("META", set())
    assert "investment" in events_by_ticker(extractor, text, lang)["META"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Jane Doe, a former Alphabet executive, was appointed chief financial officer of Meta Platforms.",
            "en",
        ),
        (
            "Jane Doe, ancienne dirigeante d'Alphabet, a été nommée directrice financière de Meta Platforms.",
            "fr",
        ),
    ],
)
def test_a_former_employer_gets_nothing(extractor: Extractor, text: str, lang: str) -> None:
    assert events_by_ticker(extractor, text, lang) == {"META": {"executive_appointment"}}


def test_the_company_referred_back_to_gets_the_event(extractor: Extractor) -> None:
    text = (
        "Meta Platforms reported a jump in advertising revenue on Wednesday.\n"
        "The company also said it would cut 5% of its workforce."
    )
    assert events_by_ticker(extractor, text, "en") == {"META": {"earnings", "layoffs"}}


def test_other_languages_are_skipped_with_a_reason(extractor: Extractor) -> None:
    extraction = extractor.extract(
        article("Meta Platforms streicht 5 % der Stellen, teilte der Konzern mit.", "de")
    )
    assert extraction.events == ()
    assert extraction.skipped is not None
    assert "'de'" in extraction.skipped


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("JPMorgan raised its price target on Pernod Ricard to €118.", "en"),
        ("Pernod Ricard bondit, JPMorgan initie le suivi à « surpondérer ».", "fr"),
        ("Dans une note, JPMorgan a relevé sa recommandation sur Société Générale.", "fr"),
    ],
)
def test_a_broker_issuing_a_note_on_an_untracked_company_gets_nothing(
    extractor: Extractor, text: str, lang: str
) -> None:
    assert events_by_ticker(extractor, text, lang) == {}


def test_the_rated_company_named_before_the_broker_gets_the_rating(
    extractor: Extractor,
) -> None:
    text = "Alphabet recule, JPMorgan abaisse sa recommandation à « neutre »."
    assert events_by_ticker(extractor, text, "fr") == {"GOOGL": {"analyst_rating"}}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Alphabet shares outperformed the Nasdaq on Tuesday.", "en"),
        ("Meta Platforms' pill helped overweight adults lose weight, a study found.", "en"),
        ("Analysts expect Alphabet to report quarterly earnings of $2.10 a share.", "en"),
        ("Meta Platforms a publié ses comptes; le rachat d'Instagram date de 2012.", "fr"),
        ("Meta Platforms has made several acquisitions in recent years.", "en"),
        ("Meta Platforms, which declined to comment on the layoffs, rose 2%.", "en"),
        (
            "Some investors floated the idea that Meta Platforms might sell its stake in Scale AI.",
            "en",
        ),
        ("Meta Platforms' satellites were launched by United Launch Alliance.", "en"),
    ],
)
def test_look_alikes_report_no_event(extractor: Extractor, text: str, lang: str) -> None:
    found = events_by_ticker(extractor, text, lang)
    assert found.get("META", set()) - {"earnings"} == set()
    assert "GOOGL" not in found


def test_a_deal_valued_at_a_price_is_the_acquisition_not_a_contract(
    extractor: Extractor,
) -> None:
    text = "Meta Platforms completed its acquisition of Scale AI in a deal valued at $14 billion."
    assert events_by_ticker(extractor, text, "en") == {"META": {"acquisition"}}


def test_a_rule_cut_short_is_refused_at_load() -> None:
    # YAML reads an unquoted " #" as a comment, which once turned "commande ..4 #" into
    # the bare word "commande".
    with pytest.raises(ValueError, match="must end with words"):
        parse_rule("contract", "commande|commandes ..4")
    assert len(parse_rule("contract", "commande|commandes ..4 #").slots) == 2


def test_an_executive_leaving_for_another_company_is_that_companys_hire(
    extractor: Extractor,
) -> None:
    text = "Meta Platforms' chief AI scientist is leaving for Alphabet, the company said."
    assert events_by_ticker(extractor, text, "en") == {
        "META": {"executive_departure"},
        "GOOGL": {"executive_appointment"},
    }


def test_a_headline_listing_two_stories_keeps_each_company_to_its_own(
    extractor: Extractor,
) -> None:
    text = "Meta Platforms décroche le feu vert de Bruxelles, Alphabet met la main sur Wiz."
    assert events_by_ticker(extractor, text, "fr") == {
        "META": {"regulatory"},
        "GOOGL": {"acquisition"},
    }


def test_an_event_months_before_publication_is_background(extractor: Extractor) -> None:
    # the article is dated September 2025
    text = "Meta Platforms cut its revenue outlook in May, when advertisers pulled back."
    assert events_by_ticker(extractor, text, "en") == {}


def test_the_headline_companys_own_figures_need_no_subject(extractor: Extractor) -> None:
    result = extractor.extract(
        article(
            "Le résultat net ajusté du trimestre ressort à 4 milliards de dollars.",
            "fr",
            title="Meta Platforms : des comptes solides",
        )
    )
    assert {(e.ticker, e.type) for e in result.events} == {("META", "earnings")}


def test_plural_buybacks_are_not_a_takeover(extractor: Extractor) -> None:
    text = "Meta Platforms a réduit ses rachats d'actions au troisième trimestre."
    assert events_by_ticker(extractor, text, "fr") == {"META": {"buyback"}}
