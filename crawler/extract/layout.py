"""The page as text lines in boxes: one pass over the DOM that every other step reads.

``walk`` turns a selectolax tree into ``Box``es (block elements, with text, link-text and
good-text totals for their whole subtree) and ``Line``s (runs of inline text between block
boundaries or ``<br>``, in document order). Scripts, styles, forms and hidden elements are
skipped; the walk is iterative and stops at a depth and element budget, so a hostile page
cannot make it slow.
"""

from __future__ import annotations

__all__ = ["Box", "Layout", "Line", "is_prose", "walk"]

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from selectolax.lexbor import LexborNode

from crawler.extract.vocabulary import clean_line, punctuation_count

_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "ins",
        "del",
        "nobr",
        "wbr",
        "acronym",
    ]
)
_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "canvas",
        "object",
        "embed",
        "select",
        "textarea",
        "button",
        "input",
        "option",
        "optgroup",
        "head",
        "title",
        "meta",
        "link",
        "audio",
        "video",
        "map",
        "area",
        "math",
        "frame",
        "frameset",
        "dialog",
        "-comment",
        "-doctype",
    ]
)
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
MAX_ELEMENTS = 20_000  # real article pages have 1-5 thousand
MAX_DEPTH = 400
MAX_CHILDREN = 2_000


@dataclass(slots=True, eq=False)
class Box:
    """A block element; totals cover its whole subtree, ``first_line:end_line`` its lines."""

    node: LexborNode = field(repr=False)
    tag: str
    parent: Box | None = field(repr=False)
    attrs: str
    index: int
    first_line: int
    end_line: int = -1
    end_box: int = -1
    chars: int = 0
    link_chars: int = 0
    good: int = 0
    score: float = 0.0

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    def contains(self, other: Box) -> bool:
        return self.index <= other.index < self.end_box


@dataclass(slots=True, eq=False)
class Line:
    text: str
    chars: int
    link_chars: int
    punct: int
    box: Box = field(repr=False)
    is_good: bool  # ``is_prose(chars, link_chars, punct)``, read for every line several times

    @property
    def heading(self) -> bool:
        return self.box.tag in HEADINGS or (
            self.box.parent is not None and self.box.parent.tag in HEADINGS
        )


def is_prose(chars: int, link_chars: int, punct: int) -> bool:
    """A line that looks like article prose: long enough, punctuated, few links."""
    return chars - link_chars >= 10 and link_chars * 3 <= chars and punct >= 1


@dataclass(slots=True)
class Layout:
    boxes: list[Box] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def by_node(self) -> dict[int, Box]:
        """Each box by its element's ``mem_id`` (built on demand: only CSS rules ask)."""
        return {box.node.mem_id: box for box in self.boxes}


def _hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style:
        style = style.replace(" ", "").lower()
        return "display:none" in style or "visibility:hidden" in style
    return False


def walk(root: LexborNode) -> Layout:
    """Lay out ``root``'s subtree as boxes and lines (see the module docstring)."""
    layout = Layout()
    boxes, lines = layout.boxes, layout.lines
    top = Box(root, root.tag or "", None, "", 0, 0)
    boxes.append(top)
    pieces: list[str] = []
    link_pieces: list[str] = []  # the part of ``pieces`` inside links
    owner = top  # the box of the line in ``pieces``

    def flush() -> None:
        text, chars = clean_line("".join(pieces))
        if text:
            if not link_pieces:
                link = 0
            elif len(link_pieces) == len(pieces):  # all of it is link text
                link = chars
            else:
                link = min(clean_line("".join(link_pieces))[1], chars)
            punct = punctuation_count(text)
            good = is_prose(chars, link, punct)
            lines.append(Line(text, chars, link, punct, owner, good))
            owner.chars += chars
            owner.link_chars += link
            if good:
                owner.good += chars - link
        pieces.clear()
        link_pieces.clear()

    # The open element: its children still to visit, the box that owns their text, whether they
    # sit inside a link, their depth, and whether its end closes ``box``. Entering an element
    # pushes this state on ``stack`` and its end pops it back; it lives in locals because this
    # loop runs once per node of the page.
    stack: list[tuple[Iterator[LexborNode], Box, bool, int, bool]] = []
    children: Iterator[LexborNode] = islice(root.iter(include_text=True), MAX_CHILDREN)
    box, in_link, depth, closes = top, False, 1, True
    elements = 0
    while True:
        for node in children:
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text and not text.isspace():
                    if not pieces:
                        owner = box
                    pieces.append(text)
                    if in_link:
                        link_pieces.append(text)
                elif text and pieces:
                    pieces.append(" ")
                continue
            if tag is None or tag in _SKIP or depth > MAX_DEPTH:
                continue
            elements += 1
            if elements > MAX_ELEMENTS:
                break
            if tag == "br":
                if pieces:
                    flush()
                continue
            if tag in _INLINE:
                stack.append((children, box, in_link, depth, closes))
                children = islice(node.iter(include_text=True), MAX_CHILDREN)
                in_link, depth, closes = in_link or tag == "a", depth + 1, False
                break
            attrs = node.attributes
            if attrs and _hidden(attrs):
                continue
            if pieces:
                flush()
            label = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip() if attrs else ""
            child_box = Box(node, tag, box, label, len(boxes), len(lines))
            boxes.append(child_box)
            stack.append((children, box, in_link, depth, closes))
            children = islice(node.iter(include_text=True), MAX_CHILDREN)
            box, depth, closes = child_box, depth + 1, True
            break
        else:  # every child visited: the element ends here
            if closes:
                if pieces:
                    flush()
                box.end_line = len(lines)
                box.end_box = len(boxes)
            if not stack:
                break
            children, box, in_link, depth, closes = stack.pop()
            continue
        if elements > MAX_ELEMENTS:  # the element budget is spent: the walk stops here
            break
    if pieces:
        flush()
    line_count, box_count = len(lines), len(boxes)
    for box in boxes:  # boxes cut off by the element budget
        if box.end_line < 0:
            box.end_line = line_count
            box.end_box = box_count
    for box in reversed(boxes):
        parent = box.parent
        if parent is not None:
            parent.chars += box.chars
            parent.link_chars += box.link_chars
            parent.good += box.good
    return layout
