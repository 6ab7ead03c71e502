"""A policy document's identity and the documents a page names: 文号 in every form pages write
it, the issuer from the table, the title or the signature, and mentions classed by relation."""

from __future__ import annotations

import opencc
import pytest

from crawler.extract.model import PolicyMeta
from crawler.extract.policy import (
    DocNumber,
    Mention,
    document_identity,
    find_doc_numbers,
    find_mentions,
    parse_doc_no,
    title_key,
)

S2T = opencc.OpenCC("s2t")


@pytest.mark.parametrize(
    "written",
    [
        "深府办〔2021〕5号",
        "深府办[2021]5号",
        "深府办［2021］5号",
        "深府办（2021）5号",
        "深府办(2021)5号",
        "深府办【2021】5号",
        "深府办〔２０２１〕５号",  # full-width digits
        "深府办〔2021〕第5号",
        "深府办〔2021〕5",  # 号 missing
        "深府办〔2021〕05号",  # a zero in front
        "深 府 办 〔 2021 〕 5 号",  # spaces from a table cell
        "深府辦〔2021〕5號",  # Traditional
        "深府办〔二〇二一〕5号",  # the year in Chinese numerals
        "发文字号：深府办〔2021〕5号",
    ],
)
def test_every_form_of_one_doc_no_has_one_normal_form(written: str) -> None:
    assert str(parse_doc_no(written)) == "深府办〔2021〕5号"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("国办发〔2023〕12号", "国办发〔2023〕12号"),
        ("粤府函〔2024〕123号", "粤府函〔2024〕123号"),
        ("深发改规〔2022〕3号", "深发改规〔2022〕3号"),
        ("深圳市人民政府令第315号", "深圳市人民政府令第315号"),  # an order has no year
        ("中华人民共和国国务院令（第732号）", "中华人民共和国国务院令第732号"),
        ("根据深府办〔2021〕5号文件精神", "深府办〔2021〕5号"),  # running text: the prefix cut
    ],
)
def test_kinds_of_doc_no(written: str, normal: str) -> None:
    assert str(parse_doc_no(written)) == normal


@pytest.mark.parametrize(
    "text",
    [None, "", "无", "2021年5号台风", "（2021）粤03民终5号", "第5号", "〔2021〕5号", "深府办5号"],
)
def test_what_is_not_a_doc_no(text: str | None) -> None:
    assert parse_doc_no(text) is None


def test_numbers_in_running_text_with_their_spans() -> None:
    text = "《甲办法》（深府〔2015〕3号）和《乙规定》（深府办规〔2018〕12号）同时废止。"
    found = find_doc_numbers(text)
    assert [n for n, _s, _e in found] == [
        DocNumber("深府", 2015, 3),
        DocNumber("深府办规", 2018, 12),
    ]
    assert [text[s:e] for _n, s, e in found] == ["深府〔2015〕3号", "深府办规〔2018〕12号"]


BODY = (
    "深府办函〔2024〕5号\n各区人民政府，市有关单位：\n现就有关事项通知如下。\n一、全面排查。\n"
    "深圳市人民政府办公室\n2024年3月5日"
)


@pytest.mark.parametrize(
    ("title", "body", "policy", "doc_no", "issuer"),
    [
        # the metadata table
        ("关于做好燃气安全工作的通知", "正文。", PolicyMeta(issuer="深圳市人民政府办公室",
         doc_no="深府办函［2024］5号"), "深府办函〔2024〕5号", "深圳市人民政府办公室"),
        # the title (issuer before 关于, 文号 in brackets at the end)
        ("深圳市人民政府办公室关于做好燃气安全工作的通知（深府办函〔2024〕5号）", "正文。", None,
         "深府办函〔2024〕5号", "深圳市人民政府办公室"),
        # the text: a 文号 line at the top, the signature above the date at the end
        ("关于做好燃气安全工作的通知", BODY, None, "深府办函〔2024〕5号", "深圳市人民政府办公室"),
        # the same in Traditional: the identity is Simplified
        (S2T.convert("关于做好燃气安全工作的通知"), S2T.convert(BODY), None, "深府办函〔2024〕5号",
         "深圳市人民政府办公室"),
        # a news story: none
        ("深圳部署燃气安全工作", "记者获悉，深圳近日部署燃气安全工作。\n2024年3月5日", None, None, None),
        # a 文号 deep in a news text is a mention, not the page's own
        ("深圳部署燃气安全工作", "第一段。\n第二段。\n第三段。\n第四段。\n深府办函〔2024〕5号", None,
         None, None),
    ],
)  # fmt: skip
def test_identity_from_table_title_or_text(
    title: str, body: str, policy: PolicyMeta | None, doc_no: str | None, issuer: str | None
) -> None:
    identity = document_identity(title, body, policy)
    assert (identity.doc_no, identity.issuer) == (doc_no, issuer)
    assert identity.known is (doc_no is not None or issuer is not None)


