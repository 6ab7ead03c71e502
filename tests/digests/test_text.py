"""Text helpers: safe links, snippets, script conversion."""

from __future__ import annotations

import pytest

from digests.text import convert, fold, safe_url, snippet


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.qingdao.gov.cn/n1/2026/1127/c1.html",
            "https://www.qingdao.gov.cn/n1/2026/1127/c1.html",
        ),
        ("  http://a.example/x?y=1#z ", "http://a.example/x?y=1#z"),
        ("HTTPS://A.example/p", "https://a.example/p"),
        ("https://a.example:8443/p", "https://a.example:8443/p"),
        (
            "https://例子.中国/新闻?q=青岛",
            "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB?q=%E9%9D%92%E5%B2%9B",
        ),
        ("https://a.example/x y", None),
        ('https://a.example/x"onclick="y', "https://a.example/x%22onclick=%22y"),
        ("https://a.example/<script>", "https://a.example/%3Cscript%3E"),
        ("javascript:alert(1)", None),
        ("JavaScript://a.example/%0aalert(1)", None),
        ("data:text/html,hi", None),
        ("//a.example/x", None),
        ("/relative/path", None),
        ("ftp://a.example/file", None),
        ("https://user:pw@a.example/", None),
        ("https://a.example@evil.example/", None),
        ("https://a.example:99999/", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_snippet_is_short_and_one_line() -> None:
    body = "青岛市党政代表团一行赴深圳考察学习。\n\n双方举行座谈，并签署战略合作协议，推动两地在智慧城市、金融科技等领域深化合作。"
    out = snippet(body, limit=40)
    assert "\n" not in out and len(out) <= 41
    assert out.startswith("青岛市党政代表团一行赴深圳考察学习。双方举行座谈")  # no space after 。
    assert snippet("短文。") == "短文。"
    assert snippet("") == ""


def test_scripts() -> None:
    assert fold("香港特區推動數字經濟") == "香港特区推动数字经济"
    assert convert("青岛市党政代表团", "traditional") == "青島市黨政代表團"
    # s2t (characters), not s2twp: the sources' vocabulary is kept.
    assert convert("软件", "traditional") == "軟件"
    assert convert("青島", "simplified") == "青岛"
