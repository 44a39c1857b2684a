"""Discovery: which article URLs a watched page leads to, for feeds, listings and articles."""

# The local_site fixture is imported below, so test parameters shadow the import.

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.discover import Discovery, discover
from bot.errors import ParseError
from bot.fetch import Fetcher, make_client
from bot.models import Page
from tests.localsite import LocalSite

SEEDS = Path(__file__).parents[1] / "seeds"
SEED_ARTICLE = (SEEDS / "benzinga-fr-meta-scale-ai.html").resolve().as_uri()
BASE = "https://news.example.com/markets/"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Example Markets</title><link>https://news.example.com/</link>
  <item><title>Meta freezes AI hiring</title>
    <link>https://news.example.com/2025/09/01/meta-freezes-ai-hiring</link></item>
  <item><title>Scale AI cuts 14% of staff</title>
    <link>https://news.example.com/2025/09/01/scale-ai-cuts-staff#comments</link></item>
  <item><title>Meta freezes AI hiring (again)</title>
    <link>https://news.example.com/2025/09/01/meta-freezes-ai-hiring</link></item>
  <item><title>Syndicated</title><link>https://wire.example.org/story/12345</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title><id>urn:example</id><updated>2025-09-01T07:27:00Z</updated>
  <entry><title>Relative</title><id>urn:1</id><updated>2025-09-01T07:27:00Z</updated>
    <link rel="alternate" href="/2025/09/01/relative-link-story"/></entry>
  <entry><title>Absolute</title><id>urn:2</id><updated>2025-09-01T07:27:00Z</updated>
    <link rel="alternate" href="https://news.example.com/2025/09/01/absolute-story"/></entry>
</feed>"""

LISTING = """<!DOCTYPE html><html lang="en"><head><title>Markets - Example News</title>
<meta property="og:type" content="website"></head><body class="section ads-enabled">
<div class="page-wrapper has-sidebar no-ads">
<header class="site-header"><a href="/">Home</a>
  <a href="/markets/wall-street-closes-higher-on-tech-rally">Top story in the masthead</a></header>
<nav><a href="/markets/">Markets</a> <a href="/tech/">Tech</a>
  <a href="/markets/2025/09/01/nav-promoted-story-about-earnings">Promoted in menu</a></nav>
<div class="ad ad-top"><a href="/sponsored/open-a-brokerage-account-today">Open an account</a></div>
<main>
  <h1>Markets</h1>
  <article class="card">
    <header><h2><a href="/markets/2025/09/01/meta-scale-ai-partnership-strains">
      Meta and Scale AI partnership shows strain</a></h2></header>
    <p><a href="/tag/meta">Meta</a> · <a href="/author/jane-doe">Jane Doe</a>
      · <a href="/category/tech">Tech</a> · <a href="/topics/ai">AI</a></p>
    <a href="/markets/2025/09/01/meta-scale-ai-partnership-strains#comments">12 comments</a>
    <a href="/markets/2025/09/01/meta-scale-ai-partnership-strains">Read more</a>
  </article>
  <article class="card">
    <a href="markets-story-147258369"><img src="x.jpg" alt=""></a>
    <h2><a href="markets-story-147258369">Oil slips as supply fears ease</a></h2>
  </article>
  <ul class="river">
    <li><a href="https://news.example.com/markets/a/Xk3">
      Apple unveils a thinner iPhone at its September event</a></li>
    <li><a href="https://other-site.example.org/2025/09/01/rival-story-about-markets">Elsewhere</a></li>
    <li><a href="/video/markets-in-two-minutes-september-1">Video: markets in two minutes</a></li>
    <li><a href="/login?next=/markets/">Log in to read everything on this page</a></li>
    <li><a href="/newsletter/sign-up-for-our-morning-briefing">Morning briefing</a></li>
    <li><a href="#top">Back to top</a></li>
    <li><a href="mailto:tips@example.com">Send us a tip about a story you know</a></li>
    <li><a href="/markets/page/2">Next page</a></li>
    <li><a href="/tech/">Tech</a></li>
  </ul>
