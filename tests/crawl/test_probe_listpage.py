"""Inferring a list page's selectors (crawler.probe.listpage) from pages built in each way real
sites build them, and from the test farm's; the pages are rendered, not served."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discover import parse_list_page
from crawler.probe.listpage import infer_list, looks_like_article
from tests.crawl.listsites import BUILDS, EXPECTED_LINKS, EXPECTED_NEXT, ListSite, list_site
from tests.sitefarm import farm


def _offline(site: ListSite) -> ListSite:
    site.port = 8080  # rendered only: the URLs need a port
    return site


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("page", [1, 2])
def test_each_build_gives_its_list_and_next_selectors(build: str, page: int) -> None:
    site = _offline(list_site(build))
    guess = infer_list(site.built_list(page), site.page_url(page))
    assert guess.best is not None
    assert guess.best.selector == EXPECTED_LINKS[build]
    expected = [site.article_url(a.number) for a in site.articles[(page - 1) * 10 : page * 10]]
    assert [link.url for link in guess.best.links] == expected
    assert all(link.title for link in guess.best.links)  # the title link, not the image's
    assert guess.best.articles == 10
    assert guess.next_pages, "no next page found"
    assert guess.next_pages[0].selector == EXPECTED_NEXT[build]
    assert guess.next_pages[0].url == site.page_url(page + 1)


@pytest.mark.parametrize("build", BUILDS)
def test_the_selectors_hold_through_every_page_as_the_crawl_reads_them(build: str) -> None:
    """Followed with the crawl's own parser, the inferred selectors page through the whole list
    and find every article once; the last page has no next page."""
    site = _offline(list_site(build))
    guess = infer_list(site.built_list(1), site.list_url)
    assert guess.best is not None
    links, next_selector = guess.best.selector, guess.next_pages[0].selector
    found: list[str] = []
    url: str | None = site.list_url
    for page in range(1, site.pages + 1):
        assert url == site.page_url(page)
        listed = parse_list_page(
            site.built_list(page), url, links=links, next_selector=next_selector
        )
        found += [link.url for link in listed.links]
        url = listed.next_url
    assert url is None
    assert found == [site.article_url(a.number) for a in site.articles]


def test_the_farm_list_page() -> None:
    site = farm(1, 25)[0]
    site.port = 8080
    guess = infer_list(site.list_page(1), f"{site.base}/list/1.html")
    assert guess.best is not None
    assert guess.best.selector == "ul.news-list a"
    assert (guess.next_pages[0].selector, guess.next_pages[0].how) == (
        "a.next",
        "the link that says '下一页'",
    )


def test_navigation_and_sidebars_are_not_the_list() -> None:
    """The navigation bar, breadcrumbs, pager and footer are blocks of links that do not look
    like articles; the sidebar links to the list's own first articles: none is named beside
    the list."""
    site = _offline(list_site("ul"))
    guess = infer_list(site.built_list(1), site.list_url)
    assert guess.best is not None and guess.best.selector == "ul.list a"
    assert guess.others == ()


def test_an_article_page_is_no_list() -> None:
    site = _offline(list_site("ul"))
    guess = infer_list(site.article_page(site.articles[0]), site.article_url(0))
    assert guess.best is None


def test_a_page_without_pager_has_no_next_page() -> None:
    site = _offline(list_site("ul", articles=8))
    guess = infer_list(site.built_list(1), site.list_url)
    assert guess.best is not None and len(guess.best.links) == 8
    assert guess.next_pages == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gov.cn/zhengce/content/202405/content_6954321.htm",
        "https://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_11300000.html",
        "http://www.qingdao.gov.cn/zwgk/xxgk/20240531/t20240531_123.shtml",
        "https://news.example.cn/2024/05/31/visit.html",
        "https://example.cn/news/detail.php?id=48213",
        "https://example.cn/a/b/some-story.html",
    ],
)
def test_article_like_addresses(url: str) -> None:
    assert looks_like_article(url, "https://example.cn/list/")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.cn/",
        "https://example.cn/list/",
        "https://example.cn/zwgk/index.html",
        "https://example.cn/news/index_2.html",
        "https://example.cn/zwgk/",
        "https://example.cn/about.html",
    ],
)
def test_section_and_home_addresses(url: str) -> None:
    assert not looks_like_article(url, "https://example.cn/list/")


# --------------------------------------------------------------------------- real-shaped pages

TESTDATA = Path(__file__).parent / "testdata" / "probe"


@pytest.mark.parametrize(
    ("page", "url", "links", "first", "next_selector", "next_url", "script_pager", "sidebar"),
    [
        (
            # TRS WCM, the CMS of most government sites: relative dated links, a mega-menu,
            # a sidebar of dated links too, a pager written by a script.
            "trs-city-gov-list.html",
            "http://www.qingdao.gov.cn/zwgk/xwfb/",
            "div.xxgk_list a",
            "http://www.qingdao.gov.cn/zwgk/xwfb/202405/t20240531_8123456.html",
            None,
            None,
            "div.page",
            "div.rd a",
        ),
        (
            # www.gov.cn: h4 links among empty separator items, paging by index_N.htm.
            "govcn-policy-list.html",
            "https://www.gov.cn/zhengce/zuixin/",
            "div.list a",
            "https://www.gov.cn/zhengce/content/202405/content_6954321.htm",
            'div.pages a:lexbor-contains("下一页")',
            "https://www.gov.cn/zhengce/zuixin/index_1.htm",
            None,
            "div.hot a",
        ),
    ],
)
def test_government_list_pages(
    page: str,
    url: str,
    links: str,
    first: str,
    next_selector: str | None,
    next_url: str | None,
    script_pager: str | None,
    sidebar: str,
) -> None:
    guess = infer_list((TESTDATA / page).read_text(encoding="utf-8"), url)
    assert guess.best is not None
    assert (guess.best.selector, len(guess.best.links), guess.best.articles) == (links, 20, 20)
    assert guess.best.links[0].url == first and guess.best.links[0].title
    found = [(n.selector, n.url) for n in guess.next_pages[:1]]
    assert found == ([(next_selector, next_url)] if next_selector else [])
    assert guess.script_pager == script_pager
    # The sidebar's dated links are a block of their own, below the list; the menus are none.
    assert [g.selector for g in guess.others] == [sidebar]
    assert guess.others[0].score < guess.best.score


@pytest.mark.parametrize(
    ("link", "page", "same"),
    [
        ("https://news.qingdao.gov.cn/2024/05/a", "https://www.qingdao.gov.cn/", True),
        ("https://www.qingdao.gov.cn/2024/05/a", "https://news.qingdao.gov.cn/", True),
        ("https://news.example.com/2024/05/a", "https://www.example.com/", True),
        ("https://www.gov.cn/2024/05/a", "https://www.qingdao.gov.cn/", False),  # gov.cn is shared
        ("https://www.sina.com.cn/2024/05/a", "https://www.qq.com.cn/", False),
        ("https://other.com/2024/05/a", "https://news.example.com/", False),
        ("http://127.0.0.2/2024/05/a", "http://127.0.0.3/", False),
    ],
)
def test_links_of_the_site(link: str, page: str, same: bool) -> None:
    """Only links on the page's site make a list: a block of links to other sites (a
    government site's 相关链接) is none."""
    items = "".join(
        f'<li><a href="{link}{n}.html">第{n}条新闻标题很长很长</a></li>' for n in range(5)
    )
    guess = infer_list(f'<ul class="list">{items}</ul>', page)
    assert (guess.best is not None) is same


