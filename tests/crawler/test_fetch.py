"""The fetcher against real loopback servers: charsets, robots, limits, politeness, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sitefarm import Site, make_articles, serve

from crawler.config import FetchSettings
from crawler.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsDisallowed,
)
from crawler.fetch import Fetcher, FetchRecord, Validators

UA = "citydigest-test/0.1 (+https://example.org/citydigest)"


def settings(**kw: object) -> FetchSettings:
    base = {"per_host_concurrency": 2, "per_host_delay": 0.0, "timeout": 2.0, "max_bytes": 1_000_000,
            "allow_private_networks": True}
    return FetchSettings(**{**base, **kw})


@pytest.fixture
def sites() -> Iterator[list[Site]]:
    farm = [
        Site("utf8", "127.0.0.2", make_articles("utf8", 30)),
        Site("gbk", "127.0.0.3", make_articles("gbk", 30), encoding="gbk-header"),
        Site("gbkmeta", "127.0.0.4", make_articles("gbkmeta", 30), encoding="gbk-meta"),
        Site("gbkwrong", "127.0.0.5", make_articles("gbkwrong", 30), encoding="gbk-wrong"),
        Site("big5", "127.0.0.6", make_articles("big5", 30, script="traditional"), encoding="big5"),
    ]
    with serve(farm):
        yield farm


@pytest.mark.parametrize("index", range(5))
async def test_every_charset_decodes(sites: list[Site], index: int) -> None:
    site = sites[index]
    async with Fetcher(settings(), user_agent=UA) as fetcher:
        result = await fetcher.get(site.article_url(3))
    text = result.decode().text
    assert site.articles[3].title in text
    assert "\ufffd" not in text


async def test_robots_txt_is_obeyed(sites: list[Site]) -> None:
    site = sites[0]
    async with Fetcher(settings(), user_agent=UA) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.get(f"{site.base}/private/secret.html")
        await fetcher.get(site.article_url(1))
    paths = [p for _, p in site.requests]
    assert "/private/secret.html" not in paths
    assert paths.count("/robots.txt") == 1


async def test_robots_can_be_ignored_when_configured(sites: list[Site]) -> None:
    async with Fetcher(settings(obey_robots=False), user_agent=UA) as fetcher:
        result = await fetcher.get(f"{sites[0].base}/private/secret.html")
    assert result.status == 200


async def test_per_host_concurrency_is_bounded(sites: list[Site]) -> None:
    site = sites[0]
    site.latency = 0.05
    async with Fetcher(settings(per_host_concurrency=2), user_agent=UA) as fetcher:
        await asyncio.gather(*(fetcher.get(site.article_url(n)) for n in range(20)))
    assert site.max_active == 2


async def test_per_host_delay_spaces_requests(sites: list[Site]) -> None:
    site = sites[0]
    async with Fetcher(settings(per_host_delay=0.1, per_host_concurrency=4), user_agent=UA) as fetcher:
        await asyncio.gather(*(fetcher.get(site.article_url(n)) for n in range(6)))
    assert [p for _, p in site.requests].count("/robots.txt") == 1
    times = sorted(t for t, p in site.requests if p != "/robots.txt")
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 6
    assert min(gaps) >= 0.09


async def test_hosts_are_fetched_in_parallel(sites: list[Site]) -> None:
    for site in sites:
        site.latency = 0.2
    async with Fetcher(settings(per_host_concurrency=1, obey_robots=False), user_agent=UA) as fetcher:
        started = asyncio.get_running_loop().time()
        await asyncio.gather(*(fetcher.get(site.article_url(0)) for site in sites))
        elapsed = asyncio.get_running_loop().time() - started
    assert elapsed < 0.2 * len(sites) * 0.6


async def test_redirects_are_followed(sites: list[Site]) -> None:
    async with Fetcher(settings(), user_agent=UA) as fetcher:
        result = await fetcher.get(f"{sites[0].base}/redirect/4")
    assert result.final_url == sites[0].article_url(4)
    assert result.url == f"{sites[0].base}/redirect/4"


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/error", 500)])
async def test_http_errors(sites: list[Site], path: str, status: int) -> None:
    records: list[FetchRecord] = []
    async with Fetcher(settings(), user_agent=UA, on_record=records.append) as fetcher:
        with pytest.raises(HTTPStatusError) as info:
            await fetcher.get(sites[0].base + path, source_id="s1")
    assert info.value.status == status
    assert info.value.source_id == "s1"
    assert records[-1].status == status and records[-1].error == f"HTTP {status}"


async def test_slow_response_times_out(sites: list[Site]) -> None:
    async with Fetcher(settings(timeout=0.5), user_agent=UA) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.get(f"{sites[0].base}/slow")


async def test_oversized_body_is_cut_off(sites: list[Site]) -> None:
    async with Fetcher(settings(max_bytes=100_000), user_agent=UA) as fetcher:
        with pytest.raises(BodyTooLarge):
            await fetcher.get(f"{sites[0].base}/huge")


async def test_private_addresses_are_refused_by_default(sites: list[Site]) -> None:
    async with Fetcher(settings(allow_private_networks=False), user_agent=UA) as fetcher:
        with pytest.raises(BlockedAddress, match="private address"):
            await fetcher.get(sites[0].article_url(1))
    assert sites[0].requests == []


async def test_connection_refused_is_a_fetch_error() -> None:
    async with Fetcher(settings(obey_robots=False), user_agent=UA) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.get("http://127.0.0.1:9/nothing")


async def test_same_body_counts_as_not_modified(sites: list[Site]) -> None:
    async with Fetcher(settings(), user_agent=UA) as fetcher:
        first = await fetcher.get(f"{sites[0].base}/feed.xml")
        again = await fetcher.get(f"{sites[0].base}/feed.xml", validators=first.validators)
    assert first.is_modified and not again.is_modified


async def test_user_agent_and_mock_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, html="<html>ok</html>", headers={"ETag": '"v1"'})

    transport = httpx.MockTransport(handler)
    async with Fetcher(settings(), user_agent=UA, transport=transport) as fetcher:
        result = await fetcher.get("https://news.example.org/a.html", headers={"Referer": "https://news.example.org/"})
        await fetcher.get("https://news.example.org/a.html", validators=Validators(etag='"v1"'))
    assert result.validators.etag == '"v1"'
    assert seen[1].headers["user-agent"] == UA and seen[1].headers["referer"] == "https://news.example.org/"
    assert seen[2].headers["if-none-match"] == '"v1"'
