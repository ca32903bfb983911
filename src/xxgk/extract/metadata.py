"""Report metadata: which format, which reporting year, which agency, and when it was published.

Format: the fingerprints of each format (labels only that format has) counted in the text; a tie or no
evidence falls back to the format the law prescribes for the year. Year: the title (``XX2017年政府信息公开
年度报告``), the statistics period (``统计期限自2017年1月1日``), the table caption (``(2017年度)``), then the
years the prose talks about. Agency: the title, the signature, the portal metadata, the first sentence.
Published: the portal's 发布日期/公开日期/成文日期, the date under the title, or the signature date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache

from xxgk.formats import Format, all_formats, format_for_year
from xxgk.ingest.document import RUN_ON_CHARS, Document
from xxgk.ingest.normalize import squash

_TITLE_RE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:的)?\s*(?:政府|政务)?\s*信\s*息\s*公\s*开\s*(?:工\s*作)?\s*(?:的)?\s*"
    r"(?:年\s*度)?\s*(?:工\s*作)?\s*(?:情\s*况)?\s*报\s*告"
)
_PERIOD_WORDS = ("统计期限", "统计时间", "统计期间", "数据统计")
_PERIOD_RE = re.compile(rf"(?:{'|'.join(_PERIOD_WORDS)})[^。\n]{{0,12}}?((?:19|20)\d{{2}})\s*年\s*1\s*月\s*1\s*日")
_CAPTION_RE = re.compile(r"\(\s*((?:19|20)\d{2})\s*年度\s*\)")
_PROSE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_CN_DATE_RE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_META_WORDS = ("发布日期", "公开日期", "成文日期", "发文日期", "生成日期", "发布时间")
_META_DATE_RE = re.compile(
    rf"({'|'.join(_META_WORDS)})\s*[:|]?\s*\|?\s*"
    r"((?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2})"
)
_ORGAN = "|".join(
    (
        *("人民政府办公室", "人民政府", "政府办公室", "办公室", "办公厅", "委员会", "管理局", "管理委员会"),
        *("服务中心", "中心", "局", "厅", "委", "办", "院", "署", "所", "站", "队", "处", "馆", "部", "政府"),
    )
)
_AGENCY_RE = re.compile(rf"([\u4e00-\u9fa5()]{{2,30}}?(?:{_ORGAN}))$")
_PLACE_RE = re.compile(r"^[\u4e00-\u9fa5]{1,12}(?:省|市|县|区|旗|州|盟|镇|乡|街道)$")
_STOP = re.compile(r"^.*(?:现将|现公布|公布|关于|印发|发布|转发|根据|编制|公开|[:,，。;；|#\s])")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass(slots=True)
class Metadata:
    format: Format
    format_scores: dict[str, int]
    year: int | None
    agency: str | None
    published: date | None
    published_source: str | None  # which evidence gave the date (meta / title / signature)
    url: str | None = None  # where the report was published (the page's own link, or a crawler's header line)


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    m = _DATE_RE.search(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE_RE.search(text)
    if m:
        return _make_date(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
    return None


@cache
def _fingerprints() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((f.id, tuple(squash(fp) for fp in f.fingerprints)) for f in all_formats())


def fingerprint_scores(text: str) -> dict[str, int]:
    flat = squash(text)
    return {fid: sum(1 for fp in fps if fp in flat) for fid, fps in _fingerprints()}


def _last_lines(text: str, k: int) -> list[str]:
    """The last ``k`` non-blank lines of ``text``, stripped (all of them if there are fewer)."""
    body = text.strip()
    parts = body.rsplit("\n", 4 * k)
    if len(parts) > 4 * k:  # parts[0] holds the rest of the text
        tail = [ln.strip() for ln in parts[1:] if ln.strip()]
        if len(tail) >= k:
            return tail[-k:]
        parts = body.split("\n")
    return [ln.strip() for ln in parts if ln.strip()][-k:]


class _Matches:
    """``pattern.finditer(text)``, read lazily and kept, for rules that look at the same matches."""

    __slots__ = ("_found", "_iterator")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._iterator: Iterator[re.Match[str]] | None = pattern.finditer(text)
        self._found: list[re.Match[str]] = []

    def __iter__(self) -> Iterator[re.Match[str]]:
        i = 0
        while True:
            if i < len(self._found):
                yield self._found[i]
            elif self._iterator is not None and (m := next(self._iterator, None)) is not None:
                self._found.append(m)
                yield m
            else:
                self._iterator = None
                return
            i += 1

    def first(self) -> re.Match[str] | None:
        return next(iter(self), None)


class _Titles:
    """The title pattern's matches in the portal title, the head (first 3000 characters) and the whole text,
    shared by the year and agency detection."""

    __slots__ = ("head", "text", "title")

    def __init__(self, doc: Document) -> None:
        self.title = _Matches(_TITLE_RE, doc.meta.get("title", ""))
        self.head = _Matches(_TITLE_RE, doc.text[:3000])
        self.text = _Matches(_TITLE_RE, doc.text)


def detect_year(doc: Document, titles: _Titles | None = None) -> int | None:
    text = doc.text
    titles = titles or _Titles(doc)
    for source in (titles.title, titles.head):
        m = source.first()
        if m:
            return int(m.group("year"))
    m = _PERIOD_RE.search(text) if any(w in text for w in _PERIOD_WORDS) else None
    if m:
        return int(m.group(1))
    m = _CAPTION_RE.search(text)
    if m:
        return int(m.group(1))
    m = titles.text.first()
    if m:
        return int(m.group("year"))
    counts = Counter(int(y) for y in _PROSE_YEAR_RE.findall(text))
    counts = Counter({y: c for y, c in counts.items() if 2007 <= y <= date.today().year})
    if counts:
        top = max(counts.values())
        # The reporting year is the most talked-about one; among ties, the earlier (plans speak of next year).
        return min(y for y, c in counts.items() if c == top)
    return None


def detect_format(doc: Document, year: int | None) -> tuple[Format, dict[str, int]]:
    scores = fingerprint_scores(doc.text)
    best = max(scores.values())
    leaders = [fid for fid, s in scores.items() if s == best]
    if best > 0 and len(leaders) == 1:
        from xxgk.formats import get_format

        return get_format(leaders[0]), scores
    if year is not None:
        fmt = format_for_year(year)
        if best == 0 or fmt.id in leaders:
            return fmt, scores
    from xxgk.formats import get_format

    return get_format(leaders[0] if best > 0 else "2021"), scores


def _agency_from(prefix: str) -> str | None:
    prefix = prefix.strip().strip("#").strip()
    prefix = _STOP.sub("", prefix) if _STOP.search(prefix) else prefix
    prefix = prefix.strip()
    if not prefix:
        return None
    m = _AGENCY_RE.search(prefix)
    if m and not m.group(1).startswith(("我", "本")):
        return m.group(1)
    if _PLACE_RE.match(prefix):
        return prefix + "人民政府"
    return None


def detect_agency(doc: Document, year: int | None, titles: _Titles | None = None) -> str | None:
    text = doc.text
    titles = titles or _Titles(doc)
    sources = [(doc.meta.get("title", ""), titles.title), (text[:3000], titles.head), (text, titles.text)]
    for source, matches in sources:
        for m in matches:
            if year is not None and int(m.group("year")) != year:
                continue
            line_start = source.rfind("\n", 0, m.start()) + 1
            agency = _agency_from(source[line_start : m.start()])
            if agency:
                return agency
    # Signature: an agency name on its own line just before a date line near the end.
    lines = _last_lines(text, 8)  # (only the last 8 lines are looked at)
    for i in range(len(lines) - 1, max(len(lines) - 8, 0), -1):
        if parse_date(lines[i]) and len(lines[i]) <= 20 and i > 0:
            candidate = lines[i - 1].strip("| ")
            if len(candidate) <= 30 and _AGENCY_RE.search(candidate) and not re.search(r"[,，。;；:]", candidate):
                return candidate
    tail_agency, _ = _run_on_signature(text)
    if tail_agency:
        return tail_agency
    for key in ("单位", "发布机构"):
        if doc.meta.get(key):
            return doc.meta[key]
    first = _FIRST_SENTENCE_RE.search(text)
    if first is None and text.count("\n") * RUN_ON_CHARS < len(text):
        first = _RUN_ON_FIRST_SENTENCE_RE.search(text)  # (a text whose crawl lost the line breaks)
    if first and not first.group(1).startswith(("我", "本")):
        return first.group(1)
    return None


# The first sentence of a paragraph that names the agency: ``2020年,南通市民政局以…``; in a text that lost its
# line breaks (lines of RUN_ON_CHARS characters on average), a paragraph starts after a space.
_FIRST_SENTENCE = rf"\s*(?:19|20)\d{{2}}年[,，]\s*([^\s,，。、;；]{{2,24}}?(?:{_ORGAN}))"
_FIRST_SENTENCE_RE = re.compile(rf"(?:^|\n){_FIRST_SENTENCE}")
_RUN_ON_FIRST_SENTENCE_RE = re.compile(rf"(?:^|\s){_FIRST_SENTENCE}")


def detect_published(doc: Document) -> tuple[date | None, str | None]:
    for key in ("发布日期", "公开日期", "成文日期", "发文日期"):
        if key in doc.meta:
            d = parse_date(doc.meta[key])
            if d:
                return d, "meta"
    text = doc.text
    head = text[:5000]
    metas = {m.group(1): m.group(2) for m in _META_DATE_RE.finditer(head)} if _has_any(head, _META_WORDS) else {}
    for key in ("发布日期", "公开日期", "发布时间", "成文日期", "发文日期", "生成日期"):
        if key in metas and (d := parse_date(metas[key])):
            return d, "meta"
    head = text[:800]
    m = re.search(r"\(\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*\)", head)
    if m and (d := parse_date(m.group(1))):
        return d, "title"
    lines = _last_lines(text, 6)
    for line in reversed(lines):
        stripped = line.strip("| ")
        if len(stripped) <= 20 and (d := parse_date(stripped)):
            rest = _DATE_RE.sub("", stripped)
            rest = _CN_DATE_RE.sub("", rest).strip()
            if not rest:
                return d, "signature"
    _, signed = _run_on_signature(text)
    if signed is not None:
        return signed, "signature"
    return None, None


_DATE_TAIL_RE = re.compile(
    rf"(?:^|\s)(?:(?P<agency>[^\s,，。;；:：|]{{2,30}})\s+)?(?P<date>{_DATE_RE.pattern}|{_CN_DATE_RE.pattern})\s*$"
)


def _run_on_signature(text: str) -> tuple[str | None, date | None]:
    """The signature (agency, date) at the end of a last line that holds more than the signature: a report on
    one line (``… 无。 鄂伦春自治旗民政局 2019年12月30日``). Lines of their own are read by the callers."""
    last = _last_lines(text, 1)
    if not last or len(last[0]) <= 20:
        return None, None
    m = _DATE_TAIL_RE.search(last[0][-80:])
    if m is None:
        return None, None
    agency = m.group("agency")
    if agency is not None and not _AGENCY_RE.search(agency):
        agency = None
    return agency, parse_date(m.group("date"))


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def detect(doc: Document) -> Metadata:
    titles = _Titles(doc)
    year = detect_year(doc, titles)
    fmt, scores = detect_format(doc, year)
    published, how = detect_published(doc)
    if year is None and published is not None:
        year = published.year - 1 if published.month <= 6 else published.year
    agency = detect_agency(doc, year, titles)
    return Metadata(fmt, scores, year, agency, published, how, detect_url(doc))


# A crawler's header lines before the page text (原文链接: https://…, 来源网址：…); not any link in the body.
_URL_LINE_RE = re.compile(
    r"(?:^|\s)(?:原文链接|原文地址|原文网址|原始链接|来源链接|来源网址|页面地址|网页地址|网址|链接|URL|url|Url|link)\s*[:：]\s*"
    r"(https?://[^\s\"'<>|，。；、]+)"
)


def detect_url(doc: Document) -> str | None:
    """The address the report was published at: the page's own (canonical) link, else a crawler's header
    line at the top of the text."""
    url = doc.meta.get("url")
    if url and url.startswith(("http://", "https://")):
        return url
    m = _URL_LINE_RE.search(doc.text[:3000])
    return m.group(1).rstrip(".,)") if m else None
