"""Rebuild the texts of the real-text dev set's provenance-only items from snapshots of their sources.

Usage::

    python bench/real_dev.py [--mirror DIR] [--issues DIR]   # writes bench/data/real-dev/texts.jsonl

/work/shared/data/tagging-real-dev/ holds 86 items with their text (``items.jsonl``) and 63 items
whose sources carry no licence to redistribute (``provenance-only.jsonl``: repository, commit,
path, location, a <=30-character anchor, the SHA-1 of the text and of the title, and the gold).
This script rebuilds those 63 texts from local snapshots into the git-ignored ``texts.jsonl``
(one line per rebuilt item: id, title, text) and checks every hash, so ``bench/tagging.py`` can
score the whole set. Nothing read from the sources is committed.

The snapshots are git directories under ``--mirror`` named ``owner+name/repo`` (bare, or a work
tree's ``.git`` inside it), as the project's mirror brings them; bring one with
``git clone --mirror https://github.com/OWNER/NAME DIR/OWNER+NAME/repo`` and make sure the
commits the set names are in it (``hellodword/wechat-feeds`` needs its ``feeds`` branch).

Text rule (the set's README): the body at the stated location with all whitespace deleted
(ASCII, U+3000, NBSP, zero-width), then cut to the leading whole sentences of at most 600
characters (cut after 。！？, a closing quote or bracket right after the mark stays). Per kind:

* ``wechat_feed_item``: the feed's ``<item>`` whose ``<link>`` is the source url; the title is
  its ``<title>``, HTML-unescaped, zero-width spaces removed; all are title-only (empty text).
* ``rthk_md``: the ``# `` section whose 原始網址 is the source url; title = the heading, text =
  the lines between the heading and the first ``---`` line without image lines.
* ``cms_sql``: the ``p8_cms_item_article_addon`` row ``addon_id`` (its ``iid`` is ``item_id``)
  of the MySQL dump, title from ``p8_cms_item``; the HTML's text pieces (tags become line
  breaks) that end in 。！？, from the paragraph the ``text_rule`` names if it names one.
* ``java_string_literal``: the string assigned to the variable ``location`` names, in the
  method it names; tags become line breaks and the caption line ``text_rule`` names is
  dropped. The page has no title: the annotator's (``SUPPLIED_TITLES``) is checked by its hash.
* ``github_issue``: issue bodies are not part of a git snapshot. With ``--issues DIR`` holding
  ``N.json`` per issue (``gh issue view N -R dropod/issues --json title,body > DIR/N.json``)
  the description is the body before the archive bot's links (``**[``), from the line the
  ``text_rule`` names (and only as many lines as it says), the trailing `` ...`` dropped.

An item whose source is not available is reported as missing; an item whose rebuilt title,
text or anchor differs from the set's hashes is reported with what differs and not written.
The exit status is 1 when any hash differs.
"""

from __future__ import annotations

__all__ = [
    "READERS",
    "SUPPLIED_TITLES",
    "Missing",
    "Outcome",
    "Sources",
    "check",
    "html_lines",
    "load_provenance",
    "rebuild",
    "sql_rows",
]

import argparse
import html
import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser
from visits_dev import clean, cut, sha1

PROVENANCE = Path("/work/shared/data/tagging-real-dev/provenance-only.jsonl")
HERE = Path(__file__).resolve().parent / "data" / "real-dev"
TEXTS = HERE / "texts.jsonl"
MIRROR = Path("/work/.mirror")
LIMIT = 600
# dv141's page (a Java string literal) has no title; the set's annotator wrote this one, and
# its SHA-1 is the item's title_sha1.
SUPPLIED_TITLES = {"dv141": "济南党政考察团赴郑州考察"}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SENTENCE_END = ("。", "！", "？")


class Missing(Exception):
    """The item's source is not available locally: the item is skipped, not failed."""


