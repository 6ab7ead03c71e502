"""The page as text lines in boxes: one pass over the DOM that every other step reads.

``walk`` turns a selectolax tree into ``Box``es (block elements, with text, link-text and
good-text totals for their whole subtree) and ``Line``s (runs of inline text between block
boundaries or ``<br>``, in document order). Scripts, styles, forms and hidden elements are
skipped; the walk is iterative and stops at a depth and element budget, so a hostile page
cannot make it slow.
"""

from __future__ import annotations

__all__ = ["Box", "Layout", "Line", "is_prose", "walk"]

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

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
    """A run of inline text: its cleaned text, visible characters and link characters, the box
    it is in, whether it reads as prose (``is_prose``, read for every line several times) and
    its punctuation marks (-1 until first asked for)."""

    text: str
    chars: int
    link_chars: int
    box: Box = field(repr=False)
    is_good: bool
    _punct: int = field(default=-1, repr=False)

    @property
    def punct(self) -> int:
        """Punctuation marks in the text; counted when first asked for (most lines, link lists
        among them, are never asked)."""
        if self._punct < 0:
            self._punct = punctuation_count(self.text)
        return self._punct

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


def _hidden_style(style: str) -> bool:
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _tag_ids(names: frozenset[str]) -> frozenset[int]:
    """lexbor's ids of the HTML elements ``names`` (fixed numbers for the tags HTML defines; an
    element lexbor does not know gets its id per document and is read by name instead)."""
    maker = LexborHTMLParser("")
    ids = {_TEXT_ID, _COMMENT_ID, _DOCTYPE_ID} & {_NAMED_IDS.get(name, -1) for name in names}
    for name in names - _NAMED_IDS.keys():
        node = maker.create_node(name)
        if node.tag != name:
            raise ValueError(f"lexbor names {name!r} {node.tag!r}")
        ids.add(node.tag_id)
    return frozenset(ids)


def _special_ids() -> tuple[int, int, int]:
    """The ids lexbor gives text, comment and doctype nodes."""
    html = LexborHTMLParser("<!DOCTYPE html><p>x<!-- c --></p>").root
    document = html.parent if html is not None else None
    if document is None:
        raise ValueError("lexbor gave the document no root")
    found = {node.tag: node.tag_id for node in document.traverse(include_text=True)}
    return found["-text"], found["-comment"], found["-doctype"]


_TEXT_ID, _COMMENT_ID, _DOCTYPE_ID = _special_ids()
_NAMED_IDS = {"-text": _TEXT_ID, "-comment": _COMMENT_ID, "-doctype": _DOCTYPE_ID}
_INLINE_IDS = _tag_ids(_INLINE)
_SKIP_IDS = _tag_ids(_SKIP)
_BR_ID = next(iter(_tag_ids(frozenset(["br"]))))
_A_ID = next(iter(_tag_ids(frozenset(["a"]))))


def walk(root: LexborNode) -> Layout:
    """Lay out ``root``'s subtree as boxes and lines (see the module docstring).

    One depth-first pass (``traverse``, which lexbor runs in C) with no Python iterator per
    element: an element ends where its subtree does, at its next sibling, or at its parent's end
    when it is the last child, so each open element keeps the ``mem_id`` of the node that ends
    it. Skipped subtrees (scripts, styles, hidden blocks, children past ``MAX_CHILDREN``) are
    passed over the same way, by the node that ends them.
    """
    layout = Layout()
    boxes, lines = layout.boxes, layout.lines
    top = Box(root, root.tag or "", None, "", 0, 0)
    boxes.append(top)
    pieces: list[str] = []
    link_pieces: list[str] = []  # the part of ``pieces`` inside links
    owner = top  # the box of the line in ``pieces``

    def flush() -> None:
        text, chars = clean_line(pieces[0] if len(pieces) == 1 else "".join(pieces))
        if text:
            if not link_pieces:
                link = 0
            elif len(link_pieces) == len(pieces):  # all of it is link text
                link = chars
            else:
                link = min(clean_line("".join(link_pieces))[1], chars)
            # ``is_prose``, with the punctuation counted only when the rest of it holds
            if chars - link >= 10 and link * 3 <= chars:
                punct = punctuation_count(text)
                good = punct >= 1
            else:
                punct, good = -1, False
            lines.append(Line(text, chars, link, owner, good, punct))
            owner.chars += chars
            if link:
                owner.link_chars += link
            if good:
                owner.good += chars - link
        pieces.clear()
        link_pieces.clear()

    # The open element: the box that owns its text, whether it sits inside a link, the depth of
    # its children, whether its end closes ``box``, the ``mem_id`` of the node that ends it and
    # the children seen so far. Entering an element pushes this state on ``stack`` and its end
    # pops it back; it lives in locals because this loop runs once per node of the page.
    stack: list[tuple[Box, bool, int, bool, int, int]] = []
    box, in_link, depth, closes, end, seen = top, False, 1, True, -1, 0
    skip_to = 0  # while not 0: the ``mem_id`` of the node that ends a skipped subtree
    elements = 0
    text_id, skip_ids, inline_ids, br_id, a_id = _TEXT_ID, _SKIP_IDS, _INLINE_IDS, _BR_ID, _A_ID
    max_children, max_depth, max_elements = MAX_CHILDREN, MAX_DEPTH, MAX_ELEMENTS
    nodes = root.traverse(include_text=True)
    next(nodes)  # ``root`` itself
    for node in nodes:
        at = node.mem_id
        if skip_to:
            if at != skip_to:
                continue
            skip_to = 0
        while at == end:  # the open element ends before this node
            if closes:
                if pieces:
                    flush()
                box.end_line = len(lines)
                box.end_box = len(boxes)
            box, in_link, depth, closes, end, seen = stack.pop()
        seen += 1
        if seen > max_children:  # the rest of this element's children are not read
            skip_to = end
            continue
        tag_id = node.tag_id
        if tag_id == text_id:
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
        if tag_id == br_id:  # no children
            if depth <= max_depth:
                elements += 1
                if elements > max_elements:  # the element budget is spent: the walk stops here
                    break
                if pieces:
                    flush()
            continue
        following = node.next
        node_end = following.mem_id if following is not None else end
        if tag_id in inline_ids:
            tag = ""
        elif tag_id in skip_ids:
            tag = None
        else:
            tag = node.tag  # a block element, or a node that is neither element nor text
        if tag is None or depth > max_depth:
            skip_to = node_end
            continue
        elements += 1
        if elements > max_elements:
            break
        if not tag:  # an inline element: its text joins the open line
            stack.append((box, in_link, depth, closes, end, seen))
            in_link = in_link or tag_id == a_id
            depth, closes, end, seen = depth + 1, False, node_end, 0
            continue
        attrs = node.attributes
        if attrs:
            style = attrs.get("style")
            if "hidden" in attrs or (style and _hidden_style(style)):
                skip_to = node_end
                continue
            label = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip()
        else:
            label = ""
        if pieces:
            flush()
        child_box = Box(node, tag, box, label, len(boxes), len(lines))
        boxes.append(child_box)
        stack.append((box, in_link, depth, closes, end, seen))
        box, depth, closes, end, seen = child_box, depth + 1, True, node_end, 0
    else:  # every node visited: the open elements end with the walk
        while True:
            if closes:
                if pieces:
                    flush()
                box.end_line = len(lines)
                box.end_box = len(boxes)
            if not stack:
                break
            box, in_link, depth, closes, end, seen = stack.pop()
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
