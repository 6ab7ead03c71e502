"""Hostile and broken config files: every command loads the config first, so no file content may
hang the loader, blow up its memory or end in a traceback. `check` must exit 2 and name the file
and, where there is one, the line.

The deterministic cases cover each class of input (tags, control characters, foreign encodings,
nesting, long numbers, durations, charsets, aliases, odd files); the ones that hung before run
`check` in a subprocess with a timeout, so that a regression fails instead of hanging. A
hypothesis fuzz then damages the shipped config files (bytes, lines, YAML fragments) and asserts
that `check` only ever says OK (0) or names problems (2).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from crawler.app.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config"

GOOD = "sources:\n  - id: qdnews\n    name: 青岛新闻网\n    feed: https://example.org/rss.xml\n"
FILES = [
    "citydigest.yaml",
    "sources.yaml",
    "subscribers.yaml",
    "extract-rules.yaml",
    "taxonomy/themes.yaml",
]


def folder_with(tmp: Path, name: str, content: bytes) -> Path:
    """A config folder with a valid sources.yaml, and ``content`` as the file ``name``."""
    folder = tmp / "cfg"
    (folder / "taxonomy").mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text(GOOD, encoding="utf-8")
    (folder / name).write_bytes(content)
    return folder


def check(folder: Path) -> Result:
    return CliRunner().invoke(cli, ["--config", str(folder), "check"])


def assert_refused(result: Result, where: str, message: str = "") -> None:
    """Exit 2, no traceback, and a problem line that starts with ``where`` (``file:line``)."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    found = [line for line in lines if f"/{where}" in line]
    assert found, result.output
    assert any(message in line for line in found), result.output


def check_in_subprocess(folder: Path) -> subprocess.CompletedProcess[str]:
    """`check` in its own process, ended after 20 s: a hang fails the test instead."""
    env = {k: v for k, v in os.environ.items() if k != "CITYDIGEST_SECRET"}
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "--config", str(folder), "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        cwd=ROOT,
    )


@pytest.fixture(autouse=True)
def _no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITYDIGEST_SECRET", raising=False)


# --------------------------------------------------------------------------- what YAML builds


TAGS = [
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!binary aGVsbG8=",
    "!!python/object:os.system x",
    "!!python/name:os.system ''",
    "!!timestamp 2024-01-01",
    "!!int 1.5",
    "!!bool maybe",
    "!!float x",
    "!!map [1]",
    "!local x",
    "!<tag:example.com,2000:x> y",
]


@pytest.mark.parametrize("value", TAGS)
def test_tags_are_refused_with_their_line(tmp_path: Path, value: str) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    extract: {value}\n".encode())
    assert_refused(check(folder), "sources.yaml:5:", "tag ")


@pytest.mark.parametrize("name", FILES)
def test_a_tag_is_refused_in_every_file(tmp_path: Path, name: str) -> None:
    content = GOOD if name == "sources.yaml" else "x: 1\n"
    folder = folder_with(tmp_path, name, f"{content}y: !!set {{a}}\n".encode())
    assert_refused(check(folder), f"{name}:{content.count(chr(10)) + 1}:", "tag !!set")


def test_even_str_tags_are_refused_and_quoting_is_the_way(tmp_path: Path) -> None:
    # ruamel keeps an explicit tag as a TaggedScalar, which no field accepts.
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    encoding: !!str gbk\n".encode())
    assert_refused(check(folder), "sources.yaml:5:", "tag !!str is not allowed")
    folder = folder_with(tmp_path, "sources.yaml", f'{GOOD}    encoding: "gbk"\n'.encode())
    assert check(folder).exit_code == 0


# --------------------------------------------------------------------------- characters, bytes

utf8 = GOOD.encode()


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x80", "\x9b", "\ufffe"])
def test_control_characters_are_refused_with_line_and_column(tmp_path: Path, char: str) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    name: ab{char}c\n".encode())
    assert_refused(check(folder), "sources.yaml:5:", f"U+{ord(char):04X} at column 13")


