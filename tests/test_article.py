"""Reading articles: the seed as HTML and as text, small inline pages, real publisher pages."""

# The local_site fixture is imported below, so test parameters shadow the import.

from __future__ import annotations

import collections
import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.article import read_article
from bot.errors import ParseError
from bot.fetch import Fetcher, decode_body, make_client
from bot.lang import detect_language
from bot.models import Article, Page
from tests.localsite import LocalSite

SEEDS = Path(__file__).parents[1] / "seeds"
CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "fundus"
SEED_PUBLISHED = datetime(2025, 9, 1, 7, 27, tzinfo=UTC)
# Lines of the seed .txt that are the article itself, as a reader would quote them.
SEED_PARAGRAPHS = [
    "Le partenariat entre Meta Platforms Inc. (NASDAQ:META) et Scale AI montrerait apparemment"
    " des signes de tension, un cadre clé quittant Meta seulement deux mois après la formation"
    " du partenariat.",
    "Meta et Scale AI n'ont pas répondu immédiatement à la demande de commentaires de Benzinga.",
    "Ce gel, qui interdit les embauches externes et les transferts internes au sein de la"
    " division IA, a été mis en œuvre après que Meta a recruté plus de 50 chercheurs",
    "Les classements Edge de Benzinga placent Meta dans le 81e centile pour la qualité",
]
# Page furniture: ads, cross-links, widgets, related headlines, navigation, disclaimers.
SEED_FURNITURE = [
    "Get Cash Back",
    "TradeStation",
    "VOIR AUSSI",
    "Everything Blockchain",
    "Jetez un coup d'œil",
    "EN SAVOIR PLUS",
    "Avertissement",
    "Image via",
    "752,30",
    "+1,2 %",
    "Apple",
    "Tesla",
    "rachète une start-up",
    "Les plus lus",
    "Marchés",
    "Se connecter",
    "Namrata Sen",
    "Tous droits réservés",
]
FRENCH_TEXT = (
    "Meta a arrêté les embauches après avoir essuyé des critiques sur ses tactiques de"
    " recrutement agressives, notamment des offres de rémunération à neuf chiffres. Ce gel"
    " interdit les embauches externes et les transferts internes au sein de la division IA."
)


def page(text: str, url: str = "https://news.example.com/a/1", ctype: str = "text/html") -> Page:
    return Page(url, url, 200, ctype, text, datetime.now(UTC))


def html_page(head: str = "", body: str = f"<article><p>{FRENCH_TEXT}</p></article>") -> Page:
    return page(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with make_client() as client:
        yield Fetcher(client)


def read_seed(fetcher: Fetcher, name: str) -> Article:
    return read_article(fetcher.fetch((SEEDS / name).resolve().as_uri()), source="benzinga-fr")


# -- the seed article ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["benzinga-fr-meta-scale-ai.html", "benzinga-fr-meta-scale-ai.txt"]
)
def test_seed_page_read_as_french_with_utc_date(fetcher: Fetcher, name: str) -> None:
    article = read_seed(fetcher, name)

    assert article.lang == "fr"
    assert article.published == SEED_PUBLISHED
    assert article.published.utcoffset() is not None
    assert article.source == "benzinga-fr"
    for paragraph in SEED_PARAGRAPHS:
        assert paragraph in article.text
    for furniture in SEED_FURNITURE:
        assert furniture not in article.text, furniture


def test_seed_html_and_text_read_to_the_same_text(fetcher: Fetcher) -> None:
    html = read_seed(fetcher, "benzinga-fr-meta-scale-ai.html")
    text = read_seed(fetcher, "benzinga-fr-meta-scale-ai.txt")

    assert html.text == text.text
    assert len(html.text.splitlines()) == 9  # one line per kept paragraph


def test_seed_html_title_is_the_headline_without_site_name(fetcher: Fetcher) -> None:
    article = read_seed(fetcher, "benzinga-fr-meta-scale-ai.html")

    assert article.title == (
        "Le partenariat entre Meta et Scale AI montre des signes de tension :"
        " un cadre clé quitte Meta"
    )


def test_seed_text_title_is_its_first_line_at_headline_length(fetcher: Fetcher) -> None:
    article = read_seed(fetcher, "benzinga-fr-meta-scale-ai.txt")

    assert article.title.startswith("Le partenariat entre Meta Platforms Inc. (NASDAQ:META)")
    assert len(article.title) <= 120
    assert article.title.endswith(" …")


