"""Identity of stories: canonical URLs, content fingerprints and alert keys (pure functions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that only say how a reader arrived; they never change the story.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "guccounter",
        "mkt_tok",
        "ocid",
        "ncid",
        "_ga",
        "_gl",
    }
)
_TRACKING_PREFIXES = ("utm_", "guce_", "mc_", "_hs", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_WORD = re.compile(r"\w+")


def canonical_url(url: str) -> str:
    """One spelling per page, so the same story found via two links dedupes.

    w3lib (Scrapy's URL library) does the RFC work: lower-case scheme and host, IDNA,
    percent-encoding, dot segments, sorted query, no fragment. On top of it we drop
    tracking parameters and default ports, which w3lib keeps.
    """
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    canonical = canonicalize_url(urlunsplit(parts._replace(query=query)))
    parts = urlsplit(canonical)
    default_port = _DEFAULT_PORTS.get(parts.scheme)
    if default_port and parts.netloc.endswith(default_port):
        canonical = urlunsplit(parts._replace(netloc=parts.netloc.removesuffix(default_port)))
    return canonical


def fingerprint(text: str) -> str:
    """Hash of the words only: re-wrapped, re-cased or re-punctuated copies collide."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def alert_key(ticker: str, canonical_url: str) -> str:
    """The outbox key: one alert per (ticker, story), whichever process finds it first."""
    digest = hashlib.sha256(f"{ticker}\n{canonical_url}".encode())
    return digest.hexdigest()[:32]


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.split("=", 1)[0]).lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)
