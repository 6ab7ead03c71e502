"""The fetcher against real loopback servers: charsets, robots, limits, politeness, errors."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from crawler.base.config import FetchSettings, SourceFetch
from crawler.base.config.profile import FetchProfile, fetch_profile
from crawler.base.errors import (
    BlockedAddress,
    BodyTooLarge,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HostUnreachable,
    HTTPStatusError,
    RobotsDisallowed,
    RobotsUnavailable,
)
from crawler.fetch import hosts as hosts_module
from crawler.fetch import routes as routes_module
from crawler.fetch import sockets as sockets_module
from crawler.fetch.client import Fetcher
from crawler.fetch.cookies import MAX_COOKIES
from crawler.fetch.hosts import HOST_DOWN_AFTER, HostStates
from crawler.fetch.response import FetchRecord, Validators
from tests.faultserver import FaultServer, ForwardProxy, serving
from tests.sitefarm import Site, make_articles, serve

UA = "citydigest-test/0.1 (+https://example.org/citydigest)"


def profile(*, source: SourceFetch | None = None, **kw: object) -> FetchProfile:
    """The test defaults with ``kw`` as the ``fetch:`` settings and ``source``'s overrides."""
    base = {
        "per_host_concurrency": 2,
        "per_host_delay": 0.0,
        "timeout": 2.0,
        "max_bytes": 1_000_000,
        "allow_private_networks": True,
    }
    return fetch_profile(FetchSettings(**{**base, **kw}), UA, source)


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
    async with Fetcher(profile()) as fetcher:
        result = await fetcher.get(site.article_url(3))
    text = result.decode().text
    assert site.articles[3].title in text
    assert "\ufffd" not in text


async def test_robots_txt_is_obeyed(sites: list[Site]) -> None:
    site = sites[0]
    async with Fetcher(profile()) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.get(f"{site.base}/private/secret.html")
        await fetcher.get(site.article_url(1))
    paths = [p for _, p in site.requests]
    assert "/private/secret.html" not in paths
    assert paths.count("/robots.txt") == 1


async def test_robots_can_be_ignored_when_configured(sites: list[Site]) -> None:
    async with Fetcher(profile(obey_robots=False)) as fetcher:
        result = await fetcher.get(f"{sites[0].base}/private/secret.html")
    assert result.status == 200


async def test_per_host_concurrency_is_bounded(sites: list[Site]) -> None:
    site = sites[0]
    site.latency = 0.05
    async with Fetcher(profile(per_host_concurrency=2)) as fetcher:
        await asyncio.gather(*(fetcher.get(site.article_url(n)) for n in range(20)))
    assert site.max_active == 2


async def test_a_request_cancelled_on_its_way_holds_its_host(sites: list[Site]) -> None:
    """A request cancelled after it went out (a job aborted, a worker stopping) is still
    being answered by the server: the host's next request waits as long as the cancelled one
    could still have taken (its 2 s timeout), not only the spacing, so the server never has
    more requests at once than the bound (1 here); one cancelled before its turn holds
    nothing."""
    site = sites[0]
    site.latency = 0.6
    async with Fetcher(profile(per_host_concurrency=1, obey_robots=False)) as fetcher:
        first = asyncio.create_task(fetcher.get(site.article_url(0)))
        await asyncio.sleep(0.2)  # on the server by now
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await fetcher.get(site.article_url(1))
        waiting = asyncio.create_task(fetcher.get(site.article_url(2)))
        queued = asyncio.create_task(fetcher.get(site.article_url(3)))  # waits for the bound
        await asyncio.sleep(0.05)
        queued.cancel()
        await waiting
        await fetcher.get(site.article_url(4))
    assert site.max_active == 1
    times = {path: at for at, path in site.requests}

    def at(n: int) -> float:
        return times[urlsplit(site.article_url(n)).path]

    assert at(1) - at(0) >= 1.8  # the cancelled one's timeout, from its turn
    assert urlsplit(site.article_url(3)).path not in times
    assert at(2) - at(1) < 1.0 and at(4) - at(2) < 1.0  # no hold after those


async def test_per_host_delay_spaces_requests(sites: list[Site]) -> None:
    site = sites[0]
    async with Fetcher(profile(per_host_delay=0.1, per_host_concurrency=4)) as fetcher:
        await asyncio.gather(*(fetcher.get(site.article_url(n)) for n in range(6)))
    assert [p for _, p in site.requests].count("/robots.txt") == 1
    times = sorted(t for t, p in site.requests if p != "/robots.txt")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 6
    # The fetcher spaces request starts by the delay; arrivals at the server carry thread
    # scheduling jitter, so check the whole span and that no two requests came together.
    assert times[-1] - times[0] >= 5 * 0.1 * 0.95
    assert min(gaps) >= 0.1 * 0.5


