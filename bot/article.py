"""Reading one article page: title, publication time, language, canonical URL and main text."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import dateparser
import htmldate
import lxml.html
import trafilatura
import yaml

from bot.errors import ParseError
from bot.htmldoc import HtmlDoc, ld_types, parse_html, same_site
from bot.lang import detect_language
from bot.models import Article, Page

HEADLINE_CHARS = 120
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_HEADING_XPATHS = ("(//article//h1 | //main//h1)[1]", "(//h1)[1]", "(//title)[1]")  # best first
_TIME_XPATHS = (
    "//time[@itemprop='datePublished' or @pubdate]/@datetime",
    "(//article//time/@datetime)[1]",
    "(//time/@datetime)[1]",
)  # most specific first
_SITE_TYPES = frozenset({"Organization", "NewsMediaOrganization", "WebSite"})
# Separators between a headline and a site name: "Title - Benzinga", "Le Monde | Title".
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—·•»]|-{1,2}|::)\s+")
_SENTENCE_END = re.compile(r"[.!?…»\"”)。！？」]$")
_PROSE_WORDS = 5
# Byline of a plain-text article: a name, then a date and maybe a time and zone, e.g.
# "Namrata Sen 1-Sep-2025 3:27 AM", "By Jane Doe, Sept. 1, 2025", "Par Jean Dupont, le 2025-09-01".
_DATE_TEXT = (
    r"(?:\d{1,2}[-/. ]+(?:[^\W\d_]{3,9}\.?|\d{1,2})[-/. ]+\d{4}"
    r"|[^\W\d_]{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
    r"(?:[\sT,]+(?:at\s+|à\s+)?\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*[AP]\.?M\.?)?)?"
    r"(?:\s*(?:[A-Z]{2,4}|[+-]\d{2}:?\d{2}))?"
)
_BYLINE = re.compile(
    r"^(?:(?:by|par|von|por)\s+)?[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3}"
    rf"\s*[,|–—-]?\s*(?:on\s+|le\s+)?(?P<date>{_DATE_TEXT})\s*$",
    re.IGNORECASE,
)
_BYLINE_WINDOW = 15  # bylines sit near the top; prose further down may hold dates too
_US_EASTERN = re.compile(r"\b(?:[AP]\.?M\.?|ET|EST|EDT)\s*$", re.IGNORECASE)


_NAME_SPLIT = re.compile(r"[\s_\-]+")
# Class/id words of page furniture, in the languages the bot reads: ads, widgets, price
# boards, most-read and see-also lists, sign-up boxes.
_FURNITURE = re.compile(
    r"^(?:ad|ads|adv|advert\w*|sponsor\w*|promo\w*|pub|publicite|banner|bandeau|widget|ticker"
    r"|quotes?|cotations?|cours|bourse|valeurs|palmares|marquee|movers|stocks|markets?"
    r"|newsletter|signup|subscribe|inscription|alertes?|related|recommended|recirculation"
    r"|mostread|popular|populaires|trending|plus|lus|lireaussi|voiraussi|aussi|memesujet"
    r"|depeches|derniers|latest|teasers?|rail|sidebar|outbrain|taboola|share|sharing|social"
    r"|bio|bios|biography|auteur|author|byline|signature|disclaimer|cookie\w*)\d*$"
)
_FURNITURE_MAX_CHARS = 600
_HEADING_MAX_CHARS = 80


def read_article(page: Page, source: str = "") -> Article:
    """The article on `page`; raises ParseError when it holds no readable text."""
    if page.not_modified or not page.text.strip():
        raise ParseError(page.url, "empty page")
    if page.content_type == "text/plain":
        return _read_plain_text(page, source)
    doc = parse_html(page)
    title = read_title(doc, page.final_url)
    published = read_published(doc)
    url = canonical_url(doc, page.final_url)
    declared = _declared_language(doc)
    authors = _authors(doc)
    text = _without_headline(read_text(doc, page.final_url), title)  # last: may alter the tree
    text = "\n".join(line for line in text.split("\n") if not _is_bio(line, authors))
    if not any(_is_prose(line) for line in text.splitlines()):
        raise ParseError(page.url, "no article text found")
    return Article(
        url=url,
        title=title or _headline(text.split("\n", 1)[0]),
        text=text,
        published=published,
        lang=detect_language(text, declared),
        source=source,
    )


def _authors(doc: HtmlDoc) -> tuple[str, ...]:
    """Author names the page states (JSON-LD, <meta name=author>)."""
    found = [doc.meta.get("author", "")]
    credit = (doc.article_ld() or {}).get("author")
    for person in credit if isinstance(credit, list) else [credit]:
        name = person.get("name") if isinstance(person, dict) else person
        if isinstance(name, str):
            found.append(name)
    return tuple(n.strip() for n in found if len(n.strip().split()) >= 2)


def _is_bio(line: str, authors: tuple[str, ...]) -> bool:
    """A line that starts with the author's name is a bio or a signature, not news."""
    return any(line.casefold().startswith(a.casefold()) for a in authors)


