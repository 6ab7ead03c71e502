"""``citydigest analyze`` names the policy document a page carries: its 文号 and issuer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from crawler.analyze import Analyzer
from crawler.base.taxonomy import default_taxonomy

_BODY = "<p>各区人民政府，市政府直属各单位：现将《关于推进智慧城市建设的若干措施》印发给你们，请认真贯彻执行。</p>"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(taxonomy=default_taxonomy(), tz=ZoneInfo("Asia/Shanghai"))


def _page(head: str, body: str = _BODY) -> str:
    title = head[head.index("<h1>") + 4 : head.index("</h1>")]
    return (
        f"<html><head><title>{title}_政府网</title></head>"
        f"<body>{head}<div class='content'>{body}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("head", "body", "doc_no", "issuer"),
    [
        pytest.param(  # a 政府信息公开 metadata table
            "<table><tr><td>发文机关：</td><td>深圳市人民政府办公厅</td></tr>"
            "<tr><td>发文字号：</td><td>深府办〔2021〕5号</td></tr>"
            "<tr><td>成文日期：</td><td>2021-03-01</td></tr></table>"
            "<h1>深圳市人民政府办公厅关于印发推进智慧城市建设若干措施的通知</h1>",
            _BODY,
            "深府办〔2021〕5号",
            "深圳市人民政府办公厅",
        ),
        pytest.param(  # no table: the 文号 on a line of its own, the issuer in the title
            "<h1>青岛市人民政府关于印发青岛市数字经济发展规划的通知</h1>",
            "<p>青政发［２０２２］ 12号</p>" + _BODY,
            "青政发〔2022〕12号",
            "青岛市人民政府",
        ),
    ],
)
def test_policy_pages_show_doc_no_and_issuer(
    analyzer: Analyzer, head: str, body: str, doc_no: str, issuer: str
) -> None:
    data = analyzer.analyze_html(_page(head, body), "http://www.example.gov.cn/a.html").to_dict()
    assert data["doc_no"] == doc_no
    assert data["issuer"] == issuer


def test_news_and_interpretations_carry_no_document(analyzer: Analyzer) -> None:
    news = _page(
        "<h1>青岛市党政考察团赴深圳考察学习</h1>",
        "<p>5月11日，青岛市党政考察团来到深圳市考察学习智慧城市建设，双方举行座谈会。</p>",
    )
    reading = _page(
        "<h1>《关于推进智慧城市建设的若干措施》政策解读</h1>",
        "<p>一、出台背景。为贯彻落实深府办〔2021〕5号文件精神，推进智慧城市建设，制定本措施。</p>",
    )
    for html in (news, reading):
        data = analyzer.analyze_html(html, "http://www.example.gov.cn/b.html").to_dict()
        assert data["doc_no"] is None
        assert data["issuer"] is None
