"""The page as text lines in boxes: one pass over the DOM that every other step reads.

``walk`` turns a selectolax tree into ``Box``es (block elements, with text, link-text and
good-text totals for their whole subtree) and ``Line``s (runs of inline text between block
boundaries or ``<br>``, in document order). Scripts, styles, forms and hidden elements are
skipped; the walk is iterative and stops at a depth and element budget, so a hostile page
cannot make it slow.
"""

from __future__ import annotations

__all__ = ["Box", "Layout", "Line", "walk"]

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from selectolax.lexbor import LexborNode

from crawler.extract.vocabulary import clean_space, punctuation_count, visible_len

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

    @property
    def is_good(self) -> bool:
        """Looks like article prose: long enough, punctuated, few links."""
        nonlink = self.chars - self.link_chars
        return nonlink >= 10 and self.link_chars * 3 <= self.chars and self.punct >= 1

    @property
    def heading(self) -> bool:
        return self.box.tag in HEADINGS or (
            self.box.parent is not None and self.box.parent.tag in HEADINGS
        )


@dataclass(slots=True)
class Layout:
    boxes: list[Box] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    by_node: dict[int, Box] = field(default_factory=dict)


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
    boxes, lines, by_node = layout.boxes, layout.lines, layout.by_node
    top = Box(root, root.tag or "", None, "", 0, 0)
    boxes.append(top)
    by_node[root.mem_id] = top
    pieces: list[str] = []
    link_pieces: list[str] = []  # the part of ``pieces`` inside links
    owner: list[Box] = [top]

    def flush() -> None:
        text = clean_space("".join(pieces))
        if text:
            chars = visible_len(text)
            link = min(visible_len(clean_space("".join(link_pieces))), chars) if link_pieces else 0
            line = Line(text, chars, link, punctuation_count(text), owner[0])
            lines.append(line)
            owner[0].chars += chars
            owner[0].link_chars += link
            if line.is_good:
                owner[0].good += chars - link
        pieces.clear()
        link_pieces.clear()

    # One frame per open element: its children still to visit, the box that owns their text,
    # whether they sit inside a link, their depth, and whether the frame closes ``box``. The
    # inner loop runs through siblings; entering an element pushes a frame and restarts it.
    frames: list[tuple[Iterator[LexborNode], Box, bool, int, bool]] = [
        (islice(root.iter(include_text=True), MAX_CHILDREN), top, False, 1, True)
    ]
    elements = 0
    while frames:
        children, box, in_link, depth, closes = frames[-1]
        for node in children:
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text and not text.isspace():
                    if not pieces:
                        owner[0] = box
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
                frames.clear()
                break
            if tag == "br":
                if pieces:
                    flush()
                continue
            nested = islice(node.iter(include_text=True), MAX_CHILDREN)
            if tag in _INLINE:
                frames.append((nested, box, in_link or tag == "a", depth + 1, False))
                break
            attrs = node.attributes
            if attrs and _hidden(attrs):
                continue
            if pieces:
                flush()
            label = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip() if attrs else ""
            child_box = Box(node, tag, box, label, len(boxes), len(lines))
            boxes.append(child_box)
            by_node[node.mem_id] = child_box
            frames.append((nested, child_box, in_link, depth + 1, True))
            break
        else:  # every child visited: the element ends here
            frames.pop()
            if closes:
                if pieces:
                    flush()
                box.end_line = len(lines)
                box.end_box = len(boxes)
    if pieces:
        flush()
    for box in boxes:  # boxes cut off by the element budget
        if box.end_line < 0:
            box.end_line = len(lines)
            box.end_box = len(boxes)
    for box in reversed(boxes):
        if box.parent is not None:
            box.parent.chars += box.chars
            box.parent.link_chars += box.link_chars
            box.parent.good += box.good
    return layout
