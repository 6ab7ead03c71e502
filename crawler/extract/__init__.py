"""Article extraction: title, body, publication time, outlet, author, lead image and the
policy-metadata table of Chinese news and government pages.

Public surface: ``extract``, ``load_domain_rules`` and the value types ``ExtractRules``,
``Extracted`` and ``PolicyMeta``. The modules, in the order ``extract`` uses them:
``layout`` (the page as boxes and lines), ``policy`` (metadata table, 解读 links), ``body``
(container choice and cleaning), ``title``, ``dates``; ``vocabulary`` holds the boilerplate
words and the labels matched in both scripts, and ``rules`` the CSS overrides.

The names are loaded when first used: a crawl's own process needs only ``rules`` (the form its
analysis workers take the configured selectors in), not the extractor and its vocabulary.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.extractor import extract
    from crawler.extract.model import Extracted, PolicyMeta
    from crawler.extract.rules import ExtractRules, load_domain_rules

__all__ = ["ExtractRules", "Extracted", "PolicyMeta", "extract", "load_domain_rules"]

_HOMES = {
    "extract": "crawler.extract.extractor",
    "Extracted": "crawler.extract.model",
    "PolicyMeta": "crawler.extract.model",
    "ExtractRules": "crawler.extract.rules",
    "load_domain_rules": "crawler.extract.rules",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # the next use finds it without this call
    return value
