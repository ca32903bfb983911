"""A mixed collection of annual reports that looks like a real crawl: HTML pages, crawled texts, PDFs, DOCX, scans.

The synthetic corpus (``xxgk corpus generate``) is mostly flattened text, with binary kinds rare so that
100 000 reports generate in minutes. A real national collection is not: about a third of the reports are PDFs
(printed by xxgk's renderer, by a browser, or converted from Word by LibreOffice), a third are portal pages, a
third are texts saved by crawlers, and a few are Word files and scans. This module writes such a mix:

========  =====  =====================================================================================
kind      share  how it is made
========  =====  =====================================================================================
html      30 %   ``render(report, "html")``; half of them inside a portal page (navigation, breadcrumbs,
                 footer, a script) as a government site serves them
text      30 %   the flattened layouts of real crawls (:data:`xxgk.corpus.synthetic.TEXT_LAYOUTS`, without
                 the ambiguous ``run_together``), all three formats (legacy years included)
pdf       33 %   a pool of distinct PDFs (``--pdf-pool``, default 120): xxgk's renderer (50 %), Chromium
                 printing the rendered HTML (30 %), LibreOffice converting the rendered DOCX (20 %); the
                 other PDFs are *variants* of a pool PDF: an incremental update appended to the file (a new
                 Info dictionary with another /Title and /ModDate, a new cross-reference section), so every
                 file has its own content hash and the corpus pipeline reads and parses each one
docx       6 %   ``render(report, "docx")``
scan       1 %   a rendered PDF rasterised with ``pdftoppm -r 100`` and saved back as an image-only PDF (PIL)
========  =====  =====================================================================================

De-duplication: the corpus pipeline skips a document only when its content hash (SHA-256 of the bytes) was
seen before; a PDF variant has other bytes, so it is read, parsed and audited like any other document. Its
values, agency and year are those of its pool PDF, so the *fingerprint* is the same and the final tables
keep one report per pool PDF (``reports.n_documents`` counts the variants): the throughput figures count
documents parsed, the report counts after de-duplication are smaller.

``DIR/truth.jsonl`` holds, per document, its kind, producer, the pool PDF it varies and the values it was
made from (a blank cell is ``null``); ``DIR/summary.json`` the counts. :func:`check` compares an ingested
corpus with it, per kind.

    .venv/bin/python bench/corpus_mix.py /tmp/mix2k -n 2000 --seed 2026
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from io import BytesIO
from pathlib import Path
from random import Random
from typing import Any

KINDS = ("html", "text", "pdf", "docx", "scan")
DEFAULT_SHARES: dict[str, float] = {"html": 30, "text": 30, "pdf": 33, "docx": 6, "scan": 1}
PDF_PRODUCERS: dict[str, float] = {"xxgk": 0.5, "chromium": 0.3, "soffice": 0.2}
EXT = {"html": ".html", "text": ".txt", "pdf": ".pdf", "docx": ".docx", "scan": ".pdf"}
CHROMIUM = "/usr/bin/chromium"

_PROVINCES = ("河北省", "山西省", "辽宁省", "吉林省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
              "河南省", "湖北省", "湖南省", "广东省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省")  # fmt: skip
_SYLLABLES = "安白宝昌长成丰福广和华嘉建金锦康乐临龙明南宁平庆清荣瑞山盛顺泰通文武西祥新兴阳永云正中"
_DEPARTMENTS = ("人民政府", "民政局", "教育局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
                "交通运输局", "水利局", "农业农村局", "商务局", "卫生健康委员会", "应急管理局", "市场监督管理局",
                "人力资源和社会保障局", "公安局", "司法局", "审计局", "统计局", "医疗保障局")  # fmt: skip


# --------------------------------------------------------------------------------------------------- plan


def _counts(n: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Split ``n`` documents by ``shares`` (largest remainder, so the counts add up to ``n``)."""
    total = sum(shares.values())
    raw = {k: n * w / total for k, w in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


def plan(n: int, seed: int, shares: Mapping[str, float] | None = None, pdf_pool: int = 120) -> list[dict[str, Any]]:
    """One spec per document: id, kind, producer, agency, year, format, layout, blank rate, variant_of."""
    from xxgk.corpus.synthetic import TEXT_LAYOUTS

    rng = Random(seed)
    counts = _counts(n, shares or DEFAULT_SHARES)
    layouts = [lay for lay in TEXT_LAYOUTS if lay != "run_together"]
    used: set[str] = set()

    def agency() -> str:
        while True:
            name = (rng.choice(_PROVINCES) + rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + "市"
                    + ("".join(rng.choices(_SYLLABLES, k=2)) + rng.choice("县区") if rng.random() < 0.5 else "")
                    + rng.choice(_DEPARTMENTS))  # fmt: skip
            if name not in used:
                used.add(name)
                return name

    kinds = [k for k in KINDS for _ in range(counts.get(k, 0))]
    rng.shuffle(kinds)
    specs: list[dict[str, Any]] = []
    pool: list[dict[str, Any]] = []
    n_pool = min(pdf_pool, counts.get("pdf", 0))
    producers = [p for p, w in PDF_PRODUCERS.items() for _ in range(round(w * n_pool))][:n_pool]
    producers += ["xxgk"] * (n_pool - len(producers))
    rng.shuffle(producers)
    for i, kind in enumerate(kinds):
        spec: dict[str, Any] = {"id": f"d{i:07d}-{kind}", "kind": kind, "producer": None, "variant_of": None,
                                "layout": None, "blank_rate": 0.0, "seed": rng.getrandbits(48)}  # fmt: skip
        if kind == "pdf" and len(pool) >= n_pool:
            base = pool[rng.randrange(len(pool))]
            spec.update(producer="variant", variant_of=base["id"], agency=base["agency"], year=base["year"])
            specs.append(spec)
            continue
        rendered = kind != "text"
        spec["year"] = rng.randint(2019, 2024) if rendered else rng.randint(2012, 2024)
        spec["agency"] = agency()
        if kind == "text":
            spec["layout"] = rng.choice(layouts)
        elif kind == "html":
            spec["layout"] = "portal" if rng.random() < 0.5 else "bare"
        elif kind == "pdf":
            spec["producer"] = producers[len(pool)]
            pool.append(spec)
        elif kind == "scan":
            spec["producer"] = "pdftoppm"
        if kind in ("html", "text") and rng.random() < 0.05:
            spec["blank_rate"] = 0.1  # some cells left blank (a dash on the page, null in the truth)
        specs.append(spec)
    return specs


# --------------------------------------------------------------------------------------------------- making


def _report(spec: Mapping[str, Any]) -> Any:
    from xxgk.formats import format_for_year
    from xxgk.render.sample import sample_report

    fmt = format_for_year(int(spec["year"])).id
    report = sample_report(fmt, Random(spec["seed"]), year=int(spec["year"]), agency=str(spec["agency"]),
                           blank_rate=float(spec["blank_rate"]))  # fmt: skip
    report.published = date(int(spec["year"]) + 1, 1 + spec["seed"] % 3, 5 + spec["seed"] % 20)
    return report


_PORTAL_HEAD = (
    '<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/zwfw/">政务服务</a> | '
    '<a href="/hdjl/">互动交流</a> | <a href="/english/">English</a></div>\n'
    '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
    "政府信息公开年报</div>\n"
    '<div class="info">发布时间：{published} 来源：{agency} 浏览次数：<span id="hits">1024</span> '
    '字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>] '
    '<a href="javascript:window.print()">打印</a></div>\n'
)
_PORTAL_FOOT = (
    '\n<div class="share">分享到：微信 微博</div>\n<div class="related"><h4>相关链接</h4><ul>'
    '<li><a href="/a1">关于开展政务公开工作的通知</a></li><li><a href="/a2">政府信息公开指南</a></li></ul></div>\n'
    '<div class="footer">主办单位：{agency} 网站标识码：{code} 备案号：{icp} 政府网站找错</div>\n'
    '<script>var _hmt = _hmt || []; document.getElementById("hits").textContent = "1025";</script>\n'
)


def _portal(html: bytes, spec: Mapping[str, Any]) -> bytes:
    """The report's page inside a portal page: navigation, breadcrumbs, page info, related links, footer."""
    text = html.decode("utf-8")
    fields = {"agency": spec["agency"], "published": f"{int(spec['year']) + 1}-01-{5 + spec['seed'] % 20:02d}",
              "code": f"{spec['seed'] % 10**10:010d}", "icp": f"ICP备{spec['seed'] % 10**8:08d}号"}  # fmt: skip
    head, foot = _PORTAL_HEAD.format(**fields), _PORTAL_FOOT.format(**fields)
    text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + head, text, count=1)
    text = text.replace("</body>", foot + "</body>", 1)
    return text.encode("utf-8")