def test_seed_served_over_http_keeps_its_canonical_url(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.put("/news/meta.html", (SEEDS / "benzinga-fr-meta-scale-ai.html").read_bytes())
    served = fetcher.fetch(local_site.url("/news/meta.html"))

    article = read_article(served)

    # The canonical link names another site than the one serving the copy.
    assert article.url == local_site.url("/news/meta.html")
    assert article.published == SEED_PUBLISHED


def test_seed_read_from_a_file_keeps_the_file_uri(fetcher: Fetcher) -> None:
    article = read_seed(fetcher, "benzinga-fr-meta-scale-ai.html")

    assert article.url == (SEEDS / "benzinga-fr-meta-scale-ai.html").resolve().as_uri()


# -- small inline pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "head", "expected"),
    [
        ("https://www.benzinga.com/news/1", "<title>Meta gèle les embauches - Benzinga</title>",
         "Meta gèle les embauches"),
        ("https://www.lemonde.fr/a", '<meta property="og:site_name" content="Le Monde">'
         "<title>Meta gèle les embauches | Le Monde</title>", "Meta gèle les embauches"),
        ("https://www.lesechos.fr/a", "<title>Les Echos | Meta gèle les embauches</title>",
         "Meta gèle les embauches"),
        ("https://www.lesechos.fr/a", '<meta property="og:title" content="Meta : la pause - et'
         ' après ?"><title>x</title>', "Meta : la pause - et après ?"),
        ("https://www.wired.com/a", '<script type="application/ld+json">{"@type": "NewsArticle",'
         ' "headline": "Meta&#8217;s freeze"}</script><title>Other</title>',
         "Meta\N{RIGHT SINGLE QUOTATION MARK}s freeze"),
    ],
)  # fmt: skip
def test_title_drops_site_name_but_keeps_the_headline(url: str, head: str, expected: str) -> None:
    html = f"<html><head>{head}</head><body><p>{FRENCH_TEXT}</p></body></html>"

    assert read_article(page(html, url)).title == expected


def test_h1_is_preferred_to_the_document_title() -> None:
    article = read_article(
        html_page("<title>Tech news</title>", f"<h1>Meta pauses hiring</h1><p>{FRENCH_TEXT}</p>")
    )

    assert article.title == "Meta pauses hiring"


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2025-09-01T09:27:00+02:00"}</script>',
        '<meta property="article:published_time" content="2025-09-01T07:27:00Z">',
        '<meta name="date" content="Mon, 01 Sep 2025 03:27:00 -0400">',
        '<meta name="dc.date" content="2025-09-01T07:27:00">',  # no zone: taken as UTC
    ],
)
def test_published_is_read_from_metadata_as_utc(head: str) -> None:
    assert read_article(html_page(head)).published == SEED_PUBLISHED


def test_published_falls_back_to_the_time_element() -> None:
    time = '<time datetime="2025-09-01T03:27-04:00">hier</time>'
    body = f"<article>{time}<p>{FRENCH_TEXT}</p></article>"

    assert read_article(html_page(body=body)).published == SEED_PUBLISHED


def test_page_without_any_date_has_none() -> None:
    assert read_article(html_page()).published is None


def test_declared_language_is_overruled_by_the_text() -> None:
    article = read_article(page(f'<html lang="en"><body><p>{FRENCH_TEXT}</p></body></html>'))

    assert article.lang == "fr"


def test_declared_locale_is_reduced_to_the_language_code() -> None:
    assert read_article(html_page('<meta property="og:locale" content="fr_FR">')).lang == "fr"


def test_canonical_url_is_used_when_on_the_same_site() -> None:
    head = '<link rel="canonical" href="https://www.example.com/2025/meta-freeze">'
    served = page(f"<html><head>{head}</head><body><p>{FRENCH_TEXT}</p></body></html>",
                  "https://amp.example.com/2025/meta-freeze?utm_source=x")  # fmt: skip

    assert read_article(served).url == "https://www.example.com/2025/meta-freeze"


def test_canonical_url_on_another_site_is_ignored() -> None:
    head = '<meta property="og:url" content="https://aggregator.example.org/copy/1">'

    assert read_article(html_page(head)).url == "https://news.example.com/a/1"


def test_boilerplate_lines_inside_the_body_are_dropped() -> None:
    body = (
        f"<article><p>{FRENCH_TEXT}</p><p>READ MORE: Apple unveils a new iPhone</p>"
        "<p>Related: Tesla recalls cars</p><p>Disclaimer: not investment advice.</p>"
        "<p>Photo: Reuters</p><p>Subscribe to our newsletter for more stories.</p>"
        f"<p>À lire aussi : Alphabet rachète une start-up</p><p>{FRENCH_TEXT[:120]}.</p></article>"
    )

    text = read_article(html_page(body=body)).text

    assert text.count("Meta a arrêté les embauches") == 2
    for furniture in ("READ MORE", "Tesla", "Disclaimer", "Photo", "Subscribe", "Alphabet"):
        assert furniture not in text


def test_plain_text_drops_chrome_before_the_byline_and_short_lines() -> None:
    text = (
        "Open an account today\nMarkets Tech Crypto\nBy Jane Doe, Sept. 1, 2025 3:27 AM ET\n"
        "Meta froze hiring in its AI division\nMore\n"
        f"{FRENCH_TEXT}\nSEE ALSO: Apple unveils a thinner iPhone at its event\n"
    )

    article = read_article(page(text, ctype="text/plain"))

    assert article.title == "Meta froze hiring in its AI division"
    assert article.text == FRENCH_TEXT
    assert article.published == SEED_PUBLISHED


