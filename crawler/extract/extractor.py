"""``extract()``: one HTML page in, one ``Extracted`` article out, or ``ExtractError``.

The steps, each in its own module: guard the input (binary, empty, pathological nesting), parse
with selectolax (lexbor), apply the ``drop`` rules, lay the page out as boxes and lines
(``layout``), find the policy metadata table (``policy``), choose the article container
(``rules`` selectors first, then ``body`` heuristics), clean its lines, choose the title
(``title``), then read the date, outlet, author and lead image around the title and byline.
"""

from __future__ import annotations

__all__ = ["extract"]

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.base.errors import ExtractError
from crawler.base.sanitize import clean_text
from crawler.extract.body import BYLINE_RE as _BYLINE_RE
from crawler.extract.body import (
    anchor_to_headline,
    article_lines,
    below_headline,
    choose_container,
    first_post,
)
from crawler.extract.dates import FoundDate, date_from_url, find_date, parse_timestamp
from crawler.extract.guard import guard_input
from crawler.extract.layout import HEADINGS, Box, Layout, Line, walk
from crawler.extract.markup_free import holds_markup, text_only
from crawler.extract.model import Extracted
from crawler.extract.policy import find_interpreted_policy, find_policy_table
from crawler.extract.rules import ExtractRules, rules_for_host, split_selector_group
from crawler.extract.title import choose_title, strip_site_suffix, title_segments
from crawler.extract.vocabulary import AUTHOR_RE as _AUTHOR_RE
from crawler.extract.vocabulary import OUTLET_RE as _OUTLET_RE
from crawler.extract.vocabulary import TRAILING_LABEL_RE as _TRAILING_LABEL_RE
from crawler.extract.vocabulary import clean_space, first_chars, search_at, text_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MIN_BODY_CHARS = 6

_PUBLISHED_META = tuple(
    """article:published_time og:article:published_time og:published_time published_time
    publishdate publish_date publish-date publishtime pubdate firstpublishedtime datepublished
    dc.date.issued dc.date dcterms.issued dcterms.created weibo:article:create_at
    bytedance:published_time article.published sailthru.date date releasedate createdate""".split()  # noqa: SIM905
)
_TITLE_META = ("og:title", "twitter:title", "articletitle", "title", "headline", "dc.title")
_SITE_NAME_META = ("sitename", "og:site_name", "application-name")
_IMAGE_META = ("og:image", "twitter:image", "twitter:image:src", "image", "thumbnail")
_JSONLD_DATE_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
_JS_TIME_KEYS = ("var ct", "publish_time", "pubtime", "publishTime", "create_time")
_JS_TIME_VALUE_RE = re.compile(r"""\s*[=:]\s*["']?(\d{13}|\d{10})(?!\d)""")
_BYLINE_START = first_chars(_BYLINE_RE)
_EMPHASIS = "b, strong, big, font[size], span[style*='font-size']"
_OUTLET_START = first_chars(_OUTLET_RE)
_AUTHOR_START = first_chars(_AUTHOR_RE)


def extract(
    html: str,
    url: str,
    *,
    rules: ExtractRules | None = None,
    domain_rules: Mapping[str, ExtractRules] | None = None,
    tz: tzinfo = SHANGHAI,
) -> Extracted:
    """Extract the article of one page.

    **Parameters:**

    * ``html``: the decoded page (bytes are decoded with ``crawler.fetch.encoding.decode_bytes``).
    * ``url``: the page address, used for relative links, per-domain rules and URL dates.
    * ``rules``: the source's ``extract`` selectors; they win over ``domain_rules`` (matched on the
      host and its parent domains), which win over the heuristics. A rule that matches nothing
      falls back to the next.
    * ``tz``: the zone of dates the page gives without an offset.

    Raises ``ExtractError`` ("no article found: …") and never any other exception.
    """
    try:
        return _extract(html, url, rules, domain_rules, tz)
    except ExtractError:
        raise
    except Exception as exc:  # the contract: nothing but ExtractError leaves the extractor
        raise ExtractError(
            f"no article found: the page could not be read ({type(exc).__name__}: {exc})",
            url=url,
        ) from exc


_TITLE_OPEN_RE = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_SWALLOWED_RE = re.compile(r"<(?:/head|body|div|table|p|script)\b", re.IGNORECASE)


