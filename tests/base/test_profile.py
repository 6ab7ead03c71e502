"""A source's fetch profile: the one merge of its overrides with the ``fetch:`` defaults."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from crawler.base.config import Config, FetchSettings, Settings, Source, SourceFetch
from crawler.base.config.profile import FetchProfile, fetch_profile

ROOT = Path(__file__).resolve().parents[2]
UA = "citydigest-test/0.1"
PROFILE_FIELDS = {f.name for f in dataclasses.fields(FetchProfile)}


def test_without_overrides_a_profile_is_the_defaults_and_the_user_agent() -> None:
    defaults = FetchSettings(per_host_delay=3, timeout=7, max_bytes=2048, max_redirects=2)
    profile = fetch_profile(defaults, UA)
    assert profile == fetch_profile(defaults, UA, SourceFetch())
    assert {k: getattr(profile, k) for k in FetchSettings.model_fields} == defaults.model_dump()
    assert (profile.user_agent, dict(profile.headers), profile.proxy) == (UA, {}, None)


def test_every_fetch_setting_and_every_source_override_reaches_the_profile() -> None:
    """A new ``fetch:`` setting or source override cannot be forgotten by the merge."""
    assert set(FetchSettings.model_fields) <= PROFILE_FIELDS
    overrides: dict[str, Any] = {
        "per_host_concurrency": 9,
        "per_host_delay": 4.5,
        "timeout": 11.0,
        "obey_robots": False,
        "allow_private_networks": True,
        "user_agent": "qdnews-bot/2.0",
        "headers": {"Referer": "https://news.example.cn/"},
        "cookies": {"region": "cn", "sid": "a1"},
        "proxy": "http://proxy.example:3128",
    }
    assert set(overrides) == set(SourceFetch.model_fields)
    profile = fetch_profile(FetchSettings(), UA, SourceFetch(**overrides))
    for name, value in overrides.items():
        if name in PROFILE_FIELDS and name != "headers":
            assert getattr(profile, name) == value, name
    assert dict(profile.headers) == {
        "Referer": "https://news.example.cn/",
        "Cookie": "region=cn; sid=a1",
    }
    # What a source cannot override is the default's.
    assert (profile.max_bytes, profile.max_redirects) == (10_000_000, 5)


def test_an_override_left_unset_or_empty_keeps_the_default() -> None:
    defaults = FetchSettings(per_host_delay=2, obey_robots=True)
    profile = fetch_profile(defaults, UA, SourceFetch(per_host_delay=0, user_agent=""))
    assert profile.per_host_delay == 0  # zero is an override: no delay
    assert profile.obey_robots is True
    assert profile.user_agent == UA  # an empty User-Agent is none of the source's own


def test_a_profile_is_frozen_headers_included() -> None:
    profile = fetch_profile(FetchSettings(), UA, SourceFetch(headers={"Referer": "x"}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.timeout = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.headers["Referer"] = "y"  # type: ignore[index]


def _config(**fetch: Any) -> Config:
    sources = (
        Source(id="a", name="A", feed="https://a.example/feed.xml"),
        Source(
            id="b",
            name="B",
            feed="https://b.example/feed.xml",
            fetch=SourceFetch(timeout=5, cookies={"k": "v"}),
        ),
    )
    settings = Settings(user_agent=UA, fetch=FetchSettings(**fetch))
    return Config(dir=Path("."), settings=settings, sources=sources)


def test_the_config_builds_each_sources_profile_once() -> None:
    config = _config(per_host_delay=2)
    a, b = config.sources
    assert config.profile(a) is config.profile(a)  # built with the config, not per request
    assert config.profile(b) == fetch_profile(config.settings.fetch, UA, b.fetch)
    assert config.profile(b).timeout == 5 and config.profile(b).headers == {"Cookie": "k=v"}
    assert config.default_profile == fetch_profile(config.settings.fetch, UA)
    # A source the config does not hold (the WARC import's stand-in) gets its own, not the
    # profile of the configured source of the same id.
    stand_in = Source(id="b", name="B", feed="https://b.example/feed.xml")
    assert config.profile(stand_in) == config.default_profile


def test_a_copied_config_has_the_profiles_of_its_own_settings() -> None:
    config = _config(per_host_delay=2)
    copied = config.model_copy(
        update={"settings": config.settings.model_copy(update={"fetch": FetchSettings()})}
    )
    assert copied.profile(copied.sources[0]).per_host_delay == 1.0
    assert copied.default_profile.per_host_delay == 1.0
    assert config.profile(config.sources[0]).per_host_delay == 2


def test_only_the_config_reads_a_sources_fetch_overrides_or_the_fetch_defaults() -> None:
    """The merge happens in one place: no module outside ``crawler/base/config`` reads
    ``source.fetch`` or ``settings.fetch`` (it takes ``Config.profile``), and only the config
    calls ``fetch_profile``."""
    config_dir = ROOT / "crawler" / "base" / "config"
    offenders = []
    for top in ("crawler", "digests"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.is_relative_to(config_dir):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr == "fetch":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if isinstance(node, ast.Name | ast.alias) and "fetch_profile" in (
                    getattr(node, "id", None),
                    getattr(node, "name", None),
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
