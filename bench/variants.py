"""Cell accuracy on the shared reports re-published the ways the real world re-publishes them (not a test).

Each variant is made at run time from ../shared (seeds and development corpus; nothing is copied into the
repository): other encodings and traditional characters, full-width characters, reports whose line breaks a
crawl lost, text scraped from the corpus web page (every element on a line; table rows with the empty cells
dropped), that page wrapped or re-encoded as HTML, the corpus PDFs through pdftotext and rasterised for OCR,
the page printed to PDF by LibreOffice. Every variant is parsed with ``xxgk`` and scored against the gold
values exactly as ``shared/tools/score.py`` scores (same cells, blank ≠ 0; a figure where gold has another figure
or a blank is a wrong figure).

Crawled forms: the texts ``shared/tools/crawled.py`` writes (page, tight, tight-lines), made by running that tool
into a temporary folder, and the same forms of the project's own sample reports (``sample_report``) made by the
tool's own functions, with the sample's values as gold.

Converted forms: the texts ``shared/tools/converted.py`` writes (``STEM.FORM.EXT``: Markdown from markdownify,
html2text, pandoc; text from inscriptis, lynx, pdftotext; ``rendered-`` and ``rendered-blanks-`` forms made from
the project's own rendering), made by running that tool into a temporary folder (about 30 s; its first run also
installs the Python converters into /tmp/xxgk-converters; a converter it cannot make is left out) and scored by
form. If the tool fails, the section is left out with a note.

    .venv/bin/python bench/variants.py                 # text and HTML variants, crawled and converted forms
    .venv/bin/python bench/variants.py --no-converted  # without the converted forms (seconds)
    .venv/bin/python bench/variants.py --slow          # + pdftotext, LibreOffice and OCR variants (minutes)
    .venv/bin/python bench/variants.py --generated 30  # 30 sample reports per format in the crawled forms
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from document_bench import scan_of  # (bench/ is on the path when a bench script runs)

from xxgk.extract import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CRAWLED = SHARED / "tools" / "crawled.py"
FORMS = ("page", "tight", "tight-lines")  # the crawled forms, as crawled.py names them
CONVERTED = SHARED / "tools" / "converted.py"
CONVERTED_SOURCES = ("", "rendered", "rendered-blanks")  # converted.py's form prefixes: the source converted

Variant = tuple[str, bytes, dict[str, Any]]  # file name, content, gold


def _gold() -> dict[str, dict[str, Any]]:
    out = {}
    for folder in (SHARED / "gold", SHARED / "corpus" / "gold"):
        for path in sorted(folder.glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))
            out[gold["file"]] = gold
    if not out:
        sys.exit("../shared/gold not found")
    return out


def _texts() -> list[Path]:
    return sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "raw").glob("*.txt"))


def _page() -> Path:
    return SHARED / "corpus" / "raw" / "kgc_04.html"


def text_variants(gold: dict[str, dict[str, Any]]) -> Iterator[tuple[str, list[Variant]]]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in _texts()]
    full_width = {ord(c): ord(c) + 0xFEE0 for c in "0123456789|"}
    yield "traditional, Big5", [(n, s2t.convert(t).encode("big5", errors="replace"), gold[n]) for n, t in texts]
    yield "traditional, UTF-8", [(n, s2t.convert(t).encode(), gold[n]) for n, t in texts]
    yield "GB18030", [(n, t.encode("gb18030"), gold[n]) for n, t in texts]
    yield "UTF-16", [(n, t.encode("utf-16"), gold[n]) for n, t in texts]
    yield "BOM + CRLF", [(n, b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(), gold[n]) for n, t in texts]
    yield "full-width digits and pipes", [(n, t.translate(full_width).encode(), gold[n]) for n, t in texts]
    yield "double line spacing", [(n, t.replace("\n", "\n\n").encode(), gold[n]) for n, t in texts]
    yield "whole report on one line", [(n, re.sub(r"\s*\n\s*", " ", t).encode(), gold[n]) for n, t in texts]
    yield "lines as <p> in a portal page", [
        (n.replace(".txt", ".html"), _portal("".join(f"<p>{line}</p>" for line in t.split("\n"))), gold[n])
        for n, t in texts
    ]
    yield "lines joined by <br>, GBK", [
        (n.replace(".txt", ".html"), _br_page(t).encode("gbk", errors="replace"), gold[n]) for n, t in texts
    ]


def _br_page(text: str) -> str:
    return "<html><body><div id=zoom>" + "<br>".join(text.split("\n")) + "</div></body></html>"


def _portal(body: str) -> bytes:
    return (
        '<html><head><meta charset="utf-8"><title>年报</title></head><body><div class="nav">首页 | 政务公开</div>'
        f'<div class="content">{body}</div><div class="footer">版权所有</div></body></html>'
    ).encode()


def page_variants(gold: dict[str, dict[str, Any]]) -> Iterator[tuple[str, list[Variant]]]:
    import opencc
    from selectolax.lexbor import LexborHTMLParser

    raw = _page().read_bytes()
    g = gold["kgc_04.html"]
    html = raw.decode("utf-8")
    tree = LexborHTMLParser(raw)
    for node in tree.css("script, style"):
        node.decompose()
    assert tree.body is not None
    yield "page text, every element on a line", [("kgc_04.txt", tree.body.text(separator="\n").encode(), g)]
    for label, sep, keep in (("one cell a line", "\n", True), ("tabs", "\t", True), (" | ", " | ", True),
                             ("spaces, empty cells dropped", " ", False),
                             ("one cell a line, empty cells dropped", "\n", False)):  # fmt: skip
        yield f"page tables scraped row by row ({label})", [("kgc_04.txt", _scrape(tree, sep, keep).encode(), g)]
    late = re.sub(r"<meta[^>]*charset[^>]*>", "", html, flags=re.I).replace(
        "<head>", "<head><script>" + "var x=1;" * 300 + '</script><meta charset="gbk">', 1
    )
    yield "page in GBK, charset declared after 2 KB", [("kgc_04.html", late.encode("gbk", "xmlcharrefreplace"), g)]
    side = "<td>" + "".join(f"<li>访问量 {i * 137} 次</li>" for i in range(1, 30)) + "</td>"
    framed = html.replace("<body", "<body><table><tr>" + side + "<td>", 1).replace("</body>", "</td></tr></table>")
    yield "page inside a layout table beside a sidebar of numbers", [("kgc_04.html", framed.encode(), g)]
    yield "page minified, upper-case table tags", [
        ("kgc_04.html", re.sub(r">\s+<", "><", html).replace("<td", "<TD").replace("</td>", "</TD>").encode(), g)
    ]
    yield "page in traditional characters", [("kgc_04.html", opencc.OpenCC("s2t").convert(html).encode(), g)]


def _scrape(tree: Any, sep: str, keep_blank: bool) -> str:
    lines: list[str] = []

    def walk(node: Any) -> None:
        for child in node.iter(include_text=False):
            if child.tag == "table":
                for tr in child.css("tr"):
                    cells = [td.text(deep=True).strip() for td in tr.css("td, th")]
                    cells = cells if keep_blank else [c for c in cells if c]
                    lines.extend([*cells, ""] if sep == "\n" else [sep.join(cells)])
            elif child.tag in ("p", "div", "h1", "h2", "h3", "span") and not child.css_first("table"):
                if text := child.text(deep=True).strip():
                    lines.append(text)
            else:
                walk(child)

    walk(tree.body)
    return "\n".join(lines)


def slow_variants(gold: dict[str, dict[str, Any]]) -> Iterator[tuple[str, list[Variant]]]:
    pdfs = sorted((SHARED / "corpus" / "raw").glob("*.pdf"))
    if shutil.which("pdftotext"):
        for mode in ("-layout", "-raw", None):
            out = []
            for p in pdfs:
                text = subprocess.run(["pdftotext", *([mode] if mode else []), str(p), "-"],
                                      capture_output=True, check=True).stdout  # fmt: skip
                out.append((p.stem + ".txt", text, gold[p.name]))
            yield f"corpus PDFs through pdftotext {mode or '(default reading order)'}", out
    if shutil.which("pdftoppm"):
        out = []
        for p in pdfs:
            out.append((p.name, scan_of(p.read_bytes())[0], gold[p.name]))
        yield "corpus PDFs rasterised at 150 dpi (OCR)", out
    if shutil.which("soffice"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", tmp, str(_page())],
                           check=True, capture_output=True, timeout=300)  # fmt: skip
            data = Path(tmp, "kgc_04.pdf").read_bytes()
        yield "page printed to PDF by LibreOffice", [("kgc_04.pdf", data, gold["kgc_04.html"])]


def _crawled_tool() -> ModuleType:
    """``shared/tools/crawled.py`` as a module (for its ``variants`` and ``pipe_table_variants``)."""
    spec = importlib.util.spec_from_file_location("crawled", CRAWLED)
    if spec is None or spec.loader is None:
        sys.exit(f"{CRAWLED} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_crawled() -> list[Variant]:
    """The shared reports as ``crawled.py`` writes them (``STEM.FORM.txt`` and its gold), made in a temporary folder."""
    if not CRAWLED.exists():
        sys.exit(f"{CRAWLED} not found")
    xxgk = _xxgk()
    if xxgk is None:
        sys.exit("no xxgk executable for crawled.py to render with")
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, str(CRAWLED), tmp, "--xxgk", xxgk], capture_output=True, text=True)
        sys.stderr.write(run.stderr)  # the reports it skipped
        if run.returncode != 0:
            sys.exit(f"crawled.py failed: {(run.stderr or run.stdout).strip()[-300:]}")
        out = Path(tmp)
        return [
            (p.name, p.read_bytes(), json.loads((out / "gold" / f"{p.stem}.json").read_text(encoding="utf-8")))
            for p in sorted((out / "raw").glob("*.txt"))
        ]


def _xxgk() -> str | None:
    """The ``xxgk`` executable the shared tools render with: the repository's venv, else the one on PATH."""
    venv = ROOT / ".venv" / "bin" / "xxgk"
    return str(venv) if venv.exists() else shutil.which("xxgk")


