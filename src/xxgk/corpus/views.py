"""DuckDB over the corpus tables: the base views and the named analysis views ``xxgk corpus query`` offers.

Base views ``reports``, ``"values"`` (quote it: VALUES is an SQL keyword; ``report_values`` is an alias),
``extra``, ``findings``, ``documents``, ``sources`` read the Parquet files in place. The named views:

``report_metrics``      one row per report: applications, outcomes, review/litigation, findings (legacy
                        reports mapped onto the same measures: 收到申请数, 同意公开 …)
``league_agencies``     per agency, all years: applications, share of each outcome, correction rate in
                        review and litigation, error findings per report
``league_denials``      the same, agencies with at least 10 applications, most refusals (不予公开) first
``trends_year``         per year; ``trends_region_year`` per region and year
``yoy_agencies``        per agency and year, with last year's applications and the change
``top_findings``        the most frequent audit findings (rule, severity, reports affected, an example)
``cross_findings``      findings of the cross-report audit (carry-over, consolidated figures)
``duplicates``          reports seen in more than one document, with their sources
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BASE_TABLES = ("reports", "values", "extra", "findings", "documents", "sources")

_METRICS = """
CREATE OR REPLACE VIEW report_metrics AS
WITH m AS (
  SELECT report_id,
    max(value) FILTER (WHERE key = 'applications.new.total') AS new_apps,
    max(value) FILTER (WHERE key = 'requests.received') AS legacy_apps,
    max(value) FILTER (WHERE key = 'applications.carried_over.total') AS carried_over,
    max(value) FILTER (WHERE key = 'applications.results_total.total') AS results_total,
    max(value) FILTER (WHERE key = 'replies.total') AS legacy_results,
    max(value) FILTER (WHERE key = 'applications.granted.total') AS granted_new,
    max(value) FILTER (WHERE key = 'replies.granted') AS granted_legacy,
    max(value) FILTER (WHERE key = 'applications.partial.total') AS partial_new,
    max(value) FILTER (WHERE key = 'replies.partial') AS partial_legacy,
    sum(value) FILTER (WHERE key LIKE 'applications.withheld.%.total') AS withheld_new,
    max(value) FILTER (WHERE key = 'replies.denied') AS withheld_legacy,
    sum(value) FILTER (WHERE key LIKE 'applications.unable.%.total') AS unable_new,
    sum(value) FILTER (WHERE key IN ('replies.not_this_agency', 'replies.not_exist')) AS unable_legacy,
    sum(value) FILTER (WHERE key LIKE 'applications.not\\_processed.%.total' ESCAPE '\\') AS not_processed,
    sum(value) FILTER (WHERE key = 'applications.other.total'
                       OR key LIKE 'applications.other.%.total') AS other_outcome,
    max(value) FILTER (WHERE key = 'applications.carry_forward.total') AS carry_forward,
    max(value) FILTER (WHERE key = 'review.total') AS review_total,
    max(value) FILTER (WHERE key = 'review.corrected') AS review_corrected,
    sum(value) FILTER (WHERE key IN ('litigation_direct.total', 'litigation_after_review.total',
                                     'litigation.total')) AS litigation_total,
    sum(value) FILTER (WHERE key IN ('litigation_direct.corrected', 'litigation_after_review.corrected',
                                     'litigation.corrected')) AS litigation_corrected
  FROM "values" GROUP BY report_id
)
SELECT r.report_id, r.agency, r.agency_key, r.region, r.level, r.year, r.format, r.published, r.kind,
  coalesce(m.new_apps, m.legacy_apps) AS applications,
  m.carried_over,
  coalesce(m.results_total, m.legacy_results) AS results_total,
  coalesce(m.granted_new, m.granted_legacy) AS granted,
  coalesce(m.partial_new, m.partial_legacy) AS partial,
  coalesce(m.withheld_new, m.withheld_legacy) AS withheld,
  coalesce(m.unable_new, m.unable_legacy) AS unable,
  m.not_processed, m.other_outcome, m.carry_forward,
  m.review_total, m.review_corrected, m.litigation_total, m.litigation_corrected,
  r.n_errors, r.n_warnings, r.n_findings, r.n_corpus_findings, len(r.sources) AS n_sources
FROM reports r LEFT JOIN m USING (report_id);
"""

_LEAGUE = """
CREATE OR REPLACE VIEW league_agencies AS
SELECT agency, min(region) AS region, min(level) AS level,
  count(*) AS reports, min(year) AS first_year, max(year) AS last_year,
  sum(applications) AS applications,
  round(sum(granted) / nullif(sum(results_total), 0), 4) AS share_granted,
  round(sum(partial) / nullif(sum(results_total), 0), 4) AS share_partial,
  round(sum(withheld) / nullif(sum(results_total), 0), 4) AS share_withheld,
  round(sum(unable) / nullif(sum(results_total), 0), 4) AS share_unable,
  round(sum(not_processed) / nullif(sum(results_total), 0), 4) AS share_not_processed,
  round(sum(other_outcome) / nullif(sum(results_total), 0), 4) AS share_other,
  sum(review_total) AS review_cases,
  round(sum(review_corrected) / nullif(sum(review_total), 0), 4) AS review_correction_rate,
  sum(litigation_total) AS litigation_cases,
  round(sum(litigation_corrected) / nullif(sum(litigation_total), 0), 4) AS litigation_correction_rate,
  round(sum(n_errors) / count(*), 3) AS errors_per_report,
  sum(n_corpus_findings) AS cross_findings
