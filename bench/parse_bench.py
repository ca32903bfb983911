"""Parse+audit throughput on one core versus a baseline measured in the same run.

Baseline: read the file, NFKC-normalise, regex-scan its numbers (what any tool must at least do).
Floor: the baseline's work plus the text cut into line objects and pipe cells into token objects, the least any
Python parser of these reports pays. Measured: ``xxgk`` parse (reader, normalisation, tables, metadata) + the
full audit, per report.
The seeds (optionally with the text/HTML development corpus) are replicated to N reports and streamed one at a time,
so peak memory stays flat whatever N is.
Crawled: the texts ``shared/tools/crawled.py`` makes from the shared reports (page, tight, tight-lines), each parsed
beside its spaced twin, the shared report it was made from (a PDF's twin: the page rendered from its gold, which is
what crawled.py made the text from; the PDF's own time is mostly PDF reading), both in every repeat of the same run.
Converted: the texts ``shared/tools/converted.py`` makes (Markdown and text from HTML and PDF converters; about 30 s
to make), each parsed beside its HTML twin: the HTML page it was converted from, or for a PDF or a ``rendered-``
form the page rendered from its gold (``rendered-blanks``: with the blanks), as converted.py renders it; per form
the median times and the median converted/HTML ratio.

    .venv/bin/python bench/parse_bench.py --reports 2000 --repeat 5
    .venv/bin/python bench/parse_bench.py --reports 10000 --repeat 1      # memory check
    .venv/bin/python bench/parse_bench.py --reports 1000 --stages         # + where the time goes
    .venv/bin/python bench/parse_bench.py --crawled-repeat 9              # crawled texts: more repeats
    .venv/bin/python bench/parse_bench.py --converted-repeat 0            # without the converted texts
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


def crawled_pairs() -> list[tuple[str, bytes, str, bytes]]:
    """(crawled text name, text, spaced twin name, twin) for each text ``crawled.py`` makes from the shared reports."""
    from variants import shared_crawled  # (bench/ is on the path when a bench script runs)

    from xxgk.render import load_data, render

    sources = {p.stem: p for folder in ("seeds", "corpus/raw") for p in sorted((SHARED / folder).glob("*"))}
    pairs = []
    for name, data, gold in shared_crawled():
        source = sources[name.split(".")[0]]
        if source.suffix == ".pdf":
            spec = {k: gold[k] for k in ("format", "year", "agency", "values") if k in gold}
            pairs.append((name, data, f"{source.stem}.rendered.html", render(load_data(spec), "html", charts=False)))
        else:
            pairs.append((name, data, source.name, source.read_bytes()))
    return pairs


def twin_times(pairs: list[tuple[str, bytes, str, bytes]], repeat: int) -> list[tuple[float, float]]:
    """Median seconds to parse each crawled or converted text and its twin, timed one after the other in every
    repeat."""
    from xxgk.extract import parse_bytes

    clock = time.perf_counter
    runs: list[tuple[list[float], list[float]]] = [([], []) for _ in pairs]
    for _ in range(repeat + 1):  # the first round warms up and is not counted
        for (name, data, twin_name, twin), (mine, theirs) in zip(pairs, runs, strict=True):
            t0 = clock()
            parse_bytes(data, name)
            t1 = clock()
            parse_bytes(twin, twin_name)
            t2 = clock()
            mine.append(t1 - t0)
            theirs.append(t2 - t1)
    return [(statistics.median(mine[1:]), statistics.median(theirs[1:])) for mine, theirs in runs]


def print_crawled(repeat: int) -> None:
    pairs = crawled_pairs()
    times = twin_times(pairs, repeat)
    print(f"crawled texts (shared/tools/crawled.py) and their spaced twins, parse ms per report, median of {repeat}:")
    print(f"  {'crawled text':<38} {'ms':>8}  {'spaced twin':<30} {'ms':>7}  crawled/spaced")
    ratios: dict[str, list[float]] = {"page": [], "tight": [], "tight-lines": []}  # crawled.py's forms
    for (name, _, twin_name, _), (mine, theirs) in zip(pairs, times, strict=True):
        ratios.setdefault(name.split(".")[1], []).append(mine / theirs)
        print(f"  {name:<38} {mine * 1e3:8.1f}  {twin_name:<30} {theirs * 1e3:7.1f}  {mine / theirs:8.1f}×")
    rows = [f"{form} {statistics.median(r):.1f}× ({len(r)})" for form, r in ratios.items() if r]
    overall = statistics.median(r for form in ratios.values() for r in form)
    print("crawled/spaced, median: " + ", ".join(rows) + f"; overall {overall:.1f}× ({len(pairs)} reports)")


def converted_pairs() -> list[tuple[str, bytes, str, bytes]]:
    """(converted text name, text, HTML twin name, twin) for each text ``converted.py`` makes from the shared
    reports: an HTML source's own page, else the page rendered from the text's gold, as converted.py renders it."""
    from variants import converted_form, shared_converted  # (bench/ is on the path when a bench script runs)

    from xxgk.render import load_data, render

    sources = {p.stem: p for folder in ("seeds", "corpus/raw") for p in sorted((SHARED / folder).glob("*"))}
    rendered: dict[str, bytes] = {}
    pairs = []
    for name, data, gold in shared_converted():
        stem, form = name.split(".")[0], converted_form(name)
        source = sources[stem]
        kind = form.rpartition("-")[0]
        if source.suffix in (".html", ".htm") and not kind:
            pairs.append((name, data, source.name, source.read_bytes()))
            continue
        twin_name = f"{stem}.{kind or 'rendered'}.html"
        if twin_name not in rendered:
            spec = {k: gold[k] for k in ("format", "year", "agency", "values") if k in gold}
            rendered[twin_name] = render(load_data(spec), "html", charts=False)
        pairs.append((name, data, twin_name, rendered[twin_name]))
    return pairs


def print_converted(repeat: int) -> None:
    from variants import converted_form, converted_form_key

    pairs = converted_pairs()
    if not pairs:
        return
    times = twin_times(pairs, repeat)
    forms: dict[str, list[tuple[float, float]]] = {}
    for (name, _, _, _), pair in zip(pairs, times, strict=True):
        forms.setdefault(converted_form(name), []).append(pair)
    print(f"converted texts (shared/tools/converted.py) and their HTML twins, parse ms per report, median of {repeat}:")
    print(f"  {'converted form':<36} {'reports':>7} {'ms':>8} {'HTML ms':>8}  converted/HTML")
    for form in sorted(forms, key=converted_form_key):
        got = forms[form]
        mine, theirs = statistics.median(m for m, _ in got), statistics.median(t for _, t in got)
        ratio = statistics.median(m / t for m, t in got)
        print(f"  {form:<36} {len(got):7d} {mine * 1e3:8.1f} {theirs * 1e3:8.1f}  {ratio:8.2f}×")
    overall = statistics.median(m / t for m, t in times)
    print(f"converted/HTML, median: overall {overall:.2f}× ({len(pairs)} reports, {len(forms)} forms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--with-corpus", action="store_true", help="add the text/HTML development corpus")
    ap.add_argument("--stages", action="store_true", help="also time each step (µs per report)")
    ap.add_argument("--crawled-repeat", type=int, default=5, help="repeats of the crawled texts (0: leave them out)")
    ap.add_argument("--converted-repeat", type=int, default=5, help="repeats of the converted texts (0: leave out)")
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
    if args.crawled_repeat > 0:
        print_crawled(args.crawled_repeat)
    if args.converted_repeat > 0:
        print_converted(args.converted_repeat)


if __name__ == "__main__":
    main()