def shared_converted() -> list[Variant]:
    """The shared reports as ``converted.py`` leaves them (``STEM.FORM.EXT`` and its gold), made in a temporary
    folder; none, with a note, when the tool cannot run or makes nothing."""
    xxgk = _xxgk()
    if not CONVERTED.exists() or xxgk is None:
        print(f"note: converted forms left out: {CONVERTED if xxgk else 'an xxgk executable'} not found")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run = subprocess.run([sys.executable, str(CONVERTED), tmp, "--xxgk", xxgk],
                                 capture_output=True, text=True, timeout=1800)  # fmt: skip
        except (subprocess.SubprocessError, OSError) as e:
            print(f"note: converted forms left out: converted.py did not run ({e})")
            return []
        sys.stderr.write(run.stderr)  # the converters it skipped
        if run.returncode != 0:
            print(f"note: converted forms left out: converted.py failed: {(run.stderr or run.stdout).strip()[-300:]}")
            return []
        golds = (json.loads(p.read_text(encoding="utf-8")) for p in Path(tmp, "gold").glob("*.json"))
        gold = {g["file"]: g for g in golds}
        return [(p.name, p.read_bytes(), gold[p.name]) for p in sorted(Path(tmp, "raw").iterdir()) if p.name in gold]


def converted_form(name: str) -> str:
    """FORM of a ``converted.py`` file name ``STEM.FORM.EXT`` (``rendered-blanks-pdftotext_layout``)."""
    return name.rsplit(".", 2)[1]