class Sources:
    """The local snapshots: git blobs read once each, tables of SQL dumps parsed once each."""

    def __init__(self, mirror: Path = MIRROR, issues: Path | None = None) -> None:
        self.mirror = mirror
        self.issues = issues
        self._blobs: dict[tuple[str, str, str], bytes] = {}
        self._tables: dict[tuple[str, str, str, str], dict[str, dict[str, str | None]]] = {}

    def git_dir(self, repo: str) -> Path:
        base = self.mirror / repo.replace("/", "+") / "repo"
        for candidate in (base, base / ".git"):
            if (candidate / "HEAD").is_file():
                return candidate
        raise Missing(f"no snapshot of {repo} under {self.mirror}")

    def blob(self, source: dict) -> bytes:
        """The file ``source['path']`` at ``source['commit']`` of ``source['repo']``."""
        key = (source["repo"], source["commit"], source["path"])
        if key not in self._blobs:
            git = ["git", f"--git-dir={self.git_dir(key[0])}", "show", f"{key[1]}:{key[2]}"]
            done = subprocess.run(git, capture_output=True)
            if done.returncode:
                why = done.stderr.decode(errors="replace").strip()
                raise Missing(f"{key[0]}@{key[1][:12]}:{key[2]} not in the snapshot ({why})")
            self._blobs[key] = done.stdout
        return self._blobs[key]

    def text(self, source: dict) -> str:
        return self.blob(source).decode("utf-8")

    def table(self, source: dict, table: str) -> dict[str, dict[str, str | None]]:
        key = (source["repo"], source["commit"], source["path"], table)
        if key not in self._tables:
            self._tables[key] = sql_rows(self.text(source), table)
        return self._tables[key]


def html_lines(markup: str) -> list[str]:
    """The text pieces of an HTML fragment (every tag a line break), whitespace deleted, the
    empty ones dropped; entities are decoded by the parser."""
    body = LexborHTMLParser(markup).body
    pieces = body.text(separator="\n").split("\n") if body is not None else []
    return [line for line in map(clean, pieces) if line]


def wechat_feed_item(sources: Sources, item: dict) -> tuple[str, str]:
    """The feed's <item> whose <link> is the source url; these feeds carry titles only."""
    source = item["source"]
    root = ElementTree.fromstring(sources.blob(source))
    for entry in root.iter("item"):
        if (entry.findtext("link") or "").strip() == source["url"]:
            return _ZERO_WIDTH.sub("", html.unescape(entry.findtext("title") or "")), ""
    raise Missing(f"no <item> with link {source['url']} in {source['path']}")


_RTHK_URL = re.compile(r"原始網址[：:]\s*<([^>\s]+)>")
_MD_IMAGE = re.compile(r"^\s*!\[.*\]\(.*\)\s*$")


def rthk_md(sources: Sources, item: dict) -> tuple[str, str]:
    """The ``# `` section whose 原始網址 is the source url: heading and lines up to ``---``."""
    source = item["source"]
    for section in re.split(r"(?m)^(?=# )", sources.text(source)):
        heading, _, rest = section.partition("\n")
        url = _RTHK_URL.search(rest)
        if not heading.startswith("# ") or not url or url.group(1) != source["url"]:
            continue
        body = []
        for line in rest.splitlines():
            if line.strip() == "---":
                break
            if not _MD_IMAGE.match(line):
                body.append(line)
        return heading[2:].strip(), cut(clean("\n".join(body)), LIMIT)
    raise Missing(f"no section with 原始網址 {source['url']} in {source['path']}")


_SQL_VALUE = re.compile(r"'((?:[^'\\]|\\.|'')*)'|(NULL)|(-?\d+(?:\.\d+)?)|(\()|(\))", re.S)
_SQL_ESCAPE = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def _sql_string(quoted: str) -> str:
    return re.sub(
        r"\\(.)|''", lambda m: _SQL_ESCAPE.get(m[1], m[1]) if m[1] else "'", quoted, flags=re.S
    )


