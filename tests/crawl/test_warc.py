"""WARC: record a crawl of the loopback farm, replay it byte for byte; rotation; CC-NEWS-style
archives (response records only, chunked and gzipped payloads); misses."""

from __future__ import annotations

import asyncio
import gzip
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.base.config import FetchSettings
from crawler.base.config.profile import fetch_profile
from crawler.base.errors import ArchiveError, BodyTooLarge, FetchError, NotInArchive
from crawler.fetch.client import Fetcher
from crawler.fetch.response import FetchResult
from crawler.warc import WarcReplayTransport, WarcWriter, iter_warc_pages, rotated_path
from tests.faultserver import FaultServer, bomb, serving
from tests.sitefarm import Site, farm, serve

UA = "citydigest-test/0.1 (+https://example.org/citydigest)"
SETTINGS = FetchSettings(
    per_host_concurrency=4, per_host_delay=0, timeout=3, allow_private_networks=True
)
PROFILE = fetch_profile(SETTINGS, UA)


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[list[Site], FaultServer]]:
    extra = FaultServer("127.0.0.7")
    with serve(farm(3, 12)) as running, serving(extra):
        yield running, extra


def urls_of(sites: list[Site], extra: FaultServer) -> list[str]:
    urls = []
    for site in sites:
        urls += [f"{site.base}/list/1.html", f"{site.base}/sitemap-news.xml.gz"]
        urls += [site.article_url(n) for n in range(12)]
        urls.append(f"{site.base}/redirect/3")
        if site.feed != "none":
            urls.append(f"{site.base}/feed.xml")
    return [*urls, extra.url("/gzip-page"), extra.url("/br-page"), extra.url("/chain/2")]


async def fetch_all(fetcher: Fetcher, urls: list[str]) -> dict[str, FetchResult]:
    results = await asyncio.gather(*(fetcher.get(u) for u in urls))
    return dict(zip(urls, results, strict=True))


async def test_a_recorded_crawl_replays_byte_identical(
    tmp_path: Path, sites: tuple[list[Site], FaultServer]
) -> None:
    farm_sites, extra = sites
    urls = urls_of(farm_sites, extra)
    with WarcWriter(tmp_path / "crawl.warc.gz") as warc:
        async with Fetcher(PROFILE, archive=warc) as fetcher:
            live = await fetch_all(fetcher, urls)
    assert warc.paths == [tmp_path / "crawl.warc.gz"]

    requests_before = sum(len(s.requests) for s in farm_sites) + len(extra.requests)
    transport = WarcReplayTransport(warc.paths)
    async with Fetcher(
        fetch_profile(SETTINGS.model_copy(update={"allow_private_networks": False}), UA),
        transport=transport,
    ) as fetcher:
        replayed = await fetch_all(fetcher, urls)
    assert sum(len(s.requests) for s in farm_sites) + len(extra.requests) == requests_before

    for url in urls:
        assert replayed[url].content == live[url].content, url
        assert replayed[url].final_url == live[url].final_url, url
        assert replayed[url].status == live[url].status == 200
        assert replayed[url].headers.get("content-type") == live[url].headers.get("content-type")
    assert live[extra.url("/chain/2")].final_url == extra.page_url(0)
    # robots.txt, redirect hops and the compressed pages are all in the archive
    assert f"{farm_sites[0].base}/robots.txt" in transport
    assert f"{farm_sites[0].base}/redirect/3" in transport


async def test_the_archive_holds_request_and_response_records_with_raw_payloads(
    tmp_path: Path, sites: tuple[list[Site], FaultServer]
) -> None:
    _, extra = sites
    with WarcWriter(tmp_path / "one.warc.gz") as warc:
        async with Fetcher(PROFILE, archive=warc) as fetcher:
            await fetcher.get(extra.url("/gzip-page"))
    with (tmp_path / "one.warc.gz").open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r, r.raw_stream.read())
            for r in ArchiveIterator(stream)
        ]
    kinds = [(kind, uri) for kind, uri, _, _ in records]
    assert kinds == [
        ("warcinfo", None),
        ("request", extra.url("/robots.txt")),
        ("response", extra.url("/robots.txt")),
        ("request", extra.url("/gzip-page")),
        ("response", extra.url("/gzip-page")),
    ]
    _, _, request, _ = records[3]
    assert request.http_headers.to_str().startswith("GET /gzip-page HTTP/1.1\r\n")
    assert request.http_headers.get_header("User-Agent") == UA
    _, _, response, raw = records[4]
    assert response.http_headers.get_header("Content-Encoding") == "gzip"
    assert "故障测试站第1篇" in gzip.decompress(raw).decode()  # stored as it came off the wire
    assert response.rec_headers.get_header("WARC-IP-Address") == extra.address
    concurrent = records[3][2].rec_headers.get_header("WARC-Concurrent-To")
    assert concurrent == response.rec_headers.get_header("WARC-Record-ID")


