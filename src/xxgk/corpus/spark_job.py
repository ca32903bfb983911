"""Cluster ingest: Spark reads the documents on the executors and writes the parts; ``finalize`` builds the rest.

For a corpus already on HDFS, S3 or another store every node can read, the driver should not read and ship
every byte (that is what ``xxgk corpus ingest --engine spark`` does, which suits a few hundred thousand
documents and any source, URLs included). Here the executors do everything::

    spark-submit --master yarn ... spark_job.py --input hdfs:///xxgk/raw --out hdfs:///xxgk/corpus

1. ``binaryFile`` lists and reads the input (recursively); zip archives are expanded on the executors;
2. every document is hashed (SHA-256); hashes already in ``<out>/parts/*/documents`` are dropped (resume),
   and one copy of each content is kept while every path is recorded in ``sources``;
3. ``mapPartitions(process_partition)``, the same per-document function as the local pool;
4. the rows are written as ``<out>/parts/spark-<run>/{values,extra,findings,sources,documents}/`` (Parquet,
   ``documents`` last, so a run without ``documents/_SUCCESS`` is incomplete and ignored).

Then, on one machine with the parts (a POSIX mount of the store, or ``hdfs dfs -get <out>/parts DIR/``),
``xxgk corpus finalize DIR`` deduplicates, runs the cross-report audit and writes the final tables and
``corpus.duckdb`` exactly as a local run does. See docs/corpus.md for the whole recipe.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from xxgk.corpus.pipeline import process_one

MAX_MEMBER = 200 * 1024 * 1024


def expand_file(path: str, content: bytes) -> Iterator[tuple[str, str, bytes]]:
    """(hash, source, bytes) of a file, or of each member of a zip archive."""
    if path.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as zf:
                for info in zf.infolist():
                    base = info.filename.rsplit("/", 1)[-1]
                    if info.is_dir() or not base or base.startswith(".") or info.file_size > MAX_MEMBER:
                        continue
                    data = zf.read(info)
                    yield hashlib.sha256(data).hexdigest(), f"{path}!/{info.filename}", data
            return
        except zipfile.BadZipFile:
            pass  # not really an archive: process it as a document (it will be recorded as unreadable)
    yield hashlib.sha256(content).hexdigest(), path, content


def _spark_type(arrow_type: Any) -> Any:
    import pyarrow as pa
    from pyspark.sql import types as T

    if pa.types.is_list(arrow_type):
        return T.ArrayType(_spark_type(arrow_type.value_type))
    return {
        pa.string(): T.StringType(),
        pa.int64(): T.LongType(),
        pa.int32(): T.IntegerType(),
        pa.float64(): T.DoubleType(),
    }[arrow_type]


def spark_schema(arrow_schema: Any) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in arrow_schema])


def _process(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield process_one(bytes(row["content"]), {"source": row["source"], "hash": row["hash"]})


def _table_rows(table: str) -> Any:
    from xxgk.corpus.store import _REPORT_FIELDS, SCHEMAS

    names = SCHEMAS[table].names

    def rows(rec: dict[str, Any]) -> list[tuple[Any, ...]]:
        if table == "documents":
            report = rec.get("report") or {}
            head = [rec.get(n) for n in ("hash", "source", "size", "kind", "status", "error", "fingerprint")]
            return [(*head, *(report.get(n) for n in _REPORT_FIELDS), rec.get("elapsed_ms"))]
        block = rec.get(table) or {}
        cols = [block.get(n, []) for n in names[1:]]
        return [(rec["hash"], *vals) for vals in zip(*cols, strict=True)]

    return rows


def run(spark: Any, inputs: Sequence[str], out: str, *, partitions: int | None = None) -> dict[str, Any]:
    """Ingest ``inputs`` (any Hadoop-readable URIs) into ``out``/parts/spark-<run>; returns counts."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from xxgk.corpus.store import SCHEMAS, TABLES

    run_id = "spark-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(list(inputs))
        .select("path", "content")
    )
    expanded_schema = T.StructType(
        [
            T.StructField("hash", T.StringType()),
            T.StructField("source", T.StringType()),
            T.StructField("content", T.BinaryType()),
        ]
    )
    docs = spark.createDataFrame(
        files.rdd.flatMap(lambda r: expand_file(r["path"], bytes(r["content"]))), expanded_schema
    )
    done = None
    for pattern in (f"{out}/parts/*/documents", f"{out}/parts/*.documents.parquet"):  # Spark runs, local batches
        try:
            part = spark.read.parquet(pattern).select("hash")
        except Exception:  # AnalysisException: no such files yet
            continue
        done = part if done is None else done.unionByName(part)
    if done is not None:
        docs = docs.join(done.where(F.col("hash").isNotNull()).distinct(), "hash", "left_anti")
    docs = docs.persist(StorageLevel.MEMORY_AND_DISK)
    sources = docs.select("hash", "source").distinct()
    unique = docs.dropDuplicates(["hash"])
    if partitions:
        unique = unique.repartition(partitions)
    records = unique.rdd.mapPartitions(_process).persist(StorageLevel.MEMORY_AND_DISK)
    base = f"{out}/parts/{run_id}"
    counts: dict[str, Any] = {"run": run_id}
    for table in TABLES:  # documents last: its _SUCCESS marks the run complete
        schema = spark_schema(SCHEMAS[table])
        if table == "sources":
            frame = spark.createDataFrame(sources.rdd.map(lambda r: (r["hash"], r["source"])), schema)
        else:
            frame = spark.createDataFrame(records.flatMap(_table_rows(table)), schema)
        frame.write.mode("overwrite").parquet(f"{base}/{table}")
    counts["documents"] = records.count()
    records.unpersist()
    docs.unpersist()
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="xxgk corpus ingest on a Spark cluster (executors read the input)")
    parser.add_argument(
        "--input", action="append", required=True, help="input URI (hdfs://, s3a://, file://); repeatable"
    )
    parser.add_argument("--out", required=True, help="output URI; parts go to <out>/parts/spark-<run>/")
    parser.add_argument("--partitions", type=int, default=None, help="partitions for parsing (default: as read)")
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("xxgk-corpus-ingest").getOrCreate()
    try:
        counts = run(spark, args.input, args.out, partitions=args.partitions)
    finally:
        spark.stop()
    print(f"已处理 {counts['documents']} 个新文档，分片写入 {args.out}/parts/{counts['run']}/；"
          f"请在汇总机器上运行 xxgk corpus finalize")  # fmt: skip


if __name__ == "__main__":
    main()
