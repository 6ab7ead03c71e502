"""config/subscribers.yaml: the shipped example follows the issue's shape and validates."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from crawler.base.config.subscribers import Subscriber
from crawler.base.taxonomy import default_taxonomy

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "subscribers.yaml"


def test_example_subscribers_validate_and_name_known_themes() -> None:
    data = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))
    assert list(data) == ["subscribers"]
    subscribers = [Subscriber.model_validate(item) for item in data["subscribers"]]
    alice = subscribers[0]
    assert alice.id == "alice" and alice.send_at == "08:00" and alice.timezone == "Asia/Shanghai"
    assert alice.filter.cities == ("青岛", "深圳") and alice.filter.exclude == ("招聘",)
    assert alice.empty == "skip" and alice.script == "simplified"
    assert any(s.frequency == "weekly" and s.script == "traditional" for s in subscribers)
    themes = {t.id for t in default_taxonomy().themes}
    for sub in subscribers:
        assert set(sub.filter.themes) <= themes, sub.id
    assert len({s.id for s in subscribers}) == len(subscribers)