def _without_headline(text: str, title: str) -> str:
    """The main text often starts with the <h1>; the title is kept apart, not read twice."""
    first, _, rest = text.partition("\n")
    same = " ".join(first.split()).casefold() == " ".join(title.split()).casefold()
    return rest if title and same and rest.strip() else text


def canonical_url(doc: HtmlDoc, page_url: str) -> str:
    """<link rel=canonical> or og:url when it stays on the page's site, else the page's URL."""
    links = doc.tree.xpath("//link[@rel='canonical']/@href")
    for candidate in [*links, doc.meta.get("og:url", "")]:
        url = urljoin(page_url, str(candidate).strip())
        if candidate and same_site(url, page_url):
            return url
    return page_url


def read_title(doc: HtmlDoc, page_url: str) -> str:
    article = doc.article_ld() or {}
    candidates = [
        article.get("headline"),
        doc.meta.get("og:title"),
        *(h.text_content() for path in _HEADING_XPATHS for h in doc.tree.xpath(path)),
    ]
    title = next((c for c in candidates if isinstance(c, str) and c.strip()), "")
    # Metadata values are often entity-escaped twice ("Kohberger&#8217;s").
    title = " ".join(html.unescape(title).split())
    return _strip_site_name(title, _site_names(doc, page_url))


def read_published(doc: HtmlDoc) -> datetime | None:
    """Publication time in UTC: JSON-LD, then <meta>, then <time>, then htmldate's search."""
    article = doc.article_ld() or {}
    declared = [
        article.get("datePublished"),
        *(obj.get("datePublished") for obj in doc.jsonld),
        doc.first_meta(*_DATE_META),
        *(str(value) for path in _TIME_XPATHS for value in doc.tree.xpath(path)),
    ]
    for value in declared:
        if isinstance(value, str) and (when := parse_datetime(value)):
            return when
    found = htmldate.find_date(doc.tree, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S%z")
    return parse_datetime(found) if found else None


def parse_datetime(value: str, default_tz: str = "UTC") -> datetime | None:
    """A date as UTC; a value without a zone is taken to be in `default_tz`."""
    when = _parse_any(value.strip())
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(default_tz))
    return when.astimezone(UTC)


def _parse_any(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)  # RFC 2822, as in feeds and HTTP headers
    except (TypeError, ValueError):
        pass
    parsed: datetime | None = dateparser.parse(value)  # everything else, in any language
    return parsed


def read_text(doc: HtmlDoc, page_url: str) -> str:
    """Main text, one paragraph a line, boilerplate lines dropped."""
    options: dict[str, Any] = {
        "url": page_url,
        "include_comments": False,
        "include_tables": False,
        "deduplicate": False,
        "output_format": "txt",
    }
    _prune_furniture(doc.tree)
    _cut_issuer_boilerplate(doc.tree)
    # Precision first keeps related-article blocks out; recall rescues sparse layouts.
    extracted = trafilatura.extract(doc.tree, favor_precision=True, **options)
    if not extracted:
        extracted = trafilatura.extract(doc.tree, favor_recall=True, **options)
    if not extracted:
        # Script-rendered pages often still carry the body in their JSON-LD.
        body = (doc.article_ld() or {}).get("articleBody")
        extracted = html.unescape(body) if isinstance(body, str) else ""
    return "\n".join(_drop_boilerplate(extracted.splitlines()))


def _cut_issuer_boilerplate(tree: lxml.html.HtmlElement) -> None:
    """A press release ends where its "About X", forward-looking-statements or contacts
    heading starts: drop that heading and what follows it (extractors drop the heading
    itself, so the text alone cannot tell where the issuer's boilerplate begins)."""
    for element in tree.xpath(
        "//body//*[self::h2 or self::h3 or self::h4 or self::h5 "
        "or self::h6 or self::p or self::strong or self::b]"
    ):
        text = " ".join(element.text_content().split())
        if len(text) > _HEADING_MAX_CHARS or not _ends_article(text):
            continue
        parent = element.getparent()
        if (
            element.tag in ("strong", "b")
            and parent is not None
            and parent.tag == "p"
            and " ".join(parent.text_content().split()) == text
        ):
            element = parent
        for sibling in list(element.itersiblings()):
            sibling.drop_tree()
        element.drop_tree()
        return


def _ends_article(line: str) -> bool:
    return any(pattern.match(line) for pattern in _boilerplate_patterns(ends=True))


