"""Discovery: what a watched page leads to — a feed's items, a listing's articles, or itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.html
from courlan import is_navigation_page, is_not_crawlable

from bot.errors import ParseError
from bot.htmldoc import HtmlDoc, parse_html, same_site
from bot.models import Page, SourceKind

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf"})
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w:.-]*)")
_XML_PROLOG_NOISE = re.compile(r"<!--.*?-->|<![^>]*>|<\?.*?\?>", re.DOTALL)

# An article page holds one body of prose: its biggest <article> has this much paragraph
# text and most of the page's <article> text.
_ARTICLE_BODY_CHARS = 1000
_ARTICLE_SHARE = 0.6

# Page regions that are site furniture, never the list of stories.
_CHROME_TAGS = frozenset({"nav", "aside", "form", "menu", "dialog"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_TOKENS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "submenu",
        "breadcrumb",
        "breadcrumbs",
        "sidebar",
        "ad",
        "ads",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "sponsor",
        "sponsored",
        "share",
        "sharing",
        "social",
        "cookie",
        "cookies",
        "consent",
        "newsletter",
        "subscribe",
        "subscription",
        "paywall",
        "login",
        "pagination",
        "pager",
    }
)
# Class names that flag a wrapper's state, not what it holds ("has-sidebar", "no-ads").
_STATE_PREFIXES = frozenset({"has", "no", "with", "without", "is", "show", "hide"})
# <header>/<footer> are the page's masthead only outside an article or the main content.
_MASTHEAD_TOKENS = frozenset({"header", "footer", "masthead"})
_NON_ARTICLE_RELS = frozenset({"sponsored", "tag", "author", "category", "search", "next", "prev"})
# Path segments of pages that list or sell rather than tell (several languages).
_NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "topic", "topics", "category", "categories", "section", "sections",
        "rubrique", "rubriques", "theme", "themes", "thema", "themen", "tema", "temas",
        "author", "authors", "auteur", "auteurs", "autor", "autoren", "autores", "journalist",
        "video", "videos", "vidéo", "vidéos", "podcast", "podcasts", "gallery", "live-tv",
        "login", "signin", "sign-in", "signup", "register", "account", "compte",
        "subscribe", "subscription", "abonnement", "abonnements", "abo", "newsletter",
        "newsletters", "search", "recherche", "suche", "buscar", "feed", "rss", "page",
    }
)  # fmt: skip
_SLUG_SEPARATOR = re.compile(r"[-_+]")
_ID_DIGITS = re.compile(r"\d{5,}")
_SLUG_WORDS = 3
_HEADLINE_WORDS = 5
_TEASER_TAGS = frozenset({"h1", "h2", "h3", "h4", "article"})


@dataclass(frozen=True)
class Discovery:
    kind: Literal["listing", "feed", "article"]
    links: tuple[str, ...]


def discover(page: Page, kind: SourceKind = "auto") -> Discovery:
    """The article URLs `page` leads to; `kind` forces how it is read ("auto" tells)."""
    if page.not_modified or not page.text.strip():
        raise ParseError(page.url, "empty page: nothing to discover")
    if kind == "feed" or (kind == "auto" and _is_feed(page)):
        return Discovery("feed", _feed_links(page))
    if kind == "article" or (kind == "auto" and page.content_type == "text/plain"):
        return Discovery("article", (page.final_url,))
    doc = parse_html(page)
    if kind == "auto" and _is_article(doc):
        return Discovery("article", (page.final_url,))
    return Discovery("listing", _listing_links(doc, page.final_url))


def _is_feed(page: Page) -> bool:
    if page.content_type in _FEED_TYPES:
        return True
    # Feeds are often served as text/xml, application/xml or even text/plain: ask the root.
    head = _XML_PROLOG_NOISE.sub("", page.text[:4096])
    root = _FIRST_ELEMENT.search(head)
    return root is not None and root.group(1).lower() in _FEED_ROOTS


def _feed_links(page: Page) -> tuple[str, ...]:
    # The content-location header gives relative item links a base, as a served feed's URL would.
    feed = feedparser.parse(page.text, response_headers={"content-location": page.final_url})
    if not feed.get("version"):  # feedparser recognised no RSS/Atom/RDF dialect
        raise ParseError(page.url, f"not a feed: {feed.get('bozo_exception') or 'unknown format'}")
    links: list[str] = []
    for entry in feed.entries:
        alternates = (
            link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"
        )
        href = entry.get("link") or next(alternates, None)
        if href:
            links.append(urldefrag(urljoin(page.final_url, href.strip())).url)
    return tuple(dict.fromkeys(links))


def _is_article(doc: HtmlDoc) -> bool:
    if doc.article_ld() is not None or doc.meta.get("og:type", "").lower() == "article":
        return True
    sizes = [
        sum(len(p.text_content().strip()) for p in article.iter("p"))
        for article in doc.tree.xpath("//article[not(ancestor::article)]")
    ]
    return bool(sizes) and max(sizes) >= max(_ARTICLE_BODY_CHARS, _ARTICLE_SHARE * sum(sizes))


def _listing_links(doc: HtmlDoc, page_url: str) -> tuple[str, ...]:
    base_href = doc.tree.xpath("string((//base/@href)[1])").strip()
    base = urljoin(page_url, base_href) if base_href else page_url
    here = urldefrag(page_url).url
    links: dict[str, None] = {}  # ordered set: document order, first occurrence wins
    for anchor in doc.tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        url = urldefrag(urljoin(base, href)).url
        if url in links or url == here or not same_site(url, page_url):
            continue
        if _looks_like_article(url, anchor) and not _in_chrome(anchor):
            links[url] = None
    return tuple(links)


def _looks_like_article(url: str, anchor: lxml.html.HtmlElement) -> bool:
    if set((anchor.get("rel") or "").lower().split()) & _NON_ARTICLE_RELS:
        return False
    path = urlsplit(url).path
    segments = [segment.lower() for segment in path.split("/") if segment]
    if not segments or _NON_ARTICLE_SEGMENTS.intersection(segments):
        return False
    if is_navigation_page(url) or is_not_crawlable(url):
        return False
    # Articles have a slug ("meta-and-scale-ai-..."), a numeric id, a headline as text,
    # or sit in a story teaser (a heading or an <article>).
    stem = segments[-1].rsplit(".", 1)[0]
    return (
        len(_SLUG_SEPARATOR.split(stem)) >= _SLUG_WORDS
        or _ID_DIGITS.search(path) is not None
        or len(anchor.text_content().split()) >= _HEADLINE_WORDS
        or any(a.tag in _TEASER_TAGS for a in anchor.iterancestors())
    )


def _in_chrome(anchor: lxml.html.HtmlElement) -> bool:
    for element in chain([anchor], anchor.iterancestors()):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("body", "html"):
            break  # their classes describe the whole page ("single-post ads-enabled")
        if tag in _CHROME_TAGS or (element.get("role") or "").lower() in _CHROME_ROLES:
            return True
        tokens = _name_tokens(element)
        if tokens & _CHROME_TOKENS:
            return True
        if (tag in ("header", "footer") or tokens & _MASTHEAD_TOKENS) and not any(
            outer.tag in ("article", "main") for outer in element.iterancestors()
        ):
            return True
    return False


def _name_tokens(element: lxml.html.HtmlElement) -> set[str]:
    """Words of an element's class and id: "ad-slot top_banner" -> {"ad", "slot", "top", ...}."""
    tokens: set[str] = set()
    for name in f"{element.get('class') or ''} {element.get('id') or ''}".lower().split():
        words = re.split(r"[-_]+", name)
        if words[0] not in _STATE_PREFIXES:
            tokens.update(words)
    return tokens
