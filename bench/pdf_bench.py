"""Text-layer PDFs: read + parse time per page against the bare PDFium floor on the same pages (not a test).

The floor is what any reader must pay: pypdfium2 opening the file, and for every page its text and every
character's box. xxgk's time is the whole parse (reader, layout, tables, extraction). Inputs: the development
corpus's PDFs (../shared/corpus/raw) and sample reports rendered to PDF by xxgk (2021 and 2019 formats), each
timed as the median of ``--repeat`` runs, all in one process so the ratio is measured under the same load.

    .venv/bin/python bench/pdf_bench.py
    .venv/bin/python bench/pdf_bench.py --rendered 6 --repeat 7
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from random import Random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.extract import parse_bytes
from xxgk.render import render
from xxgk.render.sample import sample_report

SHARED = Path(__file__).resolve().parents[2] / "shared"


def floor(data: bytes) -> int:
    """pypdfium2 alone: every page's text and every character's box. Returns the page count."""
    pdf = pdfium.PdfDocument(data)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
    pages = len(pdf)
    for i in range(pages):
        page = pdf[i]
        textpage = page.get_textpage()
        textpage.get_text_range()
        for k in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
            pdfium_c.FPDFText_GetCharBox(textpage.raw, k, *refs)
        textpage.close()
        page.close()
    pdf.close()
    return pages


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rendered", type=int, default=4, help="sample reports rendered to PDF")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    corpus = sorted((SHARED / "corpus" / "raw").glob("*.pdf"))
    inputs: list[tuple[str, bytes]] = [(p.name, p.read_bytes()) for p in corpus]
    rnd = Random(7)
    for k in range(a.rendered):
        report = sample_report("2021" if k % 2 == 0 else "2019", rnd)
        inputs.append((f"rendered-{report.format}-{k}.pdf", render(report, "pdf", charts=False)))
    print(f"{'file':28s} {'pages':>5s} {'floor ms/page':>14s} {'xxgk ms/page':>13s} {'ratio':>7s}")
    ratios = []
    for name, data in inputs:
        pages = floor(data)
        parse_bytes(data, name)  # (warm: imports, caches)
        base = median_ms(lambda data=data: floor(data), a.repeat) / pages
        ours = median_ms(lambda data=data, name=name: parse_bytes(data, name), a.repeat) / pages
        ratios.append(ours / base)
        print(f"{name:28s} {pages:5d} {base:14.2f} {ours:13.2f} {ours / base:6.1f}×")
    print(f"median ratio xxgk / floor: {statistics.median(ratios):.1f}× over {len(inputs)} PDFs")


if __name__ == "__main__":
    main()
