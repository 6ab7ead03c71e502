"""A list page's article-link and next-page selectors, read off the page's structure.

A list page repeats one block per article (``ul > li > a``, table rows, ``div`` cards) inside a
container that has a name (an ``id`` or a ``class``). So the page's links are grouped by their
structural path (tag, id and classes of each ancestor; the classes of a repeated item, which
differ as ``odd``/``even``/``first`` do, and its position are left out, a table cell's column
kept), each group is scored by how much it looks like a list of articles (many links, targets
with dated or numbered paths of similar length, title-length texts, not in navigation), and the
best group's selector is the shortest CSS selector that, run through the crawl's own
:func:`crawler.discover.parse_list_page`, finds exactly that group's links.

The next page is looked for in the ways sites mark it, most explicit first: ``rel=next``; a
link that says so (下一页, 下页, next, »); the link after the current page's number in a
numbered pager (``span.current + a``); each candidate selector is verified the same way, and
:mod:`crawler.probe.suggest` follows the first to page 2 to check it holds there too.
"""

from __future__ import annotations

__all__ = ["LinkGroup", "ListGuess", "NextGuess", "infer_list", "looks_like_article"]

import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.base.errors import DiscoverError
from crawler.discover import Link, parse_list_page
from crawler.fetch.urls import is_http_url
from crawler.markup import defuse

MIN_LINKS = 3  # fewer links than this are no list
MAX_GROUPS = 8  # link blocks, the best scored, for which a selector is looked for
_DATED = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?:[-/_]?(?:0[1-9]|1[0-2])(?:[-/_]?(?:0[1-9]|[12]\d|3[01]))?|/)(?!\d)"
)
_NUMBERED = re.compile(r"\d{3,}")
_PAGE_FILE = re.compile(r"\.(?:s?html?|jhtml|php|aspx?|jsp)$", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"\d{1,3}\.\w+")  # list pages numbered as files: 2.html
_SECTION_FILE = re.compile(r"(?:^|/)(?:index|default|list)(?:_\d+)?\.\w+$", re.IGNORECASE)
# Containers of navigation, not of articles (matched in ids and classes, and as tags).
_NAV_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_NAV_NAMES = re.compile(
    r"(?:^|[-_])(?:nav|navbar|menu|header|head|footer|foot|breadcrumbs?|crumbs?|pager|"
    r"pagination|pages|page-?bar|copyright|top-?bar|share|toolbar)(?:$|[-_\d])",
    re.IGNORECASE,
)
# Names that say nothing about a container: left out of selectors.
_GENERIC_CLASSES = frozenset(
    {"clearfix", "clear", "cf", "fl", "fr", "left", "right", "active", "on", "cur", "current",
     "selected", "first", "last", "odd", "even", "hidden", "show", "row", "col", "container"}
)  # fmt: skip
# Second-level domains many sites share (x.gov.cn, y.com.cn): never a site of their own.
_SECOND_LEVELS = frozenset({"gov", "com", "edu", "org", "net", "ac", "co"})
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "option"})
_STABLE_NAME = re.compile(r"^[A-Za-z][\w-]*$")
_NEXT_TEXT = re.compile(
    r"^[\s\[【<(（]*(?:下一页|下页|后一页|后页|下一頁|next(?:\s*page)?|older(?:\s*posts)?)"
    r"[\s>»›\]】)）]*$|^\s*(?:>|»|›|>>)\s*$",
    re.IGNORECASE,
)
_CURRENT_CLASSES = re.compile(r"(?:^|[-_])(?:current|cur|active|on|selected|thisclass|now)$", re.I)
_NO_LINKS = "a[data-citydigest-none]"  # parse_list_page reads only the next page with it
_PAGE_PARAMS = frozenset(
    {"page", "p", "pn", "pg", "pageno", "pagenum", "pageindex", "currentpage", "cp"}
)


@dataclass(frozen=True)
class LinkGroup:
    """One repeated block of links, with what makes it look like (or not like) a list."""

    selector: str
    links: tuple[Link, ...]
    articles: int  # links whose targets look like articles
    score: float


