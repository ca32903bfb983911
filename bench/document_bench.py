"""Documents both ways (not a test): render time per report for each output, read time per page for each reader,
and OCR cell accuracy on rendered scans.

Render: consistent sample reports (2021 and 2019 formats, narrative included, charts on) rendered to every output;
the median seconds per report is given for each, next to a baseline measured in the same run (the report
serialised to JSON, the cheapest possible "output"). Read: the rendered PDFs and DOCX files parsed back (reader +
extraction), with seconds per page; OCR: each PDF rasterised by pdftoppm at 150 dpi, the pages put into an
image-only PDF and parsed through the OCR reader, with the share of cells that come back exactly.

    .venv/bin/python bench/document_bench.py --reports 6
    .venv/bin/python bench/document_bench.py --reports 3 --ocr 2 --json /tmp/document_bench.json
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

from xxgk.extract import parse_bytes
from xxgk.extract.report import Report
from xxgk.render import OUTPUTS, render
from xxgk.render.sample import sample_report


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def pdf_pages(data: bytes) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def docx_pages(data: bytes) -> int:
    """Pages of a DOCX as LibreOffice lays it out (its PDF export), or 0 where soffice is missing."""
    if shutil.which("soffice") is None:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "r.docx").write_bytes(data)
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(work / "r.docx")],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        return pdf_pages((work / "r.pdf").read_bytes())


def accuracy(truth: Report, parsed: Report) -> tuple[int, int]:
    right = sum(1 for k, v in truth.values.items() if parsed.values.get(k, "<absent>") == v)
    return right, len(truth.values)


def scan_of(pdf: bytes, dpi: int = 150, angle: float = 0.0, noise: float = 0.0, seed: int = 0) -> tuple[bytes, int]:
    """The PDF rasterised at ``dpi`` (pdftoppm), each page turned by ``angle`` degrees (a sheet laid on the
    scanner askew) with Gaussian grey noise of standard deviation ``noise``, put back together as an image-only
    PDF."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "r.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(work / "r.pdf"), str(work / "page")], check=True)
        pages = [Image.open(p).convert("RGB") for p in sorted(work.glob("page*.png"))]
    if angle or noise:
        import numpy as np

        rng = np.random.default_rng(seed)
        turned = []
        for page in pages:
            grey = page.convert("L")
            if angle:
                grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
            pixels = np.asarray(grey, dtype=np.float32)
            if noise:
                pixels = pixels + rng.normal(0.0, noise, pixels.shape)
            turned.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB"))
        pages = turned
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue(), len(pages)


# Scans the way offices make them (--scans): askew by up to 3°, grey noise, low resolution.
SCANS = {
    "turned +0.5°": (150, 0.5, 0.0),
    "turned -1.5°, noise": (150, -1.5, 10.0),
    "turned +3°": (150, 3.0, 0.0),
    "100 dpi, turned -1°, noise": (100, -1.0, 8.0),
}


def wrong_figures(truth: Report, parsed: Report) -> int:
    """Cells read as a figure other than the truth (a null is not wrong)."""
    return sum(1 for k, v in truth.values.items() if parsed.values.get(k) not in (None, v))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=6, help="sample reports, alternating 2021 and 2019")
    ap.add_argument("--ocr", type=int, default=2, help="how many of them go through the OCR reader (slow)")
    ap.add_argument("--scans", action="store_true", help="also OCR askew, noisy and low-resolution scans (slow)")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args()

    reports = [sample_report(("2021", "2019")[i % 2], Random(100 + i)) for i in range(args.reports)]
    render(reports[0], "pdf")  # warm-up: fonts, templates, matplotlib

    charted = ("html", "docx", "pdf")
    render_s: dict[str, list[float]] = {kind: [] for kind in ("json-baseline", *OUTPUTS)}
    render_s.update({f"{kind}-no-charts": [] for kind in charted})
    rendered: list[dict[str, bytes]] = []
    for report in reports:
        seconds, _ = timed(lambda r=report: json.dumps(r.to_json(), ensure_ascii=False))
        render_s["json-baseline"].append(seconds)
        outputs: dict[str, bytes] = {}
        for kind in OUTPUTS:
            seconds, outputs[kind] = timed(lambda r=report, k=kind: render(r, k))
            render_s[kind].append(seconds)
        for kind in charted:
            seconds, _ = timed(lambda r=report, k=kind: render(r, k, charts=False))
            render_s[f"{kind}-no-charts"].append(seconds)
        rendered.append(outputs)

    read: dict[str, dict[str, float]] = {}
    exact: dict[str, list[int]] = {}
    for kind, pages_of in (("pdf", pdf_pages), ("docx", docx_pages)):
        per_page: list[float] = []
        right = total = 0
        for report, outputs in zip(reports, rendered, strict=True):
            seconds, parsed = timed(lambda o=outputs, k=kind: parse_bytes(o[k], f"r.{k}"))
            pages = pages_of(outputs[kind]) or 1
            per_page.append(seconds / pages)
            r, t = accuracy(report, parsed)
            right, total = right + r, total + t
        read[kind] = {"median_s_per_page": statistics.median(per_page)}
        exact[kind] = [right, total]

    if args.ocr and shutil.which("pdftoppm"):
        per_page = []
        right = total = 0
        for report, outputs in list(zip(reports, rendered, strict=True))[: args.ocr]:
            scan, pages = scan_of(outputs["pdf"])
            seconds, parsed = timed(lambda s=scan: parse_bytes(s, "scan.pdf"))
            per_page.append(seconds / pages)
            r, t = accuracy(report, parsed)
            right, total = right + r, total + t
        read["ocr"] = {"median_s_per_page": statistics.median(per_page)}
        exact["ocr"] = [right, total]
        if args.scans:
            for name, (dpi, angle, noise) in SCANS.items():
                per_page, right, total, wrong = [], 0, 0, 0
                for i, (report, outputs) in enumerate(list(zip(reports, rendered, strict=True))[: args.ocr]):
                    scan, pages = scan_of(outputs["pdf"], dpi, angle, noise, seed=i)
                    seconds, parsed = timed(lambda s=scan: parse_bytes(s, "scan.pdf"))
                    per_page.append(seconds / pages)
                    r, t = accuracy(report, parsed)
                    right, total, wrong = right + r, total + t, wrong + wrong_figures(report, parsed)
                read[f"ocr {name}"] = {"median_s_per_page": statistics.median(per_page), "wrong_figures": wrong}
                exact[f"ocr {name}"] = [right, total]

    results = {
        "reports": args.reports,
        "render_median_s": {k: statistics.median(v) for k, v in render_s.items()},
        "read": read,
        "cells_back_exactly": exact,
    }
    base = results["render_median_s"]["json-baseline"]
    print(f"{args.reports} sample reports (2021/2019, narrative, charts on)")
    print("render, median per report:")
    for kind, seconds in results["render_median_s"].items():
        print(f"  {kind:16} {seconds * 1000:9.1f} ms   ({seconds / base:,.0f}× the JSON baseline)")
    print("read back, median per page (reader + extraction), cells back exactly:")
    for kind, row in read.items():
        r, t = exact[kind]
        wrong = f", {row['wrong_figures']} wrong figures" if "wrong_figures" in row else ""
        print(f"  {kind:16} {row['median_s_per_page'] * 1000:9.1f} ms/page   {r}/{t} = {r / t:.4f}{wrong}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