def _parse(text: str) -> LexborHTMLParser:
    """The parsed page; a ``<title>`` that swallowed the page is closed where its markup begins.

    A title is raw text up to ``</title>``: one left open (or closed only after the body's first
    tables) turns the page into title text and leaves no body. Then the title is closed at its
    first tag and the page parsed again, as the author meant it.
    """
    tree = LexborHTMLParser(text)
    titles = tree.tags("title")
    if not titles or _SWALLOWED_RE.search(titles[0].text()) is None:
        return tree
    opening = _TITLE_OPEN_RE.search(text)
    if opening is None:
        return tree
    first_tag = text.find("<", opening.end())
    if first_tag < 0:
        return tree
    return LexborHTMLParser(f"{text[:first_tag]}</title>{text[first_tag:]}")


def _document_title(raw: str) -> str | None:
    """The ``<title>`` text, or its head when it swallowed markup (a ``<title>`` never closed
    reads as raw text up to the next ``</title>``); None when no text is left, so that the
    headline comes from ``<h1>``, og:title or the largest heading instead."""
    return text_only(clean_space(raw), head=True) or None


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    # By tag name rather than the selector "meta[content]": the same elements in the same order
    # (those without content are skipped below), without compiling a selector for every page.
    for node in tree.tags("meta"):
        attrs = node.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _select(tree: LexborHTMLParser, group: str | None) -> tuple[LexborNode, str] | None:
    """The first selector of ``group`` that matches a node with text: (node, its text)."""
    if not group:
        return None
    for selector in split_selector_group(group):
        try:
            nodes = tree.css(selector)
        except Exception:  # an invalid selector is a config problem `check` reports
            continue
        for node in nodes:
            if node.tag == "meta":
                text = node.attributes.get("content") or ""
            else:
                text = node.text(separator="\n")
            if text.strip():
                return node, text
    return None


def _headings(layout: Layout) -> list[str]:
    """Heading lines in order of preference: h1, id/class "title", h2, h3."""
    ranked: list[tuple[int, int, str]] = []
    for i, line in enumerate(layout.lines):
        box, parent = line.box, line.box.parent
        tag = box.tag if box.tag in HEADINGS else (parent.tag if parent else "")
        if tag == "h1":
            rank = 0
        elif (box.attrs and "title" in box.attrs.lower()) or (
            parent and parent.attrs and "title" in parent.attrs.lower()
        ):
            rank = 1
        elif tag in ("h2", "h3"):
            rank = int(tag[1])
        else:
            continue
        if len(line.text) <= 200:
            ranked.append((rank, i, line.text))
    ranked.sort()
    return [text for _, _, text in ranked[:60]]


def _above_byline(layout: Layout, start: int) -> str | None:
    """The heading line right above the byline that precedes line ``start``: a heading element,
    an element whose id/class says "title", or, on pages laid out in tables before CSS, a short
    line set in bold or a large font (``<td><b><font size=4>标题</font></b></td>``)."""
    for i in range(start - 1, max(-1, start - 7), -1):
        line = layout.lines[i]
        if i > 0 and search_at(_BYLINE_RE, _BYLINE_START, line.text):
            above = layout.lines[i - 1]
            box = above.box
            if box.tag in HEADINGS or "title" in box.attrs.lower() or _set_as_headline(above):
                return above.text
            return None
    return None


def _set_as_headline(line: Line) -> bool:
    """A short line without sentence punctuation or a label's colon ("发布日期：" is set in bold
    on government pages) whose whole text is bold or in a large font."""
    if not 4 <= len(line.text) <= 60 or any(ch in line.text for ch in "。：:"):
        return False
    emphasis = line.box.node.css_first(_EMPHASIS)
    return emphasis is not None and clean_space(emphasis.text()) == line.text


_KEY_CELLS = frozenset(("dt", "th"))
_VALUE_CELLS = frozenset(("dd", "td"))
_PUBLICATION_KEY_RE = re.compile(
    r"发布|发表|發佈|發表|发稿|發稿|印发|印發|公开|公開|更新|^(?:日期|时间|時間)$"
)


def _fact_value(key: Line, value: Line) -> bool:
    """A value of an infobox or key-value table (``<dt>批准时间</dt><dd>2023年12月27日</dd>``,
    a wiki's 成立 row): a fact about the subject, not the page's publication date, unless its
    key says publication (发布日期, 更新时间)."""
    return (
        value.box.tag in _VALUE_CELLS
        and key.box.tag in _KEY_CELLS
        and key.chars <= 12
        and _PUBLICATION_KEY_RE.search(key.text) is None
    )


def _text_chars(box: Box, layout: Layout) -> int:
    """The characters of ``box``'s article lines (furniture and link lists left out)."""
    return sum(line.chars for line in article_lines(box, layout))