def sql_rows(dump: str, table: str) -> dict[str, dict[str, str | None]]:
    """The rows of ``table`` in a MySQL dump (INSERT/REPLACE statements), by their first column;
    each row maps the column names of the table's CREATE TABLE to the values."""
    create = re.search(rf"CREATE TABLE `{re.escape(table)}` \((.*?)\n\)", dump, re.S)
    if not create:
        raise Missing(f"no CREATE TABLE `{table}` in the dump")
    columns = re.findall(r"^\s*`(\w+)`", create.group(1), re.M)
    rows: dict[str, dict[str, str | None]] = {}
    statement = re.compile(rf"^(?:INSERT|REPLACE) INTO `{re.escape(table)}` VALUES ", re.M)
    for start in statement.finditer(dump):
        end = dump.find(";\n", start.end())
        row: list[str | None] = []
        for m in _SQL_VALUE.finditer(dump, start.end(), end if end >= 0 else len(dump)):
            if m[4]:
                row = []
            elif m[5]:
                rows[str(row[0])] = dict(zip(columns, row, strict=False))
            else:
                row.append(_sql_string(m[1]) if m[1] is not None else m[3])
    return rows


def _rule_quote(rule: str, before: str, after: str = "") -> str | None:
    """The quoted words the text rule names between ``before`` and ``after`` ("2月28日…")."""
    m = re.search(rf'{before} "([^"]+?)…?"{after}', rule)
    return m[1] if m else None


def _from(lines: list[str], start: str | None, where: str) -> list[str]:
    if start is None:
        return lines
    for i, line in enumerate(lines):
        if line.startswith(start):
            return lines[i:]
    raise Missing(f"no line starting {start!r} in {where}")


def cms_sql(sources: Sources, item: dict) -> tuple[str, str]:
    """The article row's HTML: its sentences-ending pieces (photo captions fall out)."""
    source = item["source"]
    addon = sources.table(source, source["table"]).get(str(source["addon_id"]))
    if addon is None or addon.get("iid") != str(source["item_id"]):
        raise Missing(f"no {source['table']} row {source['addon_id']} of item {source['item_id']}")
    article = sources.table(source, "p8_cms_item").get(str(source["item_id"])) or {}
    paragraphs = [p for p in html_lines(addon.get("content") or "") if p.endswith(_SENTENCE_END)]
    start = _rule_quote(source.get("text_rule", ""), "starting at the paragraph")
    text = "".join(_from(paragraphs, start, f"row {source['addon_id']}"))
    return article.get("title") or "", cut(text, LIMIT)


_JAVA_ESCAPE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "s": " "}
_JAVA_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def _java_string(body: str) -> str:
    return re.sub(
        r"\\u([0-9a-fA-F]{4})|\\(.)",
        lambda m: chr(int(m[1], 16)) if m[1] else _JAVA_ESCAPE.get(m[2], m[2]),
        body,
    )


def java_string_literal(sources: Sources, item: dict) -> tuple[str, str]:
    """The HTML string assigned to the named variable in the named method, as text lines."""
    source = item["source"]
    where = re.fullmatch(r"string literal (\w+) in [\w.]*?(\w+)", source["location"])
    if not where:
        raise Missing(f"cannot read the location {source['location']!r}")
    name, method = where.groups()
    code = sources.text(source)
    begin = re.search(rf"\b{method}\s*\(", code)
    assigned = re.compile(rf'\b{name}\s*=\s*((?:"(?:[^"\\\n]|\\.)*"\s*\+?\s*)+);')
    m = assigned.search(code, begin.end()) if begin else None
    if not m:
        raise Missing(f"no string {name} assigned in {method} of {source['path']}")
    markup = "".join(_java_string(s) for s in _JAVA_STRING.findall(m[1]))
    caption = _rule_quote(source.get("text_rule", ""), "the", " caption line")
    lines = [line for line in html_lines(markup) if not caption or caption not in line]
    return SUPPLIED_TITLES.get(item["id"], ""), cut("".join(lines), LIMIT)


def github_issue(sources: Sources, item: dict) -> tuple[str, str]:
    """The issue's description (the bot's excerpt of the article) from a saved ``gh`` export."""
    source = item["source"]
    if sources.issues is None:
        raise Missing("issue bodies are not in a git snapshot (save them and pass --issues DIR)")
    path = sources.issues / f"{source['issue']}.json"
    if not path.is_file():
        raise Missing(f"{path} not found")
    issue = json.loads(path.read_text("utf-8"))
    description = (issue.get("body") or "").split("\n**[", 1)[0]
    rule = source.get("text_rule", "")
    lines = [line for line in map(clean, description.splitlines()) if line]
    lines = _from(lines, _rule_quote(rule, "from the line starting"), str(path))
    if first := re.search(r"first (\d+) lines only", rule):
        lines = lines[: int(first[1])]
    return issue.get("title") or "", cut("".join(lines).removesuffix("..."), LIMIT)


