"""A reader's own preferences: the form's choices and checks, the stored row winning over
subscribers.yaml in the digest jobs and the schedule, pause, and the operator's reset (on SQLite
and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.app.cadence import next_digest_at
from crawler.app.schedule import Schedule
from crawler.base.config.subscribers import Subscriber
from crawler.base.db import Database
from crawler.base.models import SubscriberPreferences, SubscriberState
from crawler.base.taxonomy import default_taxonomy
from digests import build_digests, subscribers
from digests.preferences import FormError, choices_for, parse_form
from digests.report import BUILT, PAUSED
from digests.subscribers import Preferences
from tests.digests.digestkit import NOW, Item, hours, make_config, seed, subscriber, visit_item

CHOICES = choices_for(default_taxonomy())
GOOD: dict[str, list[str]] = {
    "city": ["青岛", "深圳"],
    "province": ["四川"],
    "theme": ["smart_city"],
    "kind": ["policy", "visit"],
    "frequency": ["weekly"],
    "weekday": ["fri"],
    "send_at": ["18:30"],
    "script": ["traditional"],
}


def _prefs(**changes: object) -> Preferences:
    return parse_form({**GOOD, **changes}, CHOICES, paused=False)  # type: ignore[dict-item]


# --------------------------------------------------------------------------- the form


def test_choices_come_from_the_gazetteer_taxonomy_and_model() -> None:
    assert len(CHOICES.provinces) == 34 and "山东" in CHOICES.provinces
    assert dict(CHOICES.cities)["山东"][:2] == ("济南", "青岛")
    assert len(CHOICES.city_names) == 378
    assert {t for t, _ in CHOICES.themes} == {t.id for t in default_taxonomy().themes}
    assert [k for k, _ in CHOICES.kinds] == ["visit", "policy", "other"]
    assert {s for s, _ in CHOICES.scripts} >= {"simplified", "traditional"}
    assert CHOICES.times("07:45")[:3] == ("00:00", "00:30", "01:00")
    assert "07:45" in CHOICES.times("07:45") and len(CHOICES.times("08:00")) == 48


def test_a_valid_form_becomes_preferences_in_the_forms_order() -> None:
    prefs = _prefs(city=["深圳", " 青岛 ", "深圳", ""])
    assert prefs.cities == ("深圳", "青岛")  # stripped, deduplicated, blanks dropped
    assert prefs.kinds == ("visit", "policy")  # the form's order, whatever the post's
    assert (prefs.frequency, prefs.weekday, prefs.send_at, prefs.script) == (
        "weekly",
        "fri",
        "18:30",
        "traditional",
    )
    # Nothing chosen for places and themes means no limit: a valid choice.
    assert _prefs(city=[], province=[], theme=[]).cities == ()


@pytest.mark.parametrize(
    ("field", "values", "problem"),
    [
        ("city", ["纽约"], "城市「纽约」"),
        ("city", ["山东"], "城市「山东」"),  # a province is not a city
        ("city", ["青岛市"], "城市「青岛市」"),  # full names are not the form's values
        ("province", ["青岛"], "省份「青岛」"),
        ("province", ["<script>"], "省份「<script>」"),
        ("theme", ["no_such_theme"], "主题「no_such_theme」"),
        ("kind", ["spam"], "类别「spam」"),
        ("kind", [], "请至少选择一种类别"),
        ("frequency", ["hourly"], "频率「hourly」"),
        ("frequency", [], "请选择频率"),
        ("weekday", ["someday"], "每周发送日「someday」"),
        ("script", ["klingon"], "字体「klingon」"),
        ("send_at", ["24:00"], "发送时间「24:00」"),
        ("send_at", ["8:00"], "发送时间「8:00」"),
        ("send_at", ["08:60"], "发送时间「08:60」"),
        ("send_at", ["08:00; DROP"], "发送时间「08:00; DROP」"),
        ("city", ["青岛"] + [f"城{i}" for i in range(200)], "城市最多选100个"),
    ],
)
def test_every_value_the_form_does_not_offer_is_refused(
    field: str, values: list[str], problem: str
) -> None:
    with pytest.raises(FormError) as caught:
        _prefs(**{field: values})
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_all_problems_are_named_at_once() -> None:
    with pytest.raises(FormError) as caught:
        _prefs(city=["纽约"], kind=[], send_at=["x"])
    assert len(caught.value.problems) == 3


# --------------------------------------------------------------------------- stored, applied

ALICE = subscriber(filter={"cities": ["北京"], "keywords": ["合作"]})


def test_stored_preferences_win_over_subscribers_yaml_until_reset(db: Database) -> None:
    assert subscribers.with_preferences(db, [ALICE]) == [ALICE]  # nothing stored
    subscribers.save_preferences(db, "alice", _prefs(), next_digest_at=None, at=NOW)
    (mine,) = subscribers.with_preferences(db, [ALICE])
    assert isinstance(mine, Subscriber)
    assert mine.filter.cities == ("青岛", "深圳") and mine.filter.provinces == ("四川",)
    assert mine.filter.keywords == ("合作",)  # the operator's keywords stay
    assert (mine.frequency, mine.weekday, mine.send_at, mine.script) == (
        "weekly",
        "fri",
        "18:30",
        "traditional",
    )
    assert (mine.email, mine.name) == (ALICE.email, ALICE.name)
    stored = subscribers.load_preferences(db)["alice"]
    assert stored.updated_at == NOW
    # Saving again replaces the whole row.
    subscribers.save_preferences(db, "alice", _prefs(city=[]), next_digest_at=None)
    assert subscribers.with_preferences(db, [ALICE])[0].filter.cities == ()
    back = NOW + hours(3)
    gone = subscribers.reset_preferences(db, "alice", next_digest_at=back)
    assert gone is not None and gone.cities == ()
    assert subscribers.with_preferences(db, [ALICE]) == [ALICE]
    assert subscribers.reset_preferences(db, "alice", next_digest_at=back) is None


def test_the_schedule_follows_the_readers_time_and_a_pause_holds_the_digest(
    db: Database, tmp_path: Path
) -> None:
    config = make_config(tmp_path, [ALICE])
    schedule = Schedule(db, clock=lambda: NOW)
    schedule.sync(config, NOW)
    reader = subscribers.apply(ALICE, _prefs())
    slot = next_digest_at(reader, "Asia/Shanghai", NOW)
    assert slot.weekday() == 4 and slot.astimezone(config.settings.zone).strftime("%H:%M") == (
        "18:30"
    )
    subscribers.save_preferences(db, "alice", _prefs(), next_digest_at=slot)
    schedule.sync(config, NOW)  # the yaml's 08:00 daily would move it: the reader's time holds
    with db.session() as session:
        row = session.get(SubscriberState, "alice")
        assert row is not None and row.next_digest_at == slot

    due = slot + timedelta(minutes=1)
    subscribers.save_preferences(
        db, "alice", _with(_prefs(), paused=True), next_digest_at=slot, at=NOW
    )
    assert subscribers.paused(db, ["alice", "bob"]) == {"alice"}
    assert subscribers.claim_due(db, {"alice"}, lease=hours(1), now=due) == []
    subscribers.save_preferences(db, "alice", _prefs(), next_digest_at=slot, at=NOW)
    assert subscribers.claim_due(db, {"alice"}, lease=hours(1), now=due) == [("alice", slot)]


def _with(prefs: Preferences, **changes: object) -> Preferences:
    return dataclasses.replace(prefs, **changes)  # type: ignore[arg-type]


def test_digests_are_built_as_the_reader_chose(db: Database, tmp_path: Path, secret: str) -> None:
    seed(
        db,
        [
            visit_item("青岛", "深圳", NOW - hours(2), provinces=["山东", "广东"]),
            visit_item("北京", "天津", NOW - hours(3), provinces=["北京", "天津"]),
            Item("深圳市发布智慧城市规划", NOW - hours(4), cities=["深圳"], kind="policy"),
        ],
    )
    config = make_config(tmp_path, [subscriber(filter={"cities": ["北京"]})])
    subscribers.save_preferences(
        db,
        "alice",
        _prefs(kind=["visit"], theme=[], province=[], frequency=["daily"]),
        next_digest_at=None,
    )
    report = build_digests(config, db, out_dir=tmp_path / "out", now=NOW)
    assert [r.status for r in report.results] == [BUILT]
    html = (tmp_path / "out" / "alice.html").read_text(encoding="utf-8")
    assert "青島市黨政代表團赴深圳考察交流" in html  # Traditional, as chosen
    assert "天津" not in html  # the yaml's 北京 no longer chosen
    assert "規劃" not in html  # policies not chosen
    # Paused: no digest, reported as such.
    subscribers.save_preferences(
        db, "alice", _with(_prefs(), paused=True), next_digest_at=None, at=NOW
    )
    report = build_digests(config, db, out_dir=tmp_path / "out2", now=NOW)
    assert [r.status for r in report.results] == [PAUSED]
    assert not (tmp_path / "out2" / "alice.html").exists()


def test_every_mail_links_the_signed_preferences_page(
    db: Database, tmp_path: Path, secret: str
) -> None:
    from digests.unsubscribe import InvalidToken, verify_token

    seed(db, [visit_item("青岛", "深圳", NOW - hours(2))])
    config = make_config(tmp_path, [subscriber()])
    build_digests(config, db, out_dir=tmp_path / "out", now=NOW)
    for name in ("alice.html", "alice.txt"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "管理订阅" in text
        start = text.index("https://digest.example.org/archive/preferences?token=")
        token = text[start:].split("token=", 1)[1].split('"')[0].split()[0]
        assert verify_token(secret, token, "preferences") == "alice"
        with pytest.raises(InvalidToken):
            verify_token(secret, token)  # not an unsubscribe token


def test_a_stored_row_the_model_refuses_leaves_the_yaml_in_force(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    subscribers.save_preferences(db, "alice", _prefs(), next_digest_at=None)
    with db.session() as session:  # a hand edit, or a value an older version allowed
        row = session.get(SubscriberPreferences, "alice")
        assert row is not None
        row.frequency = "hourly"
    with caplog.at_level("WARNING"):
        assert subscribers.with_preferences(db, [ALICE]) == [ALICE]
    assert "subscriber_preferences row of alice" in caplog.text
    assert "frequency" in caplog.text and "subscribers reset alice" in caplog.text
