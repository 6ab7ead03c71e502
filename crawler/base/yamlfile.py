"""One operator YAML file, read so that no content can hang or crash the config loader.

Every command loads the config, so a hostile or broken file must end in a
:class:`~crawler.base.errors.ConfigError` naming ``file:line``, never in a traceback, a hang or a
memory blow-up. ruamel.yaml alone does not give that: aliases are shared references that
validation expands into a tree (a 400-byte "billion laughs" file took minutes and gigabytes),
an alias inside its own anchor builds a cycle, the composer recurses once per nesting level
(RecursionError at ~1,000 levels), explicit tags build sets, bytes, timestamps or tagged scalars
or raise KeyError/ValueError, a decimal of more than 4,300 digits raises ValueError, and control
characters raise an unmarked ReaderError.

:func:`load_yaml` therefore reads a bounded number of bytes, decodes them strictly as UTF-8
(naming the line and column of the first bad byte) and refuses control characters. A guard then
sees each parser event as ruamel's composer takes it, before the composer nests or the
constructor builds anything: it bounds the nesting depth, the nodes aliases add and the length
of numbers, and refuses explicit tags (quoting makes a value text). The tree ruamel builds keeps
the line numbers that :mod:`crawler.base.config` puts in its validation messages.
"""

from __future__ import annotations

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_CHARS",
    "load_yaml",
]

import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser

from crawler.base.errors import ConfigError, ConfigProblem

# A config file with ten thousand sources is a few megabytes.
MAX_FILE_BYTES = 16 * 1024 * 1024
# The shipped files nest six levels deep; ruamel's composer recurses per level.
MAX_DEPTH = 64
# Nodes that aliases may add to one file when expanded (a shared `fetch:` block used by every
# source adds a few hundred); a "billion laughs" file adds billions.
MAX_ALIAS_NODES = 10_000
# Longer numbers are refused before Python's int() refuses them (4,300 digits) with a traceback.
MAX_NUMBER_CHARS = 1_000

# What YAML forbids in a stream (ruamel's reader raises an unmarked error on it): C0 and C1
# controls except tab, newline, carriage return and NEL, and the non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Plain scalars that ruamel may turn into an int (decimal, octal, hexadecimal, binary, with _).
_INTEGERISH = re.compile(r"[-+]?(?:0[oOxXbB])?[0-9a-fA-F_]+")


def load_yaml(path: Path) -> Any:
    """The content of the YAML file at ``path`` (ruamel round-trip objects, with line numbers),
    or ``None`` for an empty file; :class:`ConfigError` with one problem naming the file and,
    where there is one, the line."""
    text = _read_text(path)
    guard = _Guard(path)
    yaml = YAML(typ="rt")
    yaml.Parser = _GuardedParser
    yaml.parser.guard = guard
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:  # syntax, duplicate keys, ...
        mark = exc.problem_mark or exc.context_mark
        raise _problem(path, mark.line + 1 if mark else None, _yaml_message(exc)) from None
    except (YAMLError, ValueError, TypeError, KeyError, RecursionError) as exc:
        # Not reachable after the guard's checks as far as we know; a file must still not crash
        # the loader if ruamel finds another way to fail.
        raise _problem(path, None, f"not valid YAML: {type(exc).__name__}: {exc}") from None
    if data is not None and not isinstance(data, Mapping | list):
        raise _problem(
            path,
            guard.root_line,
            f"expected a mapping at the top, found {type(data).__name__} {_short(data)}",
        )
    return data


