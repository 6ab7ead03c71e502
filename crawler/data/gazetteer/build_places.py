"""Rebuild ``places.tsv`` from the project's derived gazetteer (``cn_gazetteer.json``).

Run from the repository root::

    python crawler/data/gazetteer/build_places.py ../shared/data/cn-divisions/cn_gazetteer.json

Only the parts that come from modood/Administrative-divisions-of-China (WTFPL) and the jieba
(MIT) frequency/part-of-speech flag are kept; the GeoNames fields (CC BY 4.0) are not used.

It also writes ``pinyin.tsv`` (``short pinyin`` of each city and province, for ids such as
``qingdao-gov``), so that no crawl loads pypinyin.

Each output row of ``places.tsv`` is ``code level name short city province common small``:

* ``level`` is ``province``, ``city`` or ``county``. Prefecture-level units, the four
  municipalities, the SARs and the county-level cities governed directly by a province
  (济源, 仙桃, 石河子...) are cities; Hong Kong and Macau sub-regions and districts are counties
  of 香港 and 澳门.
* ``city`` and ``province`` are short names ("" when the unit has none, e.g. 神农架林区).
* ``common`` is 1 when the short name is also an everyday word (jieba: not a place or person
  name, frequency >= 100, or flagged ``common_word``); such short names are never matched bare.
* ``small`` is 1 for county-level units (counties, districts, and the county-level cities
  counted as cities): their bare short names need their city or province nearby.
"""

from __future__ import annotations

__all__: list[str] = []

import json
import sys
from pathlib import Path

MUNICIPALITIES = {"北京", "天津", "上海", "重庆", "香港", "澳门"}
PSEUDO = (
    "开发区",
    "产业园区",
    "工业园区",
    "创意园区",
    "示范区",
    "管理区",
    "管委会",
    "实验区",
    "白沟新城",
)
NAME_POS = {"ns", "nr", "nrt", "nz", "nrfg"}


def _common(unit: dict) -> bool:
    if unit.get("common_word"):
        return True
    jieba = unit.get("jieba")
    return bool(jieba) and jieba[1] not in NAME_POS and jieba[0] >= 100


def build(source: Path) -> list[str]:
    units = json.loads(source.read_text(encoding="utf-8"))["units"]
    by_code = {u["code"]: u for u in units}
    province_short = {u["name"]: u["short"] for u in units if u["level"] == "province"}
    rows: list[str] = []
    for u in units:
        name, short, level = u["name"], u["short"], u["level"]
        if any(p in name for p in PSEUDO):
            continue
        province = province_short[u["province"]]
        if province in ("香港", "澳门"):
            out_level = "province" if level == "province" else "county"
            city = province
        elif level == "province":
            out_level = "province"
            city = short if short in MUNICIPALITIES else ""
        elif level == "prefecture":
            out_level, city = "city", short
        else:
            parent = by_code.get(u["parent"] or "")
            if parent is not None and parent["level"] == "prefecture":
                out_level, city = "county", parent["short"]
            elif province in MUNICIPALITIES:
                out_level, city = "county", province
            elif name.endswith("市"):  # county-level city governed by the province
                out_level, city = "city", short
            else:
                out_level, city = "county", ""
        if len(u["code"]) > 6:  # towns of 东莞, 中山, 儋州, 嘉峪关: full names only
            short = name
        small = level == "county"
        common = int(_common(u)) if small else 0
        fields = [u["code"], out_level, name, short, city, province, str(common), str(int(small))]
        rows.append("\t".join(fields))
    return rows


def pinyin_rows(rows: list[str]) -> list[str]:
    """``short pinyin`` of every city's and province's short name (青岛 qingdao), what a
    source's id is matched against when it leaves its home to the id (qingdao-gov). Written
    here once: pypinyin's dictionaries are 55 MB and 200,000 objects in a crawl's process."""
    from pypinyin import lazy_pinyin

    names = set()
    for row in rows:
        _code, level, _name, short, city, province, *_flags = row.split("\t")
        if level == "city" or (level == "province" and city):
            names.add(city or short)
        names.add(province)
    return [f"{name}\t{''.join(lazy_pinyin(name))}" for name in sorted(names) if name]


def main(argv: list[str]) -> None:
    rows = build(Path(argv[1]))
    out = Path(__file__).with_name("places.tsv")
    header = "code\tlevel\tname\tshort\tcity\tprovince\tcommon\tsmall"
    out.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} places to {out}")
    pinyin = pinyin_rows(rows)
    out = Path(__file__).with_name("pinyin.tsv")
    out.write_text("short\tpinyin\n" + "\n".join(pinyin) + "\n", encoding="utf-8")
    print(f"wrote {len(pinyin)} names in pinyin to {out}")


if __name__ == "__main__":
    main(sys.argv)