def converted_form_key(form: str) -> tuple[int, str]:
    """Forms of the sources as published first, then rendered, then rendered with blanks; converters by name."""
    source, _, converter = form.rpartition("-")
    return (CONVERTED_SOURCES.index(source) if source in CONVERTED_SOURCES else len(CONVERTED_SOURCES), converter)


def converted_variants() -> Iterator[tuple[str, list[Variant]]]:
    """Each converted form of the shared reports."""
    made = shared_converted()
    for form in sorted({converted_form(v[0]) for v in made}, key=converted_form_key):
        yield f"converted {form} (converted.py)", [v for v in made if converted_form(v[0]) == form]


def generated_crawled(per_format: int) -> list[Variant]:
    """Sample reports (``sample_report``, seeds 0 to per_format - 1 of each format) in the crawled forms, made by
    ``crawled.py``'s own functions: 2019 and 2021 rendered to HTML without charts; legacy, which has no HTML
    layout, flattened to ``|`` cells, as ``crawled.py`` treats the legacy seeds. Gold: the report's own values."""
    from xxgk.render import render
    from xxgk.render.flattened import flatten
    from xxgk.render.sample import sample_report

    tool = _crawled_tool()
    out = []
    for format_id in ("legacy", "2019", "2021"):
        for seed in range(per_format):
            report = sample_report(format_id, random.Random(seed))
            if format_id == "legacy":
                texts = tool.pipe_table_variants(flatten(report, "pipes"))
            else:
                texts = tool.variants(render(report, "html", charts=False).decode("utf-8"))
            gold = {"format": report.format, "year": report.year, "values": dict(report.values)}
            stem = f"sample_{format_id}_{seed}"
            out += [(f"{stem}.{form}.txt", (text + "\n").encode(), gold) for form, text in texts.items()]
    return out


