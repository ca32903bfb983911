"""Round trip: random consistent reports rendered to every output kind and read back by our own parser.

Every value must come back exactly (blank stays blank, never 0), with the format, year and agency; the
publication date and the narrative too wherever the reader keeps text (not XLSX, read as tables only).
The parser is imported lazily: the test is skipped only while ``xxgk.extract.parse_bytes`` does not exist.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from random import Random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.extract.report import Report
from xxgk.formats import TableKind, get_format
from xxgk.render import EXTENSIONS, render
from xxgk.render.sample import sample_report

Parser = Callable[[bytes, str], Report]


def _parser() -> Parser:
    try:
        from xxgk.extract import parse_bytes
    except ImportError as exc:  # only until the parser API lands
        pytest.skip(f"xxgk.extract.parse_bytes is not available yet: {exc}")
    return parse_bytes


@st.composite
def reports(draw: st.DrawFn) -> Report:
    """A report where every relation holds, with some, none or all cells blank."""
    fmt_id = draw(st.sampled_from(["2019", "2021"]))
    seed = draw(st.integers(0, 2**32 - 1))
    report = sample_report(fmt_id, Random(seed), narrative=draw(st.booleans()))
    keys = sorted(report.values)
    mode = draw(st.sampled_from(["none", "some", "all"]))
    blanks: set[str] = set()
    if mode == "some":
        blanks = draw(st.sets(st.sampled_from(keys), min_size=1, max_size=80))
    elif mode == "all":
        blanks = set(keys)
    for k in blanks:
        report.values[k] = None
    return report


def _vanishing_rows(report: Report) -> set[str]:
    """Keys of a table-四 data row whose 15 cells are all blank.

    That row has no label cell, so in XLSX it is an empty row, and the XLSX reader drops empty rows: the cells
    come back absent instead of blank. Known reader limitation (reported); every other blank must stay blank.
    """
    out: set[str] = set()
    for t in report.schema.tables:
        if t.kind is TableKind.SEQUENCE and all(report.values.get(k) is None for k in t.keys):
            out |= set(t.keys)
    return out


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def check_round_trip(report: Report, kind: str) -> None:
    data = render(report, kind, charts=False)
    parsed = _parser()(data, "report" + EXTENSIONS[kind])
    assert (parsed.format, parsed.year, parsed.agency) == (report.format, report.year, report.agency)
    wrong = {}
    vanished = _vanishing_rows(report) if kind == "xlsx" else set()
    for key, value in report.values.items():
        got = parsed.values.get(key, "absent")
        if value is None:
            ok = got is None or (got == "absent" and key in vanished)
        else:
            ok = isinstance(got, int | float) and not isinstance(got, bool) and got == value
            ok = ok and (not isinstance(value, int) or isinstance(got, int))
        if not ok:
            wrong[key] = (value, got)
    assert wrong == {}, f"{kind}: {len(wrong)} values differ: {dict(list(wrong.items())[:6])}"
    unexpected = {k: v for k, v in parsed.values.items() if k not in report.values}
    assert unexpected == {}
    assert parsed.published == report.published
    if kind == "xlsx":
        return  # the XLSX reader turns each sheet into a table block: no narrative sections
    for section, text in report.narrative.items():
        assert _norm(parsed.narrative.get(section, "")).startswith(_norm(text)), section


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "database": None}


@settings(max_examples=150, **COMMON)
@given(reports())
def test_round_trip_markdown(report: Report) -> None:
    check_round_trip(report, "md")


@settings(max_examples=150, **COMMON)
@given(reports())
def test_round_trip_html(report: Report) -> None:
    check_round_trip(report, "html")


@settings(max_examples=60, **COMMON)
@given(reports())
def test_round_trip_xlsx(report: Report) -> None:
    check_round_trip(report, "xlsx")


@settings(max_examples=30, **COMMON)
@given(reports())
def test_round_trip_docx(report: Report) -> None:
    check_round_trip(report, "docx")


@settings(max_examples=5, **COMMON)
@given(reports())
def test_round_trip_pdf(report: Report) -> None:
    pytest.importorskip("weasyprint")
    check_round_trip(report, "pdf")


@pytest.mark.parametrize("kind", ["md", "html", "docx", "xlsx", "pdf"])
@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_round_trip_fixed_examples(fmt_id: str, kind: str) -> None:
    """Blanks at the row ends and in table 四, a decimal amount, a negative change; independent of Hypothesis."""
    report = sample_report(fmt_id, Random(100 + len(kind)))
    blanks = ["applications.new.natural_person", "applications.carry_forward.total"]
    blanks.append("art20_1.regulations." + ("made" if fmt_id == "2019" else "issued"))
    if kind != "pdf":  # see test_round_trip_pdf_blank_in_table_four
        blanks += ["review.upheld", "litigation_after_review.total"]
    for key in blanks:
        report.values[key] = None
    amount = "art20_9.procurement.amount_wan" if fmt_id == "2019" else "art20_8.fees.amount_wan"
    report.values[amount] = 180.616
    if fmt_id == "2019":
        report.values["art20_5.licensing.items_change"] = -3
    check_round_trip(report, kind)


def test_sequence_table_is_statutory() -> None:
    seq = [t for t in get_format("2021").tables if t.kind is TableKind.SEQUENCE]
    assert [t.id for t in seq] == ["review_litigation"]


def test_round_trip_pdf_blank_in_table_four() -> None:
    pytest.importorskip("weasyprint")
    report = sample_report("2021", Random(103))
    report.values["review.upheld"] = None
    report.values["litigation_after_review.total"] = None
    check_round_trip(report, "pdf")
