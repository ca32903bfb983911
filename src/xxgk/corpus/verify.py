"""Compare an ingested synthetic corpus with the truth it was generated from (:mod:`xxgk.corpus.synthetic`).

Reports are matched on (agency, year). The result counts missing and unexpected reports, every value that
differs (a blank must stay blank, never 0), documents that failed, duplicates not recognised, and whether
the deliberate errors were found by the audit and the cross-report audit (and nothing else was flagged
there). ``exact`` is true when everything agrees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.corpus.agency import agency_key
from xxgk.corpus.store import connect


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def verify(db: Path, truth: Path) -> dict[str, Any]:
    specs = pq.read_table(truth / "truth" / "reports.parquet")
    keys = [agency_key(a) for a in specs.column("agency").to_pylist()]
    specs = specs.append_column("agency_key", pa.array(keys, pa.string()))
    con = connect(threads=None, temp_dir=db / ".duckdb_tmp")
    try:
        con.register("specs", specs)
        con.execute(f"CREATE VIEW tv AS SELECT * FROM read_parquet('{_q(truth / 'truth' / 'values.parquet')}')")
        con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{_q(db / 'reports.parquet')}')")
        con.execute(f"CREATE VIEW vals AS SELECT * FROM read_parquet('{_q(db / 'values.parquet')}')")
        con.execute(f"CREATE VIEW findings AS SELECT * FROM read_parquet('{_q(db / 'findings.parquet')}')")
        con.execute(f"CREATE VIEW documents AS SELECT * FROM read_parquet('{_q(db / 'documents.parquet')}')")
        con.execute(
            """CREATE TEMP TABLE m AS
            SELECT s.spec_id, r.report_id, s.injected, len(s.files) AS files, r.n_documents, len(r.sources) AS sources,
                   r.n_errors
            FROM specs s JOIN reports r ON r.agency_key = s.agency_key AND r.year = s.year"""
        )

        def one(sql: str) -> Any:
            row = con.execute(sql).fetchone()
            return row[0] if row else None

        result: dict[str, Any] = {}
        result["truth_reports"] = one("SELECT count(*) FROM specs")
        result["truth_documents"] = one("SELECT sum(len(files)) FROM specs")
        result["ingested_documents"] = one("SELECT count(*) FROM documents")
        result["failed_documents"] = one("SELECT count(*) FROM documents WHERE status <> 'ok'")
        result["ingested_reports"] = one("SELECT count(*) FROM reports")
        result["matched_reports"] = one("SELECT count(DISTINCT spec_id) FROM m")
        result["missing_reports"] = result["truth_reports"] - result["matched_reports"]
        result["split_reports"] = one("SELECT count(*) FROM (SELECT spec_id FROM m GROUP BY 1 HAVING count(*) > 1)")
        result["unexpected_reports"] = one(
            "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM m)"
        )
        result["truth_values"] = one("SELECT count(*) FROM tv")
        result["value_mismatches"] = one(
            """SELECT count(*) FROM (
                 SELECT m.report_id, tv.key, tv.value FROM tv JOIN m USING (spec_id)) t
               FULL OUTER JOIN (SELECT * FROM vals WHERE report_id IN (SELECT report_id FROM m)) v
                 ON v.report_id = t.report_id AND v.key = t.key
               WHERE t.key IS NULL OR v.key IS NULL
                  OR (t.value IS NULL) <> (v.value IS NULL)
                  OR abs(t.value - v.value) > 1e-9"""
        )
        result["duplicates_unrecognised"] = one("SELECT count(*) FROM m WHERE sources < files")
        for tag, rule in (("carry_over", "corpus.carry_over"), ("units_sum", "corpus.units_sum")):
            result[f"{tag}_injected"] = one(f"SELECT count(*) FROM m WHERE list_contains(injected, '{tag}')")
            result[f"{tag}_found"] = one(
                f"""SELECT count(DISTINCT m.spec_id) FROM m JOIN findings f ON f.report_id = m.report_id
                    WHERE f.rule = '{rule}' AND list_contains(m.injected, '{tag}')"""
            )
            result[f"{tag}_false_alarms"] = one(
                f"""SELECT count(DISTINCT f.report_id) FROM findings f LEFT JOIN m ON m.report_id = f.report_id
                    WHERE f.rule = '{rule}' AND NOT coalesce(list_contains(m.injected, '{tag}'), false)"""
            )
        result["arithmetic_injected"] = one("SELECT count(*) FROM m WHERE list_contains(injected, 'arithmetic')")
        result["arithmetic_found"] = one(
            "SELECT count(*) FROM m WHERE list_contains(injected, 'arithmetic') AND n_errors > 0"
        )
        result["exact"] = (
            result["missing_reports"] == 0
            and result["split_reports"] == 0
            and result["unexpected_reports"] == 0
            and result["value_mismatches"] == 0
            and result["failed_documents"] == 0
            and result["duplicates_unrecognised"] == 0
            and result["carry_over_found"] == result["carry_over_injected"]
            and result["carry_over_false_alarms"] == 0
            and result["units_sum_found"] == result["units_sum_injected"]
            and result["units_sum_false_alarms"] == 0
        )
    finally:
        con.close()
    return result