def _chromium_pdf(html: bytes, work: Path) -> bytes:
    src, out = work / "page.html", work / "page.pdf"
    src.write_bytes(html)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={work / 'profile'}", f"--print-to-pdf={out}", src.as_uri()],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    return out.read_bytes()


def _scan_pdf(pdf: bytes, work: Path, dpi: int = 100) -> bytes:
    """Rasterise every page (pdftoppm) and save the pages as an image-only PDF, as a scanner would."""
    from PIL import Image

    (work / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(work / "in.pdf"), str(work / "p")],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    pages = [Image.open(p).convert("L") for p in sorted(work.glob("p-*.png"))]
    buf = BytesIO()
    pages[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return buf.getvalue()


def make_document(spec: Mapping[str, Any], scan_dpi: int = 100) -> bytes:
    """The bytes of one non-variant document (a ``soffice`` PDF is returned as its DOCX, converted later)."""
    from xxgk.render import render
    from xxgk.render.flattened import flatten

    report = _report(spec)
    kind, producer = spec["kind"], spec["producer"]
    if kind == "text":
        return flatten(report, str(spec["layout"])).encode("utf-8")
    if kind == "html":
        html = render(report, "html", charts=False)
        return _portal(html, spec) if spec["layout"] == "portal" else html
    if kind == "docx" or producer == "soffice":
        return render(report, "docx", charts=False)
    with tempfile.TemporaryDirectory(prefix="xxgk-mix-") as tmp:
        if producer == "chromium":
            return _chromium_pdf(render(report, "html", charts=False), Path(tmp))
        pdf = render(report, "pdf", charts=False)
        return _scan_pdf(pdf, Path(tmp), scan_dpi) if kind == "scan" else pdf


def _make_task(args: tuple[dict[str, Any], int]) -> tuple[str, bytes]:
    spec, dpi = args
    return spec["id"], make_document(spec, dpi)


def soffice_pdfs(docx: Mapping[str, bytes]) -> dict[str, bytes]:
    """Convert DOCX files to PDF with one LibreOffice process (its own profile, so it runs beside others)."""
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        work = Path(tmp)
        for name, data in docx.items():
            (work / f"{name}.docx").write_bytes(data)
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work / "out"),
                        *(str(work / f"{name}.docx") for name in docx)],
                       check=True, capture_output=True, timeout=1800)  # fmt: skip
        return {name: (work / "out" / f"{name}.pdf").read_bytes() for name in docx}


