"""Config validation: every kind of mistake is reported with file, line and key path, all at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.base.config import load_config
from crawler.base.config.values import parse_duration
from crawler.base.errors import ConfigError
from crawler.base.taxonomy import gazetteer_names

ROOT = Path(__file__).resolve().parents[2]


def write(folder: Path, sources: str, settings: str = "") -> Path:
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    if settings:
        (folder / "citydigest.yaml").write_text(settings, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    return [str(p) for p in info.value.problems]


GOOD = """\
sources:
  - id: qdnews
    name: 青岛新闻网
    feed: https://example.org/rss.xml
"""


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config")
    assert len(config.sources) >= 30
    assert {"gov-cn-zuixin", "people-politics", "people-sitemap"} <= {s.id for s in config.sources}
    assert config.settings.fetch.allow_private_networks is False


def test_minimal_config_gets_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    source = config.source("qdnews")
    assert source.interval == timedelta(hours=1)
    assert config.settings.timezone == "Asia/Shanghai"
    assert config.settings.database.startswith("sqlite:///")
    assert config.settings.fetch.per_host_concurrency >= 1


def test_unknown_key_names_file_line_and_path(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD + "    encodng: gbk\n"))
    assert found == [
        f"{tmp_path / 'sources.yaml'}:5: sources[0].encodng: unknown key 'encodng'; "
        "did you mean 'encoding'?"
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD + GOOD.split("\n", 1)[1]))
    assert len(found) == 1
    assert ":5: sources[1].id: duplicate id 'qdnews' (first used by sources[0])" in found[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    sitemap: ftp://example.org/s.xml", "sources[0].sitemap: expected an absolute http"),
        ("    sitemap: not a url", "sources[0].sitemap: expected an absolute http"),
        (
            '    list: {url: "https://example.org/", links: "a[["}',
            "sources[0].list.links: expected a valid CSS selector",
        ),
        ("    interval: 30 minutes", "sources[0].interval: expected a duration such as 30m"),
        ("    interval: -5", "sources[0].interval: expected a positive duration"),
        ("    encoding: klingon", "sources[0].encoding: expected a charset"),
        ('    extract: {body: "div..x"}', "sources[0].extract.body: expected a valid CSS selector"),
        ("    list: {url: https://example.org/}", "sources[0].list.links: required key is missing"),
        ('    fetch: {cookies: {"a b": "1"}}', "is not a cookie name"),
        ('    fetch: {cookies: {sid: "x; y"}}', "is not a cookie value"),
    ],
)
def test_each_kind_of_mistake(tmp_path: Path, line: str, expected: str) -> None:
    found = problems(write(tmp_path, GOOD + line + "\n"))
    assert any(expected in p and ":5:" in p for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    sources = """\
sources:
  - id: Bad_ID
    name: x
  - id: ok
    name: y
    feed: https://example.org/feed
    interval: soon
