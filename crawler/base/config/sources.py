"""``sources.yaml`` and ``extract-rules.yaml``: what to crawl and how to read its pages.

A :class:`Source` names its feed, list pages (:class:`ListSpec`) or sitemap, and may carry its
own charset, extraction selectors (:class:`ExtractSpec`), tags and fetch overrides
(:class:`SourceFetch`: headers, cookies, proxy, politeness). ``extract-rules.yaml`` gives
:class:`ExtractSpec` selectors per domain (:class:`ExtractRules`).
"""

from __future__ import annotations

__all__ = [
    "ExtractRules",
    "ExtractSpec",
    "ListSpec",
    "Source",
    "SourceFetch",
    "SourceTags",
    "needs_discovery",
]

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from crawler.base.config.values import Charset, Duration, Frozen, Ident, Selector, Url
from crawler.base.taxonomy import PlaceName, infer_home


class ListSpec(Frozen):
    url: Url
    links: Selector
    next: Selector | None = None
    max_pages: int = Field(5, ge=1, le=10_000)


class ExtractSpec(Frozen):
    title: Selector | None = None
    body: Selector | None = None
    date: Selector | None = None
    drop: tuple[Selector, ...] = ()


class ExtractRules(Frozen):
    """``extract-rules.yaml``: selectors per domain, for pages of sources that name none."""

    domains: Mapping[str, ExtractSpec] = Field(default_factory=dict)


class SourceTags(Frozen):
    cities: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


_COOKIE_NAME_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_COOKIE_VALUE_RE = re.compile(r'^(?:"?[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"?)$')


def _check_cookie_name(name: str) -> str:
    if not _COOKIE_NAME_RE.match(name):
        raise ValueError(f"{name!r} is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)")
    return name


def _check_cookie_value(value: str) -> str:
    if not _COOKIE_VALUE_RE.match(value):
        raise ValueError(
            f"{value!r} is not a cookie value (no spaces, quotes inside, commas, semicolons, "
            "backslashes or non-ASCII; percent-encode them)"
        )
    return value


_CookieValue = Annotated[str, AfterValidator(_check_cookie_value)]


class SourceFetch(Frozen):
    """Per-source overrides of the ``fetch:`` defaults, merged with them once, into the
    source's :class:`~crawler.base.config.profile.FetchProfile`."""

    per_host_concurrency: int | None = Field(None, ge=1, le=64)
    per_host_delay: float | None = Field(None, ge=0, le=3600)
    timeout: float | None = Field(None, gt=0, le=600)
    obey_robots: bool | None = None
    allow_private_networks: bool | None = None
    user_agent: str | None = None
    headers: Mapping[str, str] = Field(default_factory=dict)
    # Sent with every request of the source, e.g. the cookie a site's browser check sets
    # (cookies the site itself sets along the way are kept and sent back as well).
    cookies: Mapping[Annotated[str, AfterValidator(_check_cookie_name)], _CookieValue] = Field(
        default_factory=dict
    )
    proxy: Url | None = None


def needs_discovery(item: Mapping[str, Any]) -> str | None:
    """The problem of a source (as its mapping) that names no feed, list or sitemap, if so.

    A rule over the whole item, which pydantic only runs once every field is valid: the loader
    also checks it on an item whose fields are not."""
    if not any(item.get(k) for k in ("feed", "list", "sitemap")):
        return "a source needs at least one of feed, list or sitemap"
    return None


class Source(Frozen):
    id: Ident
    name: str = Field(min_length=1)
    feed: Url | None = None
    list: ListSpec | None = None
    sitemap: Url | None = None
    encoding: Charset | None = None
    extract: ExtractSpec | None = None
    interval: Duration = timedelta(hours=1)
    tags: SourceTags = SourceTags()
    fetch: SourceFetch = SourceFetch()
    # The city or province whose outlet this is: resolves 我市/本市/我区/来我市 and abbreviations
    # of the city and its counties (来平 = 平度 on 青岛's site). Unset: inferred from the name
    # (青岛市人民政府 -> 青岛) or the id (qingdao-gov -> 青岛) where that is unambiguous.
    home: PlaceName | None = None

    @model_validator(mode="after")
    def _has_discovery(self) -> Source:
        if problem := needs_discovery(self.model_dump()):
            raise ValueError(problem)
        return self

    @property
    def home_place(self) -> str | None:
        """``home``, else the place inferred from the name or id, else None."""
        return self.home or infer_home(self.name, self.id)
