"""`citydigest demo` reads as the snapshot's own day: its digest is labelled with that day, opens
with the visits table (leaders, dates, every outlet), and shows the policy notice by document: its
meta line, and its 解读 and news report nested under it, not as items of their own. The notice was
published before the grace days, but its 解读 is news, so the notice is news by it."""

from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy
from pathlib import Path

from crawler.app.demo import run_demo


def test_demo_digest_is_a_real_day_with_the_visits_table(tmp_path: Path) -> None:
    result = asyncio.run(run_demo(tmp_path / "demo"))
    assert [row[1] for row in result.digests.rows()] == ["2021-05-15"]
    html = result.html.read_text(encoding="utf-8")
    text = (result.folder / "demo.txt").read_text(encoding="utf-8")
    eml = message_from_bytes((result.folder / "demo.eml").read_bytes(), policy=policy.default)
    subject = str(eml["Subject"])
    assert subject.startswith("青岛市党政考察团赴深圳考察学习｜")
    assert "5月15日" in subject and "2026" not in html and "2026" not in text
    # The visits table comes first, with leaders, dates and every outlet's report.
    table = html[html.index('class="vt"') : html.index("</table>", html.index('class="vt"'))]
    assert html.index("今日速览") < html.index('class="vt"') < html.index("政策发布")
    for fragment in (
        "市委副书记、市长赵豪志",
        "5月11日",
        "党委书记",
        "5月12日至13日",
        "5月13日至14日",
    ):
        assert fragment in table, fragment
    assert re.search(r">深圳市人民政府</a>.*来源：深圳特区报", table, re.S)
    assert table.count("</tr>") == 5  # header + four visits
    # The 11 May notice: news by its 解读, with the 解读 and the report nested, never repeated.
    notice = "深圳市人民政府办公厅关于印发深圳市推进新型智慧城市建设行动方案的通知"
    interpretation = "《深圳市推进新型智慧城市建设行动方案》政策解读"
    report = "深圳出台新型智慧城市行动方案 2025年建成鹏城智能体"
    assert "旧闻补录" not in text
    policies = text[text.index("== 政策发布") : text.index("== 其他")]
    item = policies[policies.index(f"* {notice}") :]
    assert (
        "深圳市人民政府办公厅 · 深府办〔2021〕5号 · 成文日期5月10日 · 发布日期5月11日 · 有效"
        in item
    )
    assert f"└ 解读：{interpretation}（深圳市人民政府，来源：深圳市政务服务数据管理局" in item
    assert f"└ 报道：{report}（深圳市人民政府，来源：深圳特区报" in item
    for title in (interpretation, report):
        assert text.count(title) == 1 and html.count(title) == 1, title
    assert re.search(
        r'<span class="dn" style="white-space:\s*nowrap;?">深府办〔2021〕5号</span>', html
    )
    # A summary without the notice's addressee line: its first sentence.
    assert "各区人民政府，市政府直属各单位" not in text
    assert (
        "  《深圳市推进新型智慧城市建设行动方案》已经市政府同意，现印发给你们，请认真组织实施。\n"
        in item
    )
