"""Engines run :func:`xxgk.corpus.pipeline.process_partition` over a stream of ``(raw, meta)`` documents.

``LocalEngine`` is a process pool on this machine (all cores by default). It keeps a bounded number of
batches in flight, so memory stays flat however large the corpus is, and survives a worker that dies (a
crash in a native reader): the batches in flight are retried one document at a time and the document that
kills a worker again is returned as an error record.

``SparkEngine`` runs the same function on Apache Spark (``rdd.mapPartitions``): ``local[N]`` on this machine
or a cluster through its master URL. The driver reads the documents (any source: files, archives, URLs)
and ships them in chunks; two chunks are in flight so executors do not wait for the driver. For corpora
already on HDFS/S3, :mod:`xxgk.corpus.spark_job` reads them on the executors instead (spark-submit).

Both yield records in completion order; the store sorts, so the output is the same whatever the engine.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing import get_context
from typing import Any, Protocol

from xxgk.corpus.pipeline import Record, process_batch, process_partition

Item = tuple[bytes, dict[str, Any]]


class EngineError(RuntimeError):
    """The engine cannot start; the message is Chinese (user-facing)."""


class Engine(Protocol):
    name: str
    workers: int

    def map(self, items: Iterable[Item]) -> Iterator[Record]: ...

    def close(self) -> None: ...


def _crash_record(item: Item) -> Record:
    from xxgk.corpus.pipeline import _base, _fail

    rec = _base(item[0], item[1])
    _fail(rec, "解析进程意外退出（读取器崩溃），已跳过此文件")
    return rec


class LocalEngine:
    """A process pool on this machine."""

    name = "pool"

    def __init__(self, workers: int | None = None, chunk: int = 8, window: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk = max(1, chunk)
        self.window = window or self.workers * 3
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        # spawn: workers start clean (no threads or open connections inherited from the driver).
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
        return self._pool

    def map(self, items: Iterable[Item]) -> Iterator[Record]:
        pool = self._pool or self._new_pool()
        source = iter(items)
        inflight: dict[Future[list[Record]], list[Item]] = {}
        while True:
            while len(inflight) < self.window:
                batch = list(islice(source, self.chunk))
                if not batch:
                    break
                inflight[pool.submit(process_batch, batch)] = batch
            if not inflight:
                return
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            suspects: list[Item] = []
            for fut in done:
                batch = inflight.pop(fut)
                try:
                    yield from fut.result()
                except BrokenProcessPool:
                    suspects.extend(batch)
            if not suspects:
                continue
            # A worker died and took the pool with it: every batch in flight is suspect. Rerun them one
            # document at a time in a fresh pool; the document that kills a worker again is an error record.
            for batch in inflight.values():
                suspects.extend(batch)
            inflight.clear()
            pool = self._new_pool()
            for item in suspects:
                try:
                    yield from pool.submit(process_batch, [item]).result()
                except BrokenProcessPool:
                    yield _crash_record(item)
                    pool = self._new_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def spark_session(master: str | None = None, app_name: str = "xxgk-corpus", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for ``master`` (default ``local[*]``) with the Python of this process on the workers."""
    if not java_available():
        raise EngineError("未找到 Java（Spark 需要 Java 17）：请安装 openjdk-17-jre-headless 或设置 JAVA_HOME")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError("未安装 PySpark：pip install 'xxgk[corpus]'") from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if (master or "local").startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.appName(app_name).master(master or "local[*]")
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.python.worker.reuse": "true",
        "spark.log.level": "ERROR",
    }
    settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={_quiet_log4j()}"
    if (master or "local").startswith("local"):
        settings["spark.pyspark.python"] = sys.executable
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        raise EngineError(
            f"Spark 启动失败：{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_log4j() -> str:
    """A log4j2 configuration that keeps Spark's start-up chatter (INFO/WARN) off the user's terminal."""
    import tempfile

    path = os.path.join(tempfile.gettempdir(), "xxgk-spark-log4j2.properties")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_LOG4J)
    return path


class SparkEngine:
    """``rdd.mapPartitions(process_partition)`` on Spark, fed by the driver in chunks."""

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        spark: Any = None,
        chunk_docs: int = 2000,
        chunk_bytes: int = 128 * 1024 * 1024,
        docs_per_partition: int = 64,
    ) -> None:
        self._own = spark is None
        self.spark = spark if spark is not None else spark_session(master)
        self.sc = self.spark.sparkContext
        self.workers = int(self.sc.defaultParallelism)
        self.chunk_docs = chunk_docs
        self.chunk_bytes = chunk_bytes
        self.docs_per_partition = docs_per_partition

    def _run(self, chunk: list[Item]) -> list[Record]:
        slices = max(1, min(len(chunk), max(self.workers * 2, len(chunk) // self.docs_per_partition)))
        result: list[Record] = self.sc.parallelize(chunk, slices).mapPartitions(process_partition).collect()
        return result

    def _chunks(self, items: Iterable[Item]) -> Iterator[list[Item]]:
        chunk: list[Item] = []
        size = 0
        for item in items:
            chunk.append(item)
            size += len(item[0])
            if len(chunk) >= self.chunk_docs or size >= self.chunk_bytes:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk

    def map(self, items: Iterable[Item]) -> Iterator[Record]:
        pending: list[Future[list[Record]]] = []
        with ThreadPoolExecutor(max_workers=2) as jobs:
            for chunk in self._chunks(items):
                pending.append(jobs.submit(self._run, chunk))
                while len(pending) >= 2:
                    yield from pending.pop(0).result()
            while pending:
                yield from pending.pop(0).result()

    def close(self) -> None:
        if self._own:
            self.spark.stop()


def make_engine(name: str, workers: int | None = None, master: str | None = None, spark: Any = None) -> Engine:
    if name == "pool":
        return LocalEngine(workers)
    if name == "spark":
        if master is None and workers:
            master = f"local[{workers}]"
        return SparkEngine(master=master, spark=spark)
    raise EngineError(f"未知的引擎“{name}”；可选：pool、spark")