async def test_files_rotate_by_size_and_replay_across_them(
    tmp_path: Path, sites: tuple[list[Site], FaultServer]
) -> None:
    farm_sites, _ = sites
    site = farm_sites[0]
    urls = [site.article_url(n) for n in range(12)]
    with WarcWriter(tmp_path / "big.warc.gz", max_bytes=6_000) as warc:
        async with Fetcher(PROFILE, archive=warc) as fetcher:
            live = await fetch_all(fetcher, urls)
    assert len(warc.paths) >= 3
    assert warc.paths[:3] == [
        tmp_path / "big.warc.gz",
        tmp_path / "big-00001.warc.gz",
        tmp_path / "big-00002.warc.gz",
    ]
    assert all(p.stat().st_size < 6_000 + 8_000 for p in warc.paths)
    async with Fetcher(PROFILE, transport=WarcReplayTransport(warc.paths)) as fetcher:
        replayed = await fetch_all(fetcher, urls)
    assert all(replayed[u].content == live[u].content for u in urls)
    listed = [u for u, _ in iter_warc_pages(warc.paths)]
    assert sorted(listed) == sorted(urls)  # once each, whatever file it landed in


def test_rotated_names() -> None:
    assert rotated_path(Path("out/crawl.warc.gz"), 0) == Path("out/crawl.warc.gz")
    assert rotated_path(Path("out/crawl.warc.gz"), 12) == Path("out/crawl-00012.warc.gz")
    assert rotated_path(Path("crawl.warc"), 1) == Path("crawl-00001.warc")
    assert rotated_path(Path("crawl"), 1) == Path("crawl-00001.warc.gz")


async def test_iter_warc_pages_lists_html_pages_once(
    tmp_path: Path, sites: tuple[list[Site], FaultServer]
) -> None:
    farm_sites, _ = sites
    site = farm_sites[0]
    urls = [f"{site.base}/feed.xml", f"{site.base}/redirect/2", site.article_url(1)]
    urls += [site.article_url(2), site.article_url(1)]
    with WarcWriter(tmp_path / "pages.warc.gz") as warc:
        async with Fetcher(PROFILE, archive=warc) as fetcher:
            for url in urls:
                await fetcher.get(url)
    pages = list(iter_warc_pages(warc.paths))
    assert pages == [  # the redirect's target, then the article fetched directly
        (site.article_url(2), "text/html"),
        (site.article_url(1), "text/html"),
    ]


