"""Spark local[2] runs the same per-document function as the pool: identical Parquet, byte for byte.

One session-scoped SparkSession (start-up costs about 11 s); skipped with the reason when Java or PySpark is
missing.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from xxgk.corpus.ingest import IngestOptions, ingest
from xxgk.corpus.store import FINAL_TABLES
from xxgk.corpus.synthetic import Options, generate_corpus
from xxgk.corpus.verify import verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("java not found: PySpark 4 needs Java 17 (apt-get install openjdk-17-jre-headless)")
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'xxgk[corpus]')")
    from xxgk.corpus.engines import spark_session

    session = spark_session("local[2]", app_name="xxgk-corpus-tests")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark_gen")
    opts = Options(seed=5, shard_groups=20, duplicate_rate=0.08, mix={"pipes": 3, "markdown": 2, "html": 3, "md": 2,
                                                                     "cell_per_line": 2, "xlsx": 1})  # fmt: skip
    generate_corpus(root, 240, seed=5, workers=2, options=opts, zip_shards=2)
    (root / "docs" / "broken.pdf").write_bytes(b"%PDF-1.5 truncated")
    return root


@pytest.fixture(scope="module")
def reference(small_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local pool's output on the small corpus."""
    out = tmp_path_factory.mktemp("pool_ref")
    sources = [str(small_corpus / "docs"), str(small_corpus / "mirrors")]
    summary = ingest(sources, out, IngestOptions(engine="pool", workers=2, agencies=small_corpus / "agencies.csv"))
    assert summary.failed == 1  # broken.pdf
    return out


def _digests(out: Path) -> dict[str, str]:
    return {t: hashlib.sha256((out / f"{t}.parquet").read_bytes()).hexdigest() for t in FINAL_TABLES}


def test_pool_and_spark_give_identical_parquet(spark: Any, small_corpus: Path, reference: Path, tmp_path: Path) -> None:
    sources = [str(small_corpus / "docs"), str(small_corpus / "mirrors")]
    agencies = small_corpus / "agencies.csv"
    on_spark = ingest(sources, tmp_path / "spark", IngestOptions(engine="spark", agencies=agencies), spark=spark)
    assert on_spark.engine == "spark" and on_spark.workers == 2 and on_spark.failed == 1
    for table in FINAL_TABLES:
        a = pq.read_table(reference / f"{table}.parquet")
        b = pq.read_table(tmp_path / "spark" / f"{table}.parquet")
        assert a.num_rows == b.num_rows and a.equals(b), table
    assert _digests(reference) == _digests(tmp_path / "spark")
    result = verify(tmp_path / "spark", small_corpus)
    assert result["value_mismatches"] == 0 and result["missing_reports"] == 0 and result["failed_documents"] == 1


def test_spark_resumes_what_the_pool_started(spark: Any, small_corpus: Path, reference: Path, tmp_path: Path) -> None:
    sources = [str(small_corpus / "docs"), str(small_corpus / "mirrors")]
    out = tmp_path / "mixed"
    opts = IngestOptions(engine="pool", workers=2, limit=100, batch_size=20, agencies=small_corpus / "agencies.csv")
    first = ingest(sources, out, opts)
    assert first.processed == 100
    second = ingest(sources, out, IngestOptions(engine="spark"), spark=spark)  # agencies.csv kept from run 1
    assert second.skipped >= 100 and second.processed > 0
    assert _digests(out) == _digests(reference)


def test_cluster_job_reads_on_the_executors_and_finalizes_the_same(
    spark: Any, small_corpus: Path, reference: Path, tmp_path: Path
) -> None:
    from xxgk.corpus.spark_job import run
    from xxgk.corpus.store import finalize

    out = tmp_path / "cluster"
    uris = [(small_corpus / "docs").as_uri(), (small_corpus / "mirrors").as_uri()]
    counts = run(spark, uris, out.as_uri(), partitions=4)
    assert counts["documents"] > 200
    again = run(spark, uris, out.as_uri())  # resume: everything is done
    assert again["documents"] == 0
    finalize(out, agencies=small_corpus / "agencies.csv")
    for table in ("values", "extra", "findings"):
        assert _digests(out)[table] == _digests(reference)[table], table
    keep = ["report_id", "hash", "agency", "year", "format", "region", "level", "n_values", "n_findings"]
    a = pq.read_table(reference / "reports.parquet").select(keep)
    b = pq.read_table(out / "reports.parquet").select(keep)
    assert a.equals(b)
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert any("!/" in d["source"] for d in docs)  # zip members expanded on the executors
