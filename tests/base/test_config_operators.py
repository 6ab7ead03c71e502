"""What an operator meets beyond the files' syntax: database URLs SQLAlchemy cannot load,
subscriber filters naming nothing, settings given by variable or option, relative paths, and
the config directory that is not there."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import pytest

from crawler.base.config import Config, load_config, overrides_from
from crawler.base.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

SOURCES = """\
sources:
  - id: qdnews
    name: 青岛新闻网
    feed: https://example.org/rss.xml
"""


def folder_with(tmp_path: Path, settings: str = "", subscribers: str = "") -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir(exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    if settings:
        (folder / "citydigest.yaml").write_text(settings, encoding="utf-8")
    if subscribers:
        (folder / "subscribers.yaml").write_text(subscribers, encoding="utf-8")
    return folder


def problems(
    folder: Path,
    environ: dict[str, str] | None = None,
    sets: tuple[str, ...] = (),
    database: str | None = None,
) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(folder, environ, sets, database)
    return [str(p) for p in info.value.problems]


def load(
    folder: Path,
    environ: dict[str, str] | None = None,
    sets: tuple[str, ...] = (),
    database: str | None = None,
) -> Config:
    overrides, found = overrides_from(environ or {}, sets, database)
    return load_config(folder, overrides, problems=found)


# --- database URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "expected a database URL such as sqlite:///data/citydigest.db"),
        ("postgres://u:pw@db/x", "scheme 'postgres://'; write 'postgresql://u:***@db/x'"),
        ("postgres+psycopg://db/x", "write 'postgresql+psycopg://db/x'"),
        ("mysql://db/x", "expected a SQLite or PostgreSQL URL"),
        ("postgresql+nosuch://db/x", "SQLAlchemy has no driver 'postgresql+nosuch'"),
        ("://", "expected a database URL"),
    ],
)
def test_a_database_url_sqlalchemy_cannot_load_is_an_error_at_its_line(
    tmp_path: Path, url: str, expected: str
) -> None:
    folder = folder_with(tmp_path, f"timezone: Asia/Shanghai\ndatabase: {url!r}\n")
    (found,) = problems(folder)
    assert found.startswith(f"{folder / 'citydigest.yaml'}:2: database: ")
    assert expected in found
    assert "pw" not in found  # the password is never shown


@pytest.mark.parametrize(
    ("environ", "database", "origin"),
    [
        ({"CITYDIGEST_DATABASE_URL": "notaurl"}, None, "env CITYDIGEST_DATABASE_URL"),
        ({"CITYDIGEST__DATABASE": "postgres://db/x"}, None, "env CITYDIGEST__DATABASE"),
        ({}, "notaurl", "--database"),
    ],
)
def test_a_bad_database_url_given_outside_the_file_names_its_variable_or_option(
    tmp_path: Path, environ: dict[str, str], database: str | None, origin: str
) -> None:
    (found,) = problems(folder_with(tmp_path), environ=environ, database=database)
    assert found.startswith(f"{origin}: database: ")


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "postgresql://u@db/x", "postgresql+psycopg2://db/x"],
)
def test_database_urls_that_load_pass(tmp_path: Path, url: str) -> None:
    config = load(folder_with(tmp_path, f"database: '{url}'\n"))
    assert config.settings.database == url


# --- subscriber filters -----------------------------------------------------------------------

SUBSCRIBER = """\
subscribers:
  - id: alice
    email: alice@example.org
    filter:
      cities: {cities}
      provinces: {provinces}
      themes: {themes}