def test_plain_text_without_byline_keeps_its_prose_and_has_no_date() -> None:
    article = read_article(page(f"{FRENCH_TEXT}\n\n{FRENCH_TEXT}\n", ctype="text/plain"))

    assert article.text == f"{FRENCH_TEXT}\n{FRENCH_TEXT}"
    assert article.published is None
    assert article.lang == "fr"


@pytest.mark.parametrize(
    "unreadable",
    [
        page(""),
        page("   \n  "),
        page("<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        page("Menu\nHome\n", ctype="text/plain"),
        Page("https://x.example/a", "https://x.example/a", 304, "", "", datetime.now(UTC)),
    ],
)
def test_unreadable_pages_raise_parse_error(unreadable: Page) -> None:
    with pytest.raises(ParseError):
        read_article(unreadable)


# -- language detection ----------------------------------------------------------------


def test_language_detection_trusts_long_text_over_declaration() -> None:
    assert detect_language(FRENCH_TEXT, "en-US") == "fr"
    assert detect_language(FRENCH_TEXT, None) == "fr"


def test_language_declaration_stands_for_short_or_ambiguous_text() -> None:
    assert detect_language("Meta, Scale AI", "fr-FR") == "fr"
    assert detect_language("", "EN") == "en"
    assert detect_language("", None) is None
    assert detect_language("", "und") is None


# -- real publisher pages (fundus test data, read in place) -----------------------------


@cache
def corpus_pairs() -> dict[str, dict[str, Any]]:
    pairs = CORPUS / "pairs.jsonl"
    if not pairs.exists():
        pytest.skip(f"fundus corpus not found at {CORPUS}")
    rows = (json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines())
    return {row["html_file"]: row for row in rows}


def read_corpus_page(row: dict[str, Any]) -> Article:
    body = gzip.decompress((CORPUS / row["html_file"]).read_bytes())
    return read_article(page(decode_body(body, None), row["url"]))


def token_f1(found: str, expected: str) -> float:
    a = collections.Counter(re.findall(r"\w+", found.lower()))
    b = collections.Counter(re.findall(r"\w+", expected.lower()))
    overlap = sum((a & b).values())
    return 0.0 if not overlap else 2 * overlap / (sum(a.values()) + sum(b.values()))


@pytest.mark.parametrize(
    "html_file",
    [
        "test_data/fr/LeMonde_2023_09_01.html.gz",
        "test_data/fr/LeFigaro_2024_11_22.html.gz",
        "test_data/fr/LesEchos_2024_07_18.html.gz",
        "test_data/fr/EuronewsFR_2026_01_06.html.gz",
        "test_data/us/Reuters_2024_03_07.html.gz",
        "test_data/us/CNBC_2023_04_28.html.gz",
        "test_data/uk/TheGuardian_2024_02_24.html.gz",
        "test_data/at/DerStandard_2024_05_03.html.gz",
    ],
)
def test_real_publisher_page_reads_like_its_expectation(html_file: str) -> None:
    row = corpus_pairs()[html_file]

    article = read_corpus_page(row)

    assert article.title == " ".join(row["title"].split())
    assert article.published == datetime.fromisoformat(row["publishing_date"]).astimezone(UTC)
    assert article.lang == row["html_lang"][:2]
    assert token_f1(article.text, row["body_text"]) >= 0.9


def test_sample_of_real_pages_reads_well_on_average() -> None:
    rows = list(corpus_pairs().values())[::6]  # a fixed spread across countries and sites
    scores, days, titles = [], [], []
    for row in rows:
        try:
            article = read_corpus_page(row)
        except ParseError:
            scores.append(0.0)
            continue
        scores.append(token_f1(article.text, row["body_text"] or ""))
        titles.append(article.title == " ".join((row["title"] or "").split()))
        if row["publishing_date"] and article.published:
            expected = datetime.fromisoformat(row["publishing_date"]).astimezone(UTC)
            days.append(article.published.date() == expected.date())

    assert sum(scores) / len(scores) >= 0.92
    assert sum(days) / len(days) >= 0.95
    assert sum(titles) / len(titles) >= 0.7


def test_an_author_bio_without_author_metadata_is_not_article_text() -> None:
    bio = "Sophie Renard suit l'industrie. Elle a auparavant couvert Renault et Stellantis."
    article = read_article(
        html_page(body=f'<article><p>{FRENCH_TEXT}</p><p class="auteur-bio">{bio}</p></article>')
    )
    assert "Ce gel interdit" in article.text
    assert "Renault" not in article.text


def test_a_press_releases_about_section_and_disclaimer_are_not_article_text() -> None:
    body = (
        f"<article><p>{FRENCH_TEXT}</p><h3>À propos de Sotrex</h3>"
        "<p>Sotrex compte Renault et Airbus parmi ses clients.</p>"
        "<p>Ce communiqué peut contenir des déclarations prospectives sur des acquisitions.</p>"
        "</article>"
    )
    article = read_article(html_page(body=body))
    assert "Ce gel interdit" in article.text
    assert "Renault" not in article.text
    assert "acquisitions" not in article.text