@pytest.mark.parametrize("escape", ["\\0", "\\a", "\\e", "\\x1b", "\\x9b", "\\uFFFE"])
def test_control_characters_written_as_escapes_are_refused(tmp_path: Path, escape: str) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f'{GOOD}    name: "ab{escape}c"\n'.encode())
    assert_refused(check(folder), "sources.yaml:5:", "control character")


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (utf8 + "    name: café\n".encode("latin-1"), "sources.yaml:5:", "byte 0xE9 at column 14"),
        (utf8 + "    name: 青岛\n".encode("gbk"), "sources.yaml:5:", "byte 0xC7 at column 11"),
        (GOOD.encode("utf-16"), "sources.yaml:1:", "byte 0xFF at column 1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "sources.yaml:1:", "not UTF-8"),
        (b"sources:\n" + bytes(range(256)), "sources.yaml:3:", "byte 0x80 at column 118"),
        (b"\x7fELF\x02\x01\x01\x00\x00", "sources.yaml:1:", "control character U+007F"),
    ],
    ids=["latin-1", "gbk", "utf-16", "png", "all-bytes", "elf"],
)
def test_a_file_that_is_not_utf8_text_names_the_line(
    tmp_path: Path, content: bytes, where: str, message: str
) -> None:
    assert_refused(check(folder_with(tmp_path, "sources.yaml", content)), where, message)


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("sources: " + "[" * 50_000, 1),
        ("sources: " + "[" * 3_000 + "]" * 3_000, 1),
        ("sources: " + "{a: " * 3_000 + "1" + "}" * 3_000, 1),
        ("sources:\n" + "".join("  " * i + "- \n" for i in range(1, 3_000)), 65),
        ("sources:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3_000)), 65),
    ],
    ids=["50000-open-brackets", "flow-lists", "flow-maps", "block-lists", "block-maps"],
)
def test_deep_nesting_is_refused(tmp_path: Path, content: str, line: int) -> None:
    folder = folder_with(tmp_path, "sources.yaml", content.encode())
    assert_refused(check(folder), f"sources.yaml:{line}:", "nested more than 64 levels")


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("citydigest.yaml", "retention_days: " + "9" * 5_000, 1),
        ("citydigest.yaml", "fetch:\n  max_bytes: -" + "9" * 5_000, 2),
        ("citydigest.yaml", "fetch:\n  timeout: 1_" + "0" * 5_000, 2),
        ("sources.yaml", GOOD + "    name: " + "7" * 4_301, 5),
        ("sources.yaml", GOOD + "    name: 0o" + "7" * 5_000, 5),
        ("taxonomy/themes.yaml", "themes:\n  - threshold: " + "1" * 5_000, 2),
    ],
)
def test_numbers_too_long_for_python_are_refused(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    folder = folder_with(tmp_path, name, f"{text}\n".encode())
    assert_refused(check(folder), f"{name}:{line}:", "a number of")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99999999999999d", "at most 365d"),
        ("99999999999999h", "at most 365d"),
        ("400d", "at most 365d"),
        ("100000000000", "at most 365d"),
        ("1e300", "at most 365d"),
        (".inf", "at most 365d"),
        (".nan", "positive duration"),
        ("-.inf", "positive duration"),
        ('"' + "9" * 5_000 + 'd"', "at most 365d"),
    ],
)
def test_durations_are_bounded(tmp_path: Path, value: str, message: str) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    interval: {value}\n".encode())
    assert_refused(check(folder), "sources.yaml:5: sources[0].interval:", message)


@pytest.mark.parametrize("days", ["retention_days", "fetch_log_days"])
def test_day_counts_that_overflow_a_date_are_refused(tmp_path: Path, days: str) -> None:
    folder = folder_with(tmp_path, "citydigest.yaml", f"{days}: {10**18}\n".encode())
    assert_refused(check(folder), f"citydigest.yaml:1: {days}:", "less than or equal")


@pytest.mark.parametrize(
    "name", ["rot13", "rot_13", "hex", "base64", "zlib", "idna", "punycode", "undefined", "nope"]
)
def test_encoding_must_be_a_text_charset(tmp_path: Path, name: str) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    encoding: {name}\n".encode())
    assert_refused(check(folder), "sources.yaml:5: sources[0].encoding:", "expected a charset")


def test_a_misspelt_charset_gets_a_suggestion(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "sources.yaml", f"{GOOD}    encoding: gbkk\n".encode())
    assert_refused(check(folder), "sources.yaml:5:", "did you mean gbk?")


# --------------------------------------------------------------------------- aliases


