"""Synthetic corpora: random consistent reports written in every layout and output format, with their truth.

The building blocks are small and reusable (property tests use them too)::

    >>> from random import Random
    >>> from xxgk.formats import get_format
    >>> fmt = get_format("2021")
    >>> values = random_values(fmt, Random(1), blank_rate=0.1)
    >>> failed_relations(fmt, values)
    []
    >>> text = flatten(fmt, values, "pipes", 2022, "江苏省南通市民政局")

``LAYOUTS`` names every layout: the flattened-text shapes real crawls produce (:data:`TEXT_LAYOUTS`, see
:mod:`xxgk.render.flattened`) and the renderer's documents (:data:`RENDERED_KINDS`: HTML, Markdown, DOCX, XLSX,
PDF; 2019 and 2021 formats only). :func:`generate_corpus` writes a whole corpus: agencies with a run of yearly
reports whose carried figures chain from year to year (上年结转 = last year's 结转下年度, F-2.2, F-2.3), county
governments whose consolidated figures are the sum of their departments', a few deliberate errors, and
duplicates (the same file on a mirror host, the same report in another format, in traditional characters).
Its ``truth/`` folder holds what every document was generated from; :mod:`xxgk.corpus.verify` compares an
ingested corpus with it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

from xxgk.extract.relations import evaluate_all
from xxgk.extract.report import Report
from xxgk.formats import Format, format_for_year, get_format
from xxgk.render.flattened import LAYOUTS as _FLAT_LAYOUTS
from xxgk.render.flattened import flatten as _flatten_report
from xxgk.render.sample import SENTENCES, consistent_values

__all__ = [
    "DEFAULT_MIX",
    "LAYOUTS",
    "RENDERED_KINDS",
    "TEXT_LAYOUTS",
    "CorpusStats",
    "failed_relations",
    "flatten",
    "generate_corpus",
    "random_values",
    "render_document",
    "to_traditional",
]

Number = int | float
Values = dict[str, Number | None]

TEXT_LAYOUTS: tuple[str, ...] = tuple(_FLAT_LAYOUTS)
RENDERED_KINDS: tuple[str, ...] = ("html", "md", "docx", "xlsx", "pdf")
LAYOUTS: tuple[str, ...] = TEXT_LAYOUTS + RENDERED_KINDS
EXTENSIONS = {"html": ".html", "md": ".md", "docx": ".docx", "xlsx": ".xlsx", "pdf": ".pdf"}

# Relative frequency of each layout in a generated corpus. ``run_together`` (digits glued to each other) is
# ambiguous by nature, so the default corpus, whose values must come back exactly, leaves it out; the slow
# binary kinds are rare so that 100 000 reports generate in minutes on two cores.
DEFAULT_MIX: dict[str, float] = {
    "pipes": 10,
    "cell_per_line": 10,
    "blank_lines": 10,
    "markdown": 10,
    "spaces": 10,
    "wrapped": 10,
    "md": 14,
    "html": 20,
    "xlsx": 2.0,
    "docx": 1.2,
    "pdf": 0.25,
}


# --------------------------------------------------------------------------------------------------- values


def random_values(
    fmt: Format | str, rng: Random, blank_rate: float = 0.0, *, zero_rate: float = 0.3, max_value: int = 40
) -> Values:
    """Every statutory cell of ``fmt``, random but consistent (every 勾稽关系 holds); ``blank_rate`` blanks cells."""
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    return consistent_values(fmt, rng, blank_rate=blank_rate, zero_rate=zero_rate, max_value=max_value)


def failed_relations(fmt: Format | str, values: Mapping[str, Number | None]) -> list[str]:
    """Ids of the format relations these values break (``[]`` when consistent; blanks are not assessable)."""
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    return [f"{ev.relation.id}: {ev.expr.text}" for ev in evaluate_all(fmt, values) if ev.ok is False]


def _report(
    fmt: Format | str,
    values: Mapping[str, Number | None],
    year: int,
    agency: str,
    published: date | None,
    narrative: Mapping[str, str] | None,
) -> Report:
    fmt_id = fmt if isinstance(fmt, str) else fmt.id
    return Report.from_values(
        fmt_id, year, dict(values), agency=agency, published=published, narrative=dict(narrative or {})
    )


def flatten(
    fmt: Format | str,
    values: Mapping[str, Number | None],
    layout: str,
    year: int,
    agency: str,
    *,
    published: date | None = None,
    narrative: Mapping[str, str] | None = None,
) -> str:
    """The report as flattened text in one of :data:`TEXT_LAYOUTS` (``pipes``, ``cell_per_line`` …)."""
    if layout not in TEXT_LAYOUTS:
        raise ValueError(f"unknown text layout {layout!r}; known: {', '.join(TEXT_LAYOUTS)}")
    return _flatten_report(_report(fmt, values, year, agency, published, narrative), layout)


def to_traditional(text: str) -> str:
    """Simplified → traditional characters (OpenCC ``s2t``), as a Hong Kong or Taiwan mirror would show it."""
    return str(_s2t().convert(text))


_S2T: Any = None


def _s2t() -> Any:
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    return _S2T


def render_document(
    fmt: Format | str,
    values: Mapping[str, Number | None],
    layout: str,
    year: int,
    agency: str,
    *,
    published: date | None = None,
    narrative: Mapping[str, str] | None = None,
    traditional: bool = False,
) -> tuple[bytes, str]:
    """(file bytes, extension) of the report in ``layout``: a text layout or a renderer kind (html, md …)."""
    if layout in TEXT_LAYOUTS:
        text = flatten(fmt, values, layout, year, agency, published=published, narrative=narrative)
        return (to_traditional(text) if traditional else text).encode("utf-8"), ".txt"
    if layout not in RENDERED_KINDS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    from xxgk.render import render

    data = render(_report(fmt, values, year, agency, published, narrative), layout, charts=False)
    if traditional:
        if layout not in ("html", "md"):
            raise ValueError("traditional characters are only written for text, HTML and Markdown")
        data = to_traditional(data.decode("utf-8")).encode("utf-8")
    return data, EXTENSIONS[layout]


# --------------------------------------------------------------------------------------------------- chaining

_APPLICANT_COLS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org")


def _apps(row: str, col: str) -> str:
    return f"applications.{row}.{col}"


def _retotal_applications(v: Values) -> None:
    for row in ("new", "carried_over", "carry_forward", "results_total", "granted"):
        if _apps(row, "total") in v:
            v[_apps(row, "total")] = sum(int(v[_apps(row, c)] or 0) for c in _APPLICANT_COLS)


def chain(prev: Values | None, values: Values, fmt: Format) -> None:
    """Make ``values`` carry on from last year's ``prev`` (both complete, no blanks); relations keep holding.

    上年结转 = last year's 结转下年度 per column (F-3.6); 2019: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减
    (F-2.2) and 对外公开总数量 never falls (F-2.1); 2021: 现行有效件数 = last year's + 本年制发 − 本年废止 (F-2.3).
    """
    if fmt.id == "2019":
        for key in [k for k in values if k.endswith(".items_change")]:
            base = key[: -len(".items_change")]
            prev_items = int(values[f"{base}.items_prev"] or 0)
            if prev is not None and f"{base}.items_prev" in prev:
                prev_items = int(prev[f"{base}.items_prev"] or 0) + int(prev[f"{base}.items_change"] or 0)
                values[f"{base}.items_prev"] = prev_items
            values[key] = max(int(values[key] or 0), -prev_items)
        if prev is not None:
            for row in ("regulations", "normative_docs"):
                tot = f"art20_1.{row}.total"
                if tot in prev and tot in values:
                    values[tot] = int(prev[tot] or 0) + int(values[f"art20_1.{row}.published"] or 0)
    if fmt.id == "2021" and prev is not None:
        for row in ("regulations", "normative_docs"):
            base = f"art20_1.{row}"
            if f"{base}.in_force" in prev:
                before = int(prev[f"{base}.in_force"] or 0)
                issued = int(values[f"{base}.issued"] or 0)
                repealed = min(int(values[f"{base}.repealed"] or 0), before + issued)
                values[f"{base}.repealed"] = repealed
                values[f"{base}.in_force"] = before + issued - repealed
    if prev is None or _apps("carry_forward", "natural_person") not in prev:
        return
    if _apps("carried_over", "natural_person") not in values:
        return
    for c in _APPLICANT_COLS:
        carried = int(prev[_apps("carry_forward", c)] or 0)
        results = int(values[_apps("results_total", c)] or 0)
        forward = int(values[_apps("carry_forward", c)] or 0)
        new = results + forward - carried
        if new < 0:
            forward -= new
            new = 0
        values[_apps("carried_over", c)] = carried
        values[_apps("carry_forward", c)] = forward
        values[_apps("new", c)] = new
    _retotal_applications(values)


def calm_corrections(values: Values) -> None:
    """Move most 结果纠正 into 结果维持 (totals unchanged): real correction rates are low, and random ones trip the
    plausibility rule on every other report."""
    for group in ("review", "litigation_direct", "litigation_after_review", "litigation"):
        corrected, upheld = f"{group}.corrected", f"{group}.upheld"
        if corrected in values and upheld in values and values[corrected] is not None:
            c = int(values[corrected] or 0)
            keep = c // 6
            values[corrected] = keep
            values[upheld] = int(values[upheld] or 0) + c - keep


def sum_values(parts: Sequence[Values]) -> Values:
    """Consolidated figures: the cell-wise sum of complete value sets (amounts rounded to 4 decimals)."""
    out: Values = {}
    for key in parts[0]:
        nums = [p[key] for p in parts]
        if any(isinstance(x, float) for x in nums):
            out[key] = round(sum(float(x or 0) for x in nums), 4)
        else:
            out[key] = sum(int(x or 0) for x in nums)
    return out


def _blank(values: Values, rng: Random, rate: float) -> Values:
    if rate <= 0:
        return dict(values)
    return {k: (None if rng.random() < rate else v) for k, v in values.items()}


# --------------------------------------------------------------------------------------------------- corpus plan

_SURNAMES = "安白宝昌长成丰福广和华嘉建金锦康乐临龙明南宁平庆清荣瑞山盛顺泰通文武西祥新兴阳永云正中"
_CITY_END = ("市",)
_COUNTY_END = ("县", "区", "市")
_DEPARTMENTS = (
    "民政局", "教育局", "财政局", "公安局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "人力资源和社会保障局", "司法局",
)  # fmt: skip
_PROVINCE_DEPTS = ("民政厅", "教育厅", "财政厅", "自然资源厅", "交通运输厅", "水利厅", "商务厅", "人民政府办公厅")
_PROVINCES = (
    "河北省", "山西省", "辽宁省", "吉林省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省",
    "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
)  # fmt: skip
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(slots=True)
class Agency:
    name: str
    region: str
    level: str
    parent: str | None = None


@dataclass(slots=True)
class Group:
    """One agency, or a county government with its departments (reports for the same years)."""

    index: int
    agencies: list[Agency]
    years: list[int]
    consolidated: bool  # agencies[0] reports the sum of the others


def _place(rng: Random, end: str) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_SURNAMES) + end


def plan(n_reports: int, seed: int, *, first_year: int = 2014, last_year: int = 2024) -> list[Group]:
    """Agency groups with their years, adding up to ``n_reports`` reports; names are unique."""
    rng = Random(seed)
    used: set[str] = set()
    groups: list[Group] = []
    total = 0

    def unique(make: Any, attempts: int = 1000) -> str | None:
        for _ in range(attempts):
            name = str(make())
            if name not in used:
                used.add(name)
                return name
        return None

    def city_agency() -> Agency:
        province = rng.choice(_PROVINCES)
        name = unique(lambda: province + _place(rng, "市") + rng.choice(_DEPARTMENTS))
        if name is None:
            raise RuntimeError("could not make a unique agency name")
        return Agency(name, province, "市级")

    while total < n_reports:
        span = rng.randint(1, 8)
        start = rng.randint(first_year, last_year - span + 1)
        years = list(range(start, start + span))
        kind = rng.random()
        if kind < 0.15 and n_reports - total >= 4 * span:
            province = rng.choice(_PROVINCES)
            departments = rng.sample(_DEPARTMENTS, rng.randint(2, 5))
            for _ in range(1000):
                county = province + _place(rng, "市") + _place(rng, rng.choice(_COUNTY_END))
                names = [county + "人民政府", *(county + d for d in departments)]
                if not used.intersection(names):
                    break
            else:
                raise RuntimeError("could not make a unique county name")
            used.update(names)
            gov = Agency(names[0], province, "县级")
            units = [Agency(n, province, "县级", parent=gov.name) for n in names[1:]]
            groups.append(Group(len(groups), [gov, *units], years, consolidated=True))
            total += span * (1 + len(units))
            continue
        agency: Agency | None = None
        if kind < 0.25:
            province = rng.choice(_PROVINCES)
            name = unique(lambda p=province: p + rng.choice(_PROVINCE_DEPTS), attempts=20)
            agency = Agency(name, province, "省级") if name else None  # few provinces: may run out
        elif kind < 0.35:
            city = rng.choice(_MUNICIPALITIES)
            name = unique(lambda c=city: c + _place(rng, "区") + rng.choice(_DEPARTMENTS), attempts=50)
            agency = Agency(name, city, "县级") if name else None
        elif kind >= 0.75:
            province = rng.choice(_PROVINCES)
            name = unique(
                lambda p=province: (
                    p + _place(rng, "市") + _place(rng, rng.choice(_COUNTY_END)) + rng.choice(_DEPARTMENTS)
                )
            )
            agency = Agency(name, province, "县级") if name else None
        if agency is None:
            agency = city_agency()
        groups.append(Group(len(groups), [agency], years, consolidated=False))
        total += span
    return groups


# --------------------------------------------------------------------------------------------------- generation


@dataclass(slots=True)
class Options:
    seed: int = 0
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    blank_rate: float = 0.02  # share of reports with some blank cells (each cell then blank with p = 0.1)
    error_rate: float = 0.03  # share of reports with one deliberately wrong cell (table 三 stops balancing)
    carry_error_rate: float = 0.02  # share with 上年结转 not matching last year's 结转下年度
    duplicate_rate: float = 0.03  # share emitted a second time (mirror host, other format, traditional)
    units_error_rate: float = 0.1  # share of consolidated reports that are not the sum of their units
    shard_groups: int = 200  # agency groups per docs/<shard> folder


@dataclass(slots=True)
class DocOut:
    path: str  # relative to the corpus root
    data: bytes


@dataclass(slots=True)
class SpecOut:
    spec_id: str
    agency: str
    region: str
    level: str
    parent: str | None
    year: int
    format: str
    layout: str
    files: list[str]
    duplicate: str | None
    injected: list[str]
    values: Values


def _mix_choice(rng: Random, mix: Mapping[str, float], renderable: bool) -> str:
    items = [(k, w) for k, w in mix.items() if w > 0 and (renderable or k in TEXT_LAYOUTS)]
    if not items:
        items = [("pipes", 1.0)]
    total = sum(w for _, w in items)
    x = rng.random() * total
    for k, w in items:
        x -= w
        if x <= 0:
            return k
    return items[-1][0]


def _narrative(rng: Random) -> dict[str, str]:
    return {
        "overview": "\n".join(rng.sample(SENTENCES[:6], k=rng.randint(1, 3))),
        "problems": rng.choice(SENTENCES[6:]),
        "other_matters": "无。",
    }


def _inject_error(values: Values, rng: Random) -> str | None:
    col = rng.choice(_APPLICANT_COLS)
    key = _apps("granted", col)
    if key in values and values[key] is not None:
        values[key] = int(values[key] or 0) + rng.randint(1, 3)
        return "arithmetic"
    if "replies.granted" in values and values["replies.granted"] is not None:
        values["replies.granted"] = int(values["replies.granted"] or 0) + rng.randint(1, 3)
        return "arithmetic"
    return None


def _inject_carry_error(values: Values, rng: Random) -> str | None:
    """上年结转 off by k (and 本年新收 by −k, so the table itself still balances)."""
    for col in rng.sample(_APPLICANT_COLS, len(_APPLICANT_COLS)):
        new, carried = _apps("new", col), _apps("carried_over", col)
        if carried in values and int(values.get(new) or 0) >= 1:
            k = rng.randint(1, int(values[new] or 0))
            values[carried] = int(values[carried] or 0) + k
            values[new] = int(values[new] or 0) - k
            _retotal_applications(values)
            return "carry_over"
    return None


def _inject_units_error(values: Values, rng: Random) -> str | None:
    """A consolidated figure that is not the sum of the units, with the table still balancing."""
    col = rng.choice(_APPLICANT_COLS)
    if _apps("granted", col) not in values:
        if "review.upheld" in values:
            k = rng.randint(1, 5)
            for key in ("review.upheld", "review.total"):
                values[key] = int(values[key] or 0) + k
            return "units_sum"
        return None
    k = rng.randint(1, 5)
    for row in ("granted", "results_total", "new"):
        values[_apps(row, col)] = int(values[_apps(row, col)] or 0) + k
    _retotal_applications(values)
    return "units_sum"


def _group_docs(group: Group, opts: Options) -> tuple[list[SpecOut], list[DocOut]]:
    rng = Random(opts.seed * 1_000_003 + group.index)
    specs: list[SpecOut] = []
    docs: list[DocOut] = []
    prev: dict[str, Values] = {}
    blanked: set[tuple[str, int]] = set()
    for year in group.years:
        fmt = format_for_year(year)
        full: dict[str, Values] = {}
        members = group.agencies[1:] if group.consolidated else group.agencies
        for agency in members:
            values = random_values(fmt, rng)
            calm_corrections(values)
            chain(prev.get(agency.name), values, fmt)
            full[agency.name] = values
        if group.consolidated:
            full[group.agencies[0].name] = sum_values([full[a.name] for a in members])
        prev = {name: dict(v) for name, v in full.items()}
        for i, agency in enumerate(group.agencies):
            values = dict(full[agency.name])
            injected: list[str] = []
            is_parent = group.consolidated and i == 0
            in_group = group.consolidated
            if not in_group and rng.random() < opts.blank_rate:
                values = _blank(values, rng, 0.1)
                blanked.add((agency.name, year))
            if not in_group and rng.random() < opts.error_rate:
                tag = _inject_error(values, rng)
                if tag:
                    injected.append(tag)
            checkable = (
                year - 1 in group.years
                and year - 1 >= 2019
                and not {(agency.name, year), (agency.name, year - 1)} & blanked
            )  # the carry-over check can see it: last year has the table and neither report has blanks
            if not in_group and checkable and rng.random() < opts.carry_error_rate:
                tag = _inject_carry_error(values, rng)
                if tag:
                    injected.append(tag)
            if is_parent and rng.random() < opts.units_error_rate:
                tag = _inject_units_error(values, rng)
                if tag:
                    injected.append(tag)
            renderable = fmt.id in ("2019", "2021")
            layout = _mix_choice(rng, opts.mix, renderable)
            published = date(year + 1, 1, rng.randint(5, 25))
            narrative = _narrative(rng)
            spec_id = f"r{group.index:06d}-{i:02d}-{year}"
            shard = f"{group.index // max(1, opts.shard_groups):04d}"
            data, ext = render_document(
                fmt, values, layout, year, agency.name, published=published, narrative=narrative
            )
            files = [f"docs/{shard}/{spec_id}{ext}"]
            docs.append(DocOut(files[0], data))
            duplicate = None
            if rng.random() < opts.duplicate_rate:
                how = rng.choice(("mirror", "other_format", "traditional"))
                if how == "mirror":
                    path = f"mirrors/host{rng.randint(1, 3)}/{shard}/{spec_id}{ext}"
                    docs.append(DocOut(path, data))
                else:
                    other_layouts = [lay for lay in opts.mix if lay != layout and (renderable or lay in TEXT_LAYOUTS)]
                    if how == "traditional":
                        other_layouts = [lay for lay in other_layouts if lay in TEXT_LAYOUTS or lay in ("html", "md")]
                    other = rng.choice(other_layouts or ["pipes"])
                    data2, ext2 = render_document(
                        fmt,
                        values,
                        other,
                        year,
                        agency.name,
                        published=published,
                        narrative=narrative,
                        traditional=how == "traditional",
                    )
                    path = f"mirrors/host{rng.randint(1, 3)}/{shard}/{spec_id}-{how}{ext2}"
                    docs.append(DocOut(path, data2))
                files.append(path)
                duplicate = how
            specs.append(
                SpecOut(
                    spec_id,
                    agency.name,
                    agency.region,
                    agency.level,
                    agency.parent,
                    year,
                    fmt.id,
                    layout,
                    files,
                    duplicate,
                    injected,
                    values,
                )
            )
    return specs, docs


def _group_task(args: tuple[Group, Options, str]) -> list[dict[str, Any]]:
    """Write one group's documents (in a worker process) and return its specs as plain data."""
    group, opts, root = args
    specs, docs = _group_docs(group, opts)
    base = Path(root)
    for doc in docs:
        path = base / doc.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data)
    return [
        {
            "spec_id": s.spec_id,
            "agency": s.agency,
            "region": s.region,
            "level": s.level,
            "parent": s.parent,
            "year": s.year,
            "format": s.format,
            "layout": s.layout,
            "files": s.files,
            "duplicate": s.duplicate,
            "injected": s.injected,
            "keys": list(s.values),
            "values": [None if v is None else float(v) for v in s.values.values()],
        }
        for s in specs
    ]


