"""Crash safety at scale: ``xxgk corpus ingest`` on ~2000 documents, SIGKILLed twice mid-run, then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from xxgk.corpus.synthetic import Options, generate_corpus
from xxgk.corpus.verify import verify

# Text and HTML layouts only: 2000 reports generate in a few seconds (DOCX/XLSX/PDF are covered elsewhere).
_MIX = {"pipes": 1, "cell_per_line": 1, "spaces": 1, "wrapped": 1, "blank_lines": 1, "markdown": 1, "html": 1, "md": 1}


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen2k")
    stats = generate_corpus(
        root, 2000, seed=5, workers=2, options=Options(seed=5, mix=_MIX, shard_groups=40), zip_shards=3
    )
    assert stats.documents >= 2000 and stats.duplicates > 0
    return root


def _batches(out: Path) -> int:
    parts = out / "parts"
    return len(list(parts.rglob("*.documents.parquet"))) if parts.exists() else 0


def _kill_after(cmd: list[str], out: Path, more_batches: int) -> None:
    """Start the ingest, SIGKILL it (driver and pool workers) once ``more_batches`` new batches are written."""
    before = _batches(out)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while _batches(out) < before + more_batches:
            if proc.poll() is not None:
                pytest.fail("the ingest finished before it could be killed; make the corpus larger")
            if time.monotonic() > deadline:
                pytest.fail("no progress within 120 s")
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def test_twice_killed_run_resumes_without_duplicates_or_losses(big_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "xxgk", "corpus", "ingest", str(big_corpus / "docs"), str(big_corpus / "mirrors")]
    cmd += ["--out", str(out), "--agencies", str(big_corpus / "agencies.csv")]
    cmd += ["--workers", "2", "--batch-size", "40", "--no-progress"]
    _kill_after(cmd, out, 6)
    first = _batches(out)
    _kill_after(cmd, out, 6)  # the resumed run is killed too
    assert _batches(out) >= first + 6
    assert not (out / "reports.parquet").exists()

    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]

    hashes = pq.read_table(out / "documents.parquet").column("hash").to_pylist()
    assert len(hashes) == len(set(hashes)), "a document was recorded twice"
    report_ids = pq.read_table(out / "reports.parquet").column("report_id").to_pylist()
    assert len(report_ids) == len(set(report_ids))
    check = verify(out, big_corpus)
    assert check["missing_reports"] == 0 and check["value_mismatches"] == 0 and check["failed_documents"] == 0
    assert check["exact"], check

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # nothing left: everything skipped
    assert again.returncode == 0, again.stderr[-2000:]
    assert pq.read_table(out / "documents.parquet").num_rows == len(hashes)
