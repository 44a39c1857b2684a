"""Fetching over real HTTP on loopback and from local files, and decoding what was fetched."""

# The local_site fixture is imported below, so test parameters shadow the import.

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import FetchError
from bot.fetch import USER_AGENT, Fetcher, decode_body, make_client
from tests.localsite import LocalSite

SEEDS = Path(__file__).parents[1] / "seeds"
FRENCH = "<p>Le PDG a quitté l'entreprise après « une affaire personnelle », déclare-t-il.</p>"


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with make_client(USER_AGENT) as client:
        yield Fetcher(client)


def test_fetch_returns_decoded_page_with_validators(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.put("/news/a.html", f"<html><body>{FRENCH}</body></html>")

    page = fetcher.fetch(local_site.url("/news/a.html"))

    assert page.status == 200
    assert page.content_type == "text/html"
    assert "« une affaire personnelle »" in page.text
    assert page.final_url == local_site.url("/news/a.html")
    assert page.etag and page.last_modified
    assert page.fetched_at.tzinfo is not None
    assert local_site.requests[-1].headers["user-agent"] == USER_AGENT


def test_conditional_get_returns_304(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/list.html", "<html><body><p>v1</p></body></html>")
    first = fetcher.fetch(local_site.url("/list.html"))

    again = fetcher.fetch(first.url, etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified and again.text == ""
    assert again.etag == first.etag
    assert local_site.requests[-1].headers["if-none-match"] == first.etag
    assert local_site.requests[-1].status == 304


def test_conditional_get_by_date_alone_returns_304(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/list.html", "<p>v1</p>")
    first = fetcher.fetch(local_site.url("/list.html"))

    again = fetcher.fetch(first.url, last_modified=first.last_modified)

    assert again.status == 304
    assert local_site.requests[-1].headers["if-modified-since"] == first.last_modified


def test_changed_page_is_fetched_in_full_despite_old_validators(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    local_site.put("/list.html", "<p>v1</p>")
    first = fetcher.fetch(local_site.url("/list.html"))
    local_site.put("/list.html", "<p>v2</p>")

    again = fetcher.fetch(first.url, etag=first.etag, last_modified=first.last_modified)

    assert again.status == 200 and "v2" in again.text
    assert again.etag != first.etag


def test_redirect_is_followed_to_final_url(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/new.html", "<p>moved here</p>")
    local_site.redirect("/old.html", "/new.html", 301)

    page = fetcher.fetch(local_site.url("/old.html"))

    assert page.url == local_site.url("/old.html")
    assert page.final_url == local_site.url("/new.html")
    assert "moved here" in page.text


def test_redirect_loop_raises_fetch_error(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.redirect("/a", "/b")
    local_site.redirect("/b", "/a")

    with pytest.raises(FetchError, match="too many redirects"):
        fetcher.fetch(local_site.url("/a"))
    assert len(local_site.requests) == 6  # the first request and five redirects


@pytest.mark.parametrize("status", [403, 404, 500, 503])
def test_error_status_raises_fetch_error(
    local_site: LocalSite, fetcher: Fetcher, status: int
) -> None:
    local_site.put("/page.html", "<p>hello</p>")
    local_site.set_status("/page.html", status)

    with pytest.raises(FetchError, match=str(status)) as caught:
        fetcher.fetch(local_site.url("/page.html"))
    assert caught.value.url == local_site.url("/page.html")


def test_missing_page_raises_fetch_error(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/gone.html", "<p>soon gone</p>")
    local_site.remove("/gone.html")

    with pytest.raises(FetchError, match="404"):
        fetcher.fetch(local_site.url("/gone.html"))


def test_non_text_content_is_refused(local_site: LocalSite, fetcher: Fetcher) -> None:
    local_site.put("/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")

    with pytest.raises(FetchError, match="image/png"):
        fetcher.fetch(local_site.url("/logo.png"))


def test_body_over_the_limit_is_refused(local_site: LocalSite) -> None:
    local_site.put("/big.html", "<p>" + "x" * 5000 + "</p>")
    with httpx.Client() as client, pytest.raises(FetchError, match="exceeds 1000"):
        Fetcher(client, max_bytes=1000).fetch(local_site.url("/big.html"))


def test_compressed_body_is_measured_once_inflated(local_site: LocalSite) -> None:
    inflated = b"<p>" + b"a" * 50_000 + b"</p>"
    local_site.put("/bomb.html", gzip.compress(inflated), headers={"Content-Encoding": "gzip"})
    with httpx.Client() as client, pytest.raises(FetchError, match="exceeds"):
        Fetcher(client, max_bytes=10_000).fetch(local_site.url("/bomb.html"))


def test_slow_server_times_out_as_fetch_error(local_site: LocalSite) -> None:
    local_site.put("/slow.html", "<p>late</p>")
    local_site.set_delay("/slow.html", 1.0)
    with httpx.Client(timeout=0.1) as client, pytest.raises(FetchError, match="timed out"):
        Fetcher(client).fetch(local_site.url("/slow.html"))


def test_unreachable_server_raises_fetch_error(fetcher: Fetcher) -> None:
    with LocalSite() as site:
        url = site.url("/a.html")  # a port nobody listens on once the site stops

    with pytest.raises(FetchError, match="ConnectError"):
        fetcher.fetch(url)


def test_unsupported_scheme_raises_fetch_error(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="scheme"):
        fetcher.fetch("ftp://example.com/news.html")


def test_same_page_as_latin1_or_utf8_reads_the_same(
    local_site: LocalSite, fetcher: Fetcher
) -> None:
    html = f"<html><head><title>Marchés</title></head><body>{FRENCH}</body></html>"
    local_site.put("/utf8.html", html.encode("utf-8"), "text/html; charset=utf-8")
    local_site.put("/latin1.html", html.encode("iso-8859-1"), "text/html; charset=ISO-8859-1")
    meta = html.replace("<head>", '<head><meta http-equiv="Content-Type" '
                        'content="text/html; charset=iso-8859-1">')  # fmt: skip
    local_site.put("/meta.html", meta.encode("iso-8859-1"), "text/html")
    local_site.put("/bare.html", html.encode("iso-8859-1"), "text/html")

    texts = [
        fetcher.fetch(local_site.url(path)).text.replace(meta, html)
        for path in ("/utf8.html", "/latin1.html", "/meta.html", "/bare.html")
    ]

    assert texts == [html] * 4


def test_utf8_page_mislabelled_as_latin1_still_reads_right() -> None:
    body = FRENCH.encode("utf-8")

    assert decode_body(body, "text/html; charset=ISO-8859-1") == FRENCH


def test_wrong_utf8_label_falls_back_to_detection() -> None:
    body = ("<html><body>" + FRENCH * 5 + "</body></html>").encode("cp1252")

    assert "« une affaire personnelle »" in decode_body(body, "text/html; charset=utf-8")


def test_byte_order_mark_wins_over_declarations() -> None:
    body = "Été".encode("utf-16")  # Python writes the BOM

    assert decode_body(body, "text/html; charset=iso-8859-1") == "Été"


def test_xml_declaration_names_the_encoding() -> None:
    xml = '<?xml version="1.0" encoding="windows-1252"?><rss><title>Société</title></rss>'

    assert decode_body(xml.encode("cp1252"), "application/xml") == xml


@given(st.text().filter(lambda s: not s.startswith("\ufeff")))
def test_any_utf8_text_decodes_back(text: str) -> None:
    body = text.encode("utf-8")

    assert decode_body(body, "text/html; charset=utf-8") == text
    assert decode_body(body, None) == text


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("benzinga-fr-meta-scale-ai.html", "text/html"),
        ("benzinga-fr-meta-scale-ai.txt", "text/plain"),
        ("index.html", "text/html"),
    ],
)
def test_local_file_is_read_with_type_from_extension(
    fetcher: Fetcher, name: str, content_type: str
) -> None:
    uri = (SEEDS / name).resolve().as_uri()

    page = fetcher.fetch(uri)

    assert page.status == 200
    assert page.content_type == content_type
    assert page.final_url == uri
    assert page.text == (SEEDS / name).read_text(encoding="utf-8")


def test_unchanged_local_file_returns_304(fetcher: Fetcher, tmp_path: Path) -> None:
    feed = tmp_path / "feed.rss"
    feed.write_text("<rss><channel><title>T</title></channel></rss>", encoding="utf-8")
    first = fetcher.fetch(feed.as_uri())

    by_tag = fetcher.fetch(feed.as_uri(), etag=first.etag, last_modified=first.last_modified)
    by_date = fetcher.fetch(feed.as_uri(), last_modified=first.last_modified)

    assert first.content_type == "application/xml"
    assert by_tag.not_modified and by_date.not_modified


def test_local_file_rewritten_within_the_second_is_read_again(
    fetcher: Fetcher, tmp_path: Path
) -> None:
    listing = tmp_path / "index.html"
    listing.write_text("<p>one</p>", encoding="utf-8")
    first = fetcher.fetch(listing.as_uri())
    listing.write_text("<p>two!</p>", encoding="utf-8")

    again = fetcher.fetch(listing.as_uri(), etag=first.etag, last_modified=first.last_modified)

    assert again.status == 200 and "two!" in again.text


def test_missing_local_file_raises_fetch_error(fetcher: Fetcher, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="No such file"):
        fetcher.fetch((tmp_path / "absent.html").as_uri())


def test_local_non_text_file_is_refused(fetcher: Fetcher, tmp_path: Path) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")

    with pytest.raises(FetchError, match="not a text document"):
        fetcher.fetch(image.as_uri())


def test_client_identifies_the_bot_and_caps_redirects() -> None:
    with make_client("ticker-news-bot/test") as client:
        assert client.headers["User-Agent"] == "ticker-news-bot/test"
        assert client.max_redirects == 5
        assert client.follow_redirects
