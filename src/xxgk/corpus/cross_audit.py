"""Cross-report audit: figures one report carries over from the previous year, and consolidated figures.

Run by :func:`xxgk.corpus.store.finalize` in DuckDB over the deduplicated reports (``reps``) and values
(``vals``). One report per agency and year is compared (the latest published when an agency published
several versions; the others get an info finding). Rules, as in shared/spec/formats.md §5:

- F-3.6  year N's 二、上年结转 = year N−1's 四、结转下年度继续办理, per applicant column (warning);
- F-2.2  2019 format: 上一年项目数量(N) = 上一年项目数量(N−1) + 本年增/减(N−1), per item (warning);
- F-2.3  2021 format: 现行有效件数(N) = 现行有效件数(N−1) + 本年制发件数(N) − 本年废止件数(N) (warning: re-issued
         documents can break it);
- L-A.6  legacy cumulative columns: 历年累计(N) = 历年累计(N−1) + 本年度(N);
- units  a parent's consolidated figure = the sum of its units' figures, for every cell where the parent and
         all its units (``agencies.csv``) have a report that year and the cell is filled in all of them.

Blank cells make a comparison not assessable: no finding.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

import pyarrow as pa

from xxgk.formats import FORMAT_IDS, TableKind, get_format

SCHEMA = pa.schema(
    [
        ("report_id", pa.string()),
        ("rule", pa.string()),
        ("category", pa.string()),
        ("severity", pa.string()),
        ("message", pa.string()),
        ("keys", pa.list_(pa.string())),
        ("evidence", pa.string()),
        ("basis", pa.string()),
        ("related_report", pa.string()),
    ]
)

TOLERANCE = 1e-6
SHOWN = 4  # mismatches spelled out in a message

_CARRY = {
    "corpus.carry_over": (
        "F-3.6",
        "上年结转政府信息公开申请数量与{prev_year}年报告的“结转下年度继续办理”不一致",
        "国办公开办函〔2019〕60号 / 〔2021〕30号 表三：本年“上年结转”即上年“结转下年度继续办理”",
        """SELECT p.cur, p.prev, p.prev_year, c.key, c.value AS cur_value, pv.value AS expected
           FROM pairs p JOIN cvals c ON c.report_id = p.cur AND c.key LIKE 'applications.carried\\_over.%' ESCAPE '\\'
           JOIN cvals pv ON pv.report_id = p.prev AND pv.key = replace(c.key, '.carried_over.', '.carry_forward.')
           WHERE c.value IS NOT NULL AND pv.value IS NOT NULL""",
    ),
    "corpus.items_carry": (
        "F-2.2",
        "“上一年项目数量”与{prev_year}年报告的“上一年项目数量 + 本年增/减”不一致",
        "国办公开办函〔2019〕60号 表二：上一年项目数量应承接上年报告",
        """SELECT p.cur, p.prev, p.prev_year, c.key, c.value AS cur_value, a.value + b.value AS expected
           FROM pairs p JOIN cvals c ON c.report_id = p.cur AND c.key LIKE '%.items\\_prev' ESCAPE '\\'
           JOIN cvals a ON a.report_id = p.prev AND a.key = c.key
           JOIN cvals b ON b.report_id = p.prev AND b.key = replace(c.key, '.items_prev', '.items_change')
           WHERE c.value IS NOT NULL AND a.value IS NOT NULL AND b.value IS NOT NULL""",
    ),
    "corpus.in_force": (
        "F-2.3",
        "“现行有效件数”不等于{prev_year}年的现行有效件数加本年制发件数减本年废止件数（修订、重新印发的文件可能造成差异）",
        "国办公开办函〔2021〕30号 表二：现行有效件数应承接上年",
        """SELECT p.cur, p.prev, p.prev_year, c.key, c.value AS cur_value, a.value + i.value - r.value AS expected
           FROM pairs p JOIN cvals c ON c.report_id = p.cur AND c.key LIKE 'art20\\_1.%.in\\_force' ESCAPE '\\'
           JOIN cvals a ON a.report_id = p.prev AND a.key = c.key
           JOIN cvals i ON i.report_id = p.cur AND i.key = replace(c.key, '.in_force', '.issued')
           JOIN cvals r ON r.report_id = p.cur AND r.key = replace(c.key, '.in_force', '.repealed')
           WHERE c.value IS NOT NULL AND a.value IS NOT NULL AND i.value IS NOT NULL AND r.value IS NOT NULL""",
    ),
    "corpus.cumulative": (
        "L-A.6",
        "“历年累计”不等于{prev_year}年的历年累计加本年度数",
        "历年累计列应逐年累加",
        """SELECT p.cur, p.prev, p.prev_year, c.key, c.value AS cur_value, a.value + b.value AS expected
           FROM pairs p JOIN cvals c ON c.report_id = p.cur AND c.key LIKE '%#cumulative'
           JOIN cvals a ON a.report_id = p.prev AND a.key = c.key
           JOIN cvals b ON b.report_id = p.cur AND b.key = replace(c.key, '#cumulative', '')
           WHERE c.value IS NOT NULL AND a.value IS NOT NULL AND b.value IS NOT NULL""",
    ),
}

_UNITS_SQL = """
WITH u AS (SELECT parent_key, agency_key FROM agencies WHERE parent_key IS NOT NULL),
nunits AS (SELECT parent_key, count(*) AS n FROM u GROUP BY parent_key),
ur AS (SELECT u.parent_key, c.year, c.report_id FROM u JOIN canon c ON c.agency_key = u.agency_key),
cover AS (SELECT parent_key, year, count(*) AS n FROM ur GROUP BY parent_key, year),
sums AS (SELECT ur.parent_key, ur.year, v.key, sum(v.value) AS s, count(v.value) AS nn
         FROM ur JOIN vals v ON v.report_id = ur.report_id GROUP BY ur.parent_key, ur.year, v.key)
