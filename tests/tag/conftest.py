"""The tagger every tagging test uses: built once (the gazetteer and jieba load once)."""

from __future__ import annotations

import pytest

from crawler.base.taxonomy import default_taxonomy
from crawler.tag import Tagger


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger(default_taxonomy())
