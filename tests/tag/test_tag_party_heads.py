"""Who heads the visiting party (issue 19, the fifteenth to seventeenth batches of the visits dev
set): a head who leads a team (带组, 带团) as one who leads a delegation (带队); a head titled by
a command post (指挥部指挥长, 总指挥) even with a comma before 带队; the party's head named in the
visit's own sentence (曲学武一行6人来我局) over someone who leads people in a later one, often
the host's official (市局副局长崔璨带领…进行了交流座谈). Sentences written for these tests,
shaped like city news."""

from __future__ import annotations

import pytest

from crawler.tag import Tagger
from tests.tag import first_leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "1月26日上午，石城县行政审批局党组书记、局长熊运发带组赴福建省宁化县行管委学习考察。",
            "赣州",
            "熊运发",
        ),
        ("副市长王强带团赴深圳考察。", "赣州", "王强"),
        ("区商务局局长李明带组到苏州工业园区考察学习。", "南通", "李明"),
        (
            "9月23日，市人大常委会主任、南湖产业园指挥部指挥长李东河，带队前往厦门开展产业招商活动。",
            "漳州",
            "李东河",
        ),
        ("项目建设总指挥刘海，率队赴合肥考察。", "芜湖", "刘海"),
    ],
)
def test_heads_by_their_lead_verb_or_command_title(
    tagger: Tagger, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, "", body, home) == leader


@pytest.mark.parametrize(
    ("body", "home", "leader"),
    [
        (
            "7月28日下午，连云港市城管局副局长曲学武一行6人来我局考察学习窗口建设。"
            "市局党组成员、副局长崔璨带领政策法规处人员进行了交流座谈。",
            "淮安",
            "曲学武",
        ),
        (
            "5月8日，盐城市发改委副主任张伟一行来我市考察学习。"
            "市发改委主任王刚带领相关科室负责人陪同考察并座谈交流。",
            "南通",
            "张伟",
        ),
    ],
)
def test_the_head_in_the_visits_own_sentence_beats_a_later_leader(
    tagger: Tagger, body: str, home: str, leader: str
) -> None:
    assert first_leader(tagger, "", body, home) == leader


def test_a_later_leader_stays_when_the_visits_sentence_names_nobody(tagger: Tagger) -> None:
    body = (
        "近日，市发改委考察组一行赴苏州考察学习。考察组由市发改委主任王刚带领，"
        "先后考察了苏州工业园区。"
    )
    assert first_leader(tagger, "", body, "南通") == "王刚"


def test_a_team_named_like_a_person_is_no_head(tagger: Tagger) -> None:
    body = (
        "近日，华亭市政协主席李锋带领相关负责同志组成招商小分队赴陕西、安徽等地考察学习。"
        "小分队一行首先赴陕西省铜川市，考察学习了陈炉古镇建设运营情况。"
    )
    tags = tagger.tag("", body, home="平凉")
    assert {v.details.leader.name for v in tags.visits if v.details.leader} <= {"李锋"}