@dataclass(slots=True)
class CorpusStats:
    reports: int = 0
    documents: int = 0
    duplicates: int = 0
    agencies: int = 0
    layouts: dict[str, int] = field(default_factory=dict)
    injected: dict[str, int] = field(default_factory=dict)


def _chunks(tasks: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(tasks), size):
        yield tasks[i : i + size]


def generate_corpus(
    out: str | Path,
    n_reports: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    options: Options | None = None,
    zip_shards: int = 0,
    progress: Any = None,
) -> CorpusStats:
    """Write about ``n_reports`` reports under ``out`` (``docs/``, ``mirrors/``, ``agencies.csv``, ``truth/``).

    ``zip_shards``: pack every k-th shard folder of ``docs/`` into a zip archive (0: none). ``progress`` is
    called with the number of reports written so far. Generation runs on ``workers`` processes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    opts = options or Options(seed=seed)
    opts.seed = seed
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    (root / "truth").mkdir(exist_ok=True)
    groups = plan(n_reports, seed)
    stats = CorpusStats(agencies=sum(len(g.agencies) for g in groups))
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["agency", "region", "level", "parent"])
        for g in groups:
            for a in g.agencies:
                writer.writerow([a.name, a.region, a.level, a.parent or ""])
    report_schema = pa.schema(
        [
            ("spec_id", pa.string()),
            ("agency", pa.string()),
            ("region", pa.string()),
            ("level", pa.string()),
            ("parent", pa.string()),
            ("year", pa.int32()),
            ("format", pa.string()),
            ("layout", pa.string()),
            ("files", pa.list_(pa.string())),
            ("duplicate", pa.string()),
            ("injected", pa.list_(pa.string())),
        ]
    )
    value_schema = pa.schema([("spec_id", pa.string()), ("key", pa.string()), ("value", pa.float64())])
    rep_writer = pq.ParquetWriter(root / "truth" / "reports.parquet", report_schema)
    val_writer = pq.ParquetWriter(root / "truth" / "values.parquet", value_schema)
    workers = workers or os.cpu_count() or 1
    tasks = [(g, opts, str(root)) for g in groups]
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for block in _chunks(tasks, 64 * workers):
                for specs in pool.map(_group_task, block, chunksize=8):
                    rows: dict[str, list[Any]] = {name: [] for name in report_schema.names}
                    vals: dict[str, list[Any]] = {"spec_id": [], "key": [], "value": []}
                    for s in specs:
                        for name in report_schema.names:
                            rows[name].append(s[name])
                        vals["spec_id"].extend([s["spec_id"]] * len(s["keys"]))
                        vals["key"].extend(s["keys"])
                        vals["value"].extend(s["values"])
                        stats.reports += 1
                        stats.documents += len(s["files"])
                        stats.duplicates += 1 if s["duplicate"] else 0
                        stats.layouts[s["layout"]] = stats.layouts.get(s["layout"], 0) + 1
                        for tag in s["injected"]:
                            stats.injected[tag] = stats.injected.get(tag, 0) + 1
                    rep_writer.write_table(pa.table(rows, schema=report_schema))
                    val_writer.write_table(pa.table(vals, schema=value_schema))
                if progress is not None:
                    progress(stats.reports)
    finally:
        rep_writer.close()
        val_writer.close()
    if zip_shards > 0:
        shards = sorted(p for p in (root / "docs").iterdir() if p.is_dir())
        for i, shard in enumerate(shards):
            if i % zip_shards:
                continue
            with zipfile.ZipFile(shard.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(shard.iterdir()):
                    zf.write(f, f"{shard.name}/{f.name}")
            shutil.rmtree(shard)
    (root / "truth" / "summary.json").write_text(
        json.dumps(
            {
                "seed": seed,
                "reports": stats.reports,
                "documents": stats.documents,
                "duplicates": stats.duplicates,
                "agencies": stats.agencies,
                "layouts": stats.layouts,
                "injected": stats.injected,
                "zip_shards": zip_shards,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return stats
