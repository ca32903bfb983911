"""End to end on a synthetic corpus: exact values, duplicates, cross-report audit, resume, failures, CLI, SIGKILL."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.corpus.ingest import IngestOptions, ingest
from xxgk.corpus.store import FINAL_TABLES
from xxgk.corpus.synthetic import Options, generate_corpus
from xxgk.corpus.verify import verify

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    opts = Options(seed=21, shard_groups=25, duplicate_rate=0.06, carry_error_rate=0.08, error_rate=0.05)
    generate_corpus(root, 400, seed=21, workers=2, options=opts, zip_shards=2)
    return root


def _sources(root: Path) -> list[str]:
    return [str(root / "docs"), str(root / "mirrors")]


def _digests(out: Path) -> dict[str, str]:
    return {t: hashlib.sha256((out / f"{t}.parquet").read_bytes()).hexdigest() for t in FINAL_TABLES}


@pytest.fixture(scope="module")
def ingested(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    opts = IngestOptions(workers=2, batch_size=64, agencies=corpus / "agencies.csv")
    summary = ingest(_sources(corpus), out, opts)
    assert summary.failed == 0 and summary.load_errors == 0
    return out


def test_generated_corpus_has_every_shape(corpus: Path) -> None:
    summary = json.loads((corpus / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["reports"] >= 400
    assert {"pipes", "cell_per_line", "blank_lines", "markdown", "spaces", "wrapped", "md", "html"} <= set(
        summary["layouts"]
    )
    assert list((corpus / "docs").glob("*.zip")) and [p for p in (corpus / "docs").iterdir() if p.is_dir()]
    assert summary["duplicates"] > 0 and summary["injected"].get("carry_over", 0) > 0


def test_ingest_gives_back_exactly_what_was_generated(ingested: Path, corpus: Path) -> None:
    result = verify(ingested, corpus)
    assert result["exact"], result
    assert result["value_mismatches"] == 0 and result["truth_values"] > 50_000
    assert result["carry_over_found"] == result["carry_over_injected"] > 0
    assert result["units_sum_found"] == result["units_sum_injected"]
    assert result["arithmetic_found"] == result["arithmetic_injected"] > 0


def test_tables_and_database(ingested: Path) -> None:
    for table in FINAL_TABLES:
        assert (ingested / f"{table}.parquet").exists()
    reports = pq.read_table(ingested / "reports.parquet")
    for column in ("report_id", "source", "sources", "hash", "agency", "region", "level", "year", "format",
                   "published", "kind"):  # fmt: skip
        assert column in reports.column_names
    values = pq.read_table(ingested / "values.parquet")
    assert values.column_names == ["report_id", "key", "value", "span_start", "span_end"]
    assert values.column("value").null_count > 0  # blank cells stay null
    import duckdb

    con = duckdb.connect(str(ingested / "corpus.duckdb"), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM reports").fetchone()
        assert n is not None and n[0] == reports.num_rows
        assert con.execute("SELECT count(*) FROM league_agencies").fetchone() is not None
    finally:
        con.close()


def test_duplicates_are_kept_once_with_all_sources(ingested: Path) -> None:
    reports = pq.read_table(ingested / "reports.parquet").to_pylist()
    dups = [r for r in reports if len(r["sources"]) > 1]
    assert dups
    kinds = {("traditional" in " ".join(r["sources"])) for r in dups}
    assert True in kinds  # a traditional-character mirror was recognised
    ids = [r["report_id"] for r in reports]
    assert len(ids) == len(set(ids))
    keys = [(r["agency_key"], r["year"]) for r in reports]
    assert len(keys) == len(set(keys))


def test_resume_skips_everything_and_changes_nothing(ingested: Path, corpus: Path) -> None:
    before = _digests(ingested)
    summary = ingest(_sources(corpus), ingested, IngestOptions(workers=2, agencies=corpus / "agencies.csv"))
    assert summary.processed == 0 and summary.skipped == summary.listed
    assert _digests(ingested) == before


def test_partial_runs_add_up_to_the_full_run(ingested: Path, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "partial"
    opts = IngestOptions(workers=2, batch_size=16, agencies=corpus / "agencies.csv", limit=150)
    first = ingest(_sources(corpus), out, opts)
    assert first.interrupted and first.processed == 150
    opts.limit = None
    second = ingest(_sources(corpus), out, opts)
    assert second.skipped >= 150 and not second.interrupted
    assert _digests(out) == _digests(ingested)


def test_runs_started_in_the_same_instant_keep_apart(
    ingested: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches are named after the run (start time and process id): a resumed run that gets the same name as
    # the run before it (one process, a fast machine) must not write over that run's batches.
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls(2024, 1, 1, 12, 0, 0, tzinfo=tz)

    monkeypatch.setattr("xxgk.corpus.ingest.datetime", Frozen)
    out = tmp_path / "same"
    opts = IngestOptions(workers=2, batch_size=16, agencies=corpus / "agencies.csv", limit=150)
    assert ingest(_sources(corpus), out, opts).processed == 150
    opts.limit = None
    ingest(_sources(corpus), out, opts)
    assert _digests(out) == _digests(ingested)


def test_bad_documents_are_recorded_and_the_run_goes_on(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (folder / "notes.txt").write_text("这不是年度报告。", encoding="utf-8")
    good = next((corpus / "mirrors").rglob("*.txt"))
    (folder / "good.txt").write_bytes(good.read_bytes())
    out = tmp_path / "out"
    summary = ingest([str(folder), str(tmp_path / "missing.pdf")], out, IngestOptions(workers=1))
    assert summary.load_errors == 1  # the missing path
    assert summary.failed == 2  # empty and broken
    docs = {Path(d["source"]).name: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs["missing.pdf"]["status"] == "load_error" and "不存在" in docs["missing.pdf"]["error"]
    assert docs["empty.txt"]["status"] == "error" and "文件为空" in docs["empty.txt"]["error"]
    assert docs["broken.pdf"]["status"] == "error"
    assert docs["good.txt"]["status"] == "ok" and docs["notes.txt"]["status"] == "ok"
    # A later run does not retry what failed (same content) unless asked, but does retry missing paths.
    again = ingest([str(folder)], out, IngestOptions(workers=1))
    assert again.processed == 0
    retried = ingest([str(folder)], out, IngestOptions(workers=1, retry_failed=True))
    assert retried.processed == 2


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_query_cli(ingested: Path) -> None:
    result = _cli("corpus", "query", "SELECT year, reports FROM trends_year ORDER BY year", "--db", str(ingested))
    assert result.exit_code == 0, result.output
    assert "2019" in result.output
    result = _cli("corpus", "query", "SELECT rule, reports FROM top_findings", "--db", str(ingested), "-f", "json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert any(r["rule"] == "corpus.carry_over" for r in rows)
    result = _cli("corpus", "query", "SELECT * FROM league_denials LIMIT 3", "--db", str(ingested), "-f", "csv")
    assert result.exit_code == 0 and result.output.startswith("agency,region,level,reports")
    for view in ("report_metrics", "league_agencies", "trends_region_year", "yoy_agencies", "cross_findings",
                 "duplicates"):  # fmt: skip
        assert _cli("corpus", "query", f"SELECT count(*) FROM {view}", "--db", str(ingested)).exit_code == 0
    assert "league_agencies" in _cli("corpus", "query", "--views").output


def test_query_cli_errors_are_one_line(ingested: Path, tmp_path: Path) -> None:
    result = _cli("corpus", "query", "SELEC nonsense", "--db", str(ingested))
    assert result.exit_code == 1 and "SQL 错误" in result.output and "Traceback" not in result.output
    result = _cli("corpus", "query", "SELECT 1", "--db", str(tmp_path))
    assert result.exit_code == 1 and "不是语料库输出目录" in result.output
    result = _cli("corpus", "ingest", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "dask")
    assert result.exit_code == 1 and "未知的引擎" in result.output


def test_ingest_of_nothing_readable_fails_naming_the_sources(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = _cli("corpus", "ingest", str(missing), "--out", str(tmp_path / "o"), "--no-progress")
    assert result.exit_code == 1, result.output
    assert "没有处理任何文档" in result.output and f"{missing}：文件或文件夹不存在" in result.output
    assert "Traceback" not in result.output


def test_cross_report_findings_name_both_years(ingested: Path) -> None:
    import duckdb

    con = duckdb.connect(str(ingested / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT message, related_report FROM findings WHERE rule = 'corpus.carry_over'").fetchall()
    finally:
        con.close()
    assert rows
    message, related = rows[0]
    assert "上年结转" in message and "结转下年度继续办理" in message and related


def test_killed_run_resumes_without_duplicates_or_losses(corpus: Path, ingested: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "xxgk", "corpus", "ingest", *_sources(corpus), "--out", str(out)]
    cmd += ["--agencies", str(corpus / "agencies.csv"), "--workers", "2", "--batch-size", "8", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            done = list((out / "parts").glob("*.documents.parquet")) if (out / "parts").exists() else []
            if len(done) >= 5:
                break
            if proc.poll() is not None:
                pytest.fail("the ingest finished before it could be killed; make the corpus larger")
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its pool workers, mid-run
    finally:
        proc.wait(timeout=30)
    assert not (out / "reports.parquet").exists()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _digests(out) == _digests(ingested)
    assert verify(out, corpus)["exact"]
    documents = pq.read_table(out / "documents.parquet").column("hash").to_pylist()
    assert len(documents) == len(set(documents))