def _problem(path: Path, line: int | None, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(str(path), line, "", message)])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _read_text(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise _problem(path, None, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise _problem(path, None, "cannot read: is a directory, not a file")
    if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
        raise _problem(path, None, "cannot read: not a regular file")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _problem(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _problem(path, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8")) + 1
        raise _problem(
            path,
            data.count(b"\n", 0, exc.start) + 1,
            f"not UTF-8 (byte 0x{data[exc.start]:02X} at column {column}); save the file as UTF-8",
        ) from None
    text = text.removeprefix("\ufeff")
    if bad := _CONTROL.search(text):
        line_start = text.rfind("\n", 0, bad.start()) + 1
        raise _problem(
            path,
            text.count("\n", 0, bad.start()) + 1,
            f"control character U+{ord(bad.group()):04X} at column {bad.start() - line_start + 1}"
            " (YAML allows tab, newline and carriage return only); is this a text file?",
        )
    return text


class _Guard:
    """Sees every parser event before the composer does; refuses what would hang, blow up or
    crash the composer and constructor, raising :class:`ConfigError` at the event's line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # One frame per open collection: [expanded node count, anchor].
        self.frames: list[list[Any]] = []
        self.anchors: dict[str, int] = {}  # finished anchors -> expanded node count
        self.added = 0  # nodes the aliases so far add when expanded
        self.root_line: int | None = None

    def see(self, event: Any) -> None:
        if not isinstance(event, NodeEvent | CollectionEndEvent):
            return
        line = event.start_mark.line + 1 if event.start_mark else None
        if self.root_line is None:
            self.root_line = line
        if isinstance(event, CollectionEndEvent):
            count, anchor = self.frames.pop()
            if anchor is not None:
                self.anchors[anchor] = count
            self._add(count)
        elif isinstance(event, AliasEvent):
            self._alias(line, event.anchor)
        else:
            _check_tag(self.path, line, event)
            if isinstance(event, CollectionStartEvent):
                if len(self.frames) >= MAX_DEPTH:
                    raise _problem(self.path, line, f"nested more than {MAX_DEPTH} levels deep")
                self.frames.append([1, event.anchor])
            elif isinstance(event, ScalarEvent):
                _check_scalar(self.path, line, event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = 1
                self._add(1)

    def _alias(self, line: int | None, anchor: str) -> None:
        size = self.anchors.get(anchor)
        if size is None:
            # ruamel would build a cyclic structure (that validation recurses into forever).
            inside = anchor in {frame[1] for frame in self.frames}
            why = "used inside its own anchor" if inside else "undefined"
            raise _problem(self.path, line, f"alias *{anchor} is {why}")
        self.added += size
        if self.added > MAX_ALIAS_NODES:
            raise _problem(
                self.path,
                line,
                f"alias *{anchor} expands to {size} nodes; aliases may add at most "
                f"{MAX_ALIAS_NODES} nodes to a file (an alias bomb?)",
            )
        self._add(size)

    def _add(self, count: int) -> None:
        if self.frames:
            self.frames[-1][0] += count


class _GuardedParser(RoundTripParser):
    """ruamel's round-trip parser, showing each event to a :class:`_Guard` as the composer
    takes it (``YAML.Parser`` is ruamel's hook for a parser class)."""

    guard: _Guard

    def get_event(self) -> Any:
        event = super().get_event()
        self.guard.see(event)
        return event


def _check_tag(path: Path, line: int | None, event: NodeEvent) -> None:
    tag = getattr(event, "tag", None)
    if tag is None:
        return
    shown = f"!!{tag.removeprefix('tag:yaml.org,2002:')}" if tag.startswith("tag:yaml.org") else tag
    raise _problem(
        path,
        line,
        f"tag {shown} is not allowed: these files hold plain mappings, lists, text, numbers "
        "and true/false (quote a value to make it text)",
    )


def _check_scalar(path: Path, line: int | None, event: ScalarEvent) -> None:
    value = event.value
    if bad := _CONTROL.search(value):  # written as an escape: "\0", "\a", "\x1b"
        raise _problem(
            path,
            line,
            f"control character U+{ord(bad.group()):04X} in a value "
            "(YAML allows tab, newline and carriage return only)",
        )
    if (
        len(value) > MAX_NUMBER_CHARS
        and event.style is None  # a plain scalar: ruamel may make it an int
        and _INTEGERISH.fullmatch(value)
    ):
        raise _problem(
            path,
            line,
            f"a number of {len(value)} characters; at most {MAX_NUMBER_CHARS} "
            "(quote it if it is text)",
        )


def _yaml_message(exc: MarkedYAMLError) -> str:
    return f"not valid YAML: {exc.problem or exc.context or exc}"
