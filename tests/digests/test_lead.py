"""The first screen and the small things: the subject and preheader name the lead story, the
at-a-glance block, the visits table (every outlet, the original source, the copy in the reader's
script), snippets without boilerplate, script variants, the mailto fallback (还有N条 links:
test_views.py)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from crawler.base.db import Database
from digests import build_digests
from digests.text import snippet
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item


def _visit(visitor: str, host: str, at_hours: float, title: str, **details: object) -> Item:
    data = {"visitor": visitor, "host": host, "date": "2026-11-26", **details}
    return visit_item(visitor, host, NOW - hours(at_hours), title=title, visits=[data])


DAY_NEWS = [
    _visit(
        "青岛",
        "深圳",
        3,
        "青岛党政考察团赴深圳考察",
        date_end="2026-11-27",
        leader={"name": "赵豪志", "title": "市委副书记、市长"},
        purpose="考察学习数字政府建设",
        sites=["前海国际会议中心", "腾讯"],
        evidence="赵豪志率青岛市党政考察团赴深圳考察学习。",
    ),
    _visit("成都", "青岛", 5, "成都市商务局来青考察", leader={"name": None, "title": "局长"}),
    Item(
        "深圳市人民政府关于印发数字政府规划的通知",
        NOW - hours(2),
        kind="policy",
        source="sz-gov",
        cities=["深圳"],
        policy={"issuer": "深圳市人民政府", "doc_no": "深府〔2026〕12号"},
        body="各区人民政府，市政府直属各单位：\n现将规划印发给你们，请认真组织实施。",
    ),
    Item("青岛地铁6号线洞通", NOW - hours(4), cities=["青岛"]),
]


def _mail(out: Path, sid: str = "alice") -> tuple[str, str, str, str]:
    eml = message_from_bytes((out / f"{sid}.eml").read_bytes(), policy=policy.default)
    html = (out / f"{sid}.html").read_text(encoding="utf-8")
    text = (out / f"{sid}.txt").read_text(encoding="utf-8")
    return str(eml["Subject"]), html, text, str(eml["List-Unsubscribe"])


def test_subject_and_preheader_name_the_lead_story(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, DAY_NEWS)
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    subject, html, text, _ = _mail(tmp_path / "o")
    assert subject == "青岛党政考察团赴深圳考察｜城市考察快讯 11月27日 · 4条"
    pre = re.search(r'<div class="pre"[^>]*>([^<]*)</div>', html)
    assert pre is not None
    # The preheader goes on where the subject stops: the other visits, the top policy.
    assert "成都 → 青岛" in pre.group(
        1
    ) and "深圳市人民政府关于印发数字政府规划的通知" in pre.group(1)
    # At a glance, before the first section: routes with leader and dates, then the policy.
    glance = html[html.index("今日速览") : html.index("城市考察交流")]
    assert "考察：青岛 → 深圳（市委副书记、市长赵豪志带队，11月26日至27日）" in glance
    assert "考察：成都 → 青岛（局长带队，11月26日）" in glance
    assert "政策：深圳市人民政府关于印发数字政府规划的通知" in glance
    assert text.index("【今日速览】") < text.index("== 城市考察交流")


def test_the_lead_is_the_first_news_section_without_visits(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, DAY_NEWS[2:])
    people = [subscriber(), subscriber(id="tw", email="tw@example.org", script="traditional-tw")]
    build_digests(make_config(tmp_path, people), db, out_dir=tmp_path / "o", now=NOW)
    assert _mail(tmp_path / "o")[0].startswith("深圳市人民政府关于印发数字政府规划的通知｜")
    # Converted as a whole, with Taiwan's forms.
    assert _mail(tmp_path / "o", "tw")[0].startswith("深圳市人民政府關於印發數字政府規劃的通知｜")


def test_visits_table_row_has_everything_a_briefing_needs(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(
        db,
        [
            Item(
                "青岛党政考察团赴深圳考察",
                NOW - hours(3),
                kind="visit",
                source="qingdao-news",
                also=["hk-gov", "dazhong"],
                titles=["青島黨政考察團赴深圳考察", "青岛党政考察团赴深圳考察"],
                visits=[DAY_NEWS[0].visits[0]],
                cities=["青岛", "深圳"],
            )
        ],
    )
    people = [subscriber(), subscriber(id="hk", email="hk@example.org", script="traditional-hk")]
    build_digests(make_config(tmp_path, people), db, out_dir=tmp_path / "o", now=NOW)
    _, html, text, _ = _mail(tmp_path / "o")
    row = html[html.index('class="vt"') :]
    row = row[: row.index("</table>")]
    for fragment in (
        "青岛 → 深圳",
        "11月26日至27日",
        "市委副书记、市长赵豪志",
        "考察学习数字政府建设",
        "前海国际会议中心、腾讯",
        "“赵豪志率青岛市党政考察团赴深圳考察学习。”",
    ):
        assert fragment in row and fragment in text, fragment
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', row)
    outlets = [name for _, name in links[1:]]
    assert outlets == ["青岛新闻网", "香港特区政府新闻网", "大众网"]  # every copy, no 等3家
    assert "等3家" not in html and "等3家" not in text
    assert "（来源：" not in row  # each page names itself as its source here
    # The title links to the copy in the reader's script.
    simplified_link = links[0][0]
    hk_html = (tmp_path / "o" / "hk.html").read_text(encoding="utf-8")
    hk_row = hk_html[hk_html.index('class="vt"') :]
    hk_link = re.search(r'<a href="([^"]+)"', hk_row)
    assert hk_link is not None
    assert "qingdao-news" in simplified_link and "hk-gov" in hk_link.group(1)


def test_original_source_is_shown_beside_the_outlet(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, [Item("青岛港吞吐量创新高", NOW - hours(1), source="dazhong", cities=["青岛"])])
    with db.session() as session:
        from crawler.base.models import Article

        for article in session.query(Article):
            article.outlet = "青岛日报"
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    _, html, text, _ = _mail(tmp_path / "o")
    assert "大众网（来源：青岛日报）" in text
    assert "（来源：青岛日报）" in html


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ("（原标题：学深圳 赶深圳）\n青岛市党政代表团赴深圳。", "青岛市党政代表团赴深圳。"),
        ("原标题：学深圳\n青岛市党政代表团赴深圳。", "青岛市党政代表团赴深圳。"),
        ("转自：青岛日报\n青岛市党政代表团赴深圳。", "青岛市党政代表团赴深圳。"),
        ("新华网苏州12月6日电（记者 王丽）苏州市代表团赴青岛。", "苏州市代表团赴青岛。"),
        ("新华社北京12月6日电 国务院印发意见。", "国务院印发意见。"),
        ("本报讯（记者 李四 通讯员 王五）青岛地铁洞通。", "青岛地铁洞通。"),
        ("记者 张三 报道 济南市代表团赴杭州。", "济南市代表团赴杭州。"),
        ("各区人民政府，市政府直属各单位：\n现将方案印发给你们。", "现将方案印发给你们。"),
        ("省直各部门、各市人民政府：现将方案印发给你们。", "现将方案印发给你们。"),
        ("记者 王丽 通讯员 张三\n青岛地铁洞通。", "青岛地铁洞通。"),
        ("（记者 王丽）\n青岛地铁洞通。", "青岛地铁洞通。"),
        # Not boilerplate: kept as written.
        ("记者从市商务局获悉，青岛港吞吐量创新高", "记者从市商务局获悉，青岛港吞吐量创新高"),
        ("记者获悉青岛港吞吐量创新高\n第二段。", "记者获悉青岛港吞吐量创新高"),
        ("市政府新闻办公室发布消息：青岛港创新高。", "市政府新闻办公室发布消息：青岛港创新高。"),
        ("青岛市人民政府办公厅印发通知：", "青岛市人民政府办公厅印发通知："),
        ("全市停电，抢修中。", "全市停电，抢修中。"),
        ("各位代表：现在我作报告。", "各位代表：现在我作报告。"),
        ("中国电信发布新套餐。", "中国电信发布新套餐。"),
    ],
)
def test_snippets_skip_boilerplate(body: str, start: str) -> None:
    assert snippet(body).startswith(start)


def test_joined_paragraphs_get_no_space_after_chinese_punctuation() -> None:
    assert snippet("第一段。\n6号线全长30公里。") == "第一段。6号线全长30公里。"
    assert snippet("第一段\n第二段。") == "第一段第二段。"
    assert snippet("Part one.\nPart two.") == "Part one. Part two."


def test_script_variants(db: Database, tmp_path: Path, secret: str) -> None:
    seed(db, [Item("为群众办实事", NOW - hours(1), cities=["青岛"], body="为群众着想。")])
    people = [
        subscriber(id=sid, email=f"{sid}@example.org", script=script)
        for sid, script in (
            ("trad", "traditional"),
            ("tw", "traditional-tw"),
            ("hk", "traditional-hk"),
        )
    ]
    build_digests(make_config(tmp_path, people), db, out_dir=tmp_path / "o", now=NOW)
    got = {
        p.id: (
            _mail(tmp_path / "o", p.id)[2],
            re.search(r'lang="([^"]+)"', _mail(tmp_path / "o", p.id)[1]).group(1),  # type: ignore[union-attr]
        )
        for p in people
    }
    assert "爲羣衆辦實事" in got["trad"][0] and got["trad"][1] == "zh-Hant"
    assert "為群眾辦實事" in got["tw"][0] and got["tw"][1] == "zh-Hant-TW"
    assert "為羣眾辦實事" in got["hk"][0] and got["hk"][1] == "zh-Hant-HK"


def test_unsubscribe_mailto_goes_to_a_read_mailbox(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, [Item("青岛消息", NOW - hours(1))])
    config = make_config(tmp_path, [subscriber()], unsubscribe_mailto="leave@example.org")
    build_digests(config, db, out_dir=tmp_path / "o", now=NOW)
    header = _mail(tmp_path / "o")[3]
    assert "<mailto:leave@example.org?subject=unsubscribe%20alice." in header
    assert "digest@example.org" not in header
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "p", now=NOW)
    assert "<mailto:digest@example.org?" in _mail(tmp_path / "p")[3]  # unset: the sender


def test_outlook_gets_a_fixed_width_wrapper_and_fonts_on_cells(
    db: Database, tmp_path: Path, secret: str
) -> None:
    seed(db, DAY_NEWS)
    build_digests(make_config(tmp_path, [subscriber()]), db, out_dir=tmp_path / "o", now=NOW)
    html = _mail(tmp_path / "o")[1]
    assert '<!--[if mso]><table role="presentation" width="640"' in html
    outlook_only = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html, flags=re.S)
    cells = re.findall(r"<t[dh]\b[^>]*>", outlook_only)
    assert cells and all("font-family:" in cell for cell in cells), [
        c for c in cells if "font-family:" not in c
    ][:3]
