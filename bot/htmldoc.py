"""A page's HTML parsed once: the lxml tree with its meta tags and JSON-LD objects."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from courlan import is_external
from lxml.etree import ParserError

from bot.errors import ParseError
from bot.models import Page

# schema.org types that mean "this page is one article".
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "SatiricalArticle",
        "TechArticle",
    }
)
# lxml refuses str input that carries an XML encoding declaration (XHTML pages).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class HtmlDoc:
    tree: lxml.html.HtmlElement
    meta: Mapping[str, str]  # <meta> property/name/itemprop (lower-case) -> first content
    jsonld: tuple[dict[str, Any], ...]  # every JSON-LD object, @graph members flattened

    def first_meta(self, *names: str) -> str | None:
        return next((self.meta[name] for name in names if self.meta.get(name)), None)

    def article_ld(self) -> dict[str, Any] | None:
        """The first JSON-LD object typed as an article, if any."""
        return next((obj for obj in self.jsonld if ld_types(obj) & ARTICLE_TYPES), None)


def parse_html(page: Page) -> HtmlDoc:
    """Parse `page.text` once; raises ParseError when there is no document."""
    text = _XML_DECLARATION.sub("", page.text, count=1)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (ParserError, ValueError) as error:
        raise ParseError(page.url, f"not an HTML document: {error}") from None
    return HtmlDoc(tree=tree, meta=_meta_tags(tree), jsonld=tuple(_jsonld_objects(tree)))


def ld_types(obj: Mapping[str, Any]) -> set[str]:
    """`@type` as a set of bare names ("https://schema.org/NewsArticle" -> "NewsArticle")."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


def same_site(url: str, reference: str) -> bool:
    """Whether `url` belongs to the site of `reference` (subdomains count as the same site)."""
    a, b = urlsplit(url), urlsplit(reference)
    if "file" in (a.scheme, b.scheme):
        return a.scheme == b.scheme
    if a.scheme not in ("http", "https") or not a.hostname or not b.hostname:
        return False
    if a.hostname == b.hostname:
        return True
    # Registrable domains need the public-suffix list, which courlan knows; it cannot
    # judge IP addresses or single-label hosts, which only match themselves.
    if not (_has_domain(a.hostname) and _has_domain(b.hostname)):
        return False
    return not is_external(url, reference, ignore_suffix=False)


def _has_domain(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return False


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        key = key or element.get("http-equiv")
        content = (element.get("content") or "").strip()
        if key and content:
            meta.setdefault(key.strip().lower(), content)
    return meta


def _jsonld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)  # tolerate raw newlines in strings
        except ValueError:
            continue  # a broken block must not hide the page's other metadata
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        yield from _flatten(data.get("@graph", []))
