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

``--mix``: the corpus is a real-looking mix of kinds written by ``bench/corpus_mix.py`` (HTML pages, crawled
texts, text-layer PDFs from three producers with byte-level variants, DOCX, scans; ``--reports`` documents).
After the runs (``--verify``: exact reports per kind against its ``truth.jsonl``), each kind is timed in this
process on ``--sample`` documents: ``process_one`` (read + parse + audit, what every engine runs) next to the
kind's bare-reader floor (selectolax for HTML, pypdfium2 text + every char box for PDFs, python-docx load for
DOCX, a decode for text), as docs/s on one core and ms/page, with the mix's weighted cost.

    .venv/bin/python bench/corpus_bench.py --mix --corpus /tmp/mix2k --reports 2000 \
        --run pool:2 --run pool:2 --verify --json mix2k.json     # 2 000 mixed documents, per-kind table
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
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


def run_ingest(
    corpus: Path, out: Path, engine: str, workers: int, limit: int | None, *, mix: bool = False
) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    sources = [corpus / "docs"] if mix else [corpus / "docs", corpus / "mirrors", "--agencies", corpus / "agencies.csv"]
    cmd = [sys.executable, "-m", "xxgk", "corpus", "ingest", *map(str, sources), "--out", str(out), "--engine", engine,
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


# --------------------------------------------------------------------------------------------------- per kind


def _pdf_floor(data: bytes) -> int:
    from pdf_bench import floor

    return floor(data)


def _html_floor(data: bytes) -> int:
    from selectolax.lexbor import LexborHTMLParser

    LexborHTMLParser(data).text()
    return 0


def _docx_floor(data: bytes) -> int:
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        _ = paragraph.text
    return 0


def _text_floor(data: bytes) -> int:
    data.decode("utf-8")
    return 0


FLOORS = {"html": _html_floor, "text": _text_floor, "pdf": _pdf_floor, "docx": _docx_floor, "scan": _pdf_floor}
FLOOR_NAMES = {
    "html": "selectolax (lexbor) parse + text",
    "text": "UTF-8 decode",
    "pdf": "pypdfium2: every page's text + every char box",
    "docx": "python-docx load + paragraph texts",
    "scan": "pypdfium2: text + char boxes (no OCR: an empty text layer)",
}


def _median_ms(fn: object, data: bytes, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(data)  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def per_kind(corpus: Path, sample: int, repeat: int, seed: int) -> list[dict[str, object]]:
    """In this process, on ``sample`` documents of each kind (PDFs: of each producer, variants included):
    ``process_one`` (read + parse + audit + fingerprint, what every engine runs per document) against the
    kind's bare-reader floor, each the median of ``repeat`` runs; scans (OCR) once."""
    import pypdfium2 as pdfium
    from corpus_mix import load_truth

    from xxgk.corpus.pipeline import process_one

    rng = random.Random(seed)
    groups: dict[str, list[dict[str, object]]] = {}
    for t in load_truth(corpus):
        group = f"pdf:{'variant' if t['variant'] else t['producer']}" if t["kind"] == "pdf" else t["kind"]
        groups.setdefault(group, []).append(t)
    rows = []
    for group in sorted(groups, key=lambda g: (g.split(":")[0] not in ("html", "text"), g)):
        kind = group.split(":")[0]
        docs = rng.sample(groups[group], min(len(groups[group]), max(2, sample // 4) if kind == "scan" else sample))
        reps = 1 if kind == "scan" else repeat
        ours = floor = 0.0
        pages = 0
        ok = 0
        for t in docs:
            data = (corpus / str(t["file"])).read_bytes()
            meta = {"source": str(t["file"]), "timeout": 0}
            if kind in ("pdf", "scan"):
                pdf = pdfium.PdfDocument(data)
                pages += len(pdf)
                pdf.close()
            process_one(data, meta)  # warm: imports, caches
            ms, rec = _median_ms(lambda d, m=meta: process_one(d, m), data, reps)  # type: ignore[misc]
            ok += rec["status"] == "ok"  # type: ignore[index]
            ours += ms
            floor += _median_ms(FLOORS[kind], data, max(reps, 3))[0]
        n = len(docs)
        rows.append({
            "kind": group, "documents": len(groups[group]), "sampled": n, "ok": ok,
            "pages_per_doc": round(pages / n, 1) if pages else None,
            "ms_per_doc": round(ours / n, 2), "docs_per_s_1core": round(1000 * n / ours, 1),
            "ms_per_page": round(ours / pages, 2) if pages else None,
            "floor_ms_per_doc": round(floor / n, 3), "floor_ms_per_page": round(floor / pages, 3) if pages else None,
            "ratio": round(ours / floor, 1) if floor else None, "floor": FLOOR_NAMES[kind],
        })  # fmt: skip
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def _aggregate(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per kind (its groups weighted by their number of documents in the corpus) and for the whole mix."""
    out = []
    for kind in [*dict.fromkeys(str(r["kind"]).split(":")[0] for r in rows), "mix", "mix without scans"]:
        members = [r for r in rows if str(r["kind"]).split(":")[0] == kind or kind == "mix"
                   or (kind == "mix without scans" and r["kind"] != "scan")]  # fmt: skip
        w = [float(r["documents"]) for r in members]  # type: ignore[arg-type]
        ms = sum(x * float(r["ms_per_doc"]) for x, r in zip(w, members, strict=True)) / sum(w)  # type: ignore[arg-type]
        fl = sum(x * float(r["floor_ms_per_doc"]) for x, r in zip(w, members, strict=True)) / sum(w)  # type: ignore[arg-type]
        paged = [(x, float(str(r["pages_per_doc"]))) for x, r in zip(w, members, strict=True) if r["pages_per_doc"]]
        ppd = sum(x * p for x, p in paged) / sum(x for x, _ in paged) if paged and "mix" not in kind else 0.0
        out.append({"kind": kind, "documents": int(sum(w)), "ms_per_doc": round(ms, 2),
                    "docs_per_s_1core": round(1000 / ms, 1), "ms_per_page": round(ms / ppd, 2) if ppd else None,
                    "floor_ms_per_doc": round(fl, 3), "floor_ms_per_page": round(fl / ppd, 3) if ppd else None,
                    "ratio": round(ms / fl, 1) if fl else None})  # fmt: skip
    return out


def _table(rows: list[dict[str, object]], keys: list[str] | None = None) -> str:
    keys = keys or list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join("" if r.get(k) is None else str(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="corpus folder (generated if missing)")
    parser.add_argument("--reports", type=int, default=10_000, help="reports (--mix: documents) to generate")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--run", action="append", default=None, help="engine:workers, repeatable (pool:2)")
    parser.add_argument("--limit", type=int, default=None, help="process only the first N documents")
    parser.add_argument("--out", type=Path, default=Path("/tmp/xxgk-corpus-bench"))
    parser.add_argument("--verify", action="store_true", help="check every value against the truth afterwards")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--mix", action="store_true", help="a real-looking mix of kinds (bench/corpus_mix.py)")
    parser.add_argument("--pdf-pool", type=int, default=120, help="--mix: distinct PDFs, the others are variants")
    parser.add_argument("--sample", type=int, default=20, help="--mix: documents per kind timed in-process (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="--mix: runs per sampled document (median)")
    args = parser.parse_args()
    if args.mix:
        mix_main(args)
        return
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
    print("\n" + _table(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


def mix_main(args: argparse.Namespace) -> None:
    """``--mix``: the corpus runs on a real-looking mix, then per-kind parse cost against the bare readers."""
    import corpus_mix

    if not (args.corpus / "summary.json").exists():
        summary = corpus_mix.write_mix(args.corpus, args.reports, args.seed, pdf_pool=args.pdf_pool)
        print(f"generated in {summary['seconds']:.0f} s")
    summary = json.loads((args.corpus / "summary.json").read_text(encoding="utf-8"))
    print(f"corpus: {summary['documents']} documents, {summary['kinds']}, {summary['pdf_producers']}, "
          f"{summary['pdf_pool']} distinct PDFs + {summary['pdf_variants']} variants, "
          f"{summary['bytes'] / 1e6:.0f} MB")  # fmt: skip
    results = []
    accuracy: dict[str, dict[str, object]] = {}
    for spec in args.run or ["pool:2"]:
        engine, _, workers = spec.partition(":")
        out = args.out / ("mix-" + spec.replace(":", "-"))
        result = run_ingest(args.corpus, out, engine, int(workers or 2), args.limit, mix=True)
        if args.verify:
            accuracy = corpus_mix.check(out, args.corpus)  # type: ignore[assignment]
            result["exact"] = f"{accuracy['all']['exact']}/{accuracy['all']['documents']}"
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    print("\n" + _table(results))
    if accuracy:
        print("\n" + _table([{"kind": k, **v} for k, v in accuracy.items()]))
    if args.sample <= 0:
        return
    print(f"\nper kind, in this process ({args.sample} documents per kind, median of {args.repeat} runs each):")
    rows = per_kind(args.corpus, args.sample, args.repeat, args.seed)
    print("\n" + _table(rows, [k for k in rows[0] if k != "floor"]))
    kinds = _aggregate(rows)
    print("\n" + _table(kinds))
    print("\nfloors: " + "; ".join(f"{k}: {v}" for k, v in FLOOR_NAMES.items()))
    mix_ms = {str(k["kind"]): float(str(k["ms_per_doc"])) for k in kinds}
    for r in results:
        cores = int(str(r["engine"]).split(":")[1])
        ideal = cores * 1000 / mix_ms["mix"]
        rate = float(str(r["docs_per_second"]))
        print(f"{r['engine']}: {rate} docs/s measured, {ideal:.1f} docs/s if {cores} cores parsed the mix at the "
              f"in-process cost ({rate / ideal:.0%}); 100 000 documents of this mix: {100_000 / rate / 3600:.1f} h "
              f"of parse; without the scans, by the in-process cost: "
              f"{100_000 * mix_ms['mix without scans'] / 1000 / cores / 3600:.2f} h")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"corpus": summary, "runs": results, "accuracy": accuracy,
                                         "per_group": rows, "per_kind": kinds}, ensure_ascii=False, indent=1),
                             encoding="utf-8")  # fmt: skip


if __name__ == "__main__":
    main()
