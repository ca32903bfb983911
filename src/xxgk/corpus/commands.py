"""``xxgk corpus``: ingest, query, site, generate and verify (Typer sub-app attached by :mod:`xxgk.cli`).

Messages are Chinese; an error is one line on stderr (no traceback) and a non-zero exit status.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

_out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
_err = Console(stderr=True, soft_wrap=True)

corpus_app = typer.Typer(
    name="corpus",
    help="批量处理年度报告：采集入库、查询、生成统计网站 (corpus ingest / query / site).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")


def _fail(message: str, code: int = 1) -> typer.Exit:
    _err.print(f"[red]错误[/red] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def _bar_starter(bar: Progress) -> Any:
    def start(total: int, already: int) -> Any:
        bar.start()
        task_id = bar.add_task("处理文档", total=total, completed=already)
        return lambda n: bar.advance(task_id, n)

    return start


def _log_progress(total: int, already: int) -> Any:
    """Progress for logs (no terminal): one line every 10 seconds with rate and time left."""
    import time

    state = {"done": already, "t0": time.monotonic(), "last": time.monotonic()}

    def advance(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["last"] < 10 and state["done"] < total:
            return
        state["last"] = now
        rate = (state["done"] - already) / max(now - state["t0"], 1e-9)
        left = (total - state["done"]) / rate if rate > 0 else float("nan")
        _err.print(
            f"已处理 {int(state['done'])}/{total}（{rate:.1f} 份/秒，预计剩余 {left / 60:.1f} 分钟）", highlight=False
        )

    return advance


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("— 份/秒" if speed is None else f"{speed:,.1f} 份/秒", style="cyan")


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TextColumn("已用"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        console=_err,
        disable=not enabled,
        transient=False,
    )


@corpus_app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[str], typer.Argument(help="文件、文件夹、zip 压缩包、网址列表文件（*.urls）或网址", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录（Parquet 表与 corpus.duckdb）")],
    engine: Annotated[str, typer.Option(help="执行引擎：pool（本机进程池）或 spark")] = "pool",
    workers: Annotated[int | None, typer.Option(help="进程数（pool）或 local[N]（spark），默认全部核心")] = None,
    master: Annotated[str | None, typer.Option(help="Spark master 地址，如 spark://host:7077、yarn")] = None,
    agencies: Annotated[
        Path | None, typer.Option(help="机关名录 CSV（agency,region,level,parent），用于地区、层级和汇总核对")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="每批写入的文档数")] = 500,
    retry_failed: Annotated[bool, typer.Option(help="重新处理以前失败的文档")] = False,
    timeout: Annotated[float, typer.Option(help="单个文档的处理时限（秒），0 为不限")] = 120.0,
    rate: Annotated[float, typer.Option(help="每个网站每秒最多请求数")] = 1.0,
    retries: Annotated[int, typer.Option(help="网络错误、429、5xx 的重试次数")] = 3,
    robots: Annotated[bool, typer.Option(help="遵守 robots.txt")] = True,
    refresh: Annotated[bool, typer.Option(help="重新验证已缓存的网址（ETag/Last-Modified）")] = False,
    user_agent: Annotated[str | None, typer.Option(help="抓取时使用的 User-Agent")] = None,
    limit: Annotated[int | None, typer.Option(help="本次最多处理的新文档数（其余留待下次继续）")] = None,
    progress: Annotated[bool, typer.Option(help="显示进度条")] = True,
) -> None:
    """采集并解析年度报告，写出 reports/values/extra/findings 等 Parquet 表和 DuckDB 数据库；可中断后继续。"""
    from xxgk.corpus.engines import EngineError
    from xxgk.corpus.ingest import IngestOptions, ingest
    from xxgk.corpus.sources import FetchOptions
    from xxgk.corpus.store import StoreError

    if engine not in ("pool", "spark"):
        raise _fail(f"未知的引擎“{engine}”；可选：pool、spark")
    if agencies is not None and not agencies.is_file():
        raise _fail(f"机关名录文件不存在：{agencies}")
    fetch = FetchOptions(rate=rate, retries=retries, robots=robots, refresh=refresh)
    if user_agent:
        fetch.user_agent = user_agent
    opts = IngestOptions(
        engine=engine,
        workers=workers,
        master=master,
        batch_size=batch_size,
        retry_failed=retry_failed,
        timeout=timeout,
        agencies=agencies,
        fetch=fetch,
        limit=limit,
    )
    bar = _progress_bar(progress and _err.is_terminal)
    start = _bar_starter(bar) if progress and _err.is_terminal else (_log_progress if progress else None)

    import duckdb

    try:
        summary = ingest(sources, out, opts, progress=start)
    except (EngineError, StoreError) as exc:
        bar.stop()
        raise _fail(str(exc)) from None
    except OSError as exc:
        bar.stop()
        raise _fail(f"无法写入输出目录（{exc.strerror or exc}）：{out}") from None
    except duckdb.Error as exc:
        bar.stop()
        raise _fail(f"汇总建库失败（{str(exc).splitlines()[0]}）；已处理的分片保留在 {out}/parts，可再次运行") from None
    bar.stop()
    _print_summary(summary, out)
    if summary.load_errors and not (summary.processed or summary.skipped):
        _err.print(f"错误：{summary.load_errors} 个来源都无法读取或抓取，没有处理任何文档：", markup=False)
        for source, reason in summary.first_load_errors:
            _err.print(f"  {source}：{reason}", markup=False)
        raise typer.Exit(1)
    if summary.interrupted:
        _err.print("[yellow]已中断[/yellow]：已处理的结果已保存，再次运行同一命令即可继续。", markup=True)
        raise typer.Exit(130 if limit is None else 0)


def _print_summary(summary: Any, out: Path) -> None:
    table = Table(title="处理结果", show_header=False, title_justify="left")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    rows = [
        ("列出的文档", summary.listed),
        ("跳过（内容相同或以前已处理）", summary.skipped),
        ("本次解析", summary.processed),
        ("　其中成功", summary.ok),
        ("　其中失败（已记录原因）", summary.failed),
        ("无法读取或抓取", summary.load_errors),
        ("引擎", f"{summary.engine} × {summary.workers}"),
        ("用时（解析）", f"{summary.seconds:.1f} 秒"),
        ("速度", f"{summary.rate:.1f} 份/秒"),
    ]
    final = summary.final
    if final is not None:
        rows += [
            ("库中文档（去重后）", final.documents),
            ("库中报告（同一报告多处发布只计一次）", final.reports),
            ("重复发布的副本", final.duplicates),
            ("数据值", final.values),
            ("审核发现", final.findings),
            ("　其中跨报告核对", final.cross_findings),
            ("用时（汇总建库）", f"{summary.finalize_seconds:.1f} 秒"),
        ]
    for label, value in rows:
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    _out.print(table)
    if final is not None and final.by_error:
        _out.print("主要失败原因：" + "；".join(f"{e}（{n}）" for e, n in final.by_error), highlight=False)
    _out.print(f"输出：{out}（查询：xxgk corpus query \"SELECT * FROM league_agencies LIMIT 20\" --db {out}）",
               highlight=False)  # fmt: skip


@corpus_app.command("finalize")
def finalize_command(
    db: Annotated[Path, typer.Argument(help="含 parts/ 的输出目录（如从集群取回的分片）", show_default=False)],
    agencies: Annotated[Path | None, typer.Option(help="机关名录 CSV（agency,region,level,parent）")] = None,
) -> None:
    """由已处理的分片重建去重后的表、跨报告核对和 corpus.duckdb（集群运行后在汇总机器上执行）。"""
    from xxgk.corpus.store import StoreError, finalize

    if agencies is not None and not agencies.is_file():
        raise _fail(f"机关名录文件不存在：{agencies}")
    import duckdb

    try:
        final = finalize(db, agencies=agencies)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    except duckdb.Error as exc:
        raise _fail(f"汇总建库失败（{str(exc).splitlines()[0]}）") from None
    _out.print(
        f"已汇总：{final.documents} 个文档、{final.reports} 份报告（{final.duplicates} 个重复发布）、"
        f"{final.values} 个数据值、{final.findings} 条审核发现（跨报告 {final.cross_findings} 条）：{db}",
        highlight=False,
    )


@corpus_app.command("query")
def query_command(
    sql: Annotated[
        str | None, typer.Argument(help="SQL 语句；可用表 reports、values、findings 和命名视图", show_default=False)
    ] = None,
    db: Annotated[Path, typer.Option("--db", "-d", help="ingest 的输出目录")] = Path("."),
    output: Annotated[str, typer.Option("--format", "-f", help="输出格式：table、csv、json")] = "table",
    limit: Annotated[int, typer.Option(help="表格最多显示的行数")] = 200,
    views: Annotated[bool, typer.Option("--views", help="列出命名视图")] = False,
) -> None:
    """在语料库上执行 SQL（DuckDB）。命名视图：league_agencies、trends_year、top_findings 等（--views 查看）。"""
    from xxgk.corpus import views as corpus_views
    from xxgk.corpus.store import final_tables_exist

    if views:
        table = Table(title="命名视图")
        table.add_column("视图")
        table.add_column("内容")
        for name, doc in corpus_views.NAMED_VIEWS.items():
            table.add_row(name, doc)
        _out.print(table)
        return
    if not sql:
        raise _fail('请给出 SQL 语句，例如：xxgk corpus query "SELECT * FROM trends_year" --db 输出目录')
    if output not in ("table", "csv", "json"):
        raise _fail(f"未知的输出格式“{output}”；可选：table、csv、json")
    folder = db.parent if db.suffix == ".duckdb" else db
    if not final_tables_exist(folder):
        raise _fail(f"{folder} 不是语料库输出目录（缺少 reports.parquet 等表）；请先运行 xxgk corpus ingest")
    import duckdb

    con = corpus_views.connect(folder)
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        raise _fail(f"SQL 错误：{str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output == "json":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) + "\n")
    else:
        table = Table(show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in rows[:limit]:
            table.add_row(*["" if v is None else str(v) for v in row])
        _out.print(table)
        if len(rows) > limit:
            _out.print(f"（共 {len(rows)} 行，显示前 {limit} 行；用 --format csv 导出全部）")


@corpus_app.command("site")
def site_command(
    db: Annotated[Path, typer.Option("--db", "-d", help="ingest 的输出目录")],
    out: Annotated[Path, typer.Option("--out", "-o", help="网站输出目录")],
    title: Annotated[str, typer.Option(help="网站标题")] = "政府信息公开工作年度报告统计",
) -> None:
    """生成静态统计网站（按地区和年度、按机关），可直接从文件系统打开 index.html。"""
    from xxgk.corpus.site import build_site
    from xxgk.corpus.store import final_tables_exist

    if not final_tables_exist(db):
        raise _fail(f"{db} 不是语料库输出目录（缺少 reports.parquet 等表）；请先运行 xxgk corpus ingest")
    try:
        stats = build_site(db, out, title=title)
    except OSError as exc:
        raise _fail(f"无法写入网站目录（{exc.strerror or exc}）：{out}") from None
    _out.print(
        f"已生成网站：{out / 'index.html'}（{stats['regions']} 个地区、{stats['agencies']} 个机关页面）",
        highlight=False,
    )


@corpus_app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="输出目录", show_default=False)],
    reports: Annotated[int, typer.Option("--reports", "-n", help="报告份数（约数）")] = 1000,
    seed: Annotated[int, typer.Option(help="随机种子")] = 0,
    workers: Annotated[int | None, typer.Option(help="生成进程数")] = None,
    zip_shards: Annotated[int, typer.Option(help="每 k 个分片打包成一个 zip（0 为不打包）")] = 0,
    layouts: Annotated[str | None, typer.Option(help="只用这些版式/格式，逗号分隔（默认全部，见文档）")] = None,
) -> None:
    """生成合成语料库（各种版式与文件格式、跨年度结转、汇总单位、重复发布），附带真值用于核对。"""
    from xxgk.corpus.synthetic import DEFAULT_MIX, LAYOUTS, Options, generate_corpus

    if reports < 1:
        raise _fail("报告份数至少为 1")
    opts = Options(seed=seed)
    if layouts:
        chosen = [x.strip() for x in layouts.split(",") if x.strip()]
        unknown = [x for x in chosen if x not in LAYOUTS]
        if unknown:
            raise _fail(f"未知的版式“{'、'.join(unknown)}”；可选：{'、'.join(LAYOUTS)}")
        opts.mix = {k: DEFAULT_MIX.get(k, 5.0) for k in chosen}
    bar = _progress_bar(_err.is_terminal)
    with bar:
        task = bar.add_task("生成报告", total=reports)
        stats = generate_corpus(
            out, reports, seed=seed, workers=workers, options=opts, zip_shards=zip_shards,
            progress=lambda n: bar.update(task, completed=n),
        )  # fmt: skip
    _out.print(
        f"已生成 {stats.reports} 份报告、{stats.documents} 个文件（含 {stats.duplicates} 个重复发布），"
        f"{stats.agencies} 个机关：{out}",
        highlight=False,
    )
    command = f"xxgk corpus ingest {out / 'docs'} {out / 'mirrors'} --agencies {out / 'agencies.csv'} --out 输出目录"
    _out.print(f"采集：{command}", highlight=False)


@corpus_app.command("verify")
def verify_command(
    db: Annotated[Path, typer.Option("--db", "-d", help="ingest 的输出目录")],
    truth: Annotated[Path, typer.Option(help="generate 的输出目录（含 truth/）")],
) -> None:
    """把采集结果与合成语料库的真值逐值核对。"""
    from xxgk.corpus.verify import verify

    if not (truth / "truth" / "values.parquet").exists():
        raise _fail(f"{truth} 中没有 truth/values.parquet（请指向 xxgk corpus generate 的输出目录）")
    result = verify(db, truth)
    table = Table(title="核对结果", show_header=False, title_justify="left")
    for k, v in result.items():
        table.add_row(k, str(v))
    _out.print(table)
    if not result.get("exact"):
        raise typer.Exit(1)
