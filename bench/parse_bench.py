"""Parse+audit throughput on one core versus a baseline measured in the same run.

Baseline: read the file, NFKC-normalise, regex-scan its numbers (what any tool must at least do).
Floor: the baseline's work plus the text cut into line objects and pipe cells into token objects, the least any
Python parser of these reports pays. Measured: ``xxgk`` parse (reader, normalisation, tables, metadata) + the
full audit, per report.
The seeds (optionally with the text/HTML development corpus) are replicated to N reports and streamed one at a time,
so peak memory stays flat whatever N is.

    .venv/bin/python bench/parse_bench.py --reports 2000 --repeat 5
    .venv/bin/python bench/parse_bench.py --reports 10000 --repeat 1      # memory check
    .venv/bin/python bench/parse_bench.py --reports 1000 --stages         # + where the time goes
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def inputs(with_corpus: bool = False) -> list[tuple[str, bytes]]:
    files = sorted((SHARED / "seeds").glob("*.txt"))
    if with_corpus:
        files += [p for p in sorted((SHARED / "corpus" / "raw").glob("*")) if p.suffix in (".txt", ".html")]
    if not files:
        sys.exit("../shared/seeds not found")
    return [(p.name, p.read_bytes()) for p in files]


def stream(docs: list[tuple[str, bytes]], n: int) -> Iterator[tuple[str, bytes]]:
    for i in range(n):
        yield docs[i % len(docs)]


def baseline(docs: list[tuple[str, bytes]], n: int) -> float:
    start = time.perf_counter()
    count = 0
    for _, data in stream(docs, n):
        text = unicodedata.normalize("NFKC", data.decode("utf-8", errors="replace"))
        count += len(_NUMBERS.findall(text))
    return n / (time.perf_counter() - start)


@dataclass(slots=True)
class _Piece:
    kind: int
    text: str
    start: int
    end: int


def floor(docs: list[tuple[str, bytes]], n: int) -> float:
    """What any Python parser pays at least: the baseline's work, then the text cut into line objects and each
    pipe-separated cell into a token object (no format, labels, relations or audit)."""
    start = time.perf_counter()
    for _, data in stream(docs, n):
        text = unicodedata.normalize("NFKC", data.decode("utf-8", errors="replace"))
        lines, tokens, pos = [], [], 0
        for line in text.split("\n"):
            if line and not line.isspace():
                lines.append(_Piece(0, line, pos, pos + len(line)))
            pos += len(line) + 1
        for piece in lines:
            if "|" in piece.text:
                at = piece.start
                for cell in piece.text.split("|"):
                    tokens.append(_Piece(1 if cell.strip().isdigit() else 0, cell.strip(), at, at + len(cell)))
                    at += len(cell) + 1
            else:
                tokens.append(_Piece(2, piece.text, piece.start, piece.end))
    return n / (time.perf_counter() - start)


def xxgk(docs: list[tuple[str, bytes]], n: int) -> float:
    from xxgk.audit import audit
    from xxgk.extract import parse_bytes

    start = time.perf_counter()
    for name, data in stream(docs, n):
        audit(parse_bytes(data, name))
    return n / (time.perf_counter() - start)


def stages(docs: list[tuple[str, bytes]], n: int) -> dict[str, float]:
    """Microseconds per report in each step of parse + audit (the steps ``parse_bytes`` and ``audit`` run)."""
    from xxgk.audit import audit
    from xxgk.extract import parse_document
    from xxgk.extract.metadata import detect
    from xxgk.extract.sections import find_sections
    from xxgk.extract.tables import reader_for
    from xxgk.extract.tokens import tokenize
    from xxgk.ingest import read_bytes

    spent = dict.fromkeys(("read", "metadata", "tokens", "tables", "sections", "audit"), 0.0)
    clock = time.perf_counter
    for name, data in stream(docs, n):
        t0 = clock()
        doc = read_bytes(data, name)
        t1 = clock()
        meta = detect(doc)
        t2 = clock()
        tokens = tokenize(doc)
        t3 = clock()
        reader_for(meta.format.id).read(tokens)
        t4 = clock()
        find_sections(doc, meta.format)
        t5 = clock()
        report = parse_document(doc)  # (again, whole, for the audit)
        t6 = clock()
        audit(report)
        t7 = clock()
        for step, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t7 - t6), strict=True):
            spent[step] += took
    return {step: total / n * 1e6 for step, total in spent.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--with-corpus", action="store_true", help="add the text/HTML development corpus")
    ap.add_argument("--stages", action="store_true", help="also time each step (µs per report)")
    args = ap.parse_args()
    docs = inputs(args.with_corpus)
    xxgk(docs, len(docs) * 2)  # warm-up: imports, caches, format loading
    base_rates, floor_rates, rates = [], [], []
    for _ in range(args.repeat):
        base_rates.append(baseline(docs, args.reports))
        floor_rates.append(floor(docs, args.reports))
        rates.append(xxgk(docs, args.reports))
    b, f, x = statistics.median(base_rates), statistics.median(floor_rates), statistics.median(rates)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs: {len(docs)} distinct reports replicated to {args.reports}, {args.repeat} runs, one core")
    print(f"baseline (read + NFKC + number regex): median {b:,.0f} reports/s")
    print(f"floor (+ lines and cells as objects):  median {f:,.0f} reports/s  ({f / b:.1%} of baseline)")
    print(f"xxgk parse + audit:                    median {x:,.0f} reports/s  ({x / b:.1%} of baseline)")
    print(f"peak RSS: {peak_mb:.0f} MB")
    if args.stages:
        runs = [stages(docs, args.reports) for _ in range(args.repeat)]
        print(
            "µs per report, median: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.0f}" for k in runs[0])
        )


if __name__ == "__main__":
    main()
