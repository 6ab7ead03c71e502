"""What the extractor returns: the article record and the policy-metadata record."""

from __future__ import annotations

__all__ = ["Extracted", "PolicyMeta"]

from dataclasses import asdict, dataclass
from datetime import datetime


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