def crawled_variants(per_format: int) -> Iterator[tuple[str, list[Variant]]]:
    """Each crawled form of the shared reports, then of the sample reports."""
    for source, made in (("shared reports, crawled.py", shared_crawled()),
                         (f"sample reports, {per_format} a format", generated_crawled(per_format))):  # fmt: skip
        for form in FORMS:
            yield f"crawled {form} ({source})", [v for v in made if v[0].endswith(f".{form}.txt")]


def score(variants: list[Variant]) -> tuple[int, int, int, int]:
    """(cells right, cells, reports with format or year wrong, wrong figures), as ``shared/tools/score.py`` counts
    them (a wrong figure: a number where gold has another number or a blank)."""
    right = total = meta_wrong = wrong = 0
    for name, data, gold in variants:
        try:
            report = parse_bytes(data, name)
            values: dict[str, Any] = report.values
            meta_wrong += (report.format, report.year) != (gold["format"], gold["year"])
        except Exception:  # an unreadable variant scores nothing
            values = {}
            meta_wrong += 1
        for key, want in gold["values"].items():
            have = values.get(key, "<absent>")
            numbers = isinstance(want, int | float) and isinstance(have, int | float)
            ok = (numbers and abs(want - have) < 1e-6) or (want is None and have is None)
            right += ok
            wrong += not ok and isinstance(have, int | float) and not isinstance(have, bool)
        total += len(gold["values"])
    return right, total, meta_wrong, wrong


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slow", action="store_true", help="also the pdftotext, OCR and LibreOffice variants")
    ap.add_argument("--generated", type=int, default=10, help="sample reports per format in the crawled forms")
    ap.add_argument("--no-converted", action="store_true", help="leave out the converted forms (converted.py)")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args()
    gold = _gold()
    groups: list[tuple[str, list[Callable[[], Iterator[tuple[str, list[Variant]]]]]]] = [
        ("re-published variants", [lambda: text_variants(gold), lambda: page_variants(gold),
                                   *([lambda: slow_variants(gold)] if args.slow else [])]),
        ("crawled forms", [lambda: crawled_variants(args.generated)]),
        *([] if args.no_converted else [("converted forms", [converted_variants])]),
    ]  # fmt: skip
    results = []
    right_all = total_all = wrong_all = 0
    for group, makers in groups:
        right_group = total_group = wrong_group = 0
        for make in makers:
            for label, variants in make():
                right, total, meta_wrong, wrong = score(variants)
                right_group, total_group, wrong_group = right_group + right, total_group + total, wrong_group + wrong
                results.append({"variant": label, "reports": len(variants), "right": right, "cells": total,
                                "format_or_year_wrong": meta_wrong, "wrong_figures": wrong})  # fmt: skip
                print(f"{right / total:7.2%}  {right:5d}/{total:<5d}  {len(variants)} reports  {label}"
                      + (f"  ({meta_wrong} with format/year wrong)" if meta_wrong else "")
                      + (f"  ({wrong} wrong figures)" if wrong or group == "converted forms" else ""))  # fmt: skip
        if not total_group:  # (a section left out, with a note)
            continue
        right_all, total_all, wrong_all = right_all + right_group, total_all + total_group, wrong_all + wrong_group
        print(f"{right_group / total_group:7.2%}  {right_group:5d}/{total_group:<5d}  all {group}"
              f"  ({wrong_group} wrong figures)")  # fmt: skip
    print(f"{right_all / total_all:7.2%}  {right_all:5d}/{total_all:<5d}  all variants  ({wrong_all} wrong figures)")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