# --------------------------------------------------------------------------------------------------- variants


def _pdf_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def pdf_variant(pdf: bytes, title: str, stamp: str) -> bytes:
    """``pdf`` with an incremental update appended: a new Info dictionary (/Title, /ModDate) and a new
    cross-reference section (a classic table, or an uncompressed cross-reference stream when the file uses
    streams), as an editor saving the file's properties would write it. The pages are untouched."""
    start = int(re.findall(rb"startxref\s+(\d+)", pdf[-2048:])[-1])
    xref_stream = not pdf[start : start + 4].startswith(b"xref")
    tail = pdf[start:]
    root = re.search(rb"/Root\s+(\d+\s+\d+)\s+R", tail)
    size = re.search(rb"/Size\s+(\d+)", tail)
    if root is None or size is None:
        raise ValueError("no /Root or /Size in the last trailer")
    n = int(size.group(1))
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    info_at = len(body)
    info = (f"{n} 0 obj\n<< /Title ".encode() + _pdf_string(title)
            + f" /ModDate (D:{stamp}+08'00') /Producer (xxgk corpus_mix) >>\nendobj\n".encode())  # fmt: skip
    xref_at = info_at + len(info)
    if xref_stream:
        entries = bytes([1]) + info_at.to_bytes(4, "big") + b"\x00\x00" + bytes([1]) + xref_at.to_bytes(4, "big")
        entries += b"\x00\x00"
        xref = (f"{n + 1} 0 obj\n<< /Type /XRef /Size {n + 2} /Index [{n} 2] /W [1 4 2] /Root ".encode()
                + root.group(1) + f" R /Info {n} 0 R /Prev {start} /Length {len(entries)} >>\nstream\n".encode()
                + entries + b"\nendstream\nendobj\n")  # fmt: skip
    else:
        xref = (f"xref\n{n} 1\n{info_at:010d} 00000 n \ntrailer\n<< /Size {n + 1} /Root ".encode() + root.group(1)
                + f" R /Info {n} 0 R /Prev {start} >>\n".encode())  # fmt: skip
    return body + info + xref + f"startxref\n{xref_at}\n%%EOF\n".encode()


