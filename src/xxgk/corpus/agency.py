"""Agency names: a matching key, and the region and administrative level read from the name itself.

``agency_key`` folds the forms one agency's name takes across reports and mirrors (full-width brackets,
traditional characters, spaces). ``classify`` reads the province-level region and the level (中央, 省级, 市级,
县级, 乡镇级) from the name's place-name prefix; names without one (南通市民政局) get the city as region. An
``agencies.csv`` given to ``xxgk corpus ingest --agencies`` overrides both (see :mod:`xxgk.corpus.store`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from xxgk.ingest.normalize import normalize_text

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市",
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
    "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
    "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)  # fmt: skip
MUNICIPALITIES = frozenset(("北京市", "天津市", "上海市", "重庆市"))
_SHORT = {p: re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", p) for p in PROVINCES}

LEVELS = ("中央", "省级", "市级", "县级", "乡镇级")

_CENTRAL = re.compile(r"^(国务院|中华人民共和国|中国|国家|最高人民)")
_CENTRAL_SUFFIX = re.compile(r"^[^省市县区旗州盟]{1,12}(部|委员会|总局|总署|署|局|办公室|银行|院)$")
_CITY = re.compile(r"^(.{1,9}?市|.{1,9}?自治州|.{1,6}?地区|.{1,6}?盟)")
_COUNTY = re.compile(r"^(.{1,9}?(?:市|区|县|自治县|旗|自治旗|林区|特区))")
_TOWN = re.compile(r"^.{1,8}?(乡|镇|街道|苏木)(人民政府|办事处|政府|党委)?$")
_PUNCT = re.compile(r"[\s()（）\[\]【】《》<>「」\"'“”‘’·•.,，、:：;；\-—_/|]+")


@lru_cache(maxsize=65536)
def agency_key(name: str | None) -> str | None:
    """The name folded for matching (NFKC, simplified characters, no spaces or punctuation)."""
    if not name:
        return None
    text, _ = normalize_text(name)
    key = _PUNCT.sub("", text)
    return key or None


@lru_cache(maxsize=65536)
def classify(name: str | None) -> tuple[str | None, str | None]:
    """(region, level) read from the agency name; either may be ``None`` when the name does not say."""
    key = agency_key(name)
    if not key:
        return None, None
    province = None
    rest = key
    for p in PROVINCES:
        for form in (p, _SHORT[p]):
            if key.startswith(form) and len(key) > len(form):
                province, rest = p, key[len(form) :]
                break
        if province:
            break
    if province is None:
        if _CENTRAL.match(key) or _CENTRAL_SUFFIX.match(key):
            return "中央", "中央"
        city = _CITY.match(key)
        if city is None or _looks_like_department(city.group(1)):
            county = _COUNTY.match(key)
            region = county.group(1) if county and not _looks_like_department(county.group(1)) else None
            return region, _level_below(key, "")
        return city.group(1), _level_below(key, city.group(1))
    if province in MUNICIPALITIES:
        # 北京市海淀区… is a county-level district of a provincial-level city.
        county = _COUNTY.match(rest)
        if county and not _looks_like_department(county.group(1)):
            return province, "乡镇级" if _TOWN.match(rest[len(county.group(1)) :]) else "县级"
        return province, "省级"
    city = _CITY.match(rest)
    if city is None or _looks_like_department(city.group(1)):
        return province, "省级"
    return province, _level_below(rest, city.group(1))


def _looks_like_department(prefix: str) -> bool:
    """``市场监督管理局`` starts with 市 but is a department, not a place."""
    return len(prefix) <= 1 or prefix.startswith(("市场", "区域", "县域"))


def _level_below(rest: str, city: str) -> str:
    after = rest[len(city) :]
    county = _COUNTY.match(after)
    if county and not _looks_like_department(county.group(1)):
        after = after[len(county.group(1)) :]
        return "乡镇级" if _TOWN.match(after) else "县级"
    if _TOWN.match(after):
        return "乡镇级"
    return "市级"
