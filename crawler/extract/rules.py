"""CSS overrides for extraction: per source (sources.yaml ``extract:``) and per domain (YAML).

A selector group ``"a, b"`` is a list of ordered fallbacks (try ``a``, then ``b``), not a union
in document order; a ``meta[...]`` selector reads the element's ``content`` attribute.
"""

from __future__ import annotations

__all__ = [
    "ExtractRules",
    "load_domain_rules",
    "rules_for_host",
    "rules_from_spec",
    "split_selector_group",
]

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser

from crawler.base.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from crawler.base.config.sources import ExtractSpec

_FIELDS = ("title", "body", "date", "drop")
_RULES_FILE = "config/extract-rules.yaml"


@dataclass(frozen=True)
class ExtractRules:
    """Selectors that win over the heuristics; a rule that matches nothing falls back to them."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    drop: tuple[str, ...] = ()


def rules_from_spec(spec: ExtractSpec) -> ExtractRules:
    """A config's ``extract:`` (a source's, or a domain's in ``extract-rules.yaml``) as the
    extractor's rules: the one translation, made where the config is read (in the crawl's
    process; the analysis workers receive the rules, plain values, and no config)."""
    return ExtractRules(title=spec.title, body=spec.body, date=spec.date, drop=tuple(spec.drop))


def split_selector_group(group: str) -> list[str]:
    """Split ``"a, b[x='1,2'], c:is(d, e)"`` at top-level commas into ordered selectors."""
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for i, ch in enumerate(group):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(group[start:i].strip())
            start = i + 1
    parts.append(group[start:].strip())
    return [p for p in parts if p]


_PROBE = LexborHTMLParser("<html><body><p>probe</p></body></html>")


def _selector_problem(selector: object) -> str | None:
    if not isinstance(selector, str) or not selector.strip():
        return f"expected a CSS selector string, found {selector!r}"
    try:
        _PROBE.css(selector)
    except Exception as exc:  # selectolax raises several types for a bad selector
        return f"invalid CSS selector {selector!r}: {exc}"
    return None


def load_domain_rules(data: Mapping) -> dict[str, ExtractRules]:
    """Turn the parsed ``config/extract-rules.yaml`` into ``{domain: ExtractRules}``.

    Raises ConfigError listing every problem (unknown keys, bad selectors, bad domains).
    """
    problems: list[ConfigProblem] = []

    def problem(path: str, message: str) -> None:
        problems.append(ConfigProblem(_RULES_FILE, None, path, message))

    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError([ConfigProblem(_RULES_FILE, None, "", "expected a mapping")])
    for key in data:
        if key != "domains":
            problem(str(key), "unknown key (expected only 'domains')")
    domains = data.get("domains") or {}
    if not isinstance(domains, Mapping):
        problem("domains", f"expected a mapping of domain to rules, found {type(domains).__name__}")
        domains = {}
    result: dict[str, ExtractRules] = {}
    for domain, spec in domains.items():
        where = f"domains.{domain}"
        name = str(domain).strip().lower().rstrip(".")
        if not name or "/" in name or ":" in name or " " in name or "." not in name:
            problem(where, f"expected a host name such as www.gov.cn, found {domain!r}")
            continue
        if not isinstance(spec, Mapping):
            problem(where, f"expected a mapping with {', '.join(_FIELDS)}, found {spec!r}")
            continue
        fields: dict[str, object] = {}
        for key, value in spec.items():
            if key not in _FIELDS:
                problem(f"{where}.{key}", f"unknown key (expected one of {', '.join(_FIELDS)})")
            elif key == "drop":
                items = [value] if isinstance(value, str) else value
                if not isinstance(items, list | tuple):
                    problem(f"{where}.drop", f"expected a list of selectors, found {value!r}")
                    continue
                for i, sel in enumerate(items):
                    if (msg := _selector_problem(sel)) is not None:
                        problem(f"{where}.drop[{i}]", msg)
                fields["drop"] = tuple(str(s) for s in items)
            elif value is not None:
                if (msg := _selector_problem(value)) is not None:
                    problem(f"{where}.{key}", msg)
                fields[key] = str(value)
        result[name] = ExtractRules(**fields)  # type: ignore[arg-type]
    if problems:
        raise ConfigError(problems)
    return result


def rules_for_host(host: str, domain_rules: Mapping[str, ExtractRules]) -> ExtractRules | None:
    """The rules for ``host`` or, failing that, for its nearest parent domain."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    for i in range(len(labels) - 1):
        found = domain_rules.get(".".join(labels[i:]))
        if found is not None:
            return found
    return None
