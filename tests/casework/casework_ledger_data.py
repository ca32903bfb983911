"""Synthetic ledgers for the aggregation tests and the benchmark: rows built in Python, bulk-inserted."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from xxgk.casework.models import Application, ReviewCase
from xxgk.casework.outcomes import applicant_types, outcomes


def synthetic_rows(n: int, agency_ids: list[int], seed: int = 7, first_year: int = 2023,
                   last_year: int = 2025) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    types = [t for t, _ in applicant_types()]
    keys = [o.key for o in outcomes()]
    start = date(first_year, 1, 1)
    span = (date(last_year, 12, 31) - start).days + 1
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        received = start + timedelta(days=rng.randrange(span))
        closed = rng.random() < 0.93
        result = received + timedelta(days=rng.randrange(0, 75)) if closed else None
        rows.append({
            "id": i + 1,
            "number": f"SYN{i + 1:09d}",
            "agency_id": rng.choice(agency_ids),
            "channel": "online",
            "applicant_type": rng.choice(types),
            "applicant_name": "合成申请人",
            "description": "合成数据",
            "received_on": received,
            "clock_start": received,
            "state": "closed" if closed else "registered",
            "outcome": rng.choice(keys) if closed else None,
            "result_date": result,
            "closed_on": result,
            "created_at": now,
            "version": 1,
        })
    return rows


def bulk_insert(session: Session, rows: list[dict[str, Any]], chunk: int = 20_000) -> None:
    for i in range(0, len(rows), chunk):
        session.execute(insert(Application), rows[i:i + chunk])
    session.commit()


def synthetic_reviews(agency_id: int, n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        filed = date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        decided = filed + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.8 else None
        out.append({
            "agency_id": agency_id,
            "kind": rng.choice(["review", "litigation_direct", "litigation_after_review"]),
            "filed_on": filed,
            "decided_on": decided,
            "result": rng.choice(["upheld", "corrected", "other"]) if decided else None,
            "case_number": "", "note": "", "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        })
    return out


def insert_reviews(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(ReviewCase), rows)
    session.commit()
