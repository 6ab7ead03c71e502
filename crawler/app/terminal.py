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
  ``clean_text`` would remove written as a ``\\uXXXX`` escape: the same data to a JSON reader,
  nothing a terminal acts on (``json`` itself escapes only C0; DEL, C1 and bidi controls would
  pass raw).
"""

from __future__ import annotations

__all__ = ["json_text", "shown"]

import json
import re
from typing import Any

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


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON, readable UTF-8, with nothing in it a terminal would act on."""
    return _UNSAFE_RE.sub(_escape, json.dumps(value, ensure_ascii=False, indent=indent))
