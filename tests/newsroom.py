"""Pages of a small local newsroom for end-to-end tests: realistic article and listing
HTML (nav, ads, related links, footer) built from a title and paragraphs."""

from __future__ import annotations

import html
import json
from datetime import datetime

from tests.localsite import LocalSite


def article_page(title: str, paragraphs: list[str], published: datetime, lang: str = "en") -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published.isoformat(),
        "inLanguage": lang,
    }
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title)} | Example Markets</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{html.escape(title)}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/tag/markets/">Markets</a>
<a href="/author/jane-roe/">Jane Roe</a></nav></header>
<div class="ad-slot">Trade with zero commissions — open an account today</div>
<main><article><h1>{html.escape(title)}</h1>
<p class="byline">By Jane Roe</p>
{body}
</article>
<aside class="related"><h3>Read more</h3><ul>
<li><a href="/tag/tech/">Nvidia shares jump after record quarter</a></li></ul></aside>
</main><footer>© Example Markets. Not investment advice.</footer></body></html>"""


def listing_page(links: list[tuple[str, str]]) -> str:
    items = "\n".join(
        f'<article class="story"><h2><a href="{href}">{html.escape(title)}</a></h2>'
        "<p>Summary of the story in a sentence or two, as front pages show it.</p></article>"
        for href, title in links
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example Markets — Latest</title></head>
<body><header><nav><a href="/">Home</a> <a href="/tag/markets/">Markets</a>
<a href="/tag/tech/">Tech</a> <a href="/about/">About</a></nav></header>
<main><h1>Latest news</h1>
{items}
</main>
<footer><a href="/author/jane-roe/">Jane Roe</a> <a href="/privacy/">Privacy</a></footer>
</body></html>"""


class Newsroom:
    """A listing at `/` whose stories are published one by one."""

    def __init__(self, site: LocalSite) -> None:
        self.site = site
        self._links: list[tuple[str, str]] = []
        self._publish_listing()

    def publish(
        self, path: str, title: str, paragraphs: list[str], published: datetime, lang: str = "en"
    ) -> None:
        self.site.put(path, article_page(title, paragraphs, published, lang))
        self._links.insert(0, (path, title))
        self._publish_listing()

    def _publish_listing(self) -> None:
        self.site.put("/", listing_page(self._links))

    @property
    def listing_url(self) -> str:
        return self.site.url("/")
