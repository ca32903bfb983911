"""Write the bundled sample reports in samples/: one per statutory format and flattened layout, an HTML page,
and two with planted defects, so that `xxgk audit samples/` shows what the audit finds.

The reports are invented (consistent random figures from xxgk.render.sample), not copies of real ones.
Run from the repository root:  .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import random
from pathlib import Path

from xxgk.render.flattened import flatten
from xxgk.render.sample import sample_report

OUT = Path(__file__).resolve().parents[1] / "samples"

PLAN = [
    ("legacy", "pipes", "txt", 11),
    ("legacy", "blank_lines", "txt", 12),
    ("2019", "pipes", "txt", 21),
    ("2019", "cell_per_line", "txt", 22),
    ("2021", "markdown", "md", 31),
    ("2021", "spaces", "txt", 32),
    ("2021", "wrapped", "txt", 33),
    ("2021", "run_together", "txt", 34),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    for format_id, layout, ext, seed in PLAN:
        report = sample_report(format_id, random.Random(seed), blank_rate=0.0 if layout == "run_together" else 0.02)
        (OUT / f"{format_id}_{layout}.{ext}").write_text(flatten(report, layout), encoding="utf-8")
    try:
        from xxgk.render import render

        report = sample_report("2021", random.Random(41))
        (OUT / "2021_portal.html").write_bytes(render(report, "html"))
    except ImportError:  # the renderer's optional dependencies are not installed
        pass
    # Planted defects: a table that does not add up, a prose figure that contradicts it, a late date.
    report = sample_report("2021", random.Random(51), year=2022)
    report.values["applications.granted.natural_person"] = (
        report.values["applications.granted.natural_person"] or 0
    ) + 3
    total = report.values["applications.new.total"]
    report.narrative["overview"] = f"本年度共收到政府信息公开申请{(total or 0) + 7}件，均在法定期限内答复。"
    text = flatten(report, "pipes").replace("2023年1月", "2023年5月")
    (OUT / "defects_arithmetic_prose.txt").write_text(text, encoding="utf-8")
    # Planted tampering: betting spam and a portal address on a non-government domain.
    report = sample_report("2019", random.Random(52), year=2020)
    report.narrative["overview"] = (
        "市民可通过本局门户网站(www.example-bet.com)查阅政府信息。按照雷速体育,雷速直播要求推进网站建设。"
    )
    (OUT / "defects_tampering.txt").write_text(flatten(report, "pipes"), encoding="utf-8")


if __name__ == "__main__":
    main()
