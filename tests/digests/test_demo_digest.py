"""`citydigest demo` reads as the snapshot's own day: its digest is labelled with that day, opens
with the visits table (leaders, dates, every outlet), and sends the one page published before the
grace days to 旧闻补录, never among the news."""

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
    # The 11 May notice is older than the grace days: only under 旧闻补录, last.
    notice = "深圳市人民政府办公厅关于印发深圳市推进新型智慧城市建设行动方案的通知"
    news, _, old = text.partition("== 旧闻补录")
    assert notice in old and notice not in news
    # A snippet without the notice's addressee line.
    assert "各区人民政府，市政府直属各单位" not in text