def _prune_furniture(tree: lxml.html.HtmlElement) -> None:
    """Drop small blocks whose class or id names them as ads, widgets or cross-links
    ("ad300", "market-ticker", "related-posts"): trafilatura keeps some of them as text.
    Large blocks are left alone: sites wrap whole articles in "has-ads" containers."""
    for element in tree.xpath("//body//*[@class or @id]"):
        if element.tag in ("article", "main") or element.getparent() is None:
            continue
        if len(element.text_content()) > _FURNITURE_MAX_CHARS:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        is_form = bool(element.xpath(".//input|.//button|.//form"))  # sign-up boxes
        if is_form or any(_FURNITURE.match(t) for t in _NAME_SPLIT.split(names) if t):
            element.drop_tree()


def _is_boilerplate(line: str) -> bool:
    return any(pattern.match(line) for pattern in _boilerplate_patterns())


def _read_plain_text(page: Page, source: str) -> Article:
    lines = [" ".join(line.split()) for line in page.text.splitlines()]
    lines = [line for line in lines if line]
    published = None
    for index, line in enumerate(lines[:_BYLINE_WINDOW]):
        if published := _byline_date(line):
            lines = lines[index + 1 :]  # what precedes the byline is page chrome (ads, menus)
            break
    kept = [line for line in _drop_boilerplate(lines) if _is_prose(line)]
    if not kept:
        raise ParseError(page.url, "no article text found")
    title = _headline(kept[0])
    if not _SENTENCE_END.search(kept[0]) and len(kept) > 1 and title == kept[0]:
        kept = kept[1:]  # a headline line of its own is the title, not body text
    text = "\n".join(kept)
    return Article(
        url=page.final_url,
        title=title,
        text=text,
        published=published,
        lang=detect_language(text, None),
        source=source,
    )


def _byline_date(line: str) -> datetime | None:
    match = _BYLINE.match(line)
    if not match:
        return None
    date = match.group("date")
    # Newswires that print a 12-hour clock without a zone (Benzinga, Business Wire,
    # PR Newswire) stamp US Eastern time.
    zone = "America/New_York" if _US_EASTERN.search(date) else "UTC"
    date = re.sub(r"\s*\b(?:ET|EST|EDT)\s*$", "", date, flags=re.IGNORECASE)
    return parse_datetime(date, default_tz=zone)


def _is_prose(line: str) -> bool:
    return len(line.split()) >= _PROSE_WORDS or bool(_SENTENCE_END.search(line))


def _headline(line: str) -> str:
    return textwrap.shorten(line, width=HEADLINE_CHARS, placeholder=" …")


def _drop_boilerplate(lines: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for line in (line.strip() for line in lines):
        if _ends_article(line):
            break  # a press release's "About X" and disclaimers: the issuer's boilerplate
        if line and not _is_boilerplate(line):
            kept.append(line)
    return kept


@cache
def _boilerplate_patterns(ends: bool = False) -> tuple[re.Pattern[str], ...]:
    data = yaml.safe_load(files("bot").joinpath("resources/boilerplate.yaml").read_text("utf-8"))
    # Every language's list applies to every article: sites mix languages in their furniture.
    groups = [data["ends"]] if ends else [g for name, g in data.items() if name != "ends"]
    return tuple(re.compile(p, re.IGNORECASE) for group in groups for p in group)


def _declared_language(doc: HtmlDoc) -> str | None:
    in_language = (doc.article_ld() or {}).get("inLanguage")
    candidates = [
        doc.tree.get("lang"),
        doc.meta.get("og:locale"),
        in_language if isinstance(in_language, str) else None,
        doc.meta.get("content-language"),
    ]
    return next((c for c in candidates if c and c.strip()), None)


def _site_names(doc: HtmlDoc, page_url: str) -> set[str]:
    names: list[Any] = [doc.meta.get("og:site_name"), doc.meta.get("application-name")]
    for obj in doc.jsonld:
        if ld_types(obj) & _SITE_TYPES:
            names.append(obj.get("name"))
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            names.append(publisher.get("name"))
    # "fr.benzinga.com" -> "benzinga": a site's name is usually its domain's main label.
    names.extend((urlsplit(page_url).hostname or "").split(".")[:-1])
    normalized = {_normalize(name) for name in names if isinstance(name, str)}
    return {name for name in normalized if len(name) >= 3 and name != "www"}


def _strip_site_name(title: str, site_names: set[str]) -> str:
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return title
    last, first = separators[-1], separators[0]
    if _is_site_name(title[last.end() :], site_names):
        return title[: last.start()]
    if _is_site_name(title[: first.start()], site_names):
        return title[first.end() :]
    return title


def _is_site_name(part: str, site_names: set[str]) -> bool:
    """Whether a title part names the site: Benzinga ~ Benzinga France, Le Monde.fr ~ lemonde."""
    part = _normalize(part)
    return any(
        part == name
        or (len(part) >= 4 and (name.startswith(part) or part.startswith(name)))
        or (len(name) >= 5 and len(part) <= 4 * len(name) and name in part)
        for name in site_names
    )


def _normalize(name: str) -> str:
    return re.sub(r"[\W_]", "", name.casefold())