async def test_a_request_held_past_its_turn_takes_a_new_one(
    sites: list[Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request held between its turn and its send (a busy event loop, a slow machine) for
    more than a twentieth of the spacing takes a new turn before it is sent: the request that
    went at its own turn meanwhile keeps its gap (sent late, the held one came 0.15 s after
    it)."""
    site = sites[0]
    held = site.article_url(0)
    async with Fetcher(profile(per_host_delay=0.3, obey_robots=False)) as fetcher:
        guard = fetcher._guard
        original = guard.check_host
        seen: list[str] = []

        async def check_host(url: str, checked: FetchProfile) -> None:
            seen.append(url)
            if url == held and seen.count(url) == 2:  # its second check: after its turn
                await asyncio.sleep(0.45)
            await original(url, checked)

        monkeypatch.setattr(guard, "check_host", check_host)
        first = asyncio.create_task(fetcher.get(held))
        await asyncio.sleep(0.05)
        await fetcher.get(site.article_url(1))
        await first
    times = sorted(t for t, _ in site.requests)
    assert len(times) == 2
    assert times[1] - times[0] >= 0.3 * 0.9, times


async def test_a_request_held_on_its_way_to_the_socket_takes_a_new_turn(
    sites: list[Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hold may come after the fetcher's last look at the turn: inside the exchange,
    where the connection pool, the connection's lock and connecting yield to a busy event
    loop (the embedded runner, 64 crawls in flight: gaps of 0.08 s at delay 0.5 s). The turn
    is looked at again as the headers go out: held 0.45 s while connecting, the first request
    came 0.15 s after the one that went at its own turn meanwhile."""
    site = sites[0]
    connects = 0
    original = sockets_module.AsyncioBackend.connect_tcp

    async def connect_tcp(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal connects
        connects += 1
        if connects == 1:  # the first request's connection
            await asyncio.sleep(0.45)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(sockets_module.AsyncioBackend, "connect_tcp", connect_tcp)
    async with Fetcher(profile(per_host_delay=0.3, obey_robots=False)) as fetcher:
        first = asyncio.create_task(fetcher.get(site.article_url(0)))
        await asyncio.sleep(0.05)
        await fetcher.get(site.article_url(1))
        await first
    assert connects == 2
    times = sorted(t for t, _ in site.requests)
    assert len(times) == 2
    assert times[1] - times[0] >= 0.3 * 0.9, times


async def test_hosts_are_fetched_in_parallel(sites: list[Site], steady_heap: None) -> None:
    for site in sites:
        site.latency = 0.2
    async with Fetcher(profile(per_host_concurrency=1, obey_robots=False)) as fetcher:
        started = asyncio.get_running_loop().time()
        await asyncio.gather(*(fetcher.get(site.article_url(0)) for site in sites))
        elapsed = asyncio.get_running_loop().time() - started
    assert elapsed < 0.2 * len(sites) * 0.6


async def test_redirects_are_followed(sites: list[Site]) -> None:
    async with Fetcher(profile()) as fetcher:
        result = await fetcher.get(f"{sites[0].base}/redirect/4")
    assert result.final_url == sites[0].article_url(4)
    assert result.url == f"{sites[0].base}/redirect/4"


async def test_a_meta_refresh_stub_is_followed_like_a_redirect() -> None:
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            stub = site.url("/meta-to?url=/page/2.html")
            followed = await fetcher.get(stub)
            elsewhere = await fetcher.get(site.url(f"/meta-to?url={quote(site.page_url(3))}"))
            with pytest.raises(FetchError, match="redirect loop"):
                await fetcher.get(site.url("/meta-loop/a"))
            with pytest.raises(FetchError, match="more than 0 redirects"):
                await fetcher.get(stub, profile(max_redirects=0))
    assert followed.url == stub and followed.final_url == site.page_url(2)
    assert b"<h1>" in followed.content and "正在跳转" not in followed.decode().text
    assert elsewhere.final_url == site.page_url(3)


@pytest.mark.parametrize(
    "query",
    [
        "url=/page/2.html&delay=300",  # a page that reloads itself now and then, not a stub
        "url=javascript:location.reload()",
        "url=mailto:editor@example.cn",
    ],
)
async def test_a_meta_refresh_that_is_no_redirect_leaves_the_page_as_it_is(query: str) -> None:
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            page = await fetcher.get(site.url(f"/meta-to?{query}"))
    assert page.final_url == page.url and "正在跳转" in page.decode().text


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/error", 500)])
async def test_http_errors(sites: list[Site], path: str, status: int) -> None:
    records: list[FetchRecord] = []
    async with Fetcher(profile(), on_record=records.append) as fetcher:
        with pytest.raises(HTTPStatusError) as info:
            await fetcher.get(sites[0].base + path, source_id="s1")
    assert info.value.status == status
    assert info.value.source_id == "s1"
    assert records[-1].status == status and records[-1].error == f"HTTP {status}"


async def test_slow_response_times_out(sites: list[Site]) -> None:
    async with Fetcher(profile(timeout=0.5)) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.get(f"{sites[0].base}/slow")


async def test_oversized_body_is_cut_off(sites: list[Site]) -> None:
    async with Fetcher(profile(max_bytes=100_000)) as fetcher:
        with pytest.raises(BodyTooLarge):
            await fetcher.get(f"{sites[0].base}/huge")


async def test_private_addresses_are_refused_by_default(sites: list[Site]) -> None:
    async with Fetcher(profile(allow_private_networks=False)) as fetcher:
        with pytest.raises(BlockedAddress, match="private address"):
            await fetcher.get(sites[0].article_url(1))
    assert sites[0].requests == []


async def test_connection_refused_is_a_fetch_error() -> None:
    async with Fetcher(profile(obey_robots=False)) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.get("http://127.0.0.1:9/nothing")


async def test_same_body_counts_as_not_modified(sites: list[Site]) -> None:
    async with Fetcher(profile()) as fetcher:
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
    async with Fetcher(profile(), transport=transport) as fetcher:
        referer = SourceFetch(headers={"Referer": "https://news.example.org/"})
        result = await fetcher.get("https://news.example.org/a.html", profile(source=referer))
        await fetcher.get("https://news.example.org/a.html", validators=Validators(etag='"v1"'))
    assert result.validators.etag == '"v1"'
    assert (
        seen[1].headers["user-agent"] == UA
        and seen[1].headers["referer"] == "https://news.example.org/"
    )
    assert seen[2].headers["if-none-match"] == '"v1"'


# --------------------------------------------------------------------------- politeness, in depth
# Against tests/faultserver.py: robots.txt states, Retry-After, AutoThrottle, conditional GET,
# per-source user agent / headers / proxy.


async def test_crawl_delay_from_robots_spaces_requests() -> None:
    site = FaultServer("127.0.0.2", robots="crawl-delay", crawl_delay=0.3)
    with serving(site):
        async with Fetcher(profile(per_host_concurrency=4)) as fetcher:
            await asyncio.gather(*(fetcher.get(site.page_url(n)) for n in range(4)))
            assert fetcher.host_delay(site.base) == pytest.approx(0.3)
    times = sorted(t for t, p, _ in site.requests if p.startswith("/page/"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4
    # Arrival times carry thread-scheduling jitter: the span, and no two together.
    assert times[-1] - times[0] >= 3 * 0.3 * 0.95 and min(gaps) >= 0.3 * 0.5


async def test_redirect_hops_on_one_host_keep_its_spacing_outside_the_timeout() -> None:
    """A site redirecting to itself gets its hops spaced like any requests (they went out
    milliseconds apart before), and the hops' waits for their turns are not the server's
    slowness: four hops at a Crawl-delay of 0.3 s outlast the 1 s timeout and still arrive."""
    site = FaultServer("127.0.0.2", robots="crawl-delay", crawl_delay=0.3)
    with serving(site):
        async with Fetcher(profile(timeout=1.0)) as fetcher:
            result = await fetcher.get(site.url("/chain/3"))
    assert result.final_url == site.page_url(0)
    times = sorted(t for t, p, _ in site.requests if p.startswith(("/chain/", "/page/")))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 5
    assert min(gaps) >= 0.3 * 0.9, gaps
    assert times[-1] - times[0] > 1.0


async def test_robots_is_cached_per_host_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hosts_module, "ROBOTS_TTL", 0.3)
    one, two = FaultServer("127.0.0.2"), FaultServer("127.0.0.3")
    with serving(one, two):
        async with Fetcher(profile()) as fetcher:
            for n in range(3):
                await fetcher.get(one.page_url(n))
            await fetcher.get(two.page_url(0))
            assert one.paths().count("/robots.txt") == 1
            await asyncio.sleep(0.35)
            await fetcher.get(one.page_url(0))
    assert one.paths().count("/robots.txt") == 2
    assert two.paths().count("/robots.txt") == 1


async def test_fetchers_sharing_host_states_carry_robots_and_back_off_across_passes() -> None:
    """A runner's successive passes (one Fetcher each) share its HostStates: robots.txt is not
    read again within its TTL, and a 429's Retry-After still holds the host back."""
    polite, busy = FaultServer("127.0.0.2"), FaultServer("127.0.0.3", retry_after="3000")
    hosts = HostStates()
    with serving(polite, busy):
        for _ in range(3):
            async with Fetcher(profile(), hosts=hosts) as fetcher:
                await fetcher.get(polite.page_url(0))
        async with Fetcher(profile(), hosts=hosts) as fetcher:
            with pytest.raises(HTTPStatusError):
                await fetcher.get(busy.url("/429"))
        async with Fetcher(profile(), hosts=hosts) as fetcher:
            with pytest.raises(FetchError, match="asked us to wait"):
                await asyncio.wait_for(fetcher.get(busy.page_url(0)), 1.0)
        async with Fetcher(profile()) as fetcher:  # without them: afresh
            await fetcher.get(polite.page_url(1))
    assert polite.paths().count("/robots.txt") == 2
    assert busy.paths() == ["/robots.txt", "/429"]
    assert len(hosts) == 2


async def test_hosts_left_alone_for_a_day_are_forgotten_and_start_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A daemon's HostStates would otherwise keep every host it ever met, each with its parsed
    robots.txt, for as long as it runs. A host still backed off is kept."""
    monkeypatch.setattr(hosts_module, "SLOT_IDLE_SECONDS", 0.5)  # a day, in the daemon
    monkeypatch.setattr(hosts_module, "SLOT_SWEEP_SECONDS", 0.0)
    old, busy = FaultServer("127.0.0.2"), FaultServer("127.0.0.3", retry_after="3000")
    recent = FaultServer("127.0.0.4")
    hosts = HostStates()
    with serving(old, busy, recent):
        async with Fetcher(profile(), hosts=hosts) as fetcher:
            await fetcher.get(old.page_url(0))
            with pytest.raises(HTTPStatusError):
                await fetcher.get(busy.url("/429"))
            await asyncio.sleep(0.7)
            await fetcher.get(recent.page_url(0))
            assert hosts.get(old.base.removeprefix("http://")) is None
            assert len(hosts) == 2  # the backed-off host and the one just asked
            await fetcher.get(old.page_url(1))
    assert old.paths().count("/robots.txt") == 2  # started afresh


async def test_a_config_reload_retunes_each_hosts_bound_and_floor_but_keeps_robots() -> None:
    hosts = HostStates()
    slot = hosts.slot("a.example:8080", profile(per_host_concurrency=2, per_host_delay=2.0))
    slot.robots_until = 123.0
    hosts.slot("a.example:8080", profile(per_host_concurrency=4, per_host_delay=0.5))
    assert (slot.concurrency, slot.floor) == (2, 2.0)  # sharing a host: the first bound holds
    hosts.reconfigure()
    retuned = hosts.slot("a.example:8080", profile(per_host_concurrency=4, per_host_delay=0.5))
    assert retuned is slot and (slot.concurrency, slot.floor) == (4, 0.5)
    for _ in range(4):
        await asyncio.wait_for(slot.semaphore.acquire(), 0.5)
    assert slot.semaphore.locked()  # four, not two
    assert slot.robots_until == 123.0  # robots.txt is not read again
    assert slot.delay == 2.0
    slot.throttle(0.0, ok=True)  # the lower floor lets the delay come down with the responses
    assert 0.5 <= slot.delay < 2.0


def test_host_states_start_afresh_on_another_event_loop() -> None:
    """Slots hold asyncio locks, which belong to one loop: a new loop gets new slots."""
    site = FaultServer("127.0.0.2")
    hosts = HostStates()

    async def one_pass() -> None:
        async with Fetcher(profile(), hosts=hosts) as fetcher:
            await asyncio.gather(*(fetcher.get(site.page_url(n)) for n in range(4)))

    with serving(site):
        asyncio.run(one_pass())
        asyncio.run(one_pass())
    assert site.paths().count("/robots.txt") == 2
    assert len(site.paths()) == 10


@pytest.mark.parametrize("mode", ["503", "timeout"])
async def test_unreadable_robots_means_try_later(mode: str) -> None:
    site = FaultServer("127.0.0.2", robots=mode)
    records: list[FetchRecord] = []
    with serving(site):
        async with Fetcher(profile(timeout=0.5), on_record=records.append) as f:
            with pytest.raises(RobotsUnavailable, match="try later"):
                await f.get(site.page_url(0), source_id="s")
            with pytest.raises(RobotsUnavailable):  # remembered: robots.txt is not asked again
                await f.get(site.page_url(1), source_id="s")
    assert site.paths() == ["/robots.txt"]
    assert [r.error for r in records] == [records[0].error] * 2
    assert "robots.txt unavailable" in (records[0].error or "")


async def test_missing_robots_means_everything_is_allowed() -> None:
    site = FaultServer("127.0.0.2", robots="404")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            result = await fetcher.get(site.page_url(1))
    assert result.status == 200
    assert site.paths() == ["/robots.txt", "/page/1.html"]


async def test_robots_disallow_all_fetches_nothing_else() -> None:
    site = FaultServer("127.0.0.2", robots="disallow")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            with pytest.raises(RobotsDisallowed):
                await fetcher.get(site.page_url(0))
    assert site.paths() == ["/robots.txt"]


async def test_robots_txt_is_read_to_500_kib_as_rfc_9309_allows() -> None:
    """What lies past the limit is not parsed (a rule there included), the rules before it are;
    a robots.txt that size is not an error that would stop the host."""
    site = FaultServer("127.0.0.2", robots="huge")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            page = await fetcher.get(site.page_url(0))
            with pytest.raises(RobotsDisallowed):
                await fetcher.get(site.url("/private/a.html"))
    assert page.status == 200


async def test_a_redirect_hop_obeys_its_targets_robots_txt() -> None:
    """A redirect (or a meta refresh) is a request like any: to a disallowed path, or to
    another host that disallows it, it is not followed; that host's robots.txt is read first."""
    site, other = FaultServer("127.0.0.2"), FaultServer("127.0.0.3")
    with serving(site, other):
        async with Fetcher(profile()) as fetcher:
            with pytest.raises(RobotsDisallowed, match=r"redirect target .*/private/a\.html"):
                await fetcher.get(site.url("/to?url=/private/a.html"))
            with pytest.raises(RobotsDisallowed, match="redirect target"):
                await fetcher.get(site.url(f"/to?url={quote(other.url('/private/b.html'))}"))
            with pytest.raises(RobotsDisallowed, match="redirect target"):
                await fetcher.get(site.url("/meta-to?url=/private/c.html"))
            allowed = await fetcher.get(site.url(f"/to?url={quote(other.page_url(1))}"))
    assert allowed.final_url == other.page_url(1)
    assert "/private/a.html" not in site.paths() and "/private/c.html" not in site.paths()
    assert other.paths() == ["/robots.txt", "/page/1.html"]


async def test_a_redirected_robots_txt_is_read_where_it_leads() -> None:
    site = FaultServer("127.0.0.2", robots="moved")
    with serving(site):
        async with Fetcher(profile(timeout=3)) as fetcher:
            page = await fetcher.get(site.page_url(1))
            with pytest.raises(RobotsDisallowed):
                await fetcher.get(site.url("/private/a.html"))
    assert page.status == 200
    assert site.paths() == ["/robots.txt", "/static/robots.txt", "/page/1.html"]


async def test_a_host_that_stops_answering_is_left_alone_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After HOST_DOWN_AFTER requests in a row without an answer, the host's other requests
    fail at once instead of each waiting for the deadline; other hosts are unaffected, and the
    host is asked again later."""
    monkeypatch.setattr(hosts_module, "HOST_DOWN_SECONDS", 0.8)
    site, other = FaultServer("127.0.0.2"), FaultServer("127.0.0.3")
    with serving(site, other):
        async with Fetcher(profile(timeout=0.3, obey_robots=False)) as fetcher:
            for _ in range(HOST_DOWN_AFTER):
                with pytest.raises(FetchTimeout):
                    await fetcher.get(site.url("/drip"))
            asked = len(site.requests)
            with pytest.raises(HostUnreachable, match=f"did not answer {HOST_DOWN_AFTER} req"):
                await fetcher.get(site.page_url(1))
            assert len(site.requests) == asked
            assert (await fetcher.get(other.page_url(1))).status == 200
            await asyncio.sleep(0.9)
            assert (await fetcher.get(site.page_url(1))).status == 200


async def test_a_host_that_refuses_connections_is_left_alone_and_an_answer_resets_the_count() -> (
    None
):
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile(timeout=2, obey_robots=False)) as fetcher:
            for _ in range(HOST_DOWN_AFTER - 1):  # an answer in between: not in a row
                with pytest.raises(FetchTimeout):
                    await fetcher.get(site.url("/drip"), profile(timeout=0.3))
            await fetcher.get(site.page_url(1))
            with pytest.raises(FetchTimeout):
                await fetcher.get(site.url("/drip"), profile(timeout=0.3))
            assert (await fetcher.get(site.page_url(2))).status == 200
        closed = "http://127.0.0.2:9/"  # the discard port: nothing listens
        async with Fetcher(profile(obey_robots=False)) as fetcher:
            for _ in range(HOST_DOWN_AFTER):
                with pytest.raises(ConnectFailed):
                    await fetcher.get(closed)
            with pytest.raises(HostUnreachable, match="ConnectError"):
                await fetcher.get(closed + "again")


@pytest.mark.parametrize("path", ["/429", "/503"])
async def test_retry_after_backs_off_that_host_only(path: str) -> None:
    busy, other = FaultServer("127.0.0.2", retry_after="1"), FaultServer("127.0.0.3")
    with serving(busy, other):
        async with Fetcher(profile(obey_robots=False)) as fetcher:
            with pytest.raises(HTTPStatusError) as info:
                await fetcher.get(busy.url(path))
            assert info.value.status == int(path[1:])
            loop = asyncio.get_running_loop()
            started = loop.time()

            async def timed(url: str) -> float:
                await fetcher.get(url)
                return loop.time() - started

            busy_done, other_done = await asyncio.gather(
                timed(busy.page_url(0)), timed(other.page_url(0))
            )
    assert other_done < 0.5
    assert busy_done >= 0.9


async def test_a_long_retry_after_fails_fast_instead_of_stalling_the_crawl() -> None:
    busy, other = FaultServer("127.0.0.2", retry_after="3000"), FaultServer("127.0.0.3")
    with serving(busy, other):
        async with Fetcher(profile(obey_robots=False)) as fetcher:
            with pytest.raises(HTTPStatusError):
                await fetcher.get(busy.url("/429"))
            with pytest.raises(FetchError, match="asked us to wait"):
                await asyncio.wait_for(fetcher.get(busy.page_url(0)), 1.0)
            assert (await fetcher.get(other.page_url(0))).status == 200
    assert busy.paths() == ["/429"]


async def test_throttle_follows_latency_and_never_drops_below_the_floor() -> None:
    slow, fast = FaultServer("127.0.0.2", latency=0.2), FaultServer("127.0.0.3")
    with serving(slow, fast):
        async with Fetcher(
            profile(per_host_concurrency=1, per_host_delay=0.0, obey_robots=False)
        ) as fetcher:
            for n in range(4):
                await fetcher.get(slow.page_url(n))
                await fetcher.get(fast.page_url(n))
            slow_delay, fast_delay = fetcher.host_delay(slow.base), fetcher.host_delay(fast.base)
        async with Fetcher(
            profile(per_host_concurrency=1, per_host_delay=0.25, obey_robots=False)
        ) as fetcher:
            for n in range(3):
                await fetcher.get(fast.page_url(n))
            floored = fetcher.host_delay(fast.base)
    # After 4 responses of 0.2 s the delay has moved 15/16 of the way to 0.2 s.
    assert slow_delay is not None and 0.16 < slow_delay <= 0.2
    assert fast_delay is not None and fast_delay < 0.02
    assert floored == pytest.approx(0.25)


async def test_validators_in_chinese_go_back_as_they_came() -> None:
    """A server whose ETag and Last-Modified are not ASCII: they are stored, sent back as the
    same bytes, and the page is not modified. httpx had refused to send them, failing every
    later conditional GET of the page, run after run (validators are stored)."""
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            first = await fetcher.get(site.url("/etag-chinese"))
            again = await fetcher.get(site.url("/etag-chinese"), validators=first.validators)
    assert (first.validators.etag, first.validators.last_modified) == ('"新版"', "昨天")
    assert again.status == 304 and not again.is_modified


async def test_conditional_get_with_etag() -> None:
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            first = await fetcher.get(site.url("/etag"))
            again = await fetcher.get(site.url("/etag"), validators=first.validators)
    assert first.is_modified and first.validators.etag == '"v1"'
    assert first.validators.last_modified == "Wed, 01 May 2024 08:00:00 GMT"
    assert again.not_modified and again.status == 304 and again.content == b""
    sent = [h for _, p, h in site.requests if p == "/etag"][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 01 May 2024 08:00:00 GMT"


async def test_stale_etag_but_same_body_is_not_modified() -> None:
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            first = await fetcher.get(site.url("/stale-etag"))
            again = await fetcher.get(site.url("/stale-etag"), validators=first.validators)
            changed = await fetcher.get(
                site.url("/stale-etag"), validators=Validators(body_hash="0" * 64)
            )
    assert first.validators.etag != again.headers.get("etag")
    assert not again.is_modified
    assert changed.is_modified


async def test_per_source_user_agent_and_headers_reach_the_server() -> None:
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            default = await fetcher.get(site.url("/echo"))
            custom = await fetcher.get(
                site.url("/echo?x=1"),
                profile(
                    source=SourceFetch(
                        user_agent="qdnews-bot/2.0",
                        headers={"Referer": "https://news.example.cn/"},
                        cookies={"region": "cn"},
                    )
                ),
            )
    assert json.loads(default.content)["User-Agent"] == UA
    sent = json.loads(custom.content)
    assert sent["User-Agent"] == "qdnews-bot/2.0"
    assert sent["Referer"] == "https://news.example.cn/" and sent["Cookie"] == "region=cn"
    assert "br" in sent["Accept-Encoding"] and "gzip" in sent["Accept-Encoding"]


async def test_cookies_a_server_sets_go_back_to_that_server_only() -> None:
    site, other = FaultServer("127.0.0.2"), FaultServer("127.0.0.3")
    with serving(site), serving(other):
        async with Fetcher(profile()) as fetcher:
            before = await fetcher.get(site.url("/echo"))
            await fetcher.get(site.url("/set-cookie?session=xyz"))
            after = await fetcher.get(site.url("/echo?again=1"))
            elsewhere = await fetcher.get(other.url("/echo"))
            configured = await fetcher.get(
                site.url("/echo?x=2"), profile(source=SourceFetch(headers={"Cookie": "region=cn"}))
            )
    assert "Cookie" not in json.loads(before.content)
    assert json.loads(after.content)["Cookie"] == "session=xyz"
    assert "Cookie" not in json.loads(elsewhere.content)
    # A source's own Cookie header is sent as configured (as an httpx client would).
    assert json.loads(configured.content)["Cookie"] == "region=cn"


async def test_a_cookie_with_a_chinese_value_goes_back_as_it_came() -> None:
    """Set-Cookie with raw UTF-8 bytes in its value (city=青岛): sent back as those bytes, as a
    browser does. httpx's cookie helper raised UnicodeEncodeError on it, which failed every
    later request to the host."""
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            await fetcher.get(site.url(f"/set-cookie?city={quote('青岛')}"))
            echoed = await fetcher.get(site.url("/echo"))
            page = await fetcher.get(site.page_url(3))
    # The test server reads header bytes as Latin-1.
    assert json.loads(echoed.content)["Cookie"].encode("latin-1") == "city=青岛".encode()
    assert page.status == 200


async def test_a_cookie_in_gbk_bytes_goes_back_as_the_same_bytes() -> None:
    """Header bytes that are not UTF-8 reach httpx as Latin-1 text; sent back as the UTF-8 of
    that text, the server would get other bytes than it set (and, with them, no session)."""
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            await fetcher.get(site.url("/set-cookie-gbk"))
            echoed = await fetcher.get(site.url("/echo"))
            await fetcher.get(site.url(f"/set-cookie?district={quote('市南区')}"))
            both = await fetcher.get(site.url("/echo?again=1"))
    assert json.loads(echoed.content)["Cookie"].encode("latin-1") == "city=青岛".encode("gbk")
    sent = json.loads(both.content)["Cookie"].encode("latin-1").split(b"; ")
    assert sorted(sent) == sorted(["city=青岛".encode("gbk"), "district=市南区".encode()])


async def test_a_site_setting_a_cookie_on_every_page_is_kept_within_a_browsers_bounds() -> None:
    """Without a bound, the Cookie header grows with every page until the server answers 400
    to every request (here after about 75 pages, as nginx does past 8 KB). The cookies set first
    (the session) stay; one over 4 KB is not kept."""
    site = FaultServer("127.0.0.2")
    with serving(site):
        async with Fetcher(profile()) as fetcher:
            await fetcher.get(site.url("/set-cookie?session=xyz"))
            await fetcher.get(site.url("/set-big-cookie"))
            pages = [await fetcher.get(site.url(f"/cookie-per-page?n={n}")) for n in range(150)]
            echoed = await fetcher.get(site.url("/echo"))
    assert all(page.status == 200 for page in pages)
    sent = dict(pair.split("=", 1) for pair in json.loads(echoed.content)["Cookie"].split("; "))
    assert len(sent) == MAX_COOKIES
    assert sent["session"] == "xyz" and "huge" not in sent
    assert "visited0" in sent and "visited149" not in sent


def _open_connections_to(ports: set[int]) -> int:
    """Established TCP connections to any of ``ports`` (from /proc/net/tcp: the client side
    of each, as the servers listen on these ports)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port, state = int(fields[2].split(":")[1], 16), fields[3]
        count += remote_port in ports and state == "01"
    return count


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="counts connections in /proc")
async def test_connections_to_hosts_left_idle_are_closed_and_cookies_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the sweep every host the crawl touched keeps a socket open until the fetcher
    closes: a crawl over hundreds of hosts runs out of file descriptors."""
    monkeypatch.setattr(routes_module, "IDLE_ROUTE_SECONDS", 2.0)  # room for a slow machine
    sites = [FaultServer(f"127.0.0.{n}") for n in range(2, 32)]
    with serving(*sites):
        ports = {site.port for site in sites}
        async with Fetcher(profile()) as fetcher:
            await fetcher.get(sites[0].url("/set-cookie?session=xyz"))
            await asyncio.gather(*(fetcher.get(site.page_url(1)) for site in sites[1:]))
            busy = _open_connections_to(ports)
            # The sweep runs as a request starts, once the others have been idle 2 s: ask the
            # first host again until it has (on a loaded machine the last exchanges end late).
            # The servers keep idle connections open for ever, so only the sweep closes them.
            deadline = time.monotonic() + 12
            while True:
                await asyncio.sleep(1.0)
                echoed = await fetcher.get(sites[0].url("/echo"))
                await asyncio.sleep(0.05)
                after = _open_connections_to(ports)
                if after <= 2 or time.monotonic() > deadline:
                    break
    assert busy >= len(sites)
    assert after <= 2  # the host just asked again (and at most one other still closing)
    assert json.loads(echoed.content)["Cookie"] == "session=xyz"


async def test_requests_can_go_through_a_proxy() -> None:
    site = FaultServer("127.0.0.2")
    proxy = ForwardProxy("127.0.0.9")
    with serving(site), proxy.running():
        async with Fetcher(profile()) as fetcher:
            via = SourceFetch(proxy=proxy.url, user_agent="via-proxy")
            result = await fetcher.get(site.page_url(1), profile(source=via))
            direct = await fetcher.get(site.page_url(2))
    relayed = [path for path, _ in proxy.requests]
    assert relayed == [f"{site.base}/robots.txt", site.page_url(1)]
    assert "故障测试站第1篇" in result.decode().text and direct.status == 200
    assert [h.get("Via") for _, p, h in site.requests if p == "/page/1.html"] == ["1.1 test-proxy"]
    assert [h.get("Via") for _, p, h in site.requests if p == "/page/2.html"] == [None]
    assert proxy.requests[1][1]["User-Agent"] == "via-proxy"


async def test_source_cookies_and_headers_go_with_every_request_of_the_source(
    tmp_path: Path,
) -> None:
    """A site that answers only with its browser-check cookie: the configured cookie is sent
    on the feed and article requests alike, beside the source's own headers."""
    from crawler.base.config import load_config
    from crawler.base.db import Database
    from crawler.pipeline import crawl
    from crawler.report import CrawlOptions

    seen: list[tuple[str, str | None, str | None]] = []
    article = "<html><head><title>青岛考察团赴深圳</title></head><body><h1>青岛考察团赴深圳</h1>"
    article += "<div class='article'>" + "<p>青岛市党政考察团赴深圳考察学习，双方座谈交流。</p>" * 8
    article += "</div></body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            (request.url.path, request.headers.get("cookie"), request.headers.get("referer"))
        )
        if request.headers.get("cookie") != "sid=abc123; check=1":
            return httpx.Response(403, text="browser check")
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/rss.xml":
            rss = (
                "<rss><channel><item><title>t</title><link>https://news.example.cn/a/1.html</link>"
            )
            rss += "</item></channel></rss>"
            return httpx.Response(200, text=rss, headers={"content-type": "application/rss+xml"})
        return httpx.Response(
            200, text=article, headers={"content-type": "text/html; charset=utf-8"}
        )

    (tmp_path / "citydigest.yaml").write_text(f"database: sqlite:///{tmp_path / 'c.db'}\n")
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - id: cn\n    name: 示例\n    feed: https://news.example.cn/rss.xml\n"
        '    fetch: {headers: {Referer: "https://news.example.cn/"},'
        " cookies: {sid: abc123, check: '1'}}\n"
    )
    config = load_config(tmp_path)
    db = Database(config.settings.database, upgrade=True)
    summary = await crawl(
        config, db, options=CrawlOptions(workers=0), transport=httpx.MockTransport(handler)
    )
    db.dispose()
    assert summary.ok and summary.new == 1, [r.errors for r in summary.reports]
    assert {path for path, _, _ in seen} >= {"/robots.txt", "/rss.xml", "/a/1.html"}
    assert all(c == "sid=abc123; check=1" and r == "https://news.example.cn/" for _, c, r in seen)