"""
    settings = "timezone: Mars/Olympus\nfetch:\n  per_host_delay: -1\n  colour: blue\n"
    found = problems(write(tmp_path, sources, settings))
    text = "\n".join(found)
    assert "citydigest.yaml:1: timezone: expected an IANA time zone" in text
    assert "citydigest.yaml:3: fetch.per_host_delay:" in text
    assert "citydigest.yaml:4: fetch.colour: unknown key 'colour'" in text
    assert "sources.yaml:2: sources[0].id: expected an id of lower-case letters" in text
    assert (
        "sources.yaml:2: sources[0]: a source needs at least one of feed, list or sitemap" in text
    )
    assert "sources.yaml:7: sources[1].interval: expected a duration" in text
    assert len(found) == 6


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "sources:\n  - id: a\n    name: [unclosed\n"))
    assert len(found) == 1
    assert "sources.yaml:" in found[0] and "not valid YAML" in found[0]


def test_missing_sources_file(tmp_path: Path) -> None:
    found = problems(tmp_path)
    assert found == [
        f"{tmp_path / 'sources.yaml'}: file not found: every config needs sources.yaml"
    ]


def test_missing_directory(tmp_path: Path) -> None:
    found = problems(tmp_path / "nope")
    assert "config directory not found" in found[0]


def test_env_var_names_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "cfg")
    monkeypatch.setenv("CITYDIGEST_CONFIG", str(tmp_path / "cfg"))
    assert load_config().dir == tmp_path / "cfg"


def test_config_objects_are_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ValueError, match="frozen"):
        config.settings.fetch.timeout = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), (45, 45)]
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_source_fetch_overrides(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, GOOD + "    fetch: {per_host_delay: 7, headers: {Referer: x}}\n")
    )
    merged = config.profile(config.source("qdnews"))
    assert merged.per_host_delay == 7 and merged.headers == {"Referer": "x"}
    assert merged.timeout == config.settings.fetch.timeout


def test_shipped_taxonomy_copy_matches_the_builtin_defaults() -> None:
    shipped = sorted(p.name for p in (ROOT / "config" / "taxonomy").glob("*.yaml"))
    builtin = ROOT / "crawler" / "data" / "taxonomy"
    assert shipped == sorted(p.name for p in builtin.glob("*.yaml"))
    for name in shipped:
        assert (ROOT / "config" / "taxonomy" / name).read_text(encoding="utf-8") == (
            builtin / name
        ).read_text(encoding="utf-8"), (
            f"config/taxonomy/{name} differs from crawler/data/taxonomy/{name}: copy one over the other"
        )


def test_source_home_is_validated_and_inferred(tmp_path: Path) -> None:
    sources = """\
sources:
  - id: qingdao-gov
    name: 政务网
    feed: https://example.org/a.xml
  - id: zb
    name: 淄博市人民政府
    feed: https://example.org/b.xml
  - id: fuzhou-gov
    name: 政府网
    feed: https://example.org/c.xml
  - id: hb
    name: 某某网
    home: 河北
    feed: https://example.org/d.xml
  - id: news
    name: 人民网
    feed: https://example.org/e.xml
"""
    config = load_config(write(tmp_path, sources))
    homes = {s.id: s.home_place for s in config.sources}
    # id in pinyin; name as a full name; fuzhou is 福州 and 抚州: not inferred
    assert homes == {
        "qingdao-gov": "青岛",
        "zb": "淄博",
        "fuzhou-gov": None,
        "hb": "河北",
        "news": None,
    }


def test_source_home_must_be_a_known_place(tmp_path: Path) -> None:
    sources = GOOD.replace("    feed:", "    home: 青岛市\n    feed:")
    assert any(
        "home" in p and "unknown city or province" in p for p in problems(write(tmp_path, sources))
    )


def test_the_shipped_pinyin_table_is_pypinyins_for_every_city_and_province() -> None:
    """``pinyin.tsv`` stands in for pypinyin in a crawl: it must say what pypinyin says, for
    every short name of the gazetteer (a rebuilt ``places.tsv`` needs a rebuilt table)."""
    from pypinyin import lazy_pinyin

    table = (ROOT / "crawler" / "data" / "gazetteer" / "pinyin.tsv").read_text("utf-8")
    shipped = dict(line.split("\t") for line in table.splitlines()[1:])
    cities, provinces, _full = gazetteer_names()
    assert set(shipped) == cities | provinces
    assert {name: "".join(lazy_pinyin(name)) for name in shipped} == shipped


def test_a_home_inferred_from_an_id_does_not_load_pypinyin() -> None:
    """Loading pypinyin costs a process 55 MB and 200,000 objects: a crawl of sources named
    by pinyin ids must not pay it."""
    code = (
        "import sys\n"
        "from crawler.base.taxonomy import infer_home\n"
        "assert infer_home('政务网', 'qingdao-gov') == '青岛'\n"
        "assert infer_home('政务网', 'fuzhou-gov') is None\n"
        "print('pypinyin' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