@dataclass(frozen=True)
class NextGuess:
    """A next-page selector, how it was found, and where it leads from this page."""

    selector: str
    how: str
    url: str


@dataclass(frozen=True)
class ListGuess:
    """The best article-link group (other blocks of article links trail it) and the next-page
    candidates, best first."""

    best: LinkGroup | None
    others: tuple[LinkGroup, ...]
    next_pages: tuple[NextGuess, ...]
    title: str | None  # the page's <title>
    # Where a script writes the pager (TRS WCM's createPageHTML, say), when no link leads on:
    # the crawl, which runs no scripts, reads only the first page.
    script_pager: str | None = None


def looks_like_article(url: str, page_url: str) -> bool:
    """Whether ``url`` reads like an article's address (a dated path, a numbered page) rather
    than a section, the home page, ``page_url`` itself or another page of its list."""
    parts = urlsplit(url)
    path = parts.path
    if url == page_url or path in ("", "/") or _SECTION_FILE.search(path):
        return False
    if _another_page(parts, urlsplit(page_url)):
        return False
    if _DATED.search(path) or _DATED.search(parts.query):
        return True
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if _NUMBERED.search(last) or any(_NUMBERED.fullmatch(v) for _, v in parse_qsl(parts.query)):
        return True
    return bool(_PAGE_FILE.search(last)) and path.count("/") >= 2


def _another_page(link: SplitResult, page: SplitResult) -> bool:
    """Whether ``link`` is another page of the list ``page`` is one of: ``2.html`` beside
    ``1.html``, or the same path with a page number in the query (``?page=2``)."""
    if link.netloc != page.netloc:
        return False
    folder, _, name = link.path.rpartition("/")
    if folder == page.path.rpartition("/")[0] and _LIST_NUMBER.fullmatch(name):
        return True
    keys = {key.lower() for key, _ in parse_qsl(link.query)}
    return link.path == page.path and bool(keys & _PAGE_PARAMS)


def infer_list(html: str, page_url: str) -> ListGuess:
    """The article links and next page of the list page ``html`` fetched from ``page_url``."""
    tree = LexborHTMLParser(defuse(html))
    base = _base_url(tree, page_url)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node is not None else None
    # The list: the best block of which at least half the links look like articles; others
    # like it are named beside it, unless they link to the list's articles again (its cards'
    # image links, a sidebar of the latest).
    groups = [g for g in _groups(tree, html, base, page_url) if 2 * g.articles >= len(g.links)]
    best = groups[0] if groups else None
    article_urls = {link.url for link in best.links} if best else set()
    others = tuple(g for g in groups[1:] if not _mostly_in(g, article_urls))[:3]
    next_pages = tuple(_next_pages(tree, html, base, page_url, article_urls))
    script_pager = None if next_pages else _script_pager(tree)
    return ListGuess(best, others, next_pages, title or None, script_pager)


def _mostly_in(group: LinkGroup, urls: set[str]) -> bool:
    return 2 * sum(link.url in urls for link in group.links) >= len(group.links)


# --------------------------------------------------------------------------- article links


def _base_url(tree: LexborHTMLParser, page_url: str) -> str:
    node = tree.css_first("base[href]")
    return urljoin(page_url, node.attributes.get("href") or "") if node is not None else page_url


