"""Rendering: a report (canonical keys + narrative) to HTML, DOCX, PDF, XLSX or Markdown in the statutory layout.

>>> from xxgk.render import load_input, render
>>> report = load_input("report.yaml")          # doctest: +SKIP
>>> pdf = render(report, "pdf")                 # doctest: +SKIP

Inputs are YAML or JSON in the ``xxgk parse --json`` shape or the ``xxgk new-report`` skeleton shape (the
same keys: ``format``, ``year``, ``agency``, ``published``, ``values``, ``narrative``). Output modules are
imported only when used, so a missing optional dependency affects only its own output kind.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from xxgk.extract.report import Report
from xxgk.findings import Finding
from xxgk.formats import FORMAT_IDS, format_for_year, get_format, label_key
from xxgk.render.layout import RENDERABLE_FORMATS, LayoutError, heading_chain, visible_rows

__all__ = [
    "EXTENSIONS",
    "OUTPUTS",
    "InputError",
    "LayoutError",
    "RenderError",
    "audit_report",
    "load_data",
    "load_input",
    "new_report_skeleton",
    "render",
]

Number = int | float

OUTPUTS = ("html", "docx", "pdf", "xlsx", "md")
EXTENSIONS = {"html": ".html", "docx": ".docx", "pdf": ".pdf", "xlsx": ".xlsx", "md": ".md"}
_RENDERERS = {
    "html": ("xxgk.render.html", "render_html"),
    "docx": ("xxgk.render.docx", "render_docx"),
    "pdf": ("xxgk.render.pdf", "render_pdf"),
    "xlsx": ("xxgk.render.xlsx", "render_xlsx"),
    "md": ("xxgk.render.markdown", "render_markdown"),
}
_ALIASES = {"markdown": "md", "htm": "html", "word": "docx", "excel": "xlsx"}

# Keys of the parse --json object that the renderer does not need.
_IGNORED = {
    "source",
    "extra",
    "provenance",
    "raw",
    "findings",
    "sections",
    "format_confidence",
    "warnings",
    "kind",
    "meta",
}


class RenderError(ValueError):
    """Rendering failed; the message is Chinese (user-facing)."""


class InputError(RenderError):
    """The input file is not a report this renderer can read; the message says what is wrong and where."""


def normalize_output(to: str) -> str:
    kind = _ALIASES.get(to.lower().lstrip("."), to.lower().lstrip("."))
    if kind not in OUTPUTS:
        raise RenderError(f"不支持的输出格式“{to}”；可选：{'、'.join(OUTPUTS)}")
    return kind


def render(report: Report, to: str, *, previous: Report | None = None, charts: bool = True) -> bytes:
    """The report rendered as ``to`` (html | docx | pdf | xlsx | md); ``previous`` adds a year-over-year chart."""
    kind = normalize_output(to)
    module_name, func_name = _RENDERERS[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise RenderError(f"缺少生成 {kind} 所需的组件（{exc.name or exc}），请安装：pip install 'xxgk[docs]'") from exc
    result: bytes = getattr(module, func_name)(report, previous=previous, charts=charts)
    return result


def audit_report(report: Report) -> list[Finding]:
    """The audit of the report as it will be published.

    The report is rendered to Markdown and read back, so the rules that look at the text (sections present,
    figures in the prose against the tables, year mentions) see the real document; the values, format, year,
    agency and date audited are the input's own.
    """
    from xxgk.audit import audit
    from xxgk.extract import parse_bytes

    text = render(report, "md", charts=False)
    published = parse_bytes(text, (report.source or "report") + ".md")
    published.format = report.format
    published.year = report.year
    published.agency = report.agency
    published.published = report.published
    published.values = dict(report.values)
    published.provenance = {k: v for k, v in published.provenance.items() if k in report.values}
    published.findings = []  # reading our own Markdown back is not something the user has to fix
    return audit(published)


# --------------------------------------------------------------------------------------------------- input


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def _number(key: str, value: Any, where: str) -> Number | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{where}：“{key}”的值 {value!r} 不是数字")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{where}：“{key}”的值 {value!r} 不是有限数字")
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if text in ("", "-", "—", "/", "无"):
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{where}：“{key}”的值“{value}”不是数字（没有数据请留空）") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InputError(f"{where}：“{key}”的值“{value}”不是有限数字")
        return number
    raise InputError(f"{where}：“{key}”的值 {value!r} 不是数字")


def _date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{where}：发布日期“{value}”应写成 YYYY-MM-DD，如 2026-01-20") from None


def _section_id(fmt_id: str, name: str) -> str | None:
    """A narrative key: a section id, ``preface``, or a section heading such as ``一、总体情况``."""
    fmt = get_format(fmt_id)
    ids = {s.id for s in fmt.sections} | {"preface"}
    if name in ids:
        return name
    key = label_key(unicodedata.normalize("NFKC", name))
    for s in fmt.sections:
        if any(label_key(unicodedata.normalize("NFKC", lab)) == key for lab in s.labels):
            return s.id
    return None


def load_data(data: Any, source: str = "") -> Report:
    """A report from already-parsed YAML/JSON data (see :func:`load_input`)."""
    where = source or "输入"
    if isinstance(data, list):
        if len(data) != 1:
            raise InputError(f"{where}：包含 {len(data)} 份报告，请每次只渲染一份")
        data = data[0]
    if not isinstance(data, Mapping):
        raise InputError(f"{where}：内容应为键值结构（format、year、agency、values、narrative）")
    year_raw = data.get("year")
    try:
        year = None if year_raw in (None, "") else int(year_raw)
    except (TypeError, ValueError):
        raise InputError(f"{where}：年度“{year_raw}”不是整数") from None
    format_raw = data.get("format")
    if format_raw in (None, ""):
        fmt_id = format_for_year(year).id if year is not None and year >= 2019 else "2021"
    else:
        fmt_id = str(format_raw).strip()
    if fmt_id not in FORMAT_IDS:
        raise InputError(f"{where}：未知的报告格式“{fmt_id}”；可选：{'、'.join(RENDERABLE_FORMATS)}")
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, Mapping):
        raise InputError(f"{where}：values 应为“键: 数字”的映射")
    values = {k: _number(k, v, where) for k, v in _flatten(raw_values).items()}
    fmt = get_format(fmt_id)
    known = set(fmt.keys)
    unknown = sorted(k for k in values if k.split("#", 1)[0] not in known)
    if unknown:
        shown = "、".join(unknown[:8]) + ("等" if len(unknown) > 8 else "")
        raise InputError(f"{where}：{len(unknown)} 个数据键不属于{fmt.name}：{shown}")
    raw_narr = data.get("narrative") or {}
    if not isinstance(raw_narr, Mapping):
        raise InputError(f"{where}：narrative 应为“章节: 文字”的映射")
    narrative: dict[str, str] = {}
    for name, text in raw_narr.items():
        sid = _section_id(fmt_id, str(name))
        if sid is None:
            raise InputError(f"{where}：未知的章节“{name}”；可用：{'、'.join(s.id for s in fmt.sections)}、preface")
        if text is None:
            continue
        if not isinstance(text, str):
            raise InputError(f"{where}：章节“{name}”的内容应为文字")
        if text.strip():
            narrative[sid] = text.strip("\n")
    agency = data.get("agency")
    return Report(
        source=str(data.get("source") or source),
        format=fmt_id,
        year=year,
        agency=None if agency in (None, "") else str(agency).strip(),
        published=_date(data.get("published"), where),
        values=values,
        narrative=narrative,
    )


def load_input(path: str | Path) -> Report:
    """A report from a YAML or JSON file (``xxgk parse --json`` output or a ``new-report`` skeleton)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"文件不存在：{p}") from None
    except IsADirectoryError:
        raise InputError(f"这是一个目录，不是文件：{p}") from None
    except UnicodeDecodeError:
        raise InputError(f"文件不是 UTF-8 编码的 YAML/JSON：{p}") from None
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）：{p}") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (
            f"第 {mark.line + 1} 行"
            if mark is not None
            else (f"第 {exc.lineno} 行" if isinstance(exc, json.JSONDecodeError) else "")
        )
        raise InputError(
            f"{p}：{line}格式错误，无法解析为 {'JSON' if p.suffix.lower() == '.json' else 'YAML'}"
        ) from None
    return load_data(data, str(p))