def alias_bomb(levels: int) -> str:
    """The classic "billion laughs": each level is nine aliases of the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("levels", [7, 9])
def test_alias_bombs_are_refused_quickly(tmp_path: Path, name: str, levels: int) -> None:
    folder = folder_with(tmp_path, name, alias_bomb(levels).encode())
    result = check_in_subprocess(folder)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"/{name}:5: alias *a3 expands to 7381 nodes" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sources: &s [*s]\n", "alias *s is used inside its own anchor"),
        ("sources: &s\n  - id: a\n    next: *s\n", "alias *s is used inside its own anchor"),
        ("sources: *nowhere\n", "alias *nowhere is undefined"),
    ],
)
def test_recursive_and_undefined_aliases_are_refused(
    tmp_path: Path, content: str, message: str
) -> None:
    folder = folder_with(tmp_path, "sources.yaml", content.encode())
    assert_refused(check(folder), "sources.yaml:", message)


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    sources = ["sources:"]
    for index in range(200):
        anchor = "&slow " if index == 0 else ""
        sources += [
            f"  - id: s{index}",
            f"    name: S{index}",
            f"    feed: https://example.org/{index}.xml",
            f"    fetch: {anchor}{{per_host_delay: 5, headers: {{Referer: https://example.org/}}}}"
            if index == 0
            else "    fetch: *slow",
        ]
    folder = folder_with(tmp_path, "sources.yaml", "\n".join(sources).encode() + b"\n")
    result = check(folder)
    assert result.exit_code == 0, result.output
    assert "200 sources" in result.output


# --------------------------------------------------------------------------- whole files


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize(
    ("content", "line", "found"),
    [
        ("- a\n- b\n", 1, "found a list"),
        ("# a comment\n\nhello\n", 3, "found str 'hello'"),
        ("# a comment\n42\n", 2, "found int 42"),
    ],
)
def test_the_top_of_every_file_must_be_a_mapping(
    tmp_path: Path, name: str, content: str, line: int, found: str
) -> None:
    folder = folder_with(tmp_path, name, content.encode())
    assert_refused(check(folder), f"{name}:{line}:", found)


def test_duplicate_keys_and_several_documents(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "citydigest.yaml", b"timezone: UTC\ntimezone: UTC\n")
    assert_refused(check(folder), "citydigest.yaml:2:", "duplicate key")
    folder = folder_with(tmp_path, "citydigest.yaml", b"timezone: UTC\n---\nretention_days: 1\n")
    assert_refused(check(folder), "citydigest.yaml:2:", "not valid YAML")


@pytest.mark.parametrize("name", ["citydigest.yaml", "subscribers.yaml", "extract-rules.yaml"])
def test_an_empty_optional_file_means_the_defaults(tmp_path: Path, name: str) -> None:
    assert check(folder_with(tmp_path, name, b"")).exit_code == 0
    assert check(folder_with(tmp_path, name, b"# only a comment\n")).exit_code == 0


@pytest.mark.parametrize("name", FILES)
def test_a_folder_named_like_the_file(tmp_path: Path, name: str) -> None:
    folder = folder_with(tmp_path, "other.yaml", b"")
    (folder / name).unlink(missing_ok=True)
    (folder / name).mkdir()
    assert_refused(check(folder), f"{name}:", "cannot read: is a directory")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_does_not_block(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "other.yaml", b"")
    (folder / "citydigest.yaml").unlink(missing_ok=True)
    os.mkfifo(folder / "citydigest.yaml")
    result = check_in_subprocess(folder)
    assert result.returncode == 2
    assert "citydigest.yaml: cannot read: not a regular file" in result.stderr


@pytest.mark.parametrize("method", ["stat", "open"])
def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    folder = folder_with(tmp_path, "subscribers.yaml", b"subscribers: []\n")
    original = getattr(Path, method)

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "subscribers.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, refuse)
    assert_refused(check(folder), "subscribers.yaml:", "cannot read: Permission denied")


def test_a_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "sources.yaml", GOOD.encode() + b"#" * (17 * 2**20) + b"\n")
    assert_refused(check(folder), "sources.yaml:", "larger than 16 MiB")


def test_rich_markup_in_a_key_is_printed_as_text(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "citydigest.yaml", b"'[/x] [bold]:smile:': 1\n")
    assert_refused(check(folder), "citydigest.yaml:1:", "unknown key '[/x] [bold]:smile:'")


# --------------------------------------------------------------------------- the secret


@pytest.mark.parametrize("secret", ["x", "short-secret-15", "十五个字节", "é" * 7])
def test_a_short_unsubscribe_secret_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("MY_KEY", secret)
    settings_yaml = b"timezone: Asia/Shanghai\nunsubscribe_secret_env: MY_KEY\n"
    folder = folder_with(tmp_path, "citydigest.yaml", settings_yaml)
    size = len(secret.encode())
    assert_refused(
        check(folder),
        "citydigest.yaml:2: unsubscribe_secret_env:",
        f"$MY_KEY is {size} bytes long; the unsubscribe secret needs at least 16",
    )


@pytest.mark.parametrize("secret", [None, "", "sixteen-bytes-ok", "十六个字节的钥匙"])
def test_an_unset_or_long_enough_secret_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    if secret is not None:
        monkeypatch.setenv("CITYDIGEST_SECRET", secret)
    assert check(folder_with(tmp_path, "other.yaml", b"")).exit_code == 0


# --------------------------------------------------------------------------- fuzz

FRAGMENTS = [
    "&a ", "*a", "<<: *a\n", "&a [*a]", "&b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "!!set ",
    "!!binary ", "!!python/object:os.system ", "!x ", "!!int ", "!!float ", "!!bool ", "!!map ",
    "!!seq ", "!!str ", "! ", "%YAML 1.1\n---\n", "%TAG !e! tag:e.com,2000:\n---\n", "---\n",
    "...\n", "[", "]", "{", "}", "[" * 100, "{a: " * 100, "? ", ": ", "- ", ",", "|", ">-",
    '"', "'", "#", "\t", "\r", "\\", '"\\0"', '"\\e"', "\x00", "\x07", "\x1b", "\x85", "\u2028",
    "\ufeff", "9" * 5_000, "0o" + "7" * 5_000, "1_" + "0" * 500, "99999999999999d", "1e999",
    ".inf", "-.inf", ".nan", "~", "null", "yes", "2024-01-01", "08:00", "1:30:00", "0x1F",
    "encoding: rot13", "interval: 99999999999999d", "interval: .inf", "encoding: ", "id: ",
    "feed: ", "[/x]", "[bold]", ":smile:", "sources:\n", "domains:\n", "themes:\n",
    "aliases:\n", "  - ", "    ", "\n  ", "青岛", "\ud7ff",
]  # fmt: skip

MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.integers(0, 10**4), st.just(0)),
    st.tuples(st.just("duplicate"), st.integers(0, 10**4), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(range(len(FRAGMENTS)))),
    st.tuples(st.just("indent"), st.integers(0, 10**4), st.integers(-4, 4)),
)
SHIPPED_FILES = [
    "citydigest.yaml",
    "sources.yaml",
    "subscribers.yaml",
    "extract-rules.yaml",
    "taxonomy/themes.yaml",
    "taxonomy/aliases.yaml",
]


def mutate(data: bytes, mutation: tuple[str, int, int]) -> bytes:
    kind, where, what = mutation
    lines = data.split(b"\n")
    index = where % len(lines)
    if kind == "flip":
        at = where % max(len(data), 1)
        return data[:at] + bytes([what]) + data[at + 1 :]
    if kind == "delete":
        return b"\n".join(lines[:index] + lines[index + 1 :])
    if kind == "duplicate":
        return b"\n".join(lines[: index + 1] + lines[index:])
    if kind == "indent":
        line = lines[index]
        lines[index] = b" " * what + line if what >= 0 else line[-what:]
        return b"\n".join(lines)
    at = where % (len(data) + 1)
    return data[:at] + FRAGMENTS[what].encode("utf-8", "surrogatepass") + data[at:]


@pytest.mark.parametrize("name", SHIPPED_FILES)
@settings(
    max_examples=35,  # per file: about 200 in all
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_check_on_damaged_shipped_files_says_ok_or_names_problems(
    name: str, mutations: list[tuple[str, int, int]]
) -> None:
    data = (SHIPPED / name).read_bytes()
    for mutation in mutations:
        data = mutate(data, mutation)
    with tempfile.TemporaryDirectory() as tmp:
        result = check(folder_with(Path(tmp), name, data))
    event(f"exit {result.exit_code}")  # --hypothesis-show-statistics
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "invalid configuration" in result.output, result.output
