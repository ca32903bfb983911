"""Tables wider than the page, printed by a browser: the page edge (or the printable area) cuts their last
columns. What is printed of a cut cell may be part of a figure (``2`` of ``241``, ``-`` of ``-3``) or nothing:
every cell comes back right or ``null`` with an extraction finding, never a wrong figure (issue 14)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from random import Random

import pytest

from xxgk.extract import parse_path
from xxgk.render import render
from xxgk.render.sample import sample_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _print(html: str, folder: Path, name: str) -> Path:
    page = folder / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    pdf = folder / f"{name}.pdf"
    subprocess.run(
        [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    if not pdf.exists():
        pytest.skip("chromium could not print to PDF here")
    return pdf


# (seed, table width in CSS pixels): 900 fits, 1000 just fits, 1150 is clipped at the printable area (the last
# column a sliver, its header cut to 总), 1300 runs past the page edge (a column cut through its figures)
CASES = [(1, 900), (2, 1000), (3, 1150), (4, 1300)]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
@pytest.mark.parametrize(("seed", "width"), CASES, ids=[f"{w}px" for _, w in CASES])
def test_tables_cut_off_by_the_page_are_right_or_reported(seed: int, width: int, tmp_path: Path) -> None:
    report = sample_report("2021" if seed % 2 else "2019", Random(seed))
    html = render(report, "html", charts=False).decode("utf-8")
    html = html.replace("</head>", f"<style>table {{ min-width: {width}px; }}</style></head>")
    parsed = parse_path(_print(html, tmp_path, f"wide{width}"))
    reported = {k for f in parsed.findings if f.category == "extraction" for k in f.keys}
    wrong, silent = [], []
    for key, want in report.values.items():
        have = parsed.values.get(key, "<absent>")
        if have == want:
            continue
        if have in (None, "<absent>"):
            if want is not None and key not in reported:
                silent.append(key)
        else:
            wrong.append((key, want, have))
    assert not wrong, wrong[:8]
    assert not silent, silent[:8]
    right = sum(1 for key, want in report.values.items() if parsed.values.get(key, "<absent>") == want)
    if width <= 1000:
        assert right == len(report.values)  # (nothing cut: everything read)
    else:
        assert right >= len(report.values) // 2  # (the cut columns only)
