"""Every problem of a config directory, each with its file, line and key path.

:class:`Collector` reads the YAML files (through :mod:`crawler.base.yamlfile`, which no content
can hang) and validates them against the models, item by item for lists, so that one bad
source hides no problem of another. It turns pydantic's errors into the operator's words
(``unknown key 'feeed'; did you mean 'feed'?``) at the line ruamel recorded for the key, and
gathers them so that :func:`crawler.base.config.load_config` raises one
:class:`~crawler.base.errors.ConfigError` naming all of them.
"""

from __future__ import annotations

__all__ = ["Collector", "describe", "dotted", "line_of", "message", "plain"]

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from crawler.base.config.overrides import Override, apply, origin_of
from crawler.base.config.values import short_repr
from crawler.base.errors import ConfigError, ConfigProblem
from crawler.base.yamlfile import load_yaml


class Collector:
    """Collects problems across files so that the operator sees all of them at once; and
    warnings: what works but is likely a mistake (``citydigest check`` shows them apart)."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []
        self.warnings: list[ConfigProblem] = []

    def add(self, file: Path | str, line: int | None, path: str, message: str) -> None:
        """A problem in ``file`` (or in the option or variable it names: ``--set``)."""
        self.problems.append(ConfigProblem(str(file), line, path, message))

    def warn(self, file: Path | str, line: int | None, path: str, message: str) -> None:
        self.warnings.append(ConfigProblem(str(file), line, path, message))

    def read_yaml(self, path: Path) -> Any:
        """The file's content, or None after recording why it cannot be used (see
        :mod:`crawler.base.yamlfile`: nothing in a file may hang or crash the loader)."""
        try:
            return load_yaml(path)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
        return None

    def _mapping_at_top(self, data: Any, path: Path) -> bool:
        """Whether a file's document is a mapping; a problem for the file when it is not."""
        if isinstance(data, Mapping):
            return True
        self.add(
            path, line_of(data, ()), "", f"expected a mapping at the top, found {describe(data)}"
        )
        return False

    def validate(
        self,
        model: type[BaseModel],
        data: Any,
        path: Path,
        overrides: Sequence[Override] = (),
    ) -> BaseModel | None:
        """``data`` (a file's) with ``overrides`` set over it, as ``model``; None after adding
        each problem at its line, or naming the variable or option that gave the value."""
        if data is None:
            data = {}
        if not self._mapping_at_top(data, path):
            return None
        try:
            return model.model_validate(apply(plain(data), overrides))
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                text = message(error, model, loc)
                given = origin_of(overrides, loc)
                if given is not None:
                    self.add(given, None, dotted(loc), text)
                else:
                    self.add(path, line_of(data, loc), dotted(loc), text)
            return None

    def validate_items(
        self,
        model: type[BaseModel],
        data: Any,
        key: str,
        path: Path,
        checks: tuple[Callable[[Mapping[str, Any]], str | None], ...] = (),
    ) -> tuple[Any, ...]:
        """Validate ``data[key]`` item by item, so one bad item hides no problem of another;
        then report duplicate ids. ``checks`` are the model's rules over a whole item, which
        pydantic runs only once its fields are valid: they are reported on invalid items too."""
        if data is None:
            return ()
        if not self._mapping_at_top(data, path):
            return ()
        for extra in data:
            if extra != key:
                self.add(
                    path,
                    line_of(data, (extra,)),
                    str(extra),
                    f"unknown key {extra!r}; expected {key}",
                )
        items = data.get(key) or []
        if not isinstance(items, list):
            self.add(path, line_of(data, (key,)), key, f"expected a list, found {describe(items)}")
            return ()
        valid = []
        first_line: dict[str, tuple[int, int | None]] = {}
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(item_id, str):
                if item_id in first_line:
                    first, _ = first_line[item_id]
                    self.add(
                        path,
                        line_of(data, (key, index, "id")),
                        f"{key}[{index}].id",
                        f"duplicate id {item_id!r} (first used by {key}[{first}])",
                    )
                else:
                    first_line[item_id] = (index, line_of(data, (key, index)))
            if not isinstance(item, Mapping):
                self.add(
                    path,
                    line_of(data, (key, index)),
                    f"{key}[{index}]",
                    f"expected a mapping, found {describe(item)}",
                )
                continue
            try:
                valid.append(model.model_validate(plain(item)))
            except ValidationError as exc:
                messages = []
                for error in exc.errors():
                    loc = (key, index, *error["loc"])
                    messages.append(message(error, model, loc[2:]))
                    self.add(path, line_of(data, loc), dotted(loc), messages[-1])
                # Whole-item rules only run once the fields are valid: report them anyway.
                for check in checks:
                    problem = check(item)
                    if problem and problem not in messages:
                        self.add(path, line_of(data, (key, index)), f"{key}[{index}]", problem)
        return tuple(valid)


def plain(node: Any) -> Any:
    """The ruamel tree as plain dicts, lists and numbers with string keys, for pydantic (and
    for errors that say "found int 0", not ruamel's "ScalarInt 0")."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, int) and not isinstance(node, bool):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def describe(value: Any) -> str:
    """What ``value`` is, in the words of an error line: "a mapping", "int 3", ..."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {short_repr(value)}"


def line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest part of ``loc`` found in the ruamel tree."""
    line: int | None = None
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        line = node.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def dotted(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as the key path the operator wrote: ``sources[2].list.url``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(
            ("function-", "constrained-", "lax-")
        ):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at the mapping that holds ``loc``'s last part."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def message(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """One pydantic error of ``model`` at ``loc``, in the operator's words."""
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if close:
            return f"unknown key {loc[-1]!r}; did you mean {close[0]!r}?"
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        return f"expected an id of lower-case letters, digits and '-', found {found!r}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "email":
        return f"expected an e-mail address, found {found!r}"
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ")
    if kind.startswith(("value_error", "assertion_error")):
        return msg
    return f"{msg[0].lower()}{msg[1:]}, found {describe(found)}"
