"""Policy documents in dedup: template notices of several cities and years are never one story,
reprints of one document (same 文号, Simplified or Traditional, cut) always are, and stories do
not chain (A~C and B~C do not make A and B one story)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import opencc
import pytest

from crawler.dedup import Document, DuplicateIndex, IndexRow, Sketch, compare, sketch
from crawler.extract.model import PolicyMeta
from crawler.extract.policy import document_identity

TEMPLATE = (Path(__file__).parent / "testdata" / "policies" / "template-notice.txt").read_text(
    encoding="utf-8"
)
T0 = datetime(2024, 3, 1, tzinfo=UTC)
S2HK = opencc.OpenCC("s2hk")


@dataclass(frozen=True)
class City:
    name: str  # 深圳市
    abbr: str  # 深府办函


CITIES = (
    City("深圳市", "深府办函"),
    City("广州市", "穗府办函"),
    City("珠海市", "珠府办函"),
    City("佛山市", "佛府办函"),
    City("东莞市", "东府办函"),
    City("中山市", "中府办函"),
)


@dataclass(frozen=True)
class Page:
    """One article: which document it carries (the truth) and what its page shows."""

    doc: str
    title: str
    body: str
    policy: PolicyMeta | None

    def document(self) -> Document | None:
        identity = document_identity(self.title, self.body, self.policy)
        return Document.of(identity.doc_no, identity.issuer)

    def sketch(self) -> Sketch:
        return sketch(self.body)


def notice(city: City, year: int, number: int) -> list[Page]:
    """A city's issue of the provincial template, as its own site and four reprints show it."""
    issuer = f"{city.name}人民政府办公室"
    doc_no = f"{city.abbr}〔{year}〕{number}号"
    body = TEMPLATE.format(
        abbr=city.abbr, year=year, number=number, city=city.name, issuer=issuer, month=3, day=5
    ).strip()
    title = f"{issuer}关于做好{year}年城镇燃气安全专项整治工作的通知"
    table = PolicyMeta(issuer=issuer, doc_no=doc_no, written_date=f"{year}-03-05", validity="有效")
    lines = body.split("\n")
    no_line = "\n".join(lines[1:])  # a portal drops the 文号 line and puts it in the title
    wide = str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    cut = "\n".join([f"{city.abbr}［{year}］{wide}", *lines[1:-3]])  # last paragraph cut
    key = doc_no
    return [
        Page(key, title, body, table),  # the government site, with its metadata table
        Page(key, title, body, None),  # a news portal copying the text
        Page(key, f"关于做好{year}年城镇燃气安全专项整治工作的通知（{city.abbr}[{year}]{number}号）",
             no_line, None),
        Page(key, S2HK.convert(title), S2HK.convert(body), None),  # a Hong Kong reprint
        Page(key, title, cut, None),
    ]  # fmt: skip


def stories(pages: list[Page], order: list[int]) -> list[set[str]]:
    """Insert the pages in ``order`` as the crawl does; each story's set of true documents."""
    index = DuplicateIndex()
    story_of: dict[int, int] = {}
    for step, i in enumerate(order):
        page = pages[i]
        document, sk = page.document(), page.sketch()
        match = index.find(sk, document=document)
        story_of[i] = story_of[match.group] if match else i
        index.add(
            i,
            sk,
            T0 + timedelta(minutes=step),
            group=match.group if match else None,
            document=document,
        )
    members: dict[int, set[str]] = {}
    for i, story in story_of.items():
        members.setdefault(story, set()).add(pages[i].doc)
    return list(members.values())


def test_the_template_notices_alone_would_merge() -> None:
    """The premise: the texts of two cities' notices pass the near-duplicate rule on their own,
    so only their identity keeps them apart."""
    shenzhen, guangzhou = notice(CITIES[0], 2024, 5)[1], notice(CITIES[1], 2024, 12)[1]
    assert compare(shenzhen.sketch(), guangzhou.sketch()).duplicate
    last_year = notice(CITIES[0], 2023, 31)[1]
    assert compare(shenzhen.sketch(), last_year.sketch()).jaccard > 0.5


@pytest.mark.parametrize("seed", range(12))
def test_template_notices_never_merge_and_reprints_always_do(seed: int) -> None:
    rng = random.Random(seed)
    cities = rng.sample(CITIES, 4)
    pages = [p for k, city in enumerate(cities) for p in notice(city, 2024, 3 + 7 * k)]
    pages += notice(cities[0], 2023, 41)  # the same city's notice a year earlier
    order = list(range(len(pages)))
    rng.shuffle(order)
    found = stories(pages, order)
    assert all(len(docs) == 1 for docs in found), found  # never two documents in one story
    assert sorted(d for docs in found for d in docs) == sorted({p.doc for p in pages})  # one each


