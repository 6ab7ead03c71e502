"""Per-source and per-domain CSS rules: precedence, ordered fallbacks, meta selectors, YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from crawler.base.errors import ConfigError
from crawler.extract import ExtractRules, extract, load_domain_rules
from crawler.extract.rules import rules_for_host, split_selector_group

CONFIG = Path(__file__).parents[2] / "config" / "extract-rules.yaml"

PROSE = "，".join(["这是一段用来测试的正文内容"] * 4) + "。"
PAGE = f"""<html><head>
<meta name="ArticleTitle" content="元数据里的标题">
<meta name="PubDate" content="2021-05-12 08:30">
<title>页面标题_某某网</title></head><body>
<div class="first"><p>甲：侧栏的一句话，不是正文。</p></div>
<div class="second"><p>乙：另一栏的一句话，也不是正文。</p></div>
<div class="main"><h1>页面标题</h1><p>丙{PROSE}</p><p>丙{PROSE}</p><p>丙{PROSE}</p>
<div class="ad">广告：点击这里购买最好的产品，限时优惠。</div></div>
<div class="info"><span>浏览：100</span><span class="when">信息提供日期：2020-01-02</span></div>
</body></html>"""
URL = "https://news.example.gov.cn/art/2019/3/4/art_1.html"


def first_char(body: str) -> str:
    return body[:1]


def test_heuristics_pick_the_largest_block() -> None:
    result = extract(PAGE, URL)
    assert first_char(result.body) == "丙"
    assert "广告" in result.body


def test_source_rules_win_over_domain_rules_which_win_over_heuristics() -> None:
    domain = {"example.gov.cn": ExtractRules(body="div.second")}
    assert first_char(extract(PAGE, URL, domain_rules=domain).body) == "乙"
    source = ExtractRules(body="div.first")
    assert first_char(extract(PAGE, URL, rules=source, domain_rules=domain).body) == "甲"


def test_a_rule_that_matches_nothing_falls_back() -> None:
    domain = {"example.gov.cn": ExtractRules(body="div.second")}
    source = ExtractRules(body="div.missing")
    assert first_char(extract(PAGE, URL, rules=source, domain_rules=domain).body) == "乙"
    assert first_char(extract(PAGE, URL, rules=source).body) == "丙"


def test_selector_group_is_ordered_fallbacks_not_document_order() -> None:
    rules = ExtractRules(body="div.missing, div.second, div.first")
    assert first_char(extract(PAGE, URL, rules=rules).body) == "乙"


def test_meta_selectors_read_the_content_attribute() -> None:
    rules = ExtractRules(title="meta[name=ArticleTitle]", date="meta[name=PubDate]")
    result = extract(PAGE, URL, rules=rules)
    assert result.title == "元数据里的标题"
    assert (
        result.published is not None and result.published.isoformat() == "2021-05-12T08:30:00+08:00"
    )


def test_date_rule_text_may_carry_a_label() -> None:
    result = extract(PAGE, URL, rules=ExtractRules(date="span.when"))
    assert result.published is not None and result.published.date().isoformat() == "2020-01-02"


def test_drop_rules_remove_elements_first() -> None:
    result = extract(PAGE, URL, rules=ExtractRules(drop=("div.ad",)))
    assert "广告" not in result.body


def test_domain_rules_match_parent_domains_only() -> None:
    rules = {"people.com.cn": ExtractRules(body="a"), "www.gov.cn": ExtractRules(body="b")}
    assert rules_for_host("politics.people.com.cn", rules) == rules["people.com.cn"]
    assert rules_for_host("www.gov.cn", rules) == rules["www.gov.cn"]
    assert rules_for_host("sousuo.gov.cn", rules) is None
    assert rules_for_host("people.com.cn.evil.example", rules) is None


def test_split_selector_group_respects_brackets_and_quotes() -> None:
    assert split_selector_group("a, b[x='1,2'] , c:is(d, e),") == ["a", "b[x='1,2']", "c:is(d, e)"]


def test_shipped_domain_rules_load() -> None:
    data = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    rules = load_domain_rules(data)
    assert rules["www.gov.cn"].date == "meta[name=firstpublishedtime]"
    assert rules["mp.weixin.qq.com"].body == "#js_content"
    assert all(isinstance(r, ExtractRules) for r in rules.values())


def test_load_domain_rules_reports_every_problem() -> None:
    data = {
        "domains": {
            "www.gov.cn": {"body": "div[", "titel": "h1"},
            "not a host": {"body": "div"},
            "example.cn": {"drop": "div.ad"},
            "bad.example.cn": "div",
        },
        "extra": 1,
    }
    with pytest.raises(ConfigError) as caught:
        load_domain_rules(data)
    message = str(caught.value)
    assert "domains.www.gov.cn.body" in message and "invalid CSS selector" in message
    assert "domains.www.gov.cn.titel" in message and "unknown key" in message
    assert "domains.not a host" in message
    assert "domains.bad.example.cn" in message
    assert "extra" in message
    assert len(caught.value.problems) == 5


def test_load_domain_rules_accepts_a_single_drop_selector() -> None:
    rules = load_domain_rules({"domains": {"Example.CN": {"drop": "div.ad"}}})
    assert rules == {"example.cn": ExtractRules(drop=("div.ad",))}
    assert load_domain_rules({}) == {}


def test_public_surface_is_pinned() -> None:
    import importlib

    import crawler.extract as package

    assert sorted(package.__all__) == [
        "ExtractRules",
        "Extracted",
        "PolicyMeta",
        "extract",
        "load_domain_rules",
    ]
    for name in ("body", "dates", "extractor", "guard", "layout", "model", "policy", "rules"):
        module = importlib.import_module(f"crawler.extract.{name}")
        assert module.__all__, name
        assert all(hasattr(module, attr) for attr in module.__all__), name


def test_a_configs_rules_are_translated_in_one_place() -> None:
    """ExtractRules are made only here (from YAML, or a config's ExtractSpec by rules_from_spec):
    the crawl, ``analyze`` and the analysis workers all get them from this module."""
    import ast

    root = Path(__file__).parents[2] / "crawler"
    makers = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ExtractRules":
                makers.add(path.relative_to(root.parent).as_posix())
    assert makers == {"crawler/extract/rules.py"}


def test_rules_load_without_the_extractor() -> None:
    # The crawl's own process takes the configured selectors as ExtractRules for its workers:
    # that must not load the extractor and its vocabulary, which only the workers use.
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from crawler.extract.rules import rules_from_spec\n"
        "print(sorted(m for m in sys.modules if m.startswith('crawler.extract')))\n"
        "from crawler.extract import extract\n"
        "print('crawler.extract.extractor' in sys.modules, extract.__module__)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert shown == [
        "['crawler.extract', 'crawler.extract.rules']",
        "True crawler.extract.extractor",
    ]
