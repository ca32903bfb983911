"""The annual report computed from the ledger: a 100 000-application ledger, counted independently, passes
the arithmetic rules of the format (and the project's audit when it is installed)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from casework_ledger_data import bulk_insert, insert_reviews, synthetic_reviews, synthetic_rows
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from xxgk.casework.annual_report import build_report, compute_values
from xxgk.casework.demo import create_tree
from xxgk.formats import get_format

N = 100_000
YEAR = 2024
COLS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org"]


def independent_count(rows: list[dict], reviews: list[dict], agency_ids: set[int], year: int) -> dict[str, int]:
    s, e = date(year, 1, 1), date(year, 12, 31)
    c: Counter[str] = Counter()
    for r in rows:
        if r["agency_id"] not in agency_ids:
            continue
        t, rec, res = r["applicant_type"], r["received_on"], r["result_date"]
        if s <= rec <= e:
            c[f"applications.new.{t}"] += 1
        if rec < s and (res is None or res >= s):
            c[f"applications.carried_over.{t}"] += 1
        if res is not None and s <= res <= e:
            c[f"applications.{r['outcome']}.{t}"] += 1
            c[f"applications.results_total.{t}"] += 1
        if rec <= e and (res is None or res > e):
            c[f"applications.carry_forward.{t}"] += 1
    for v in reviews:
        if v["agency_id"] not in agency_ids:
            continue
        if v["decided_on"] is not None and s <= v["decided_on"] <= e:
            c[f"{v['kind']}.{v['result']}"] += 1
        elif v["filed_on"] <= e and (v["decided_on"] is None or v["decided_on"] > e):
            c[f"{v['kind']}.pending"] += 1
    return dict(c)


def check_arithmetic(values: dict) -> list[str]:
    """The table-三/四 relations of formats.md §5.1, evaluated here independently of the audit module."""
    bad = []
    table = get_format("2021").table("applications")
    result_rows = [r.key for r in table.rows if r.parent and not r.optional and not r.key.endswith("results_total")]
    for col in [*COLS, "total"]:
        def g(row: str, col: str = col) -> int:
            return int(values[f"{row}.{col}"])

        if g("applications.new") + g("applications.carried_over") != g("applications.results_total") + g(
                "applications.carry_forward"):
            bad.append(f"F-3.1 {col}")
        if g("applications.results_total") != sum(g(r) for r in result_rows):
            bad.append(f"F-3.3 {col}")
    for r in table.rows:
        if r.optional:
            continue
        if values[f"{r.key}.total"] != sum(values[f"{r.key}.{c}"] for c in COLS):
            bad.append(f"F-3.2 {r.key}")
    for g in ("review", "litigation_direct", "litigation_after_review"):
        if values[f"{g}.total"] != sum(values[f"{g}.{o}"] for o in ("upheld", "corrected", "other", "pending")):
            bad.append(f"F-4.1 {g}")
    return bad


@pytest.mark.slow
def test_report_from_100k_ledger(engine: Engine) -> None:
    with Session(engine) as s:
        tree = create_tree(s, password_hash=lambda _p: "x")
        ids = [tree.civil_affairs.id, tree.natural_resources.id, tree.township.id]
        s.commit()
        rows = synthetic_rows(N, ids)
        t0 = time.perf_counter()
        bulk_insert(s, rows)
        if engine.dialect.name == "postgresql":
            s.execute(text("SELECT setval('applications_id_seq', (SELECT max(id) FROM applications))"))
            s.execute(text("ANALYZE applications"))
            s.commit()
        reviews = synthetic_reviews(tree.civil_affairs.id, 300)
        insert_reviews(s, reviews)
        insert_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        report = build_report(s, tree.civil_affairs, YEAR)
        agency_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        consolidated = build_report(s, tree.government, YEAR, consolidated=True)
        cons_s = time.perf_counter() - t0
        print(f"\n[{engine.dialect.name}] insert {N}: {insert_s:.2f}s; report: {agency_s:.3f}s; "
              f"consolidated: {cons_s:.3f}s")

        for rep, agencies in ((report, {tree.civil_affairs.id}), (consolidated, set(ids))):
            expected = independent_count(rows, reviews, agencies, YEAR)
            for key, value in rep.values.items():
                if key.startswith(("applications.", "review.", "litigation")) and not key.endswith(".total"):
                    assert value == expected.get(key, 0), key
            totals = sum(v for k, v in expected.items() if k.startswith("applications.new."))
            assert rep.values["applications.new.total"] == totals
            assert check_arithmetic(rep.values) == []
        assert consolidated.values["applications.new.total"] > 2 * report.values["applications.new.total"]

        # Consecutive years chain: this year's 结转下年度 is next year's 上年结转 (F-3.6).
        nxt = compute_values(s, ids, YEAR + 1)
        for col in [*COLS, "total"]:
            assert nxt[f"applications.carried_over.{col}"] == consolidated.values[f"applications.carry_forward.{col}"]

        try:
            from xxgk.audit import audit
        except ImportError:
            pytest.skip("xxgk.audit not available yet: the format's arithmetic was checked here instead")
        findings = audit(consolidated)
        arithmetic = [f for f in findings if str(getattr(f.category, "value", f.category)) == "arithmetic"]
        assert arithmetic == [], [f.message for f in arithmetic]


def test_2019_format_year_folds_other_rows(engine: Engine) -> None:
    with Session(engine) as s:
        tree = create_tree(s, password_hash=lambda _p: "x")
        s.commit()
        rows = synthetic_rows(2_000, [tree.civil_affairs.id], first_year=2019, last_year=2020)
        bulk_insert(s, rows)
        rep = build_report(s, tree.civil_affairs, 2020)
        assert rep.format == "2019"
        assert "applications.other.total" in rep.values and "applications.other.no_fee.total" not in rep.values
        expected = sum(1 for r in rows if r["result_date"] and r["result_date"].year == 2020
                       and r["outcome"].startswith("other."))
        assert rep.values["applications.other.total"] == expected
        with pytest.raises(ValueError, match="旧格式"):
            build_report(s, tree.civil_affairs, 2017)
