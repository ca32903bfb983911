"""The ``render`` and ``new-report`` commands (Typer + Rich; Chinese messages, one-line errors, no tracebacks).

``render`` audits the report first and refuses to write it while the audit has ``error`` findings, listing
them, unless ``--force`` is given.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from xxgk.extract.report import Report
    from xxgk.findings import Finding

_out = Console(soft_wrap=True, highlight=False)
_err = Console(stderr=True, soft_wrap=True, highlight=False)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"[red]错误[/red] {escape(message)}")
    return typer.Exit(code)


def _audit(report: Report) -> list[Finding] | None:
    """The audit's findings, or None when the audit module is not available."""
    try:
        import xxgk.audit  # noqa: F401
    except ImportError:
        return None
    from xxgk.render import audit_report

    return audit_report(report)


def _print_findings(findings: list[Finding], severity: str) -> None:
    for f in findings:
        if f.severity.value != severity:
            continue
        colour = "red" if severity == "error" else "yellow"
        tag = "错误" if severity == "error" else "警告"
        _err.print(f"  [{colour}]{tag}[/{colour}] {escape(f.message)} [dim]({escape(f.rule)})[/dim]")


def _output_kind(to: str | None, output: Path | None) -> str:
    from xxgk.render import EXTENSIONS, OUTPUTS, RenderError, normalize_output

    if to is None:
        if output is not None:
            suffix = output.suffix.lower()
            for kind, ext in EXTENSIONS.items():
                if suffix == ext or (kind == "md" and suffix == ".markdown") or (kind == "html" and suffix == ".htm"):
                    return kind
        raise _fail(f"请用 --to 指定输出格式：{'、'.join(OUTPUTS)}")
    try:
        return normalize_output(to)
    except RenderError as exc:
        raise _fail(str(exc)) from None


def register(app: typer.Typer) -> None:
    @app.command("render")
    def render_cmd(
        input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="报告数据（YAML 或 JSON）")],
        to: Annotated[str | None, typer.Option("--to", "-t", help="输出格式：html | docx | pdf | xlsx | md")] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="输出文件（默认：输入文件名加扩展名）")
        ] = None,
        previous: Annotated[
            Path | None,
            typer.Option("--previous", "-p", help="上一年度报告数据（YAML 或 JSON），用于同比图表"),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="审核发现错误时仍然生成")] = False,
        charts: Annotated[bool, typer.Option("--charts/--no-charts", help="是否绘制统计图（HTML、DOCX、PDF）")] = True,
    ) -> None:
        """按法定格式生成年度报告：HTML、Word、PDF、Excel 或 Markdown (render a report)."""
        from xxgk.render import EXTENSIONS, RenderError, load_input, render
        from xxgk.render.layout import LayoutError, check_renderable

        kind = _output_kind(to, output)
        try:
            report = load_input(input_file)
            check_renderable(report)
            prev = load_input(previous) if previous is not None else None
        except (RenderError, LayoutError) as exc:
            raise _fail(str(exc)) from None
        findings = _audit(report)
        if findings is None:
            _err.print("[yellow]警告[/yellow] 审核模块不可用，未审核即生成")
        else:
            errors = [f for f in findings if f.severity.value == "error"]
            warnings = [f for f in findings if f.severity.value == "warning"]
            if errors:
                _err.print(f"[red]审核发现 {len(errors)} 项错误：[/red]")
                _print_findings(findings, "error")
                if not force:
                    _err.print("[red]错误[/red] 报告未通过审核，已拒绝生成；修正数据后重试，或加 --force 强制生成")
                    raise typer.Exit(1)
                _err.print("[yellow]警告[/yellow] 已按 --force 忽略审核错误继续生成")
            if warnings:
                _err.print(f"[yellow]审核提示 {len(warnings)} 项警告：[/yellow]")
                _print_findings(findings, "warning")
        target = output or input_file.with_suffix(EXTENSIONS[kind])
        if target.resolve() == input_file.resolve():
            raise _fail(f"输出文件与输入文件相同：{target}")
        try:
            data = render(report, kind, previous=prev, charts=charts)
        except (RenderError, LayoutError) as exc:
            raise _fail(str(exc)) from None
        except Exception as exc:  # a renderer failing must not print a traceback
            raise _fail(f"生成 {kind} 失败：{type(exc).__name__}: {exc}") from None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise _fail(f"无法写入 {target}：{exc.strerror}") from None
        _out.print(f"[green]已生成[/green] {escape(str(target))}（{len(data) // 1024 or 1} KB）")

    @app.command("new-report")
    def new_report_cmd(
        year: Annotated[int, typer.Option("--year", "-y", help="报告年度，如 2025")],
        agency: Annotated[str, typer.Option("--agency", "-a", help="机关名称，如 某某市民政局")],
        format_id: Annotated[str, typer.Option("--format", "-f", help="报告格式：2021（默认）或 2019")] = "2021",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件（默认输出到屏幕）")] = None,
        force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
    ) -> None:
        """生成年度报告数据模板（YAML）：全部表格单元格与正文各部分，附填写说明 (write a YAML skeleton)."""
        from xxgk.formats import get_format
        from xxgk.render import RenderError, new_report_skeleton

        if not agency.strip():
            raise _fail("机关名称不能为空")
        if not 1990 <= year <= 2100:
            raise _fail(f"年度 {year} 不合理")
        try:
            text = new_report_skeleton(format_id, year, agency.strip())
        except RenderError as exc:
            raise _fail(str(exc)) from None
        fmt = get_format(format_id)
        if not fmt.covers(year):
            _err.print(f"[yellow]警告[/yellow] {year} 年度的报告按规定不适用{escape(fmt.name)}")
        if output is None:
            sys.stdout.write(text)
            return
        if output.exists() and not force:
            raise _fail(f"文件已存在：{output}（加 --force 覆盖）")
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"无法写入 {output}：{exc.strerror}") from None
        _out.print(f"[green]已生成模板[/green] {escape(str(output))}")