def cc_news_warc(path: Path, pages: dict[str, bytes], *, packed: bool = True) -> None:
    """A CC-NEWS-style file: response records only, payloads gzipped and chunked as sent (the
    file gzipped record by record unless ``packed`` is False)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=packed)
        for url, html in pages.items():
            packed = gzip.compress(html)
            chunked = (
                b"".join(
                    b"%x\r\n%s\r\n" % (len(packed[i : i + 100]), packed[i : i + 100])
                    for i in range(0, len(packed), 100)
                )
                + b"0\r\n\r\n"
            )
            headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=GBK"),
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(chunked),
                length=len(chunked),
                http_headers=headers,
            )
            writer.write_record(record)


async def test_cc_news_style_archives_replay_decoded(tmp_path: Path) -> None:
    pages = {
        f"https://news.example.cn/2024/{n}.html": (
            f"<html><head><title>第{n}条</title></head><body><h1>深圳新闻第{n}条</h1>"
            + "<p>考察团一行先后来到产业园区。</p>" * 20
            + "</body></html>"
        ).encode("gbk")
        for n in range(5)
    }
    cc_news_warc(tmp_path / "CC-NEWS-20240501.warc.gz", pages)
    paths = [tmp_path / "CC-NEWS-20240501.warc.gz"]
    listed = list(iter_warc_pages(paths))
    assert listed == [(url, "text/html") for url in pages]
    settings = SETTINGS.model_copy(update={"allow_private_networks": False})
    async with Fetcher(
        fetch_profile(settings, UA), transport=WarcReplayTransport(paths)
    ) as fetcher:
        for url, html in pages.items():
            result = await fetcher.get(url)  # robots.txt is not archived: allowed
            assert result.content == html
            assert f"深圳新闻第{url[-6]}条" in result.decode().text
            assert result.headers["content-encoding"] == "gzip"
            assert "transfer-encoding" not in result.headers


async def test_a_miss_is_not_in_archive(tmp_path: Path) -> None:
    cc_news_warc(tmp_path / "a.warc.gz", {"https://news.example.cn/a.html": b"<p>a</p>"})
    transport = WarcReplayTransport([tmp_path / "a.warc.gz"])
    assert len(transport) == 1
    async with Fetcher(PROFILE, transport=transport) as fetcher:
        with pytest.raises(NotInArchive) as info:
            await fetcher.get("https://news.example.cn/b.html", source_id="cc")
    assert info.value.url == "https://news.example.cn/b.html" and info.value.source_id == "cc"


@pytest.mark.parametrize("packed", [True, False])
async def test_a_record_cut_short_is_an_error_not_half_a_page(tmp_path: Path, packed: bool) -> None:
    """A crawl killed while writing its WARC, or a download cut short: the last record's page
    must not come back as a shorter page with status 200."""
    pages = {
        f"https://news.example.cn/{n}.html": "".join(
            chr(0x4E00 + (n * 7 + i * 13) % 20000) for i in range(3000)
        ).encode("gb18030")
        for n in range(3)
    }
    whole = tmp_path / "whole.warc"
    cc_news_warc(whole, pages, packed=packed)
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole.read_bytes()[:-1000])
    transport = WarcReplayTransport([cut])
    async with Fetcher(PROFILE, transport=transport) as fetcher:
        *complete, last = pages
        for url in complete:
            assert (await fetcher.get(url)).content == pages[url]
        with pytest.raises(
            FetchError, match=r"cut\.warc:\d+ is cut short \([\d,]+ bytes missing\)"
        ):
            await fetcher.get(last)


@pytest.mark.parametrize("packed", [True, False])
def test_a_file_cut_anywhere_is_never_cut_silently(tmp_path: Path, packed: bool) -> None:
    """Cut at every 3rd byte, a WARC file is refused (cut in its first record), or its damage is
    reported in ``damaged``, or every page whose record began before the cut is listed and
    replays whole: nothing is lost without a word. Nothing but ArchiveError escapes, though
    warcio itself raises AttributeError for a header cut before its WARC-Target-URI."""
    pages = {f"https://news.example.cn/{n}.html": f"<p>第{n}篇</p>".encode() * 50 for n in range(4)}
    whole = tmp_path / "whole.warc"
    cc_news_warc(whole, pages, packed=packed)
    data = whole.read_bytes()
    with whole.open("rb") as stream:
        archive = ArchiveIterator(stream)
        starts = [archive.get_record_offset() for _ in archive]

    async def replayed(transport: WarcReplayTransport, url: str) -> bytes:
        async with Fetcher(PROFILE, transport=transport) as fetcher:
            return (await fetcher.get(url)).content

    cut = tmp_path / "cut.warc"
    outcomes: set[str] = set()
    for at in range(1, len(data), 3):
        cut.write_bytes(data[:at])
        try:
            transport = WarcReplayTransport([cut])
        except ArchiveError as exc:
            assert "cut.warc: not a readable WARC file" in str(exc)
            outcomes.add("refused")
            continue
        listed = [url for url, _ in iter_warc_pages([cut])]
        assert listed == list(pages)[: len(listed)]
        if transport.damaged:
            assert "cut.warc: damaged or cut short after" in transport.damaged[0]
            outcomes.add("reported")
            continue
        begun = [url for url, start in zip(pages, starts, strict=True) if start < at]
        assert listed == begun, f"cut at {at}: {set(begun) - set(listed)} lost without a word"
        for url in listed:
            assert asyncio.run(replayed(transport, url)) == pages[url]
        outcomes.add("whole")
    assert outcomes == {"refused", "reported", "whole"}


def test_a_file_that_is_not_a_warc_is_reported(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.warc.gz"
    bogus.write_bytes(b"this is not a WARC file at all\n" * 10)
    with pytest.raises(ArchiveError, match=r"bogus\.warc\.gz: not a (readable )?WARC file"):
        WarcReplayTransport([bogus])


def test_transport_is_an_httpx_transport() -> None:
    assert issubclass(WarcReplayTransport, httpx.AsyncBaseTransport)


async def test_replay_skips_politeness_delays(tmp_path: Path) -> None:
    pages = {f"https://news.example.cn/{n}.html": b"<p>x</p>" * (n + 1) for n in range(20)}
    cc_news_warc(tmp_path / "a.warc.gz", pages)
    polite = SETTINGS.model_copy(update={"per_host_delay": 1.0, "per_host_concurrency": 1})
    transport = WarcReplayTransport([tmp_path / "a.warc.gz"])
    started = time.monotonic()
    async with Fetcher(fetch_profile(polite, UA), transport=transport) as fetcher:
        results = await asyncio.gather(*(fetcher.get(url) for url in pages))
    assert time.monotonic() - started < 3  # 20 pages at 1 s each, were there a server
    assert [r.content for r in results] == list(pages.values())


async def test_an_archived_bomb_is_cut_off_on_replay(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        payload = bomb("gzip", 200_000_000)
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            protocol="HTTP/1.1",
        )
        writer.write_record(
            writer.create_warc_record(
                "https://evil.example.cn/",
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=headers,
            )
        )
    settings = SETTINGS.model_copy(update={"max_bytes": 1_000_000})
    async with Fetcher(
        fetch_profile(settings, UA), transport=WarcReplayTransport([path])
    ) as fetcher:
        with pytest.raises(BodyTooLarge, match="after decompression"):
            await fetcher.get("https://evil.example.cn/")
