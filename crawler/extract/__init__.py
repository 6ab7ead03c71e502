"""Article extraction: title, body, publication time, outlet, author, lead image and the
policy-metadata table of Chinese news and government pages.

Public surface: ``extract``, ``load_domain_rules`` and the value types ``ExtractRules``,
``Extracted`` and ``PolicyMeta``. The modules, in the order ``extract`` uses them:
``layout`` (the page as boxes and lines), ``policy`` (metadata table, 解读 links), ``body``
(container choice and cleaning), ``title``, ``dates``; ``vocabulary`` holds the boilerplate
words and the labels matched in both scripts, and ``rules`` the CSS overrides.
"""

from __future__ import annotations

from crawler.extract.extractor import extract
from crawler.extract.model import Extracted, PolicyMeta
from crawler.extract.rules import ExtractRules, load_domain_rules

__all__ = ["ExtractRules", "Extracted", "PolicyMeta", "extract", "load_domain_rules"]