def _line_index(layout: Layout, line: Line) -> int:
    try:
        return layout.lines.index(line)  # lines compare by identity (eq=False)
    except ValueError:
        return 0


def _title_index(layout: Layout, title: str | None, before: int) -> int | None:
    if not title:
        return None
    key = text_key(title)
    if not key:
        return None
    last = min(before, len(layout.lines)) - 1
    for i in range(last, max(-1, last - 80), -1):
        line_key = text_key(layout.lines[i].text)
        if line_key == key or (len(line_key) >= 6 and key.startswith(line_key)):
            return i
    return None


def _best_date(candidates: list[Callable[[], FoundDate | None]]) -> datetime | None:
    """The first date found; when it has no time of day, a later source's time on that day."""
    for i, candidate in enumerate(candidates):
        chosen = candidate()
        if chosen is None:
            continue
        if not chosen.has_time:
            for later in candidates[i + 1 :]:
                other = later()
                if (
                    other is not None
                    and other.has_time
                    and other.value.date() == chosen.value.date()
                ):
                    return other.value
        return chosen.value
    return None


def _meta_date(metas: Mapping[str, str], html: str, tz: tzinfo) -> FoundDate | None:
    for key in _PUBLISHED_META:
        value = metas.get(key)
        if value:
            found = find_date(value, tz)
            if found is None and value.strip().isdigit():
                moment = parse_timestamp(value.strip(), tz)
                found = FoundDate(moment, True) if moment else None
            if found is not None:
                return found
    m = _JSONLD_DATE_RE.search(html)
    return find_date(m[1], tz) if m else None


def _js_timestamp(html: str, tz: tzinfo) -> FoundDate | None:
    """A Unix publication timestamp in inline script (``var ct = "1581517074"`` on WeChat)."""
    for key in _JS_TIME_KEYS:
        at = html.find(key)
        while at >= 0:
            m = _JS_TIME_VALUE_RE.match(html, at + len(key))
            if m is not None:
                moment = parse_timestamp(m[1], tz)
                return FoundDate(moment, True) if moment else None
            at = html.find(key, at + len(key))
    return None


def _group(match: re.Match[str]) -> str:
    """The captured value of a pattern widened to both scripts (one group per script variant)."""
    return next((g for g in match.groups() if g), "")


def _clean_value(value: str) -> str:
    return _TRAILING_LABEL_RE.sub("", value).strip("：:,，。 ")


def _image(
    container: Box, metas: Mapping[str, str], url: str, *, has_images: bool = True
) -> str | None:
    """og:image (or the like), else the first sizeable image of the article.

    ``has_images`` False says the page has no ``<img>`` at all, which spares the selector.
    """
    candidates: list[str] = []
    for key in _IMAGE_META:
        if metas.get(key):
            candidates.append(metas[key])
            break
    for img in container.node.css("img")[:10] if has_images else ():
        attrs = img.attributes
        src = attrs.get("src") or attrs.get("data-src") or attrs.get("data-original")
        if not src or src.startswith("data:"):
            continue
        width = attrs.get("width") or ""
        if width.isdigit() and int(width) < 100:
            continue
        candidates.append(src)
        break
    for src in candidates:
        try:
            absolute = urljoin(url, src.strip())
        except ValueError:
            continue
        if absolute.startswith(("http://", "https://")):
            return absolute
    return None


