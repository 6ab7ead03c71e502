"""``subscribers.yaml``: who gets a digest, when, and of which stories.

A :class:`Subscriber` has an address, a local time and frequency (daily or weekly), a script
(``simplified``; ``traditional`` characters only, OpenCC ``s2t``; ``traditional-tw`` and
``traditional-hk`` with Taiwan's and Hong Kong's character forms, ``s2twp``/``s2hk``) and a
:class:`SubscriberFilter` choosing cities, provinces, themes, keywords and kinds. ``grace_days``
is how old a story first found in the period may be and still count as news (late discovery);
older ones go to the archive only, or to a labelled 旧闻补录 section with ``old_news: true``.
``monday_network: true`` adds the week's visit network to a daily digest sent on a Monday.
The digests (``digests/``) read these; nothing here sends anything.
"""

from __future__ import annotations

__all__ = ["Subscriber", "SubscriberFilter"]

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from crawler.base.config.values import Frozen, Ident, TimeOfDay, Zone


class SubscriberFilter(Frozen):
    cities: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    kinds: tuple[Literal["visit", "policy", "other"], ...] = ("visit", "policy", "other")


class Subscriber(Frozen):
    id: Ident
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    name: str | None = None
    timezone: Zone | None = None
    send_at: TimeOfDay = "08:00"
    frequency: Literal["daily", "weekly"] = "daily"
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    script: Literal["simplified", "traditional", "traditional-tw", "traditional-hk"] = "simplified"
    filter: SubscriberFilter = SubscriberFilter()
    empty: Literal["skip", "send"] = "skip"
    # A story published up to this many days before the period began still counts as news
    # when we first find it in the period (sites publish late, feeds lag, a source is added).
    grace_days: int = Field(3, ge=0, le=60)
    old_news: bool = False  # older finds (a backfill) in a 旧闻补录 section instead of nowhere
    # A daily digest sent on a Monday also carries the last seven days' visit network (the
    # block a weekly edition ends with).
    monday_network: bool = False

    @field_validator("send_at", mode="before")
    @classmethod
    def _time_as_string(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 08:00 as a sexagesimal integer (480).
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value // 60:02d}:{value % 60:02d}"
        return value