</main>
<aside><a href="/markets/2025/09/01/most-read-story-in-the-sidebar">Most read</a></aside>
<footer><a href="/about/contact-the-newsroom-team">Contact</a></footer>
</div></body></html>"""


def page(text: str, url: str = BASE, content_type: str = "text/html") -> Page:
    return Page(
        url=url,
        final_url=url,
        status=200,
        content_type=content_type,
        text=text,
        fetched_at=datetime.now(UTC),
    )


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with make_client() as client:
        yield Fetcher(client)


def test_listing_yields_only_article_links() -> None:
    found = discover(page(LISTING))

    assert found == Discovery(
        "listing",
        (
            "https://news.example.com/markets/2025/09/01/meta-scale-ai-partnership-strains",
            "https://news.example.com/markets/markets-story-147258369",
            "https://news.example.com/markets/a/Xk3",
        ),
    )


def test_seed_listing_file_links_to_the_seed_article_only(fetcher: Fetcher) -> None:
    listing = fetcher.fetch((SEEDS / "index.html").resolve().as_uri())

    found = discover(listing)

    assert found == Discovery("listing", (SEED_ARTICLE,))
    assert all(Path(link.removeprefix("file://")).exists() for link in found.links)


def test_listing_served_over_http_yields_absolute_http_links(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.put("/fr/index.html", (SEEDS / "index.html").read_bytes())

    found = discover(fetcher.fetch(local_site.url("/fr/index.html")))

    assert found.links == (local_site.url("/fr/benzinga-fr-meta-scale-ai.html"),)


def test_base_href_resolves_relative_links() -> None:
    html = """<html><head><base href="https://news.example.com/archive/"></head><body><main>
      <a href="2025/meta-hires-new-ai-chief-scientist">Meta hires</a></main></body></html>"""

    found = discover(page(html))

    assert found.links == (
        "https://news.example.com/archive/2025/meta-hires-new-ai-chief-scientist",
    )


def test_rss_feed_yields_item_links_once_without_fragments() -> None:
    found = discover(page(RSS, "https://news.example.com/rss", "application/rss+xml"))

    assert found == Discovery(
        "feed",
        (
            "https://news.example.com/2025/09/01/meta-freezes-ai-hiring",
            "https://news.example.com/2025/09/01/scale-ai-cuts-staff",
            "https://wire.example.org/story/12345",
        ),
    )


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml", "text/plain", ""])
def test_feed_is_recognised_by_its_root_whatever_the_label(content_type: str) -> None:
    found = discover(page(ATOM, "https://news.example.com/feed.atom", content_type))

    assert found == Discovery(
        "feed",
        (
            "https://news.example.com/2025/09/01/relative-link-story",
            "https://news.example.com/2025/09/01/absolute-story",
        ),
    )


def test_feed_served_over_http_is_discovered(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/feed.xml", RSS, "application/rss+xml; charset=utf-8")

    found = discover(fetcher.fetch(local_site.url("/feed.xml")))

    assert found.kind == "feed" and len(found.links) == 3


def test_seed_article_page_yields_itself(fetcher: Fetcher) -> None:
    article = fetcher.fetch(SEED_ARTICLE)

    assert discover(article) == Discovery("article", (SEED_ARTICLE,))


def test_plain_text_page_is_an_article(fetcher: Fetcher) -> None:
    uri = (SEEDS / "benzinga-fr-meta-scale-ai.txt").resolve().as_uri()

    assert discover(fetcher.fetch(uri)) == Discovery("article", (uri,))


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:type" content="article">',
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@graph": [{"@type": "WebPage"}, {"@type": "ReportageNewsArticle"}]}</script>',
    ],
)
def test_article_recognised_by_its_metadata(head: str) -> None:
    html = f"<html><head>{head}</head><body><p>Short.</p><a href='/a/b-c-d'>x</a></body></html>"

    assert discover(page(html, BASE + "story")).kind == "article"


def test_article_recognised_by_one_long_article_element() -> None:
    paragraphs = "<p>" + "Meta froze hiring in its AI division this week. " * 30 + "</p>"
    related = "<article><a href='/x/related-story-one'>Related story one</a></article>"
    html = f"<html><body><article>{paragraphs}</article>{related}</body></html>"

    assert discover(page(html)) == Discovery("article", (BASE,))


def test_explicit_kind_overrides_the_guess() -> None:
    assert discover(page(LISTING), "article") == Discovery("article", (BASE,))
    assert discover(page(LISTING), "listing").kind == "listing"


def test_empty_or_unchanged_page_cannot_be_discovered() -> None:
    with pytest.raises(ParseError):
        discover(page("   "))
    unchanged = Page(BASE, BASE, 304, "", "", datetime.now(UTC))
    with pytest.raises(ParseError):
        discover(unchanged)


def test_page_that_is_no_feed_raises_parse_error_when_read_as_feed() -> None:
    with pytest.raises(ParseError, match="not a feed"):
        discover(page("<html><body><p>Markets</p></body></html>"), "feed")


def test_truncated_feed_yields_no_links() -> None:
    truncated = page("<rss><channel><item><link>", content_type="application/rss+xml")

    assert discover(truncated) == Discovery("feed", ())