def test_a_documents_titles_are_what_reports_name_it_by() -> None:
    identity = document_identity(
        "深圳市人民政府办公室关于印发《深圳市城镇燃气安全管理若干措施》的通知", BODY, None
    )
    assert identity.titles == (
        "关于印发深圳市城镇燃气安全管理若干措施的通知",
        "深圳市城镇燃气安全管理若干措施",
    )
    assert title_key("《深圳市城镇燃气安全管理 若干措施》") == "深圳市城镇燃气安全管理若干措施"


def test_an_interpretation_is_not_the_document_it_explains() -> None:
    identity = document_identity("《深圳市城镇燃气安全管理若干措施》政策解读", BODY, None)
    assert not identity.known and identity.titles == ()


def _mentions(title: str, body: str) -> set[Mention]:
    return set(find_mentions(title, body, document_identity(title, body, None)))


def test_a_report_names_its_document_by_number_or_title() -> None:
    found = _mentions(
        "深圳部署燃气安全整治",
        "市政府办公室近日印发《关于做好燃气安全工作的通知》（深府办函〔2024〕5号）。\n"
        "此前印发的《深圳市燃气管理办法》仍然有效。",
    )
    assert found == {
        Mention("reports", "深府办函〔2024〕5号"),  # the title beside its 文号 is not kept
        Mention("reports", None, "深圳市燃气管理办法"),
    }


def test_an_interpretation_interprets_what_it_names() -> None:
    found = _mentions(
        "一图读懂《若干措施》", "《深圳市城镇燃气安全管理若干措施》（深府办规〔2024〕2号）要点。"
    )
    assert found == {Mention("interprets", "深府办规〔2024〕2号")}


def test_a_later_document_repeals_amends_or_implements_and_only_cites_the_rest() -> None:
    repeal = _mentions(
        "深圳市人民政府办公室关于印发深圳市城镇燃气安全管理若干措施的通知",
        "深府办规〔2024〕2号\n根据《中华人民共和国安全生产法》，制定本措施。\n本措施自2024年4月1日起施行。"
        "《深圳市燃气安全管理规定》（深府〔2015〕3号）同时废止。\n深圳市人民政府办公室\n2024年3月20日",
    )
    assert repeal == {Mention("repeals", "深府〔2015〕3号")}  # the law it cites is not kept
    amend = _mentions(
        "深圳市人民政府关于修改《深圳市城镇燃气安全管理若干措施》的决定",
        "深府〔2024〕30号\n对《深圳市城镇燃气安全管理若干措施》（深府办规〔2024〕2号）作如下修改。",
    )
    assert amend == {Mention("amends", "深府办规〔2024〕2号")}
    rules = _mentions(
        "深圳市住房和建设局关于印发燃气安全检查实施细则的通知",
        "深建规〔2024〕7号\n为贯彻落实《深圳市城镇燃气安全管理若干措施》（深府办规〔2024〕2号），制定本细则。",
    )
    assert rules == {Mention("implements", "深府办规〔2024〕2号")}


def test_a_document_does_not_name_itself() -> None:
    title = "深圳市人民政府办公室关于印发《深圳市城镇燃气安全管理若干措施》的通知"
    body = "深府办规〔2024〕2号\n现将《深圳市城镇燃气安全管理若干措施》印发给你们，请认真贯彻执行。"
    assert _mentions(title, body) == set()