def check_variant(original: bytes, variant: bytes, title: str) -> None:
    """The variant opens in PDFium with the original's pages and text and the new title (raises otherwise)."""
    import pypdfium2 as pdfium

    a, b = pdfium.PdfDocument(original), pdfium.PdfDocument(variant)
    try:
        if len(a) != len(b) or b.get_metadata_dict().get("Title") != title:
            raise ValueError(f"variant differs: pages {len(a)} → {len(b)}, title {b.get_metadata_dict()}")
        for i in range(len(a)):
            if a[i].get_textpage().get_text_range() != b[i].get_textpage().get_text_range():
                raise ValueError(f"variant page {i + 1} has other text")
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------------------------------- writing


def _path(spec: Mapping[str, Any]) -> str:
    return f"docs/{int(spec['id'][1:8]) // 1000:03d}/{spec['id']}{EXT[spec['kind']]}"


def write_mix(
    out: str | Path,
    n: int,
    seed: int = 2026,
    *,
    shares: Mapping[str, float] | None = None,
    pdf_pool: int = 120,
    workers: int | None = None,
    scan_dpi: int = 100,
) -> dict[str, Any]:
    """Write ``n`` documents under ``out/docs/`` with ``out/truth.jsonl`` and ``out/summary.json``."""
    from xxgk.formats import format_for_year

    started = time.perf_counter()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    specs = plan(n, seed, shares, pdf_pool)
    made: dict[str, bytes] = {}  # the PDF pool (and the DOCX for LibreOffice) stay in memory, the rest is written
    todo = [(s, scan_dpi) for s in specs if s["producer"] != "variant"]
    todo.sort(key=lambda t: t[0]["kind"] not in ("pdf", "scan"))  # slow ones first, for an even finish
    kinds_of = {s["id"]: s["kind"] for s in specs}
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for doc_id, data in pool.map(_make_task, todo, chunksize=4):
            if kinds_of[doc_id] == "pdf":
                made[doc_id] = data
            else:
                path = root / _path({"id": doc_id, "kind": kinds_of[doc_id]})
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    soffice = {s["id"]: made[s["id"]] for s in specs if s["producer"] == "soffice"}
    if soffice:
        made.update(soffice_pdfs(soffice))
    by_id = {s["id"]: s for s in specs}
    checked: set[str] = set()
    truth_values: dict[str, dict[str, float | None]] = {}
    with open(root / "truth.jsonl", "w", encoding="utf-8") as truth:
        for i, spec in enumerate(specs):
            base = by_id[spec["variant_of"]] if spec["variant_of"] else spec
            if spec["variant_of"]:
                title = f"{spec['agency']}{spec['year']}年政府信息公开工作年度报告（{i}）"
                stamp = f"{int(spec['year']) + 1}0{1 + i % 9}{10 + i % 18:02d}{i % 24:02d}{i % 60:02d}{i * 7 % 60:02d}"
                data = pdf_variant(made[base["id"]], title, stamp)
                if base["producer"] not in checked:  # one check per producer: opens, same pages, new title
                    check_variant(made[base["id"]], data, title)
                    checked.add(base["producer"])
            elif spec["kind"] == "pdf":
                data = made[spec["id"]]
            else:
                data = b""  # written above
            path = root / _path(spec)
            if data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            if base["id"] not in truth_values:
                values = _report(base).values
                truth_values[base["id"]] = {k: None if v is None else float(v) for k, v in values.items()}
            truth.write(json.dumps({
                "id": spec["id"], "file": _path(spec), "kind": spec["kind"], "producer": base["producer"],
                "variant": bool(spec["variant_of"]), "variant_of": spec["variant_of"], "layout": spec["layout"],
                "agency": spec["agency"], "year": spec["year"], "format": format_for_year(int(spec["year"])).id,
                "size": path.stat().st_size, "values": truth_values[base["id"]],
            }, ensure_ascii=False) + "\n")  # fmt: skip
    kinds = Counter(s["kind"] for s in specs)
    producers = Counter(
        f"pdf:{by_id[s['variant_of']]['producer'] if s['variant_of'] else s['producer']}"
        for s in specs
        if s["kind"] == "pdf"
    )
    summary = {
        "documents": len(specs),
        "seed": seed,
        "kinds": dict(sorted(kinds.items())),
        "pdf_producers": dict(sorted(producers.items())),
        "pdf_pool": sum(1 for s in specs if s["kind"] == "pdf" and not s["variant_of"]),
        "pdf_variants": sum(1 for s in specs if s["variant_of"]),
        "distinct_reports": len(specs) - sum(1 for s in specs if s["variant_of"]),
        "bytes": sum((root / _path(s)).stat().st_size for s in specs),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (root / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def load_truth(corpus: str | Path) -> list[dict[str, Any]]:
    with open(Path(corpus) / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


# --------------------------------------------------------------------------------------------------- check


def check(out: str | Path, corpus: str | Path) -> dict[str, dict[str, Any]]:
    """Per kind (and PDF producer): documents, parsed ok, reports whose every truth value came back exactly
    (a blank must come back blank), and the value mismatches, from an ingest's ``documents``/``values``."""
    import duckdb

    out = Path(out)
    con = duckdb.connect()
    docs = con.execute(f"SELECT source, status, report_id FROM '{out / 'documents.parquet'}'").fetchall()
    got: dict[str, dict[str, float | None]] = {}
    for report_id, key, value in con.execute(
        f"SELECT report_id, key, value FROM '{out / 'values.parquet'}'"
    ).fetchall():
        got.setdefault(report_id, {})[key] = value
    by_name = {Path(source).name: (status, report_id) for source, status, report_id in docs}
    table: dict[str, dict[str, Any]] = {}
    for t in load_truth(corpus):
        for group in (t["kind"], f"pdf:{t['producer']}" if t["kind"] == "pdf" else None, "all"):
            if group is None:
                continue
            row = table.setdefault(group, {"documents": 0, "ok": 0, "exact": 0, "value_mismatches": 0})
            row["documents"] += 1
            status, report_id = by_name.get(Path(t["file"]).name, ("missing", None))
            if status != "ok":
                continue
            row["ok"] += 1
            values = got.get(report_id, {})
            bad = sum(
                1
                for key, want in t["values"].items()
                if (values.get(key) is None) != (want is None) or (want is not None and abs(values[key] - want) > 1e-6)
            )
            row["value_mismatches"] += bad
            row["exact"] += bad == 0
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=2000, help="documents")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--pdf-pool", type=int, default=120, help="distinct PDFs; the others are variants of them")
    ap.add_argument("--shares", default=None, help="e.g. html=30,text=30,pdf=33,docx=6,scan=1")
    ap.add_argument("--scan-dpi", type=int, default=100)
    ap.add_argument("--workers", type=int, default=None)
    a = ap.parse_args()
    shares = {k: float(v) for k, v in (p.split("=") for p in a.shares.split(","))} if a.shares else None
    if a.out.exists():
        shutil.rmtree(a.out)
    summary = write_mix(a.out, a.n, a.seed, shares=shares, pdf_pool=a.pdf_pool, workers=a.workers, scan_dpi=a.scan_dpi)
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