SELECT pr.report_id, pr.year, v.key, v.value, sums.s, nunits.n
FROM canon pr
JOIN nunits ON nunits.parent_key = pr.agency_key
JOIN cover ON cover.parent_key = pr.agency_key AND cover.year = pr.year AND cover.n = nunits.n
JOIN vals v ON v.report_id = pr.report_id
JOIN sums ON sums.parent_key = pr.agency_key AND sums.year = pr.year AND sums.key = v.key AND sums.nn = nunits.n
WHERE v.value IS NOT NULL AND abs(v.value - sums.s) > {tol} * greatest(1, abs(v.value))
ORDER BY pr.report_id, v.key
"""


@cache
def key_labels() -> dict[str, str]:
    """Human labels for canonical keys: 表格行·列 (e.g. 本年新收政府信息公开申请数量·自然人)."""
    out: dict[str, str] = {}
    for fid in FORMAT_IDS:
        for t in get_format(fid).tables:
            for r in t.rows:
                row = r.labels[0] if r.labels else r.key
                if t.kind is TableKind.INDICATOR:
                    out.setdefault(r.key, row)
                    continue
                for c in t.columns:
                    col = c.labels[0] if c.labels else c.id
                    prefix = {
                        "review": "行政复议",
                        "litigation_direct": "直接起诉",
                        "litigation_after_review": "复议后起诉",
                    }
                    head = prefix.get(r.key, row)
                    out.setdefault(t.key(r, c), f"{head}·{col}")
    return out


def _label(key: str) -> str:
    base, _, column = key.partition("#")
    text = key_labels().get(base, base)
    return f"{text}（历年累计）" if column == "cumulative" else text


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.6f}".rstrip("0").rstrip(".")


def run(con: Any) -> pa.Table:
    """All cross-report findings as an Arrow table (:data:`SCHEMA`)."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE canon AS
        SELECT * EXCLUDE (rn) FROM (
          SELECT report_id, agency_key, year, format, published,
                 row_number() OVER (PARTITION BY agency_key, year ORDER BY published DESC NULLS LAST, report_id) AS rn
          FROM reps WHERE agency_key IS NOT NULL AND year IS NOT NULL) WHERE rn = 1"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE pairs AS
        SELECT c.report_id AS cur, p.report_id AS prev, p.year AS prev_year
        FROM canon c JOIN canon p ON p.agency_key = c.agency_key AND p.year = c.year - 1"""
    )
    # The carried figures only: a few percent of all values, so the year-to-year joins stay small.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE cvals AS
        SELECT v.report_id, v.key, v.value FROM vals v
        WHERE v.report_id IN (SELECT cur FROM pairs UNION SELECT prev FROM pairs)
          AND (v.key LIKE 'applications.carr%' OR v.key LIKE 'art20\\_%' ESCAPE '\\' OR v.key LIKE '%#cumulative'
               OR v.key IN (SELECT DISTINCT replace(key, '#cumulative', '') FROM vals WHERE key LIKE '%#cumulative'))"""
    )
    cols: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}

    def add(report_id: str, rule: str, severity: str, message: str, keys: list[str], evidence: str, basis: str,
            related: str | None) -> None:  # fmt: skip
        for name, value in zip(
            SCHEMA.names,
            (report_id, rule, "cross_report", severity, message, keys, evidence, basis, related),
            strict=True,
        ):
            cols[name].append(value)

    for rule, (ref, title, basis, sql) in _CARRY.items():
        mismatches: dict[tuple[str, str, int], list[tuple[str, float, float]]] = defaultdict(list)
        for cur, prev, prev_year, key, value, expected in con.execute(
            f"SELECT * FROM ({sql}) WHERE abs(cur_value - expected) > {TOLERANCE} ORDER BY cur, key"
        ).fetchall():
            mismatches[(cur, prev, int(prev_year))].append((key, float(value), float(expected)))
        for (cur, prev, prev_year), found in mismatches.items():
            shown = "；".join(f"{_label(k)} 为 {_num(v)}，应为 {_num(e)}" for k, v, e in found[:SHOWN])
            more = f" 等 {len(found)} 处" if len(found) > SHOWN else ""
            message = f"{title.format(prev_year=prev_year)}：{shown}{more}（{ref}）"
            add(cur, rule, "warning", message, [k for k, _, _ in found], f"{prev_year}年报告 {prev}", basis, prev)

    units: dict[str, list[tuple[int, str, float, float, int]]] = defaultdict(list)
    for report_id, year, key, value, total, n in con.execute(_UNITS_SQL.format(tol=TOLERANCE)).fetchall():
        units[report_id].append((int(year), key, float(value), float(total), int(n)))
    for report_id, rows in units.items():
        n_units = rows[0][4]
        shown = "；".join(f"{_label(k)} 为 {_num(v)}，各单位合计 {_num(t)}" for _, k, v, t, _ in rows[:SHOWN])
        more = f" 等 {len(rows)} 处" if len(rows) > SHOWN else ""
        add(
            report_id,
            "corpus.units_sum",
            "warning",
            f"汇总数据与所属 {n_units} 个单位报告的合计不一致：{shown}{more}",
            [k for _, k, _, _, _ in rows],
            f"{rows[0][0]}年，所属单位 {n_units} 个（见机关名录）",
            "汇总报告的数据应等于所属各单位数据之和",
            None,
        )

    for report_id, year, canonical in con.execute(
        """SELECT r.report_id, r.year, c.report_id FROM reps r JOIN canon c
           ON c.agency_key = r.agency_key AND c.year = r.year WHERE c.report_id <> r.report_id
           ORDER BY r.report_id"""
    ).fetchall():
        add(
            report_id,
            "corpus.multiple_versions",
            "info",
            f"同一机关 {year} 年还有另一份数据不同的年度报告（可能是更正版或重复发布），跨年度核对使用较晚发布的一份",
            [],
            f"另一份报告 {canonical}",
            "",
            canonical,
        )
    return pa.table(cols, schema=SCHEMA)