"""


def subscriber(cities: str = "[]", provinces: str = "[]", themes: str = "[]") -> str:
    return SUBSCRIBER.format(cities=cities, provinces=provinces, themes=themes)


@pytest.mark.parametrize(
    ("written", "line", "expected"),
    [
        (
            'themes="[smart-city]"',
            7,
            "themes[0]: unknown theme 'smart-city'; did you mean smart_city?",
        ),
        ('themes="[fintec]"', 7, "unknown theme 'fintec'; did you mean fintech?"),
        ('themes="[智慧城市]"', 7, "unknown theme '智慧城市'; did you mean smart_city?"),
        ('themes="[nothing_like_it]"', 7, "unknown theme 'nothing_like_it'; expected one of: "),
        ('cities="[深证]"', 5, "cities[0]: unknown city or province '深证'; did you mean 深圳"),
        ('cities="[青到]"', 5, "unknown city or province '青到'; did you mean 青岛"),
        (
            'cities="[上海, 成督]"',
            5,
            "cities[1]: unknown city or province '成督'; did you mean 成都",
        ),
        ('provinces="[山冬]"', 6, "provinces[0]: unknown province '山冬'; did you mean 山东"),
        ('provinces="[青岛]"', 6, "'青岛' is a city, not a province: list it under cities"),
        ('cities="[Qingdao]"', 5, "unknown city or province 'Qingdao'; did you mean 青岛"),
        ('cities="[shenzhen]"', 5, "unknown city or province 'shenzhen'; did you mean 深圳?"),
        ('cities="[苏洲]"', 5, "did you mean 苏州 / "),  # sound and characters beat sound
        ('cities="[西安安]"', 5, "did you mean 西安 / "),
        ('cities="[深证市]"', 5, "did you mean 深圳 / "),
        ('cities="[Atlantis]"', 5, "unknown city or province 'Atlantis': use the short name"),
    ],
)
def test_unknown_theme_ids_and_place_names_are_errors_with_a_suggestion(
    tmp_path: Path, written: str, line: int, expected: str
) -> None:
    key, _, value = written.partition("=")
    folder = folder_with(tmp_path, subscribers=subscriber(**{key: value.strip('"')}))
    (found,) = problems(folder)
    assert found.startswith(f"{folder / 'subscribers.yaml'}:{line}: subscribers[0].filter.")
    assert expected in found


@pytest.mark.parametrize(
    ("cities", "provinces", "kept_cities", "kept_provinces"),
    [
        ("[青岛, 深圳]", "[山东]", ("青岛", "深圳"), ("山东",)),  # short names
        ("[青島, 廣州]", "[廣東]", ("青島", "廣州"), ("廣東",)),  # Traditional: matched folded
        ("[青岛市, 深圳市]", "[山东省]", ("青岛", "深圳"), ("山东",)),  # full names -> short
        ("[山东, 北京]", "[北京, 香港]", ("山东", "北京"), ("北京", "香港")),  # provinces, SARs
        ("[琴岛]", "[]", ("青岛",), ()),  # an alias of the shipped taxonomy
    ],
)
def test_known_places_pass_and_full_names_become_the_names_stories_carry(
    tmp_path: Path,
    cities: str,
    provinces: str,
    kept_cities: tuple[str, ...],
    kept_provinces: tuple[str, ...],
) -> None:
    folder = folder_with(tmp_path, subscribers=subscriber(cities, provinces, "[smart_city]"))
    (tmp_path / "cfg" / "taxonomy").mkdir()
    (tmp_path / "cfg" / "taxonomy" / "themes.yaml").write_text(
        (ROOT / "config" / "taxonomy" / "themes.yaml").read_text(encoding="utf-8")
    )
    (tmp_path / "cfg" / "taxonomy" / "aliases.yaml").write_text(
        "aliases:\n  cities: {青岛: [琴岛]}\n", encoding="utf-8"
    )
    (alice,) = load(folder).subscribers
    assert alice.filter.cities == kept_cities
    assert alice.filter.provinces == kept_provinces


def test_theme_ids_are_those_of_the_operators_taxonomy(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, subscribers=subscriber(themes="[ports, smart_city]"))
    (folder / "taxonomy").mkdir()
    (folder / "taxonomy" / "themes.yaml").write_text(
        "themes:\n  - id: ports\n    label: 港口\n    keywords: {港口: 3}\n", encoding="utf-8"
    )
    (found,) = problems(folder)
    assert "themes[1]: unknown theme 'smart_city'; expected one of: ports" in found


# --- secret, charset, base URL ----------------------------------------------------------------


@pytest.mark.parametrize(("secret", "ok"), [("x" * 15, False), ("短" * 5, False), ("x" * 16, True)])
def test_an_unsubscribe_secret_shorter_than_16_bytes_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str, ok: bool
) -> None:
    monkeypatch.setenv("CD_TEST_SECRET", secret)
    folder = folder_with(tmp_path, "unsubscribe_secret_env: CD_TEST_SECRET\n")
    if ok:
        load(folder)
    else:
        (found,) = problems(folder)
        assert found.startswith(f"{folder / 'citydigest.yaml'}:1: unsubscribe_secret_env: ")
        assert "needs at least 16" in found


@pytest.mark.parametrize("encoding", ["gbkk", "rot13", "base64", "no-such-charset"])
def test_an_encoding_python_does_not_know_as_a_charset_is_an_error(
    tmp_path: Path, encoding: str
) -> None:
    folder = folder_with(tmp_path)
    (folder / "sources.yaml").write_text(SOURCES + f"    encoding: {encoding}\n", encoding="utf-8")
    (found,) = problems(folder)
    assert found.startswith(f"{folder / 'sources.yaml'}:5: sources[0].encoding: expected a charset")


@pytest.mark.parametrize(
    ("base_url", "warned"),
    [
        ("http://digest.example.org/archive/", True),
        ("http://203.0.113.5/archive/", True),
        ("https://digest.example.org/archive/", False),
        ("http://localhost:8000/archive/", False),
        ("http://127.0.0.1:8000/archive/", False),
        ("http://[::1]:8000/archive/", False),
        ("http://digest.localhost/archive/", False),
    ],
)
def test_a_base_url_in_clear_outside_localhost_is_a_warning(
    tmp_path: Path, base_url: str, warned: bool
) -> None:
    folder = folder_with(tmp_path, f"archive:\n  base_url: {base_url}\n")
    config = load(folder)
    found = [str(w) for w in config.warnings]
    if warned:
        assert found == [
            f"{folder / 'citydigest.yaml'}:2: archive.base_url: {base_url} is not https: "
            "the archive and unsubscribe links of every digest would travel in clear, open to "
            "being read and altered; use https:// (http is fine on localhost)"
        ]
    else:
        assert found == []


def test_a_base_url_in_clear_given_by_set_names_the_option(tmp_path: Path) -> None:
    config = load(folder_with(tmp_path), sets=("archive.base_url=http://a.example/x/",))
    assert [str(w).split(":")[0] for w in config.warnings] == ["--set"]


# --- overrides --------------------------------------------------------------------------------


def test_precedence_is_defaults_file_environment_command_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "fetch:\n  timeout: 11\n  max_redirects: 3\nretention_days: 9\n")
    environ = {"CITYDIGEST__FETCH__TIMEOUT": "22", "CITYDIGEST__RETENTION_DAYS": "10"}
    config = load(folder, environ=environ, sets=("fetch.timeout=33",))
    settings = config.settings
    assert settings.fetch.timeout == 33  # --set over env over file
    assert settings.retention_days == 10  # env over file
    assert settings.fetch.max_redirects == 3  # file over default
    assert settings.fetch.per_host_concurrency == 2  # default
    assert config.origins["fetch.timeout"] == "--set"
    assert config.origins["retention_days"] == "env CITYDIGEST__RETENTION_DAYS"
    assert config.origins["fetch.max_redirects"] == f"{folder / 'citydigest.yaml'}:3"
    assert config.origins["fetch.per_host_concurrency"] == "default"


def test_database_option_wins_over_set_and_variables(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "database: sqlite:////tmp/file.db\n")
    environ = {"CITYDIGEST_DATABASE_URL": "sqlite:////tmp/env.db"}
    config = load(folder, environ=environ)
    assert config.settings.database == "sqlite:////tmp/env.db"
    config = load(folder, environ=environ, sets=("database=sqlite:////tmp/set.db",))
    assert config.settings.database == "sqlite:////tmp/set.db"
    config = load(
        folder,
        environ=environ,
        sets=("database=sqlite:////tmp/set.db",),
        database="sqlite:////tmp/opt.db",
    )
    assert (config.settings.database, config.origins["database"]) == (
        "sqlite:////tmp/opt.db",
        "--database",
    )


@pytest.mark.parametrize(
    ("environ", "sets", "expected"),
    [
        (
            {},
            ("fetch.timout=3",),
            "--set: fetch.timout: unknown key 'timout'; did you mean 'timeout'?",
        ),
        ({}, ("fetch.timeout=abc",), "--set: fetch.timeout: input should be a valid number"),
        ({}, ("fetch.timeout",), "--set: expected NAME=VALUE such as fetch.timeout=30"),
        ({}, ("fetch..timeout=3",), "--set: expected NAME=VALUE"),
        (
            {},
            ("smtp.security=ssl",),
            "--set: smtp.security: input should be 'none', 'starttls' or 'tls'",
        ),
        ({}, ("fetch.obey_robots=[1",), "--set: fetch.obey_robots: not a YAML value"),
        (
            {"CITYDIGEST__FETCH__TIMEOUT": "-1"},
            (),
            "env CITYDIGEST__FETCH__TIMEOUT: fetch.timeout: input should be greater than 0",
        ),
        (
            {"CITYDIGEST__FETCHH__TIMEOUT": "3"},
            (),
            "env CITYDIGEST__FETCHH__TIMEOUT: fetchh: unknown key 'fetchh'; did you mean 'fetch'?",
        ),
        (
            {"CITYDIGEST__FETCH____TIMEOUT": "3"},
            (),
            "env CITYDIGEST__FETCH____TIMEOUT: expected KEY__KEY",
        ),
        (
            {"CITYDIGEST__TIMEZONE": "Mars/Olympus"},
            (),
            "env CITYDIGEST__TIMEZONE: timezone: expected an IANA time zone",
        ),
    ],
)
def test_a_bad_override_is_an_error_naming_the_option_or_variable(
    tmp_path: Path, environ: dict[str, str], sets: tuple[str, ...], expected: str
) -> None:
    (found,) = problems(folder_with(tmp_path), environ=environ, sets=sets)
    assert found.startswith(expected)


def test_override_values_are_read_as_yaml(tmp_path: Path) -> None:
    sets = (
        "fetch.obey_robots=false",
        "smtp.username=",  # empty: null
        "smtp.from=城市快讯 <d@example.org>",
        "smtp.unknown_resend_after=6h",
        "timezone=Asia/Hong_Kong",
    )
    settings = load(folder_with(tmp_path, "smtp:\n  username: someone\n"), sets=sets).settings
    assert settings.fetch.obey_robots is False
    assert settings.smtp.username is None
    assert settings.smtp.from_ == "城市快讯 <d@example.org>"
    assert settings.smtp.unknown_resend_after is not None
    assert settings.smtp.unknown_resend_after.total_seconds() == 6 * 3600
    assert settings.timezone == "Asia/Hong_Kong"


def test_an_override_fixes_a_bad_file_value_and_keeps_its_other_problems(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "fetch:\n  timeout: soon\n  max_redirects: many\n")
    (found,) = problems(folder, sets=("fetch.timeout=5",))
    assert found.startswith(f"{folder / 'citydigest.yaml'}:3: fetch.max_redirects: ")


def test_problems_of_overrides_and_files_are_reported_together(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "retention_days: 0\n")
    found = problems(folder, environ={"CITYDIGEST__SERVE__PUBLIC_METRICS": "maybe"}, sets=("oops",))
    assert [f.split(": ")[0] for f in found] == [
        "--set",
        f"{folder / 'citydigest.yaml'}:1",
        "env CITYDIGEST__SERVE__PUBLIC_METRICS",
    ]
    assert found[1].endswith(
        "retention_days: input should be greater than or equal to 1, found int 0"
    )


def test_other_variables_are_not_settings(tmp_path: Path) -> None:
    environ = {"CITYDIGEST_CONFIG": "x", "CITYDIGEST_SECRET": "y" * 20, "CITYDIGEST_X": "1"}
    assert load(folder_with(tmp_path), environ=environ).overrides == ()


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "database", "archive"),
    [
        ("", "sqlite:///{cfg}/data/citydigest.db", "{cfg}/archive"),
        (
            "database: sqlite:///db/x.db?timeout=5\narchive: {dir: out/arch}\n",
            "sqlite:///{cfg}/db/x.db?timeout=5",
            "{cfg}/out/arch",
        ),
        (
            "data_dir: ../state\narchive: {dir: ./archive}\n",
            "sqlite:///{state}/data/citydigest.db",
            "{state}/archive",
        ),
        (
            "data_dir: /srv/cd\ndatabase: sqlite:////abs/x.db\narchive: {dir: /abs/arch}\n",
            "sqlite:////abs/x.db",
            "/abs/arch",
        ),
        ("database: sqlite://\n", "sqlite://", "{cfg}/archive"),
        ("database: postgresql://u@db/x\n", "postgresql://u@db/x", "{cfg}/archive"),
    ],
)
def test_relative_paths_are_taken_from_the_config_directory_not_the_working_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str, database: str, archive: str
) -> None:
    folder = folder_with(tmp_path, settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    names = {"cfg": folder.resolve(), "state": (folder / "../state").resolve()}
    config = load(Path(os.path.relpath(folder, elsewhere)))  # the directory given relative, too
    assert config.settings.database == database.format(**names).replace("\\", "/")
    assert Path(config.settings.archive.dir).resolve() == Path(archive.format(**names)).resolve()


def test_paths_given_by_override_follow_the_same_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load(
        folder, environ={"CITYDIGEST__ARCHIVE__DIR": "a"}, sets=("database=sqlite:///b.db",)
    )
    assert config.settings.archive.dir == folder.resolve() / "a"
    assert config.settings.database == f"sqlite:///{folder.resolve() / 'b.db'}"


def test_a_database_left_where_the_working_directory_put_it_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert load(folder).warnings == ()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "citydigest.db").write_bytes(b"")
    (warning,) = load(folder).warnings
    assert f"the SQLite file is {folder.resolve() / 'data' / 'citydigest.db'}, " in str(warning)
    assert f"but {tmp_path / 'data' / 'citydigest.db'} does" in str(warning)
    (folder / "data").mkdir()
    (folder / "data" / "citydigest.db").write_bytes(b"")
    assert load(folder).warnings == ()  # moved: nothing to say


# --- the config directory ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["given", "env", "default"])
def test_a_missing_config_directory_says_where_it_looked_and_how_to_point_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CITYDIGEST_CONFIG", raising=False)
    given = None
    if how == "given":
        given = "nowhere"
    elif how == "env":
        monkeypatch.setenv("CITYDIGEST_CONFIG", "nowhere")
    with pytest.raises(ConfigError) as info:
        load_config(given)
    (found,) = [str(p) for p in info.value.problems]
    looked = tmp_path / ("config" if how == "default" else "nowhere")
    assert f"config directory not found (looked for {looked}, " in found
    assert {"given": "given)", "env": "from $CITYDIGEST_CONFIG)", "default": "the default"}[
        how
    ] in found
    assert "--config DIR or $CITYDIGEST_CONFIG" in found and "citydigest init" in found


def test_the_starter_config_is_the_shipped_example() -> None:
    starter = ROOT / "crawler" / "data" / "starter"
    names = sorted(p.name for p in (ROOT / "config").glob("*.yaml"))
    assert sorted(p.name for p in starter.glob("*.yaml")) == names
    for name in names:
        assert filecmp.cmp(ROOT / "config" / name, starter / name, shallow=False), (
            f"config/{name} differs from crawler/data/starter/{name}: copy one over the other"
        )