READERS: dict[str, Callable[[Sources, dict], tuple[str, str]]] = {
    "wechat_feed_item": wechat_feed_item,
    "rthk_md": rthk_md,
    "cms_sql": cms_sql,
    "java_string_literal": java_string_literal,
    "github_issue": github_issue,
}


def check(item: dict, title: str, text: str) -> list[str]:
    """What in the rebuilt ``title`` and ``text`` differs from the item's anchor and hashes."""
    hashed = title if item.get("sha1_of") == "title" else text
    anchored = title if item.get("anchor_of") == "title" else text
    wrong = []
    if sha1(hashed) != item["text_sha1"]:
        wrong.append(
            f"{item.get('sha1_of', 'text')} SHA-1 ({len(text)} chars, set: {item.get('text_chars')})"
        )
    if sha1(title) != item["title_sha1"]:
        wrong.append(f"title SHA-1 ({title[:30]!r})")
    if not anchored.startswith(item["anchor"]):
        wrong.append(f"anchor ({anchored[:30]!r} vs {item['anchor']!r})")
    return wrong


@dataclass
class Outcome:
    """What a rebuild did, by item: kept apart so a missing source never hides a wrong hash."""

    written: Counter[str] = field(default_factory=Counter)
    missing: dict[str, str] = field(default_factory=dict)  # id -> why
    wrong: dict[str, str] = field(default_factory=dict)  # id -> what differs
    kinds: dict[str, str] = field(default_factory=dict)  # id -> source kind


def load_provenance(path: Path = PROVENANCE) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def rebuild(sources: Sources, out: Path = TEXTS, provenance: Path = PROVENANCE) -> Outcome:
    """Write ``texts.jsonl`` with every item whose rebuilt text matches the set's hashes."""
    outcome = Outcome()
    lines = []
    for item in load_provenance(provenance):
        kind = item["source"]["kind"]
        outcome.kinds[item["id"]] = kind
        try:
            if kind not in READERS:
                raise Missing(f"no reader for source kind {kind!r}")
            title, text = READERS[kind](sources, item)
        except Missing as why:
            outcome.missing[item["id"]] = str(why)
            continue
        except (ElementTree.ParseError, UnicodeDecodeError) as error:
            outcome.missing[item["id"]] = f"unreadable source: {error}"
            continue
        if wrong := check(item, title, text):
            outcome.wrong[item["id"]] = "; ".join(wrong)
            continue
        outcome.written[kind] += 1
        record = {"id": item["id"], "title": title, "text": text}
        lines.append(json.dumps(record, ensure_ascii=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines), "utf-8")
    return outcome


def summary(outcome: Outcome) -> str:
    """Per source kind: rebuilt, missing and differing items, then the reasons by item."""
    lines = []
    for kind in dict.fromkeys(outcome.kinds.values()):
        ids = [i for i, k in outcome.kinds.items() if k == kind]
        missing = sum(i in outcome.missing for i in ids)
        wrong = sum(i in outcome.wrong for i in ids)
        lines.append(
            f"{kind}: {outcome.written[kind]} of {len(ids)} rebuilt"
            + (f", {missing} missing" if missing else "")
            + (f", {wrong} HASH MISMATCH" if wrong else "")
        )
    lines += [f"  missing {i}: {why}" for i, why in outcome.missing.items()]
    lines += [f"  MISMATCH {i}: {what}" for i, what in outcome.wrong.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mirror", type=Path, default=MIRROR, help="folder of the snapshots (owner+name/repo)"
    )
    parser.add_argument(
        "--issues", type=Path, help="folder of dropod/issues exports N.json (title, body)"
    )
    args = parser.parse_args(argv)
    outcome = rebuild(Sources(args.mirror, args.issues))
    print(summary(outcome))
    print(f"{sum(outcome.written.values())} texts written to {TEXTS}")
    if outcome.wrong:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
