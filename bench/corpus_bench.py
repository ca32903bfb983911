"""Corpus ingest throughput and memory: local process pool versus Spark local[N], 1 versus 2 workers.

Each run is ``xxgk corpus ingest`` in a subprocess on a synthetic corpus (generated with
``xxgk corpus generate`` if the folder does not exist), into a fresh output folder. Measured per run:
documents per second for reading + parsing + auditing + writing parts (``seconds`` in runs.jsonl), the
finalize time (dedupe, cross-report audit, final Parquet, DuckDB), and the peak resident memory of the whole
process tree (driver, pool workers or the Spark JVM and its Python workers), sampled every 0.2 s from /proc.
The acceptance check (every value exact) runs with ``--verify``.

    .venv/bin/python bench/corpus_bench.py --corpus /tmp/gen100k --reports 100000 \\
        --run pool:2 --run spark:2 --verify                      # the 100 000-report acceptance run
    .venv/bin/python bench/corpus_bench.py --corpus /tmp/gen100k --limit 10000 \\
        --run pool:1 --run pool:2 --run spark:1 --run spark:2    # scaling on the first 10 000 documents
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(children.get(pid, ()))
    return total


def run_ingest(corpus: Path, out: Path, engine: str, workers: int, limit: int | None) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "xxgk", "corpus", "ingest", str(corpus / "docs"), str(corpus / "mirrors"),
           "--agencies", str(corpus / "agencies.csv"), "--out", str(out), "--engine", engine,
           "--workers", str(workers), "--no-progress"]  # fmt: skip
    if limit:
        cmd += ["--limit", str(limit)]
    series: list[tuple[float, int]] = []
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            series.append((time.perf_counter() - start, tree_rss_kb(proc.pid)))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode not in (0,):
        print(output[-3000:], file=sys.stderr)
        raise SystemExit(f"ingest failed ({engine}:{workers}): exit {proc.returncode}")
    last = json.loads((out / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    processed = int(last["processed"])
    # The parse phase ends ``seconds`` after the command started (plus its ~1 s of imports); finalize follows.
    parse_end = wall - float(last["finalize_seconds"]) - 0.5
    parse_peak = max((kb for t, kb in series if t <= parse_end), default=0)
    final_peak = max((kb for t, kb in series if t > parse_end), default=0)
    return {
        "engine": f"{engine}:{workers}",
        "documents": processed,
        "failed": int(last["failed"]),
        "parse_seconds": round(float(last["seconds"]), 1),
        "docs_per_second": round(processed / float(last["seconds"]), 1),
        "finalize_seconds": round(float(last["finalize_seconds"]), 1),
        "wall_seconds": round(wall, 1),
        "peak_rss_mb_parse": round(parse_peak / 1024),
        "peak_rss_mb_finalize": round(final_peak / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="synthetic corpus folder (generated if missing)")
    parser.add_argument("--reports", type=int, default=10_000, help="reports to generate when --corpus is missing")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--run", action="append", default=None, help="engine:workers, repeatable (pool:2)")
    parser.add_argument("--limit", type=int, default=None, help="process only the first N documents")
    parser.add_argument("--out", type=Path, default=Path("/tmp/xxgk-corpus-bench"))
    parser.add_argument("--verify", action="store_true", help="check every value against the truth afterwards")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args()
    if not (args.corpus / "truth" / "summary.json").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xxgk", "corpus", "generate", str(args.corpus), "-n", str(args.reports),
                        "--seed", str(args.seed), "--zip-shards", "4"], check=True)  # fmt: skip
        print(f"generated in {time.perf_counter() - started:.0f} s")
    summary = json.loads((args.corpus / "truth" / "summary.json").read_text(encoding="utf-8"))
    print(f"corpus: {summary['reports']} reports, {summary['documents']} files, layouts {summary['layouts']}")
    results = []
    for spec in args.run or ["pool:2", "spark:2"]:
        engine, _, workers = spec.partition(":")
        out = args.out / spec.replace(":", "-")
        result = run_ingest(args.corpus, out, engine, int(workers or 2), args.limit)
        if args.verify:
            from xxgk.corpus.verify import verify

            check = verify(out, args.corpus)
            result["exact"] = check["exact"]
            result["value_mismatches"] = check["value_mismatches"]
            result["reports"] = check["ingested_reports"]
            result["truth_reports"] = check["truth_reports"]
        results.append(result)
        print(json.dumps(result, ensure_ascii=False))
    keys = list(results[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for r in results:
        print("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