# --------------------------------------------------------------------------------------------------- skeleton


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def new_report_skeleton(format_id: str, year: int, agency: str) -> str:
    """A YAML skeleton with every statutory cell (blank) and the narrative sections, each with one line of guidance."""
    if format_id not in RENDERABLE_FORMATS:
        raise RenderError(f"不支持生成“{format_id}”格式的模板；可选：{'、'.join(RENDERABLE_FORMATS)}")
    fmt = get_format(format_id)
    lines = [
        f"# {agency}{year}年政府信息公开工作年度报告 — 数据模板（{fmt.name}）",
        f"# 依据：{fmt.basis}",
        "# 填写：单元格填阿拉伯数字；没有数据的单元格留空（留空表示无数据，不等于 0）；金额单位见注释。",
        "# 生成：xxgk render 本文件 --to pdf（或 html、docx、xlsx、md）；生成前会先审核勾稽关系。",
        f"format: {_q(fmt.id)}",
        f"year: {year}",
        f"agency: {_q(agency)}",
        f"published:  # 发布日期，格式 YYYY-MM-DD（如 {year + 1}-01-20），可留空",
        "",
        "# 正文各部分：在“|”下一行起缩进两格填写，多段文字每段一行。",
        "narrative:",
    ]
    for s in fmt.sections:
        lines.append(f"  # {s.number}、{s.labels[0]}：{s.guidance}")
        lines.append(f"  {s.id}: |")
        lines.append("")
    lines += [
        "",
        "# 表格数据：键为规范数据键（见 shared/spec/keys.md），注释为表格中的位置与填写要求。",
        "values:",
    ]
    for t in fmt.tables:
        where = t.caption or t.title
        lines.append(f"  # ── {t.title}" + (f" · {t.caption}" if t.caption else ""))
        if t.corner and t.corner != "信息内容":
            lines.append(f"  # {t.corner}")
        rows = visible_rows(t, {})
        keys = [t.key(r, c) for r in rows for c in t.columns]
        pad = max(len(k) for k in keys) + 2
        for r in rows:
            for c in t.columns:
                key = t.key(r, c)
                row_path = [h.label for h in heading_chain(t, r.parent if t.kind.value == "grid" else r.group)]
                col_path = [h.label for h in heading_chain(t, c.group)]
                note = (
                    "".join(x + " " for x in row_path)
                    + f"{r.title}｜"
                    + "".join(x + "·" for x in col_path[1:])
                    + c.title
                )
                if t.caption:
                    note = f"{where} {note}"
                if c.unit and c.unit not in c.title:
                    note += f"（单位：{c.unit}）"
                if c.id.endswith("_change"):
                    note += "（可为负数，如 -1）"
                if r.guidance:
                    note += f"；{r.guidance}"
                lines.append(f"  {(key + ':').ljust(pad)}  # {note}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