def test_each_reprint_carries_the_documents_identity() -> None:
    for page in notice(CITIES[3], 2024, 8):
        assert page.document() == Document.of("佛府办函〔2024〕8号", "佛山市人民政府办公室"), (
            page.title
        )


def test_a_story_does_not_chain_through_a_middle_text() -> None:
    """A~C and B~C, A and B unlike: C joins A's story, B founds its own."""
    parts = [TEMPLATE.split("\n")[k] for k in range(2, 8)]  # six paragraphs of about equal size
    a, c, b = "\n".join(parts[0:4]), "\n".join(parts[1:5]), "\n".join(parts[2:6])
    sa, sb, sc = sketch(a), sketch(b), sketch(c)
    assert compare(sa, sc).duplicate and compare(sb, sc).duplicate
    assert not compare(sa, sb).duplicate
    index = DuplicateIndex()
    index.add(1, sa, T0)
    joined = index.find(sc)
    assert joined is not None and joined.group == 1
    index.add(3, sc, T0, group=joined.group)
    assert index.find(sb) is None  # B matches C, C's story is A's, and B does not match A
    # Founded once, B's own copies join it: its story's founder is itself.
    index.add(2, sb, T0)
    assert index.find(sketch(b + "\n（来源：市政府网站）")).group == 2  # type: ignore[union-attr]


def test_without_its_founder_a_story_takes_only_what_matches_every_member() -> None:
    parts = [TEMPLATE.split("\n")[k] for k in range(2, 8)]
    a, c, b = "\n".join(parts[0:4]), "\n".join(parts[1:5]), "\n".join(parts[2:6])
    index = DuplicateIndex()
    index.add(1, sketch(a), T0)
    index.add(3, sketch(c), T0 + timedelta(days=2), group=1)
    index.add(4, sketch(a + "\n（完）"), T0 + timedelta(days=2), group=1)
    assert index.remove_before(T0 + timedelta(days=1)) == 1  # the founder left the window
    assert compare(sketch(b), sketch(c)).duplicate
    assert index.find(sketch(b)) is None  # it matches C, not the copy of A
    assert index.find(sketch(c + "\n（完）")).group == 1  # type: ignore[union-attr]  # both


def test_documents_and_groups_survive_a_rebuild() -> None:
    shenzhen = notice(CITIES[0], 2024, 5)
    guangzhou = notice(CITIES[1], 2024, 12)
    rows = [
        IndexRow(1, shenzhen[0].sketch().to_bytes(), T0, None, shenzhen[0].document()),
        IndexRow(2, shenzhen[1].sketch().to_bytes(), T0, 1, shenzhen[1].document()),
    ]
    index = DuplicateIndex.build(rows)
    assert index.find(guangzhou[0].sketch(), document=guangzhou[0].document()) is None
    match = index.find(shenzhen[3].sketch(), document=shenzhen[3].document())
    assert match is not None and match.group == 1
    grown = DuplicateIndex(capacity=16)
    for k in range(40):  # growing and compacting keep each slot's group and document
        grown.add(100 + k, sketch(f"第{k}条不相干的消息，内容各不相同，编号{k * 7919}。" * 3), T0)
    for row in rows:
        grown.add(row.doc_id, Sketch.from_bytes(row.sketch), T0 + timedelta(days=1),
                  group=row.group, document=row.document)  # fmt: skip
    grown.remove_before(T0 + timedelta(hours=1))
    assert grown.find(guangzhou[1].sketch(), document=guangzhou[1].document()) is None
    assert grown.find(shenzhen[2].sketch(), document=shenzhen[2].document()).group == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (("深府办函〔2024〕5号", None), ("穗府办函〔2024〕12号", None), True),
        (
            ("深府办函〔2024〕5号", "深圳市人民政府办公室"),
            ("深府办函〔2024〕5号", "市政府办公室"),
            False,
        ),
        (
            ("深府办函〔2024〕5号", "深圳市人民政府办公室"),
            ("深府办函〔2024〕5号", "深圳市政府"),
            False,
        ),
        ((None, "深圳市人民政府办公室"), (None, "广州市人民政府办公室"), True),
        ((None, "深圳市人民政府办公室"), (None, "深圳市政府办公室"), False),
        ((None, "深圳市人民政府办公室"), ("深府办函〔2024〕5号", None), False),
        (("深府办函〔2024〕5号", "深圳市人民政府办公室"), (None, "广州市人民政府办公室"), True),
    ],
)
def test_which_documents_conflict(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None], conflict: bool
) -> None:
    da, db = Document.of(*a), Document.of(*b)
    assert da is not None and db is not None
    assert da.conflicts(db) is conflict and db.conflicts(da) is conflict
    assert Document.of(None, " ") is None and not da.conflicts(None)