def _extract(
    html: object,
    url: str,
    rules: ExtractRules | None,
    domain_rules: Mapping[str, ExtractRules] | None,
    tz: tzinfo,
) -> Extracted:
    url = url or ""
    text = guard_input(html, url)
    tree = _parse(text)
    domain = _domain_rules(url, domain_rules) if domain_rules else None
    chain = [r for r in (rules, domain) if r is not None]

    metas = _metas(tree)
    title_nodes = tree.tags("title")  # what css_first("title") finds, without a selector
    document_title = _document_title(title_nodes[0].text()) if title_nodes else None
    for rule in chain:
        for selector in rule.drop:
            try:
                for node in tree.css(selector):
                    node.decompose()
            except Exception:  # invalid selectors are reported by `citydigest check`
                continue

    root = tree.body or tree.root
    if root is None:
        raise ExtractError("no article found: the document has no elements", url=url)
    layout = walk(root)
    policy_found = find_policy_table(layout, tz)
    policy, policy_box = policy_found if policy_found else (None, None)

    container, body_layout = _container(tree, layout, chain)
    if container is None:
        raise ExtractError("no article found: the page has no paragraphs of text", url=url)
    replies: tuple[Box, ...] = ()
    if body_layout is layout and not any(rule.body for rule in chain):
        container = anchor_to_headline(container, layout, _headline_keys(metas, document_title))
        post, replies = first_post(container, layout)
        # A first post of a few characters (a thread opened by its title and a hashtag) leaves
        # no article: then the scored container stands, so that the page keeps its title.
        if post is not container and _text_chars(post, layout) < _MIN_BODY_CHARS:
            replies = ()
        else:
            container = post
    title, lines = _title_and_lines(
        tree, layout, body_layout, container, chain, metas, document_title, (policy_box, *replies)
    )
    if (
        body_layout is layout
        and title
        and not any(rule.body for rule in chain)
        # the usual page: the headline is found right above the article
        and _title_index(layout, title, _line_index(layout, lines[0]) if lines else 0) is None
    ):
        below = below_headline(layout, container, title)
        if below is not None:  # the container was page furniture above the headline
            container, head_end = below
            lines = [
                line
                for line in article_lines(
                    container, layout, skip=(policy_box,) if policy_box else ()
                )
                if _line_index(layout, line) > head_end
            ] or lines
    # Cleaned here already (``Extracted`` cleans every field) so that a body of control
    # characters alone is no article.
    body = clean_text("\n".join(line.text for line in lines))
    if len(body.replace(" ", "").replace("\n", "")) < _MIN_BODY_CHARS:
        raise ExtractError(
            "no article found: no text is left once page furniture is removed", url=url
        )

    # The byline lives between the headline and the first line of the article.
    if body_layout is layout:
        start, end = _line_index(layout, lines[0]), _line_index(layout, lines[-1])
    else:
        start = end = 0
    title_at = _title_index(layout, title, start)
    if title_at is not None and start - title_at <= 40:
        region_lines = layout.lines[title_at + 1 : start]
    else:
        region_lines = layout.lines[max(0, start - 10) : start]
    region = "\n".join(
        line.text
        for i, line in enumerate(region_lines)
        if line.link_chars * 2 <= line.chars and not (i and _fact_value(region_lines[i - 1], line))
    )
    container_text = "\n".join(
        line.text for line in body_layout.lines[container.first_line : container.end_line]
    )
    published = _best_date(
        [
            lambda: _rule_date(tree, chain, tz),
            lambda: find_date(region, tz, labelled=True) or find_date(region, tz),
            lambda: _meta_date(metas, text, tz),
            lambda: (
                find_date(policy.published_date, tz) if policy and policy.published_date else None
            ),
            lambda: find_date(
                "\n".join(x.text for x in layout.lines[: end + 15]), tz, labelled=True
            ),
            lambda: _js_timestamp(text, tz),
            lambda: find_date("\n".join(x.text for x in lines[:2]), tz, labelled=True),
            lambda: _url_date([url, *_own_urls(tree, text)], tz),
        ]
    )
    outlet, author = _credits(region, container_text, metas, document_title)
    return Extracted(
        title=title or None,
        body=body,
        published=published,
        outlet=outlet,
        author=author,
        image_url=_image(container, metas, url, has_images=bool(tree.tags("img"))),
        policy=policy,
        interpretation_of=find_interpreted_policy(root, title, url),
    )


def _domain_rules(url: str, domain_rules: Mapping[str, ExtractRules]) -> ExtractRules | None:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return rules_for_host(host, domain_rules) if host else None


def _container(
    tree: LexborHTMLParser, layout: Layout, chain: list[ExtractRules]
) -> tuple[Box | None, Layout]:
    """The article's box (a rule's element first, else the heuristics) and the layout it is in."""
    for rule in chain:
        picked = _select(tree, rule.body)
        if picked is None:
            continue
        box = layout.by_node.get(picked[0].mem_id)
        if box is not None:
            return box, layout
        own = walk(picked[0])  # an element the page walk skipped (hidden, say)
        return own.boxes[0], own
    return choose_container(layout), layout


def _headline_keys(metas: Mapping[str, str], document_title: str | None) -> frozenset[str]:
    """The ``text_key``s the page's headline has: its meta titles and ``<title>``, each also
    without a site-name suffix."""
    titles = [t for k in _TITLE_META if (t := text_only(metas.get(k)))]
    if document_title:
        titles.append(document_title)
    keys = {text_key(v) for t in titles for v in (t, strip_site_suffix(t))}
    keys.discard("")
    return frozenset(keys)