@pytest.mark.parametrize(
    ("url", "page", "article"),
    [
        ("https://example.cn/list/2.html", "https://example.cn/list/1.html", False),
        ("https://example.cn/list/?page=2", "https://example.cn/list/", False),
        ("https://example.cn/list/?pageNo=3", "https://example.cn/list/?pageNo=2", False),
        ("https://example.cn/list/4821.html", "https://example.cn/list/1.html", True),
        ("https://example.cn/news/2.html", "https://example.cn/list/1.html", True),
        ("https://example.cn/list/?id=4821", "https://example.cn/list/", True),
    ],
)
def test_other_pages_of_the_list_are_no_articles(url: str, page: str, article: bool) -> None:
    assert looks_like_article(url, page) is article


def _paged(page: int, pager: str) -> str:
    """A list page (page ``page`` of 5) of ten dated links, with ``pager`` formatted for it."""
    items = "".join(
        f'<li><a href="/2024/05/{page:02d}{n:02d}.html">第{page}页第{n}条新闻的标题</a></li>'
        for n in range(10)
    )
    return f'<div class="news"><ul>{items}</ul></div>{pager}'


def _numbers(page: int, current: str, other: str) -> str:
    return "".join((current if n == page else other).format(n=n) for n in range(1, 6))


PAGERS = {
    # the current page as a marked link
    "active-link": (
        "/list/?p={n}",
        lambda p: (
            f'<div class="pg">{_numbers(p, "<a class=active href=?p={n}>{n}</a>", "<a href=?p={n}>{n}</a>")}</div>'
        ),
        "div.pg a.active + a",
    ),
    # the current page as bare <strong>, pages as list_N.html
    "strong": (
        "/list/list_{n}.html",
        lambda p: (
            f'<p class="fenye">{_numbers(p, "<strong>{n}</strong>", "<a href=list_{n}.html>{n}</a>")}</p>'
        ),
        "p.fenye strong + a",
    ),
    # an English "Next »" link with no class, among numbers with no marker
    "next-text": (
        "/list/?page={n}",
        lambda p: (
            f'<div class="nav-links"><a href="?page={p - 1}">« Prev</a> '
            f'<a href="?page={p + 1}">Next »</a></div>'
        ),
        'div.nav-links a:lexbor-contains("Next »")',
    ),
}


@pytest.mark.parametrize("shape", PAGERS)
def test_pagers_of_every_shape_lead_from_page_to_page(shape: str) -> None:
    address, pager, expected = PAGERS[shape]
    url = "https://example.cn" + address

    def page_url(n: int) -> str:
        return url.format(n=n)

    for page in (1, 2, 3):
        guess = infer_list(_paged(page, pager(page)), page_url(page))
        assert guess.next_pages, f"page {page}: no next page"
        assert (guess.next_pages[0].selector, guess.next_pages[0].url) == (
            expected,
            page_url(page + 1),
        )
