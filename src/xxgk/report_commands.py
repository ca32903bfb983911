"""The ``parse`` and ``audit`` commands: read report files, print Rich tables, JSON Lines or CSV.

Unreadable or non-report input gets a one-line bilingual error on stderr and the other files are still
processed. ``audit`` exits with status 1 when a finding reaches ``--fail-on`` (default: error), 2 when a
file could not be read, 0 otherwise.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xxgk.findings import Finding, Severity

_out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
_err = Console(stderr=True, soft_wrap=True)


def _expand(paths: list[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        else:
            yield p


def _parse(path: Path) -> object:
    from xxgk.extract import parse_path
    from xxgk.ingest import IngestError

    try:
        report = parse_path(path)
    except IngestError as exc:
        _err.print(f"[red]错误[/red] {exc}", markup=True, highlight=False)
        return None
    if not report.values and not report.extra:
        if "信息公开" not in report.text:
            _err.print(
                f"[red]错误[/red] 不是政府信息公开工作年度报告 (not a disclosure annual report): {path}",
                markup=True,
                highlight=False,
            )
            return None
        _err.print(
            f"[yellow]警告[/yellow] 未识别出年度报告表格 (no report tables found): {path}",
            markup=True,
            highlight=False,
        )
    return report


def _value_text(v: object) -> str:
    return "（空）" if v is None else str(v)


def register(app: typer.Typer) -> None:
    @app.command("parse")
    def parse_cmd(
        files: Annotated[list[Path], typer.Argument(help="报告文件或目录 (report files or folders)")],
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON Lines")] = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="输出 CSV（长表：source,key,value,start,end）")] = False,
    ) -> None:
        """解析年度报告为法定格式的数据 (parse reports into the statutory schema)."""
        from xxgk.extract import Report

        failures = 0
        writer = csv.writer(sys.stdout) if as_csv else None
        if writer:
            writer.writerow(["source", "format", "year", "key", "value", "start", "end"])
        for path in _expand(files):
            report = _parse(path)
            if not isinstance(report, Report):
                failures += 1
                continue
            if as_json:
                sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
            elif writer:
                for key, value in report.values.items():
                    span = report.source_span(report.provenance[key]) if key in report.provenance else ("", "")
                    writer.writerow(
                        [
                            report.source,
                            report.format,
                            report.year,
                            key,
                            "" if value is None else value,
                            *span,
                        ]
                    )
            else:
                _print_report(report)
        raise typer.Exit(2 if failures else 0)

    @app.command("audit")
    def audit_cmd(
        files: Annotated[list[Path], typer.Argument(help="报告文件或目录 (report files or folders)")],
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON Lines")] = False,
        fail_on: Annotated[str, typer.Option("--fail-on", help="error | warning | info | never")] = "error",
    ) -> None:
        """审核年度报告：勾稽关系、结构、文表一致、时效、完整性、安全 (audit reports)."""
        from xxgk.audit import audit
        from xxgk.extract import Report

        if fail_on not in ("error", "warning", "info", "never"):
            _err.print(f"--fail-on 取值无效 (invalid value): {fail_on}", highlight=False)
            raise typer.Exit(2)
        threshold = 99 if fail_on == "never" else Severity(fail_on).rank
        worst = 0
        failures = 0
        for path in _expand(files):
            report = _parse(path)
            if not isinstance(report, Report):
                failures += 1
                continue
            findings = audit(report)
            worst = max([worst, *(f.severity.rank for f in findings)])
            if as_json:
                payload = {
                    "source": report.source,
                    "format": report.format,
                    "year": report.year,
                    "agency": report.agency,
                    "findings": [f.to_json() for f in findings],
                }
                sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            else:
                _print_findings(report, findings)
        if failures:
            raise typer.Exit(2)
        raise typer.Exit(1 if worst >= threshold else 0)


def _print_report(report: object) -> None:
    from xxgk.extract import Report

    assert isinstance(report, Report)
    fmt = report.schema
    _out.rule(f"{report.source}")
    _out.print(
        f"格式 {fmt.name}　年度 {report.year or '未识别'}　机关 {report.agency or '未识别'}　"
        f"发布日期 {report.published or '未识别'}",
        highlight=False,
    )
    for table in fmt.tables:
        keys = [k for k in table.keys if k in report.values]
        if not keys:
            continue
        grid = Table(title=table.caption or table.title, show_lines=False)
        grid.add_column("项目")
        if table.kind.value == "indicator":
            grid.add_column("数量", justify="right")
            for row in table.rows:
                if row.key in report.values:
                    grid.add_row(row.labels[0], _value_text(report.values[row.key]))
        else:
            for col in table.columns:
                grid.add_column(col.labels[0], justify="right")
            for row in table.rows:
                cells = [report.values.get(table.key(row, c), "") for c in table.columns]
                if all(table.key(row, c) not in report.values for c in table.columns):
                    continue
                grid.add_row(row.labels[0], *(_value_text(v) if v != "" else "" for v in cells))
        _out.print(grid)
    if report.extra:
        _out.print(
            "表外行（格式未定义）: " + "；".join(f"{e.label} {e.values}" for e in report.extra),
            highlight=False,
        )


_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_NAME = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


def _print_findings(report: object, findings: list[Finding]) -> None:
    from xxgk.extract import Report

    assert isinstance(report, Report)
    _out.rule(f"{report.source}")
    _out.print(
        f"格式 {report.schema.name}　年度 {report.year or '未识别'}　机关 {report.agency or '未识别'}",
        highlight=False,
    )
    if not findings:
        _out.print("[green]未发现问题[/green]")
        return
    table = Table(show_lines=True)
    for name in ("级别", "规则", "类别", "说明", "依据"):
        table.add_column(name)
    for f in sorted(findings, key=lambda f: -f.severity.rank):
        table.add_row(
            f"[{_STYLE[f.severity]}]{_NAME[f.severity]}[/]",
            f.rule,
            f.category.value,
            f.message + (f"\n原文：{f.evidence}" if f.evidence else ""),
            f.basis,
        )
    _out.print(table)
