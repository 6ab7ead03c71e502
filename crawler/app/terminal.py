"""What the command line prints from the database or the network, made harmless to a terminal.

Stored titles and outlets (rows stored before extraction cleaned them) and error strings from
servers (a source's ``last_error`` quotes reason phrases, a delivery's error an SMTP reply) are
untrusted. Printed as they are, an ESC sequence in one can retitle, recolour or rewrite an
operator's terminal, a bidi override reorders the line around it, and rich reads ``[red]`` or
``[link=…]`` in it as markup (``[/x]`` even raises). So the CLI shows every such value through
one function:

- :func:`shown`: :func:`crawler.base.sanitize.clean_text` (escape sequences, controls, bidi controls
  removed), as a :class:`rich.text.Text`, which rich prints literally: no markup, no ``:emoji:``
  codes, no highlighting. Tables take it as a cell, consoles print it.
- :func:`json_text`: ``json.dumps`` (UTF-8 kept readable) with every character that
  ``clean_text`` would remove written as its ``\\u`` escape (four hex digits): the same data
  to a JSON reader, nothing a terminal acts on (``json`` itself escapes only C0; DEL, C1 and
  bidi controls would pass raw).

A table (:func:`print_table`) is a rich table on a terminal only. Piped or redirected, rich
would draw it 80 columns wide, folding long values over many padded lines; there it is the
title, a header line and a line per row, fields tab-separated (``cut -f``, ``awk -F'\\t'``),
as ``gh`` and ``git`` print when not on a terminal.
"""

from __future__ import annotations

__all__ = ["json_text", "print_table", "shown"]

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crawler.base.sanitize import clean_text

# What clean_text removes or rewrites, beyond the C0 controls json.dumps escapes already: DEL,
# C1, bidi marks and controls, line and paragraph separators, BOM, surrogates, noncharacters.
_UNSAFE_RE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
    "|[\U0001fffe-\U0010ffff]"
)


def shown(value: object) -> Text:
    """``value`` (None: nothing) as text a terminal only displays."""
    return Text(clean_text("" if value is None else str(value)))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        if (code & 0xFFFE) != 0xFFFE:  # the astral range is screened wide; others stay as they are
            return match.group()
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(
    value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None
) -> str:
    """``value`` as JSON, readable UTF-8, with nothing in it a terminal would act on;
    ``default`` as :func:`json.dumps`'s (what a value JSON has no type for becomes)."""
    dumped = json.dumps(value, ensure_ascii=False, indent=indent, default=default)
    return _UNSAFE_RE.sub(_escape, dumped)


def print_table(
    console: Console,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[str | Text]],
) -> None:
    """``rows`` under ``columns`` on ``console``: a rich table on a terminal, tab-separated
    lines elsewhere (see the module's docstring). A ``str`` cell is shown as text, never read as
    markup; a :class:`~rich.text.Text` cell keeps its style on a terminal."""
    if console.is_terminal:
        table = Table(title=title)
        for name in columns:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*(cell if isinstance(cell, Text) else shown(cell) for cell in row))
        console.print(table)
        return
    lines = [title, "\t".join(columns)]
    lines += ["\t".join(_field(cell) for cell in row) for row in rows]
    console.file.write("".join(f"{line}\n" for line in lines))


def _field(cell: str | Text) -> str:
    plain = cell.plain if isinstance(cell, Text) else clean_text(cell)
    return " ".join(plain.split()) or "-"  # one line, no tab: one field
