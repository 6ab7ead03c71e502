"""What the extractor returns: the article record and the policy-metadata record.

Both clean themselves when made (``crawler.base.sanitize``): whoever builds one, the extractor,
``analyze`` with a given title and text, a WARC import, gets no control characters, escape
sequences or bidi overrides in any field, no markup in a title, outlet, author or policy value
(``crawler.extract.markup_free``: text fields are text), and titles, outlets, authors and
policy values of at most ``MAX_TITLE_CHARS`` characters. This is the one place all extracted
text passes through.
"""

from __future__ import annotations

__all__ = ["Extracted", "PolicyMeta"]

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from crawler.base.sanitize import clean_text, clean_title, clean_url
from crawler.extract.markup_free import text_only


@dataclass(frozen=True)
class PolicyMeta:
    """The metadata table that government CMSs print above a policy document.

    Every field is the text shown on the page (whitespace collapsed) or None when the table has
    no such row; the two dates are ISO ``YYYY-MM-DD`` strings.
    """

    index_no: str | None = None  # 索引号
    subject: str | None = None  # 主题分类
    issuer: str | None = None  # 发文机关 / 发布机构
    written_date: str | None = None  # 成文日期
    doc_no: str | None = None  # 发文字号 / 文号
    published_date: str | None = None  # 发布日期
    validity: str | None = None  # 有效性

    def __post_init__(self) -> None:
        for field in fields(self):
            _set_clean(self, field.name, clean_title(text_only(getattr(self, field.name))))

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass(frozen=True)
class Extracted:
    """One article as read from one page.

    ``body`` is clean paragraphs joined by ``"\\n"``; ``published`` is tz-aware (the configured
    zone when the page gives no offset) and None when the page does not say, never a guess;
    ``interpretation_of`` is, for a 解读 page, the absolute URL of the policy it explains.
    """

    title: str | None
    body: str
    published: datetime | None
    outlet: str | None
    author: str | None
    image_url: str | None
    policy: PolicyMeta | None
    interpretation_of: str | None = None

    def __post_init__(self) -> None:
        _set_clean(self, "title", clean_title(text_only(self.title)))
        _set_clean(self, "body", clean_text(self.body))
        _set_clean(self, "outlet", clean_title(text_only(self.outlet)))
        _set_clean(self, "author", clean_title(text_only(self.author)))
        _set_clean(self, "image_url", clean_url(self.image_url))
        _set_clean(self, "interpretation_of", clean_url(self.interpretation_of))


def _set_clean(record: object, name: str, value: str | None) -> None:
    """Set a field of a frozen record (the dataclass refuses plain assignment)."""
    if value is not getattr(record, name):
        object.__setattr__(record, name, value)
