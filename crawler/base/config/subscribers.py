"""``subscribers.yaml``: who gets a digest, when, and of which stories.

A :class:`Subscriber` has an address, a local time and frequency (daily or weekly), a script
(simplified or traditional) and a :class:`SubscriberFilter` choosing cities, provinces, themes,
keywords and kinds. The digests (``digests/``) read these; nothing here sends anything.
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
    script: Literal["simplified", "traditional"] = "simplified"
    filter: SubscriberFilter = SubscriberFilter()
    empty: Literal["skip", "send"] = "skip"

    @field_validator("send_at", mode="before")
    @classmethod
    def _time_as_string(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 08:00 as a sexagesimal integer (480).
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value // 60:02d}:{value % 60:02d}"
        return value