def _title_and_lines(
    tree: LexborHTMLParser,
    layout: Layout,
    body_layout: Layout,
    container: Box,
    chain: list[ExtractRules],
    metas: Mapping[str, str],
    document_title: str | None,
    skip: tuple[Box | None, ...],
) -> tuple[str | None, list[Line]]:
    """The headline and the article lines; a headline repeated at the top of the container, and
    what precedes it, is not article text. ``skip``: boxes to leave out (the policy table, the
    replies below a first post)."""
    skipped = frozenset(box for box in skip if box is not None)
    title: str | None = None
    for rule in chain:
        picked = _select(tree, rule.title)
        if picked is not None:
            title = clean_space(picked[1])
            break
    metas_titles = [t for k in _TITLE_META if (t := text_only(metas.get(k)))]
    keys = {text_key(t) for t in metas_titles}
    if document_title:
        keys.add(text_key(document_title))
        keys.update(text_key(part) for part in title_segments(document_title))
    if title:
        keys.add(text_key(title))
    keys.discard("")
    lines = article_lines(container, body_layout, title_keys=frozenset(keys), skip=skipped)
    if title is None:
        above = _above_byline(layout, _line_index(layout, lines[0])) if lines else None
        headings = [h for h in _headings(layout) if not holds_markup(h)]
        title = choose_title(
            headings,
            metas_titles,
            document_title,
            above_byline=above,
            site_names=[metas[k] for k in _SITE_NAME_META if metas.get(k)],
        )
        if title and text_key(title) not in keys:
            keys.add(text_key(title))
            lines = article_lines(container, body_layout, title_keys=frozenset(keys), skip=skipped)
    return title, lines


def _rule_date(tree: LexborHTMLParser, chain: list[ExtractRules], tz: tzinfo) -> FoundDate | None:
    for rule in chain:
        picked = _select(tree, rule.date)
        if picked is None:
            continue
        value = picked[1].strip()
        found = find_date(value, tz, labelled=True) or find_date(value, tz)
        if found is None and value.isdigit():
            moment = parse_timestamp(value, tz)
            found = FoundDate(moment, True) if moment else None
        if found is not None:
            return found
    return None


def _url_date(urls: list[str], tz: tzinfo) -> FoundDate | None:
    """The date in the first of ``urls`` that encodes one (``/2005/07/18/``, ``/20050311/``)."""
    for url in urls:
        moment = date_from_url(url, tz) if url else None
        if moment is not None:
            return FoundDate(moment, False)
    return None


_SAVED_FROM_RE = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)


def _own_urls(tree: LexborHTMLParser, html: str) -> list[str]:
    """The addresses the page gives itself: canonical link, og:url, and the "saved from url"
    comment browsers write into saved pages (a page read from a file or archive has no other)."""
    urls: list[str] = []
    for node in tree.tags("link"):
        if (node.attributes.get("rel") or "").strip().lower() == "canonical":
            urls.append(node.attributes.get("href") or "")
    for node in tree.tags("meta"):
        if (node.attributes.get("property") or node.attributes.get("name")) == "og:url":
            urls.append(node.attributes.get("content") or "")
    saved = _SAVED_FROM_RE.search(html, 0, 4096)
    if saved is not None:
        urls.append(saved[1])
    return [u.strip() for u in urls if u and u.strip()]


def _credits(
    region: str, container_text: str, metas: Mapping[str, str], document_title: str | None
) -> tuple[str | None, str | None]:
    """The outlet (来源：…) and author (作者：…) from the byline, else the container, else meta."""
    outlet_match = search_at(_OUTLET_RE, _OUTLET_START, region) or search_at(
        _OUTLET_RE, _OUTLET_START, container_text
    )
    outlet = _clean_value(_group(outlet_match)) if outlet_match else None
    if not outlet and metas.get("source"):
        outlet = clean_space(metas["source"])[:40]
    outlet = text_only(outlet)
    author_match = search_at(_AUTHOR_RE, _AUTHOR_START, region) or search_at(
        _AUTHOR_RE, _AUTHOR_START, container_text
    )
    author = _clean_value(_group(author_match)) if author_match else None
    if not author and metas.get("author"):
        candidate = clean_space(metas["author"])
        site_names = [*title_segments(document_title or "")[1:], metas.get("og:site_name", "")]
        if (
            2 <= len(candidate) <= 30
            and "://" not in candidate
            and not candidate.isdigit()
            and not any(candidate in name for name in site_names if name)
        ):
            author = candidate
    return outlet or None, text_only(author) or None