FROM report_metrics WHERE agency IS NOT NULL
GROUP BY agency
ORDER BY applications DESC NULLS LAST, agency;

CREATE OR REPLACE VIEW league_denials AS
SELECT * FROM league_agencies WHERE applications >= 10
ORDER BY share_withheld DESC NULLS LAST, applications DESC, agency;
"""

_TRENDS = """
CREATE OR REPLACE VIEW trends_year AS
SELECT year, count(*) AS reports, count(DISTINCT agency_key) AS agencies, sum(applications) AS applications,
  round(sum(granted) / nullif(sum(results_total), 0), 4) AS share_granted,
  round(sum(withheld) / nullif(sum(results_total), 0), 4) AS share_withheld,
  round(sum(review_corrected) / nullif(sum(review_total), 0), 4) AS review_correction_rate,
  round(sum(litigation_corrected) / nullif(sum(litigation_total), 0), 4) AS litigation_correction_rate,
  round(sum(n_errors) / count(*), 3) AS errors_per_report
FROM report_metrics WHERE year IS NOT NULL GROUP BY year ORDER BY year;

CREATE OR REPLACE VIEW trends_region_year AS
SELECT coalesce(region, '（未识别）') AS region, year, count(*) AS reports, sum(applications) AS applications,
  round(sum(granted) / nullif(sum(results_total), 0), 4) AS share_granted,
  round(sum(withheld) / nullif(sum(results_total), 0), 4) AS share_withheld,
  round(sum(n_errors) / count(*), 3) AS errors_per_report
FROM report_metrics WHERE year IS NOT NULL GROUP BY ALL ORDER BY region, year;

CREATE OR REPLACE VIEW yoy_agencies AS
WITH per_year AS (
  SELECT agency_key, min(agency) AS agency, year, sum(applications) AS applications,
         sum(granted) AS granted, sum(withheld) AS withheld, sum(n_errors) AS errors
  FROM report_metrics WHERE agency_key IS NOT NULL AND year IS NOT NULL GROUP BY agency_key, year)
SELECT c.agency, c.year, c.applications, p.applications AS prev_applications,
  c.applications - p.applications AS change,
  round((c.applications - p.applications) / nullif(p.applications, 0), 4) AS change_rate,
  c.granted, c.withheld, c.errors
FROM per_year c LEFT JOIN per_year p ON p.agency_key = c.agency_key AND p.year = c.year - 1
ORDER BY c.agency, c.year;
"""

_FINDINGS = """
CREATE OR REPLACE VIEW top_findings AS
SELECT rule, min(category) AS category, severity, count(*) AS findings,
  count(DISTINCT report_id) AS reports,
  round(count(DISTINCT report_id) / (SELECT count(*) FROM reports), 4) AS share_of_reports,
  min(message) AS example
FROM findings GROUP BY rule, severity ORDER BY findings DESC, rule;

CREATE OR REPLACE VIEW cross_findings AS
SELECT f.report_id, r.agency, r.year, f.rule, f.severity, f.message, f.keys, f.related_report
FROM findings f JOIN reports r USING (report_id) WHERE f.scope = 'corpus'
ORDER BY r.agency, r.year, f.rule;

CREATE OR REPLACE VIEW duplicates AS
SELECT report_id, agency, year, n_documents, sources FROM reports WHERE len(sources) > 1
ORDER BY agency, year;
"""

NAMED_VIEWS = {
    "report_metrics": "每份报告一行：申请量、各类办理结果、复议诉讼、审核发现",
    "league_agencies": "机关排行：申请量、各类结果占比、复议/诉讼纠错率、每份报告的错误数",
    "league_denials": "不予公开占比排行（申请 10 件以上的机关）",
    "trends_year": "按年度的趋势",
    "trends_region_year": "按地区和年度的趋势",
    "yoy_agencies": "各机关逐年申请量及同比变化",
    "top_findings": "最常见的审核发现",
    "cross_findings": "跨报告核对发现（上年结转、汇总与所属单位之和）",
    "duplicates": "在多个来源出现的同一份报告",
}


def _q(text: str) -> str:
    return text.replace("'", "''")


def create_views(con: Any, out: Path) -> None:
    """Base views over ``out``'s Parquet files and the named views, on connection ``con``."""
    root = out.resolve()
    for table in BASE_TABLES:
        path = _q(str(root / f"{table}.parquet"))
        con.execute(f"CREATE OR REPLACE VIEW \"{table}\" AS SELECT * FROM read_parquet('{path}')")
    con.execute('CREATE OR REPLACE VIEW report_values AS SELECT * FROM "values"')
    for sql in (_METRICS, _LEAGUE, _TRENDS, _FINDINGS):
        con.execute(sql)


def write_database(out: Path) -> Path:
    """``corpus.duckdb``: the views above, for DuckDB tools (paths are absolute: rebuild it after moving)."""
    import duckdb

    path = out / "corpus.duckdb"
    tmp = out / "corpus.duckdb.tmp"
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        create_views(con, out)
        con.execute("CREATE OR REPLACE TABLE corpus_info AS SELECT ? AS folder", [str(out.resolve())])
    finally:
        con.close()
    os.replace(tmp, path)
    return path


def connect(out: Path) -> Any:
    """An in-memory DuckDB connection with every view over ``out`` (works wherever the folder was moved)."""
    import duckdb

    con = duckdb.connect()
    create_views(con, out)
    return con
