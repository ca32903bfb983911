"""Annual-report integration for the web layer: build from the ledger, audit, render (HTML/DOCX/PDF),
publish, and the 年报体检 of an uploaded report. The audit, render and parse layers are imported lazily so
a missing optional dependency degrades one page, not the service.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import HTTPException
from fastapi.responses import HTMLResponse, Response

from xxgk.casework.annual_report import build_report, stored_report
from xxgk.casework.models import Agency, AnnualReport
from xxgk.extract.report import Report
from xxgk.findings import Finding

log = logging.getLogger("xxgk.casework.web")

MEDIA = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def run_audit(report: Report) -> list[Finding] | None:
    try:
        from xxgk.audit import audit
    except ImportError:
        return None
    return audit(report)


def report_from_row(row: AnnualReport, agency: Agency) -> Report:
    return Report.from_values(
        "2021" if row.year >= 2021 else "2019", row.year, dict(row.values),
        agency=agency.name + ("（汇总）" if row.consolidated else ""), published=row.published_on,
        narrative=dict(row.narrative or {}),
        source=f"casework:{agency.code}:{row.year}{':consolidated' if row.consolidated else ''}",  # as build_report
    )


@lru_cache(maxsize=32)
def _render_cached(key: tuple[int, str, str], report_json: str, fmt: str) -> bytes:
    import json

    from xxgk.render import render

    data = json.loads(report_json)
    report = Report.from_values(data["format"], data["year"], data["values"], agency=data["agency"],
                                published=date.fromisoformat(data["published"]) if data["published"] else None,
                                narrative=data["narrative"], source=data["source"])
    return render(report, to=fmt)


def render_report(report: Report, fmt: str, cache_key: tuple[int, str, str] | None = None) -> bytes:
    import json

    payload = json.dumps({"format": report.format, "year": report.year, "values": report.values,
                          "agency": report.agency, "published": report.published.isoformat()
                          if report.published else None, "narrative": report.narrative,
                          "source": report.source}, ensure_ascii=False, sort_keys=True)
    return _render_cached(cache_key or (0, fmt, payload), payload, fmt)


def render_stored(c: Any, row: AnnualReport, fmt: str) -> Response:
    agency = c.db.get(Agency, row.agency_id)
    report = report_from_row(row, agency)
    try:
        data = render_report(report, fmt, (row.id, fmt, row.updated_at.isoformat()))
    except ImportError:
        raise HTTPException(503, "报告渲染模块不可用（请安装 docs 依赖）") from None
    except Exception as exc:
        log.exception("渲染年度报告失败")
        raise HTTPException(500, f"渲染年度报告失败：{type(exc).__name__}") from None
    if fmt == "html":
        return HTMLResponse(data.decode("utf-8"))
    name = f"{row.year}-annual-report-{agency.code}.{fmt}"
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def draft(c: Any, agency: Agency, year: int, consolidated: bool = False) -> tuple[Report, AnnualReport | None]:
    row = stored_report(c.db, agency, year, consolidated)
    if row is not None and row.status == "published":
        return report_from_row(row, agency), row
    report = build_report(
        c.db, agency, year, consolidated=consolidated,
        narrative=dict(row.narrative) if row else None, manual=dict(row.manual_values) if row else None,
    )
    return report, row


def checkup(data: bytes, filename: str) -> tuple[Report, list[Finding]]:
    from xxgk.extract import parse_bytes

    report = parse_bytes(data, filename)
    findings = run_audit(report) or []
    return report, findings
