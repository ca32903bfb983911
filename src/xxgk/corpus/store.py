"""The corpus on disk: Parquet parts written while ingesting, final tables and a DuckDB database built from them.

Layout of an output folder::

    parts/<run>-<seq>.<table>.parquet   one batch of processed documents (tables documents, sources, values,
                                        extra, findings); ``documents`` is renamed into place last, so a
                                        batch without it is an orphan of a killed run and is deleted
    reports.parquet values.parquet extra.parquet findings.parquet documents.parquet sources.parquet
    corpus.duckdb                       views over those files and the named views (xxgk.corpus.views)
    runs.jsonl                          one line per run: engine, counts, timings
    cache/                              the URL fetch cache (xxgk.corpus.sources)

Resuming: the content hashes in ``parts/*.documents.parquet`` are done and are skipped; every final table is
rebuilt from the parts, so a run that was killed at any point leaves no duplicates and loses only its last
unwritten batch. The final tables hold no timing or run columns and are sorted, so the same input gives the
same Parquet content whatever engine processed it.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.corpus.agency import agency_key
from xxgk.corpus.pipeline import Record

TABLES = ("values", "extra", "findings", "sources", "documents")  # write order: documents last
FINAL_TABLES = ("reports", "values", "extra", "findings", "documents", "sources")

DOCUMENT_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("source", pa.string()),
        ("size", pa.int64()),
        ("kind", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("fingerprint", pa.string()),
        ("format", pa.string()),
        ("year", pa.int32()),
        ("agency", pa.string()),
        ("agency_key", pa.string()),
        ("region", pa.string()),
        ("level", pa.string()),
        ("published", pa.string()),
        ("url", pa.string()),
        ("n_values", pa.int32()),
        ("n_blank", pa.int32()),
        ("n_extra", pa.int32()),
        ("n_findings", pa.int32()),
        ("n_errors", pa.int32()),
        ("n_warnings", pa.int32()),
        ("text_chars", pa.int64()),
        ("elapsed_ms", pa.float64()),
    ]
)
SOURCE_SCHEMA = pa.schema([("hash", pa.string()), ("source", pa.string())])
VALUE_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("key", pa.string()),
        ("value", pa.float64()),
        ("span_start", pa.int64()),
        ("span_end", pa.int64()),
    ]
)
EXTRA_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("table", pa.string()),
        ("label", pa.string()),
        ("values", pa.list_(pa.float64())),
        ("span_start", pa.int64()),
        ("span_end", pa.int64()),
    ]
)
FINDING_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("rule", pa.string()),
        ("category", pa.string()),
        ("severity", pa.string()),
        ("message", pa.string()),
        ("keys", pa.list_(pa.string())),
        ("span_start", pa.int64()),
        ("span_end", pa.int64()),
        ("evidence", pa.string()),
        ("basis", pa.string()),
    ]
)
SCHEMAS = {
    "documents": DOCUMENT_SCHEMA,
    "sources": SOURCE_SCHEMA,
    "values": VALUE_SCHEMA,
    "extra": EXTRA_SCHEMA,
    "findings": FINDING_SCHEMA,
}
_REPORT_FIELDS = [f.name for f in DOCUMENT_SCHEMA if f.name not in ("hash", "source", "size", "kind", "status",
                                                                    "error", "fingerprint", "elapsed_ms")]  # fmt: skip
_PART = re.compile(r"^(?P<batch>[\w.-]+-\d{6})\.(?P<table>[a-z]+)\.parquet$")


class StoreError(RuntimeError):
    """The output folder cannot be used; the message is Chinese (user-facing)."""


def parts_dir(out: Path) -> Path:
    return out / "parts"


def cleanup_orphans(out: Path) -> int:
    """Delete part files of batches whose ``documents`` part never landed (a run killed mid-write), and Spark
    run folders (``parts/spark-*/``) whose ``documents/_SUCCESS`` is missing."""
    import shutil

    folder = parts_dir(out)
    if not folder.is_dir():
        return 0
    batches: dict[str, set[str]] = {}
    removed = 0
    for p in folder.iterdir():
        if p.is_dir():
            if not (p / "documents" / "_SUCCESS").exists():
                shutil.rmtree(p, ignore_errors=True)
                removed += 1
            continue
        m = _PART.match(p.name)
        if m is None:
            if p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)
                removed += 1
            continue
        batches.setdefault(m.group("batch"), set()).add(m.group("table"))
    for batch, tables in batches.items():
        if "documents" not in tables:
            for t in tables:
                (folder / f"{batch}.{t}.parquet").unlink(missing_ok=True)
                removed += 1
    return removed


def part_files(out: Path, table: str) -> list[str]:
    """The part files of ``table``: local batches and Spark runs (``parts/spark-*/<table>/part-*.parquet``)."""
    folder = parts_dir(out)
    if not folder.is_dir():
        return []
    files = [str(p) for p in folder.glob(f"*.{table}.parquet")]
    files += [str(p) for p in folder.glob(f"*/{table}/*.parquet")]
    return sorted(files)


def _has_parts(out: Path, table: str = "documents") -> bool:
    return bool(part_files(out, table))


_SQL_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "int32": "INTEGER", "double": "DOUBLE",
              "list<item: string>": "VARCHAR[]", "list<item: double>": "DOUBLE[]"}  # fmt: skip


def _rel(out: Path, table: str) -> str:
    """SQL for the parts of ``table`` with a ``batch`` column (the batch or Spark run a row was written in)."""
    files = part_files(out, table)
    if not files:
        cols = ", ".join(f'NULL::{_SQL_TYPES[str(f.type)]} AS "{f.name}"' for f in SCHEMAS[table])
        return f"(SELECT {cols}, NULL::VARCHAR AS batch WHERE false)"
    listing = ", ".join(f"'{_sql_str(f)}'" for f in files)
    batch = (
        f"coalesce(nullif(regexp_extract(filename, '([^/]+)\\.{table}\\.parquet$', 1), ''), "
        f"regexp_extract(filename, '([^/]+)/{table}/[^/]+$', 1))"
    )
    return (
        f"(SELECT * EXCLUDE (filename), {batch} AS batch "
        f"FROM read_parquet([{listing}], filename = true, union_by_name = true))"
    )


def connect(threads: int | None = None, memory_limit: str | None = None, temp_dir: Path | None = None) -> Any:
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit or os.environ.get('XXGK_DUCKDB_MEMORY', '1GB')}'")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_sql_str(str(temp_dir))}'")
    con.execute("SET preserve_insertion_order = true")
    return con


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


@dataclass
class DoneSet:
    """What earlier runs already did: content hashes processed and (hash, source) pairs recorded."""

    hashes: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    sources: set[tuple[str, str]] = field(default_factory=set)


def load_done(out: Path) -> DoneSet:
    done = DoneSet()
    if not _has_parts(out):
        return done
    con = connect(threads=2)
    try:
        rows = con.execute(
            f"SELECT hash, bool_or(status = 'ok') FROM {_rel(out, 'documents')} WHERE hash IS NOT NULL GROUP BY hash"
        ).fetchall()
        for h, ok in rows:
            (done.hashes if ok else done.failed).add(h)
        if _has_parts(out, "sources"):
            done.sources = {
                (h, s) for h, s in con.execute(f"SELECT DISTINCT hash, source FROM {_rel(out, 'sources')}").fetchall()
            }
    finally:
        con.close()
    return done


class PartWriter:
    """Buffers records and writes them as one batch of part files every ``batch_size`` documents."""

    def __init__(self, out: Path, run_id: str, batch_size: int = 500, max_seconds: float = 30.0) -> None:
        self.out = out
        self.batch_size = max(1, batch_size)
        self.max_seconds = max_seconds
        self.seq = 0
        self.written_docs = 0
        folder = parts_dir(out)
        folder.mkdir(parents=True, exist_ok=True)
        # Batches are named ``<run>-<seq>``: a run id that comes round again (two runs in one process within the
        # clock's resolution, such as a ``limit`` run and its resumption) would write over the earlier run's
        # batches and lose its documents, which the new run skips as done. Such a run gets a suffix instead
        # (sorting after the earlier one, as later runs do).
        self.run_id = run_id
        n = 1
        while any(folder.glob(f"{glob.escape(self.run_id)}-*")):
            n += 1
            self.run_id = f"{run_id}.{n:03d}"
        self._reset()

    def _reset(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {t: {n: [] for n in SCHEMAS[t].names} for t in TABLES}
        self.pending = 0
        self.started = time.monotonic()

    def add(self, rec: Record) -> None:
        docs = self.cols["documents"]
        report = rec.get("report") or {}
        h = rec["hash"]
        for name in ("hash", "source", "size", "kind", "status", "error", "fingerprint", "elapsed_ms"):
            docs[name].append(rec.get(name))
        for name in _REPORT_FIELDS:
            docs[name].append(report.get(name))
        if h is not None:
            self.add_source(h, rec["source"])
        for table in ("values", "extra", "findings"):
            block = rec.get(table) or {}
            n = len(block.get(SCHEMAS[table].names[1], []))
            if not n:
                continue
            cols = self.cols[table]
            cols["hash"].extend([h] * n)
            for name in SCHEMAS[table].names[1:]:
                cols[name].extend(block[name])
        self.pending += 1
        if self.pending >= self.batch_size or time.monotonic() - self.started > self.max_seconds:
            self.flush()

    def add_source(self, h: str, source: str) -> None:
        self.cols["sources"]["hash"].append(h)
        self.cols["sources"]["source"].append(source)

    def flush(self) -> None:
        if not self.pending and not self.cols["sources"]["hash"]:
            return
        batch = f"{self.run_id}-{self.seq:06d}"
        folder = parts_dir(self.out)
        for table in TABLES:
            data = pa.table(self.cols[table], schema=SCHEMAS[table])
            final = folder / f"{batch}.{table}.parquet"
            tmp = folder / f"{batch}.{table}.parquet.tmp"
            pq.write_table(data, tmp, compression="zstd")
            os.replace(tmp, final)
        self.written_docs += self.pending
        self.seq += 1
        self._reset()


# --------------------------------------------------------------------------------------------------- finalize


@dataclass
class FinalSummary:
    documents: int = 0
    ok: int = 0
    failed: int = 0
    reports: int = 0
    duplicates: int = 0
    values: int = 0
    findings: int = 0
    cross_findings: int = 0
    by_error: list[tuple[str, int]] = field(default_factory=list)


def read_agencies(path: Path) -> pa.Table:
    """``agencies.csv`` (agency, region, level, parent) with the names folded for matching."""
    rows: dict[str, list[Any]] = {"agency_key": [], "agency": [], "region": [], "level": [], "parent_key": []}
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or "agency" not in reader.fieldnames:
                raise StoreError(f"机关名录缺少 agency 列：{path}（应有 agency,region,level,parent 四列）")
            for row in reader:
                key = agency_key(row.get("agency"))
                if key is None:
                    continue
                rows["agency_key"].append(key)
                rows["agency"].append(row["agency"].strip())
                rows["region"].append((row.get("region") or "").strip() or None)
                rows["level"].append((row.get("level") or "").strip() or None)
                rows["parent_key"].append(agency_key((row.get("parent") or "").strip() or None))
    except FileNotFoundError:
        raise StoreError(f"机关名录文件不存在：{path}") from None
    except UnicodeDecodeError:
        raise StoreError(f"机关名录不是 UTF-8 编码的 CSV：{path}") from None
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("agency_key", pa.string()),
                ("agency", pa.string()),
                ("region", pa.string()),
                ("level", pa.string()),
                ("parent_key", pa.string()),
            ]
        ),
    )


_EMPTY_AGENCIES = pa.table(
    {k: pa.array([], pa.string()) for k in ("agency_key", "agency", "region", "level", "parent_key")}
)


def finalize(out: Path, *, threads: int | None = None, agencies: Path | None = None) -> FinalSummary:
    """Rebuild the final tables, the cross-report audit and ``corpus.duckdb`` from the parts."""
    from xxgk.corpus import cross_audit, views

    cleanup_orphans(out)
    if not _has_parts(out):
        raise StoreError(f"没有可汇总的数据：{out} 中没有已处理的文档")
    agencies_file = (
        agencies if agencies is not None else (out / "agencies.csv" if (out / "agencies.csv").exists() else None)
    )
    con = connect(threads=threads, temp_dir=out / ".duckdb_tmp")
    try:
        agency_table = read_agencies(agencies_file) if agencies_file else _EMPTY_AGENCIES
        agency_table = agency_table.append_column("ord", pa.array(range(agency_table.num_rows), pa.int64()))
        con.register("agencies_in", agency_table)
        # One row per agency key: the first in the file (any_value would pick one by thread timing, and the
        # corpus must come out the same however the work was scheduled).
        con.execute(
            "CREATE TEMP TABLE agencies AS SELECT agency_key, arg_min(agency, ord) agency, "
            "arg_min(region, ord) region, arg_min(level, ord) level, arg_min(parent_key, ord) parent_key "
            "FROM agencies_in GROUP BY agency_key"
        )
        con.unregister("agencies_in")
        g = {t: _rel(out, t) for t in TABLES}
        con.execute(f"CREATE TEMP TABLE docs_all AS SELECT * FROM {g['documents']}")
        # One row per content hash: a success wins over an earlier failure (a retried document); among copies
        # of the same bytes under several names (a mirror), the first name in order, not the batch that
        # happened to finish first (workers finish in any order: the result must not depend on it).
        con.execute(
            """CREATE TEMP TABLE docs AS
            SELECT * EXCLUDE (rn) FROM (
              SELECT *, row_number() OVER (PARTITION BY hash ORDER BY status = 'ok' DESC, source, batch) AS rn
              FROM docs_all WHERE hash IS NOT NULL) WHERE rn = 1"""
        )
        con.execute(f"CREATE TEMP TABLE srcs AS SELECT DISTINCT hash, source FROM {g['sources']}")
        con.execute(
            """CREATE TEMP TABLE rep AS
            SELECT fingerprint, hash, batch FROM (
              SELECT fingerprint, hash, batch, row_number() OVER (
                PARTITION BY fingerprint ORDER BY (n_values - n_blank) DESC, hash) AS rn
              FROM docs WHERE status = 'ok') WHERE rn = 1"""
        )
        con.execute(
            f"""CREATE TEMP TABLE vals AS
            SELECT r.fingerprint AS report_id, v.key, v.value, v.span_start, v.span_end
            FROM {g["values"]} v
            JOIN rep r ON r.hash = v.hash AND r.batch = v.batch"""
        )
        con.execute(
            """CREATE TEMP TABLE reps AS
            SELECT d.fingerprint AS report_id, d.hash, s1.source, s.sources, s.n_documents, d.kind, d.format,
                   d.year, d.agency, d.agency_key, coalesce(a.region, d.region) AS region,
                   coalesce(a.level, d.level) AS level, p.agency AS parent,
                   TRY_CAST(d.published AS DATE) AS published, d.n_values, d.n_blank, d.n_extra,
                   d.n_findings, d.n_errors, d.n_warnings
            FROM rep r JOIN docs d ON d.hash = r.hash
            JOIN (SELECT dd.fingerprint, list(DISTINCT ss.source ORDER BY ss.source) AS sources,
                         count(DISTINCT dd.hash) AS n_documents
                  FROM docs dd JOIN srcs ss ON ss.hash = dd.hash WHERE dd.status = 'ok'
                  GROUP BY dd.fingerprint) s ON s.fingerprint = r.fingerprint
            JOIN (SELECT hash, min(source) AS source FROM srcs GROUP BY hash) s1 ON s1.hash = r.hash
            LEFT JOIN agencies a ON a.agency_key = d.agency_key
            LEFT JOIN agencies p ON p.agency_key = a.parent_key"""
        )
        cross = cross_audit.run(con)
        con.register("cross_in", cross)
        con.execute(
            f"""CREATE TEMP TABLE finds AS
            SELECT r.fingerprint AS report_id, 'report' AS scope, f.rule, f.category, f.severity, f.message,
                   f.keys, f.span_start, f.span_end, f.evidence, f.basis, NULL::VARCHAR AS related_report
            FROM {g["findings"]} f
            JOIN rep r ON r.hash = f.hash AND r.batch = f.batch
            UNION ALL
            SELECT report_id, 'corpus', rule, category, severity, message, keys, NULL::BIGINT, NULL::BIGINT,
                   evidence, basis, related_report FROM cross_in"""
        )
        con.unregister("cross_in")
        final_sql = {
            "reports": """SELECT r.*, coalesce(c.n, 0)::INTEGER AS n_corpus_findings FROM reps r
                LEFT JOIN (SELECT report_id, count(*) AS n FROM finds WHERE scope = 'corpus' GROUP BY 1) c
                USING (report_id) ORDER BY report_id""",
            "values": "SELECT * FROM vals ORDER BY report_id, key",
            "extra": f"""SELECT r.fingerprint AS report_id, e."table", e.label, e."values", e.span_start, e.span_end
                FROM {g["extra"]} e
                JOIN rep r ON r.hash = e.hash AND r.batch = e.batch
                ORDER BY report_id, e."table", e.label, e.span_start NULLS LAST, e.span_end NULLS LAST,
                    e."values"::VARCHAR""",
            # (every ordering is total: rows that tie would come out in whatever order the threads finish)
            "findings": """SELECT * FROM finds ORDER BY report_id, scope, rule, message, span_start NULLS LAST,
                keys::VARCHAR, span_end NULLS LAST, evidence, related_report NULLS LAST, severity, category, basis""",
            "documents": """SELECT hash, s.source, size, kind, status, error, fingerprint AS report_id, format,
                    year, agency
                FROM docs JOIN (SELECT hash, min(source) AS source FROM srcs GROUP BY hash) s USING (hash)
                UNION ALL
                SELECT NULL, source, size, kind, status, error, NULL, NULL, NULL, NULL FROM (
                  SELECT *, row_number() OVER (PARTITION BY source ORDER BY batch DESC) AS rn
                  FROM docs_all WHERE hash IS NULL) f
                WHERE rn = 1 AND source NOT IN (SELECT source FROM srcs)
                ORDER BY hash NULLS LAST, source""",
            "sources": "SELECT hash, source FROM srcs ORDER BY hash, source",
        }
        for name, sql in final_sql.items():
            final = out / f"{name}.parquet"
            tmp = out / f"{name}.parquet.tmp"
            con.execute(
                f"COPY ({sql}) TO '{_sql_str(str(tmp))}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
            )
            os.replace(tmp, final)
        summary = FinalSummary()
        row = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status <> 'ok') "
            f"FROM read_parquet('{_sql_str(str(out / 'documents.parquet'))}')"
        ).fetchone()
        assert row is not None
        summary.documents, summary.ok, summary.failed = int(row[0]), int(row[1]), int(row[2])
        row = con.execute("SELECT count(*), coalesce(sum(n_documents - 1), 0) FROM reps").fetchone()
        assert row is not None
        summary.reports, summary.duplicates = int(row[0]), int(row[1])
        row = con.execute("SELECT count(*) FROM vals").fetchone()
        assert row is not None
        summary.values = int(row[0])
        row = con.execute("SELECT count(*), count(*) FILTER (WHERE scope = 'corpus') FROM finds").fetchone()
        assert row is not None
        summary.findings, summary.cross_findings = int(row[0]), int(row[1])
        summary.by_error = [
            (str(e), int(n))
            for e, n in con.execute(
                "SELECT regexp_replace(error, '[:：].*$', '') AS e, count(*) n FROM docs_all "
                "WHERE status <> 'ok' GROUP BY 1 ORDER BY n DESC LIMIT 5"
            ).fetchall()
        ]
    finally:
        con.close()
    views.write_database(out)
    return summary


# --------------------------------------------------------------------------------------------------- runs


def append_run(out: Path, entry: dict[str, Any]) -> None:
    with open(out / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def final_tables_exist(out: Path) -> bool:
    return all((out / f"{t}.parquet").exists() for t in FINAL_TABLES)


def table_paths(out: Path) -> dict[str, Path]:
    return {t: out / f"{t}.parquet" for t in FINAL_TABLES}


def iter_final(out: Path, names: Iterable[str] = FINAL_TABLES) -> dict[str, pa.Table]:
    return {n: pq.read_table(out / f"{n}.parquet") for n in names}
