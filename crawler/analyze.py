"""From a page to an article: extract, tag, sketch. One code path for the crawl and for
``citydigest analyze``.
"""

from __future__ import annotations

__all__ = ["Analysis", "Analyzer"]

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from crawler.base.taxonomy import Taxonomy
from crawler.dedup import Sketch, sketch
from crawler.extract import Extracted, ExtractRules, extract
from crawler.extract.policy import DocumentIdentity, document_identity
from crawler.extract.rules import rules_from_spec
from crawler.tag import Tagger, Tags, province_of

if TYPE_CHECKING:  # the analysis worker process does without the config's imports
    from crawler.base.config import Config
    from crawler.base.config.sources import Source


_BUILT: dict[int, tuple[Config, Analyzer]] = {}


@dataclass(frozen=True)
class Analysis:
    extracted: Extracted
    tags: Tags
    sketch: Sketch

    @property
    def document(self) -> DocumentIdentity:
        """The policy document the page carries: its 文号 (normalised, as the store keys it) and
        issuing body, from the metadata table, the title or the body's own 文号 line and
        signature; both None on a page that carries no document (news, a 解读)."""
        e = self.extracted
        return document_identity(e.title, e.body, e.policy)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``citydigest analyze``."""
        e, t = self.extracted, self.tags
        return {
            "title": e.title,
            "published": e.published.isoformat() if e.published else None,
            "outlet": e.outlet,
            "author": e.author,
            "image_url": e.image_url,
            "body": e.body,
            "policy": e.policy.to_dict() if e.policy else None,
            "doc_no": self.document.doc_no,
            "issuer": self.document.issuer,
            "interpretation_of": e.interpretation_of,
            "kind": t.kind,
            "cities": list(t.cities),
            "provinces": list(t.provinces),
            "themes": list(t.themes),
            "visits": [v.to_dict() for v in t.visits],
        }


class Analyzer:
    """Holds what analysis needs, built once per command: rules, tagger, time zone."""

    def __init__(
        self,
        *,
        taxonomy: Taxonomy,
        tz: tzinfo,
        domain_rules: Mapping[str, ExtractRules] | None = None,
    ) -> None:
        self.tz = tz
        self.tagger = Tagger(taxonomy)
        self.domain_rules = dict(domain_rules or {})

    @classmethod
    def from_config(cls, config: Config) -> Analyzer:
        """The analyzer of ``config``, built once per config object (the tagger's automata take
        a noticeable fraction of a second; the daemon crawls many times with one config)."""
        cached = _BUILT.get(id(config))
        if cached is not None and cached[0] is config:
            return cached[1]
        rules = {host: rules_from_spec(spec) for host, spec in config.domain_rules.items()}
        analyzer = cls(taxonomy=config.taxonomy, tz=config.settings.zone, domain_rules=rules)
        if len(_BUILT) >= 4:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[id(config)] = (config, analyzer)
        return analyzer

    def analyze_html(
        self,
        html: str,
        url: str,
        *,
        source: Source | None = None,
        home: str | None = None,
        published: datetime | None = None,
    ) -> Analysis:
        """Raise ExtractError when the page holds no article. ``home`` (a city or province)
        wins over the source's; ``published`` stands in for the page's date where the page
        shows none (a feed's date, an analyst's)."""
        return self.analyze_with(
            html,
            url,
            rules=rules_from_spec(source.extract) if source and source.extract else None,
            cities=source.tags.cities if source else (),
            provinces=source.tags.provinces if source else (),
            home=home or (source.home_place if source else None),
            published=published,
        )

    def analyze_with(
        self,
        html: str,
        url: str,
        *,
        rules: ExtractRules | None,
        cities: Sequence[str] = (),
        provinces: Sequence[str] = (),
        home: str | None = None,
        published: datetime | None = None,
    ) -> Analysis:
        """:meth:`analyze_html` with the source's traits given one by one: its extraction rules
        and the places it publishes for (the analysis worker has no config objects)."""
        extracted = extract(html, url, rules=rules, domain_rules=self.domain_rules, tz=self.tz)
        if extracted.published is None and published is not None:
            extracted = replace(extracted, published=published)
        return self._finish(extracted, tuple(cities), tuple(provinces), home)

    def analyze_text(
        self,
        title: str,
        body: str,
        *,
        source: Source | None = None,
        home: str | None = None,
        published: datetime | None = None,
    ) -> Analysis:
        """Plain text in: the title and body are given, and the date if known (it dates the
        visits whose text gives a month and day only)."""
        extracted = Extracted(
            title=title or None,
            body=body,
            published=published,
            outlet=None,
            author=None,
            image_url=None,
            policy=None,
        )
        cities = source.tags.cities if source else ()
        provinces = source.tags.provinces if source else ()
        home = home or (source.home_place if source else None)
        return self._finish(extracted, tuple(cities), tuple(provinces), home)

    def _finish(
        self,
        extracted: Extracted,
        cities: tuple[str, ...],
        provinces: tuple[str, ...],
        home: str | None = None,
    ) -> Analysis:
        tags = self.tagger.tag(
            extracted.title or "",
            extracted.body,
            published=extracted.published.date() if extracted.published else None,
            publisher_city=cities[0] if cities else None,
            publisher_province=provinces[0] if provinces else None,
            home=home,
            policy=extracted.policy is not None,
        )
        # A city's or province's own site: its place applies to every article it publishes. And
        # an article about a city is about its province ("smart-city policy in 广东").
        all_cities = tuple(dict.fromkeys((*tags.cities, *cities)))
        parents = (province_of(city) for city in all_cities)
        all_provinces = (*tags.provinces, *provinces, *(p for p in parents if p))
        tags = replace(tags, cities=all_cities, provinces=tuple(dict.fromkeys(all_provinces)))
        return Analysis(extracted, tags, sketch(extracted.body))