def _absolute(base: str, node: LexborNode) -> str | None:
    href = (node.attributes.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    try:
        url = urljoin(base, href).split("#", 1)[0]
    except ValueError:
        return None
    return url if is_http_url(url) else None


def _same_site(url: str, page_url: str) -> bool:
    """On the page's site: its host, or a host under it or beside it (news.x.gov.cn beside
    www.x.gov.cn, not www.gov.cn)."""
    host, page_host = urlsplit(url).hostname or "", urlsplit(page_url).hostname or ""
    if host == page_host:
        return True
    if re.fullmatch(r"[\d.]+|\[.*\]|[^.]*", page_host):  # an address or a single label
        return False
    site = _site(page_host)
    return host == site or host.endswith("." + site)


def _site(host: str) -> str:
    """The domain a host's siblings share: without ``www.`` and, past three labels or with a
    second level that is no generic one, without its first label (news.x.gov.cn -> x.gov.cn,
    news.example.com -> example.com, but x.gov.cn stays: gov.cn is everyone's)."""
    labels = host.removeprefix("www.").split(".")
    if len(labels) > 3 or (len(labels) == 3 and labels[1] not in _SECOND_LEVELS):
        labels = labels[1:]
    return ".".join(labels)


def _names(node: LexborNode) -> list[str]:
    """``#id`` and ``.class`` parts that may name ``node`` in a selector (stable-looking only)."""
    names = []
    node_id = node.attributes.get("id") or ""
    if _STABLE_NAME.match(node_id) and not re.search(r"\d{3,}", node_id):
        names.append(f"#{node_id}")
    for cls in (node.attributes.get("class") or "").split():
        if _STABLE_NAME.match(cls) and cls.lower() not in _GENERIC_CLASSES:
            names.append(f".{cls}")
    return names


def _repeated(node: LexborNode) -> bool:
    """Whether ``node`` is an item of a list: one of several ``li``, ``tr``, ``dd``... siblings,
    or of several siblings of its tag and first class (``div.card``, not ``div.crumb`` beside
    ``div.cards``)."""
    parent = node.parent
    if parent is None:
        return False
    if node.tag in _ITEM_TAGS:
        return sum(1 for child in parent.iter() if child.tag == node.tag) >= 2
    kind = _first_class(node)
    return sum(1 for c in parent.iter() if c.tag == node.tag and _first_class(c) == kind) >= 2


def _first_class(node: LexborNode) -> str:
    return next(iter((node.attributes.get("class") or "").split()), "")


def _column(node: LexborNode) -> int:
    """A table cell's position among its row's cells, from 1."""
    assert node.parent is not None
    cells = [c for c in node.parent.iter() if c.tag in ("td", "th")]
    return next(i for i, c in enumerate(cells, 1) if c.mem_id == node.mem_id)


def _step(node: LexborNode) -> str:
    """One ancestor in a link's structural path."""
    if node.tag in ("td", "th"):
        return f"{node.tag}:nth-child({_column(node)})"
    if _repeated(node) or node.tag == "a":
        return node.tag or ""
    return (node.tag or "") + "".join(_names(node))


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    current = node.parent
    while current is not None and current.tag not in ("html", "-undef", None):
        yield current
        current = current.parent


def _is_navigation(node: LexborNode) -> bool:
    for ancestor in (node, *_ancestors(node)):
        if ancestor.tag in _NAV_TAGS:
            return True
        names = " ".join(
            (ancestor.attributes.get("id") or "", ancestor.attributes.get("class") or "")
        )
        if any(_NAV_NAMES.search(name) for name in names.split()):
            return True
    return False


@dataclass
class _Member:
    node: LexborNode
    link: Link


def _groups(tree: LexborHTMLParser, html: str, base: str, page_url: str) -> list[LinkGroup]:
    """The page's link blocks, best first; selectors are looked for (a parse of the page per
    candidate) only for the :data:`MAX_GROUPS` that score best."""
    members: dict[tuple[str, ...], list[_Member]] = defaultdict(list)
    for node in tree.css("a[href]"):
        url = _absolute(base, node)
        if url is None or not _same_site(url, page_url):
            continue
        title = node.attributes.get("title") or node.text(strip=True)
        path = (_step(node), *(_step(a) for a in _ancestors(node)))
        members[path].append(_Member(node, Link(url, title or None)))
    scored = []
    for path, group in members.items():
        urls = list(dict.fromkeys(m.link.url for m in group))
        if len(urls) >= MIN_LINKS:
            articles = sum(looks_like_article(u, page_url) for u in urls)
            scored.append((_score(group, urls, articles), articles, path, group))
    scored.sort(key=lambda item: item[0], reverse=True)
    found = []
    for score, articles, path, group in scored[:MAX_GROUPS]:
        chosen = _selector_for(html, base, path, group)
        if chosen is not None:
            found.append(LinkGroup(chosen[0], chosen[1], articles, score))
    return found


def _score(group: list[_Member], urls: list[str], articles: int) -> float:
    """Many links, most to article-like targets of similar length, with title-length texts,
    outside navigation: the higher, the more like the page's list of articles."""
    share = articles / len(urls)
    titles = [len(m.link.title or "") for m in group]
    titled = sum(1 for n in titles if n >= 6) / len(titles)
    lengths = [len(u) for u in urls]
    spread = statistics.pstdev(lengths) / statistics.mean(lengths)
    similar = max(0.1, 1.0 - 4 * spread)
    nav = 0.1 if _is_navigation(group[0].node) else 1.0
    return len(urls) * (0.1 + share) * (0.1 + titled) * similar * nav


def _selector_for(
    html: str, base: str, path: tuple[str, ...], group: list[_Member]
) -> tuple[str, tuple[Link, ...]] | None:
    """The shortest selector that finds exactly this group's links, or else the one that finds
    them all with the fewest others (at most a third more); None when none does. With the links
    it finds, as the crawl reads them (:func:`crawler.discover.parse_list_page`)."""
    wanted = {m.link.url: m.link.title for m in reversed(group)}
    best: tuple[int, str, tuple[Link, ...]] | None = None
    for candidate in _candidates(path, group[0].node):
        try:
            links = parse_list_page(html, base, links=candidate).links
        except DiscoverError:
            continue
        found = {link.url: link.title for link in links}
        if not wanted.keys() <= found.keys():
            continue
        extra = len(found.keys() - wanted.keys())
        # A selector that also takes a card's image link to the same article would read the
        # link without its title: exact means the same links with the same titles.
        if extra == 0 and all(found[u] == t for u, t in wanted.items() if t):
            return candidate, links
        if extra * 3 <= len(wanted) and (best is None or extra < best[0]):
            best = (extra, candidate, links)
    return (best[1], best[2]) if best else None


def _candidates(path: tuple[str, ...], anchor: LexborNode) -> Iterator[str]:
    """Selectors for a link with this structural path, fewest steps first and, among as many,
    the nearest container first: a named container and the link in it (``div.list a``), then
    with the steps between them (``div.cards h3 a``); last the path's own three nearest steps,
    which hold on this page but less surely on the site's other pages."""
    own = [f"a{name}" for name in _names(anchor) if name.startswith(".")]
    named: list[str] = []
    containers = [(i, name) for i, step in enumerate(path[1:], 1) for name in _step_names(step)]
    for depth, name in containers[:6]:
        tag = path[depth].split("#")[0].split(".")[0]
        container = f"{tag}{name}" if name.startswith(".") else name
        inner = list(path[1:depth])[::-1]
        options = ["a", *own]
        if inner:
            options += [f"{inner[-1]} a", " ".join([*inner, "a"])]
        named += [f"{container} {option}" for option in options]
    named.sort(key=lambda s: s.count(" "))  # a stable sort: the nearest container first
    nearest = [" ".join([*path[1 : n + 1][::-1], "a"]) for n in (1, 2, 3)]
    yield from dict.fromkeys([*named, *nearest])


def _step_names(step: str) -> list[str]:
    return re.findall(r"[#.][\w-]+", step.split(":", 1)[0])


# --------------------------------------------------------------------------- next page


def _next_pages(
    tree: LexborHTMLParser, html: str, base: str, page_url: str, article_urls: set[str]
) -> Iterator[NextGuess]:
    """Next-page selectors, most explicit first, each checked to lead off this page."""
    seen: set[str] = set()
    for selector, how in _next_candidates(tree, page_url):
        if selector in seen:
            continue
        seen.add(selector)
        try:
            page = parse_list_page(html, base, links=_NO_LINKS, next_selector=selector)
        except DiscoverError:
            continue
        url = page.next_url
        if url and url != page_url and url not in article_urls and _same_site(url, page_url):
            yield NextGuess(selector, how, url)


def _next_candidates(tree: LexborHTMLParser, page_url: str) -> Iterator[tuple[str, str]]:
    yield "link[rel=next]", "a <link rel=next> in the head"
    yield "a[rel=next]", "a link marked rel=next"
    for node in tree.css("a[href]"):
        text = node.text(strip=True)
        if _NEXT_TEXT.match(text):
            for selector in _text_link_selectors(node, text):
                yield selector, f"the link that says {text!r}"
    yield from _numbered_pager(tree, page_url)


def _text_link_selectors(node: LexborNode, text: str) -> Iterator[str]:
    for name in _names(node):
        yield f"a{name}" if name.startswith(".") else name
    title = node.attributes.get("title")
    if title and '"' not in title:
        yield f'a[title="{title}"]'
    if '"' not in text and "\\" not in text:
        contains = f'a:lexbor-contains("{text}")'
        if container := _named_container(node):
            yield f"{container} {contains}"
        yield contains


def _numbered_pager(tree: LexborHTMLParser, page_url: str) -> Iterator[tuple[str, str]]:
    """The link after the current page's marker in a numbered pager: ``span.current + a``
    (or ``li.active + li a``) holds on every page, where the link to page 2 does not."""
    current = _page_number(page_url)
    how = f"the link after the current page's number ({current})"
    for node in tree.css("body *"):
        if node.text(strip=True) != str(current) or next(node.iter(), None) is not None:
            continue  # (a leaf: the number itself, not what holds it)
        if node.tag == "a" and not _marked_current(node):
            continue  # a link to this page, not the pager's marker of it
        parent = node.parent
        marker = parent if parent is not None and parent.tag == "li" else node
        link = _link_after(marker)
        if link is None:
            continue
        container = _named_container(marker) or ""
        for marked in [*_marks(marker), marker.tag or ""]:
            yield f"{container} {marked} + {link}".strip(), how


def _link_after(node: LexborNode) -> str | None:
    """How the link right after ``node`` is selected from it (``a``, ``li a``), if there is one."""
    after = node.next
    while after is not None and after.tag == "-text":
        after = after.next
    if after is None:
        return None
    if after.tag == "a":
        return "a"
    return f"{after.tag} a" if after.css_first("a[href]") is not None else None


def _named_container(node: LexborNode) -> str | None:
    """The nearest ancestor with a name, as a selector (``div.pages``)."""
    for ancestor in _ancestors(node):
        if names := _names(ancestor):
            return f"{ancestor.tag}{names[0]}" if names[0].startswith(".") else names[0]
    return None


def _marks(node: LexborNode) -> list[str]:
    classes = (node.attributes.get("class") or "").split()
    return [f"{node.tag}.{c}" for c in classes if _STABLE_NAME.match(c)]


def _marked_current(node: LexborNode) -> bool:
    classes = (node.attributes.get("class") or "").split()
    return any(_CURRENT_CLASSES.search(c) for c in classes)


def _page_number(url: str) -> int:
    """The page number ``url`` names (``?page=3``, ``list/4.html``, ``list_4.html``; TRS's
    ``index_2.html`` is page 3), 1 when it names none."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    last = parts.path.rsplit("/", 1)[-1]
    if m := re.fullmatch(r"index_(\d+)\.\w+", last):
        return int(m.group(1)) + 1
    if m := re.fullmatch(r"(?:\w*[_-])?(\d{1,3})\.\w+", last):
        return int(m.group(1))
    return 1


_PAGER_NAMES = re.compile(
    r"(?:^|[-_])(?:page|pages|pager|paging|pagination|fenye|pagebar)(?:$|[-_])", re.I
)


def _script_pager(tree: LexborHTMLParser) -> str | None:
    """The container (``div.page``) of a script that writes the pager, if the page has one."""
    for script in tree.css("script"):
        for ancestor in _ancestors(script):
            names = _names(ancestor)
            if any(_PAGER_NAMES.search(name[1:]) for name in names):
                return f"{ancestor.tag}{names[0]}"
    return None
