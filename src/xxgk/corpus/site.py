"""``xxgk corpus site``: a static HTML site over an ingested corpus, opened straight from the file system.

Pages: ``index.html`` (totals, reports and applications per year, a region × year table, the regions, the
most frequent findings, the agencies with most applications), ``regions/<id>.html`` (per region: yearly
charts and its agencies) and ``agencies/<id>.html`` (per agency: its reports with sources, year-over-year
figures with charts, and the findings of each report, cross-report ones included). Links are relative,
styles are inline and charts are inline SVG (:mod:`xxgk.corpus.charts`): no script, no network.

Agency pages are written while streaming the reports ordered by agency, so memory does not grow with the
corpus.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

from jinja2 import Environment

from xxgk.corpus import views
from xxgk.corpus.charts import bar_chart, line_chart

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#8c1c13;color:#fff;padding:12px 24px}header a{color:#fff;text-decoration:none}
main{padding:16px 24px;max-width:1200px}h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;font-size:13px;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f0ece4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.stats{display:flex;flex-wrap:wrap;gap:12px}.stat{background:#fff;border:1px solid #ddd;padding:8px 14px}
.stat b{display:block;font-size:20px}.chart{background:#fff;border:1px solid #ddd;margin:6px 8px 6px 0}
.chart-title{font-size:13px;font-weight:bold}.tick,.legend{font-size:11px;fill:#555}.grid{stroke:#eee}
.error{color:#b00020}.warning{color:#b26a00}.info{color:#555}.muted{color:#777;font-size:12px}
.heat td.n{min-width:44px}
"""

_BASE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ page_title }} · {{ title }}</title>
<style>{{ css }}</style></head><body>
<header><a href="{{ root }}index.html">{{ title }}</a>{% for name, href in crumbs %} ›
<a href="{{ href }}">{{ name }}</a>{% endfor %}</header>
<main><h1>{{ page_title }}</h1>{{ body | safe }}</main></body></html>"""

_INDEX = """
<div class="stats">
{% for label, value in stats %}<div class="stat"><b>{{ value }}</b>{{ label }}</div>{% endfor %}
</div>
<h2>年度趋势</h2>
{{ chart_reports | safe }}{{ chart_apps | safe }}{{ chart_shares | safe }}
<h2>各地区逐年申请量</h2>
<table class="heat"><tr><th>地区</th>{% for y in years %}<th>{{ y }}</th>{% endfor %}</tr>
{% for r in heat %}<tr><td><a href="{{ r.href }}">{{ r.region }}</a></td>
{% for v in r.cells %}<td class="n" style="background:rgba(140,28,19,{{ v[1] }})">{{ v[0] }}</td>
{% endfor %}</tr>{% endfor %}
</table>
<h2>地区</h2>
<table id="regions"><tr><th>地区</th><th>报告</th><th>机关</th><th>申请量</th><th>予以公开占比</th>
<th>不予公开占比</th><th>每份报告错误数</th></tr>
{% for r in regions %}<tr><td><a href="{{ r.href }}">{{ r.region }}</a></td><td class="n">{{ r.reports }}</td>
<td class="n">{{ r.agencies }}</td><td class="n">{{ r.applications }}</td><td class="n">{{ r.share_granted }}</td>
<td class="n">{{ r.share_withheld }}</td><td class="n">{{ r.errors_per_report }}</td></tr>{% endfor %}
</table>
<h2>最常见的审核发现</h2>
<table id="findings"><tr><th>规则</th><th>级别</th><th>次数</th><th>涉及报告</th><th>示例</th></tr>
{% for f in findings %}<tr><td>{{ f.rule }}</td><td class="{{ f.severity }}">{{ f.severity_zh }}</td>
<td class="n">{{ f.findings }}</td><td class="n">{{ f.reports }}</td><td>{{ f.example }}</td></tr>{% endfor %}
</table>
<h2>申请量最多的机关</h2>
{{ league | safe }}
<p class="muted">数据由 xxgk corpus 生成；同一报告在多处发布只计一次。空白单元格不计为 0。</p>
"""

_LEAGUE = """<table class="league"><tr><th>机关</th><th>层级</th><th>报告</th><th>年度</th><th>申请量</th>
<th>予以公开</th><th>部分公开</th><th>不予公开</th><th>无法提供</th><th>不予处理</th><th>复议纠错率</th><th>诉讼纠错率</th>
<th>每份报告错误数</th></tr>
{% for a in rows %}<tr><td><a href="{{ a.href }}">{{ a.agency }}</a></td><td>{{ a.level or "" }}</td>
<td class="n">{{ a.reports }}</td><td>{{ a.first_year }}–{{ a.last_year }}</td><td class="n">{{ a.applications }}</td>
<td class="n">{{ a.share_granted }}</td><td class="n">{{ a.share_partial }}</td>
<td class="n">{{ a.share_withheld }}</td>
<td class="n">{{ a.share_unable }}</td><td class="n">{{ a.share_not_processed }}</td>
<td class="n">{{ a.review_correction_rate }}</td><td class="n">{{ a.litigation_correction_rate }}</td>
<td class="n">{{ a.errors_per_report }}</td></tr>{% endfor %}</table>"""

_REGION = """
<div class="stats">{% for label, value in stats %}<div class="stat"><b>{{ value }}</b>{{ label }}</div>
{% endfor %}</div>
{{ chart_apps | safe }}{{ chart_outcomes | safe }}
<h2>机关</h2>
{{ league | safe }}
"""

_AGENCY = """
<p>{{ region or "地区未识别" }} · {{ level or "层级未识别" }}{% if parent %} · 上级汇总：{{ parent }}{% endif %}</p>
{{ chart_apps | safe }}{{ chart_outcomes | safe }}
<h2>逐年数据</h2>
<table id="yoy"><tr><th>年度</th><th>申请量</th><th>上年</th><th>同比变化</th><th>予以公开</th><th>不予公开</th>
<th>上年结转</th><th>结转下年度</th><th>复议</th><th>诉讼</th></tr>
{% for r in yoy %}<tr><td>{{ r.year }}</td><td class="n">{{ r.applications }}</td><td class="n">{{ r.prev }}</td>
<td class="n">{{ r.change }}</td><td class="n">{{ r.granted }}</td><td class="n">{{ r.withheld }}</td>
<td class="n">{{ r.carried_over }}</td><td class="n">{{ r.carry_forward }}</td><td class="n">{{ r.review }}</td>
<td class="n">{{ r.litigation }}</td></tr>{% endfor %}</table>
<h2>报告</h2>
<table id="reports"><tr><th>年度</th><th>格式</th><th>发布日期</th><th>文件</th><th>错误</th><th>警告</th>
<th>跨报告</th><th>来源</th></tr>
{% for r in reports %}<tr><td>{{ r.year }}</td><td>{{ r.format }}</td><td>{{ r.published or "" }}</td>
<td>{{ r.kind }}</td>
<td class="n error">{{ r.n_errors }}</td><td class="n warning">{{ r.n_warnings }}</td>
<td class="n">{{ r.n_corpus_findings }}</td>
<td>{% for s in r.sources %}{% if s.startswith("http") %}<a href="{{ s }}">{{ s }}</a>{% else %}{{ s }}
{% endif %}<br>{% endfor %}</td></tr>{% endfor %}
</table>
<h2>审核发现</h2>
{% if findings %}<table id="agency-findings"><tr><th>年度</th><th>级别</th><th>规则</th><th>说明</th></tr>
{% for f in findings %}<tr><td>{{ f.year }}</td><td class="{{ f.severity }}">{{ f.severity_zh }}</td>
<td>{{ f.rule }}</td>
<td>{{ f.message }}</td></tr>{% endfor %}</table>{% else %}<p>没有错误或警告。</p>{% endif %}
{% if more_findings %}
<p class="muted">另有 {{ more_findings }} 条发现未列出（用 xxgk corpus query 查看全部）。</p>{% endif %}
"""

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
MAX_FINDINGS_PER_AGENCY = 300


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _pct(x: Any) -> str:
    return "" if x is None else f"{float(x) * 100:.1f}%"


def _n(x: Any) -> str:
    if x is None:
        return ""
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,.2f}"


def _rows(cur: Any) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _stream(cur: Any, size: int = 5000) -> Iterator[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    while True:
        batch = cur.fetchmany(size)
        if not batch:
            return
        for row in batch:
            yield dict(zip(cols, row, strict=True))


def _league_rows(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    out = []
    for a in rows:
        r = dict(a)
        r["href"] = f"{prefix}agencies/{_slug(a['agency_key'])}.html"
        for k in ("share_granted", "share_partial", "share_withheld", "share_unable", "share_not_processed",
                  "review_correction_rate", "litigation_correction_rate"):  # fmt: skip
            r[k] = _pct(a.get(k))
        r["applications"] = _n(a.get("applications"))
        out.append(r)
    return out


_LEAGUE_SQL = """SELECT agency_key, min(agency) AS agency, min(level) AS level, count(*) AS reports,
  min(year) AS first_year, max(year) AS last_year, sum(applications) AS applications,
  sum(granted) / nullif(sum(results_total), 0) AS share_granted,
  sum(partial) / nullif(sum(results_total), 0) AS share_partial,
  sum(withheld) / nullif(sum(results_total), 0) AS share_withheld,
  sum(unable) / nullif(sum(results_total), 0) AS share_unable,
  sum(not_processed) / nullif(sum(results_total), 0) AS share_not_processed,
  sum(review_corrected) / nullif(sum(review_total), 0) AS review_correction_rate,
  sum(litigation_corrected) / nullif(sum(litigation_total), 0) AS litigation_correction_rate,
  round(sum(n_errors) / count(*), 2) AS errors_per_report
FROM report_metrics WHERE agency_key IS NOT NULL {where}
GROUP BY agency_key ORDER BY applications DESC NULLS LAST, agency {limit}"""


def build_site(db: Path, out: Path, *, title: str = "政府信息公开工作年度报告统计", top: int = 50) -> dict[str, int]:
    """Write the site for the corpus in ``db`` into ``out``; returns page counts."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    base = env.from_string(_BASE)
    tpl_index, tpl_region, tpl_agency, tpl_league = (env.from_string(t) for t in (_INDEX, _REGION, _AGENCY, _LEAGUE))
    if out.exists():
        for sub in ("regions", "agencies"):
            shutil.rmtree(out / sub, ignore_errors=True)
    (out / "regions").mkdir(parents=True, exist_ok=True)
    (out / "agencies").mkdir(parents=True, exist_ok=True)

    def page(path: Path, page_title: str, body: str, root: str, crumbs: list[tuple[str, str]]) -> None:
        html = base.render(title=title, page_title=page_title, body=body, root=root, crumbs=crumbs, css=_CSS)
        path.write_text(html, encoding="utf-8")

    con = views.connect(db)
    con2 = views.connect(db)
    try:
        con.execute("CREATE TEMP TABLE m AS SELECT * FROM report_metrics")
        con.execute("CREATE OR REPLACE TEMP VIEW report_metrics AS SELECT * FROM m")
        trends = _rows(con.execute("SELECT * FROM trends_year"))
        years = [t["year"] for t in trends]
        totals = _rows(
            con.execute(
                """SELECT (SELECT count(*) FROM reports) AS reports,
                  (SELECT count(DISTINCT agency_key) FROM reports) AS agencies,
                  (SELECT count(*) FROM documents) AS documents,
                  (SELECT count(*) FROM documents WHERE status <> 'ok') AS failed,
                  (SELECT coalesce(sum(n_documents - 1), 0) FROM reports) AS duplicates,
                  (SELECT count(*) FROM findings WHERE severity = 'error') AS errors,
                  (SELECT count(*) FROM findings WHERE scope = 'corpus') AS cross"""
            )
        )[0]
        regions = _rows(
            con.execute(
                """SELECT coalesce(region, '（未识别）') AS region, count(*) AS reports,
                  count(DISTINCT agency_key) AS agencies, sum(applications) AS applications,
                  sum(granted) / nullif(sum(results_total), 0) AS share_granted,
                  sum(withheld) / nullif(sum(results_total), 0) AS share_withheld,
                  round(sum(n_errors) / count(*), 2) AS errors_per_report
                FROM report_metrics GROUP BY 1 ORDER BY reports DESC, region"""
            )
        )
        per_region_year = _rows(
            con.execute(
                """SELECT coalesce(region, '（未识别）') AS region, year, sum(applications) AS applications,
                  sum(granted) AS granted, sum(partial) AS partial, sum(withheld) AS withheld,
                  sum(unable) AS unable, sum(not_processed) AS not_processed, count(*) AS reports
                FROM report_metrics WHERE year IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"""
            )
        )
        findings = _rows(con.execute("SELECT * FROM top_findings LIMIT 30"))
        for f in findings:
            f["severity_zh"] = _SEVERITY.get(f["severity"], f["severity"])
        by_region: dict[str, dict[int, dict[str, Any]]] = {}
        for r in per_region_year:
            by_region.setdefault(r["region"], {})[r["year"]] = r
        peak = max((float(r["applications"] or 0) for r in per_region_year), default=0.0) or 1.0
        heat = []
        for r in regions:
            cells = []
            for y in years:
                v = by_region.get(r["region"], {}).get(y, {}).get("applications")
                cells.append((_n(v), round(0.05 + 0.6 * float(v or 0) / peak, 3) if v is not None else 0))
            heat.append({"region": r["region"], "href": f"regions/{_slug(r['region'])}.html", "cells": cells})
        region_rows = [
            dict(
                r,
                href=f"regions/{_slug(r['region'])}.html",
                applications=_n(r["applications"]),
                share_granted=_pct(r["share_granted"]),
                share_withheld=_pct(r["share_withheld"]),
            )
            for r in regions
        ]
        labels = [str(y) for y in years]
        league = _rows(con.execute(_LEAGUE_SQL.format(where="", limit=f"LIMIT {int(top)}")))
        body = tpl_index.render(
            stats=[
                ("份报告", f"{totals['reports']:,}"),
                ("个机关", f"{totals['agencies']:,}"),
                ("个文件", f"{totals['documents']:,}"),
                ("个重复发布", f"{totals['duplicates']:,}"),
                ("个文件无法处理", f"{totals['failed']:,}"),
                ("条错误", f"{totals['errors']:,}"),
                ("条跨报告核对发现", f"{totals['cross']:,}"),
            ],
            chart_reports=bar_chart(labels, [("报告数", [t["reports"] for t in trends])], "各年度报告数"),
            chart_apps=bar_chart(labels, [("申请量", [t["applications"] for t in trends])], "各年度申请量（本年新收）"),
            chart_shares=line_chart(
                labels,
                [
                    (
                        "予以公开占比%",
                        [None if t["share_granted"] is None else t["share_granted"] * 100 for t in trends],
                    ),
                    (
                        "不予公开占比%",
                        [None if t["share_withheld"] is None else t["share_withheld"] * 100 for t in trends],
                    ),
                ],
                "办理结果占比（%）",
            ),
            years=years,
            heat=heat,
            regions=region_rows,
            findings=findings,
            league=tpl_league.render(rows=_league_rows(league, "")),
        )
        page(out / "index.html", "总览", body, "", [])

        outcome_names = (("予以公开", "granted"), ("部分公开", "partial"), ("不予公开", "withheld"),
                         ("无法提供", "unable"), ("不予处理", "not_processed"))  # fmt: skip
        for r in regions:
            name = r["region"]
            ys = sorted(by_region.get(name, {}))
            rows = [by_region[name][y] for y in ys]
            where = "AND region IS NULL" if name == "（未识别）" else "AND region = ?"
            params = [] if name == "（未识别）" else [name]
            agencies = _rows(con.execute(_LEAGUE_SQL.format(where=where, limit=""), params))
            body = tpl_region.render(
                stats=[
                    ("份报告", f"{r['reports']:,}"),
                    ("个机关", f"{r['agencies']:,}"),
                    ("申请量", _n(r["applications"])),
                    ("每份报告错误数", r["errors_per_report"]),
                ],
                chart_apps=bar_chart(
                    [str(y) for y in ys], [("申请量", [x["applications"] for x in rows])], f"{name}各年度申请量"
                ),
                chart_outcomes=bar_chart(
                    [str(y) for y in ys],
                    [(zh, [x[key] for x in rows]) for zh, key in outcome_names],
                    f"{name}各年度办理结果",
                    stacked=True,
                ),
                league=tpl_league.render(rows=_league_rows(agencies, "../")),
            )
            page(out / "regions" / f"{_slug(name)}.html", name, body, "../", [(name, f"{_slug(name)}.html")])

        n_agencies = 0
        reports_cur = con.execute(
            """SELECT m.*, r.sources, r.parent FROM report_metrics m JOIN reports r USING (report_id)
               WHERE m.agency_key IS NOT NULL ORDER BY m.agency_key, m.year, m.report_id"""
        )
        findings_cur = con2.execute(
            """SELECT r.agency_key, r.year, f.severity, f.rule, f.message
               FROM findings f JOIN reports r USING (report_id)
               WHERE r.agency_key IS NOT NULL AND f.severity IN ('error', 'warning')
               ORDER BY r.agency_key, r.year, f.severity, f.rule, f.message"""
        )
        finding_groups = groupby(_stream(findings_cur), key=lambda f: f["agency_key"])
        pending: tuple[str, list[dict[str, Any]]] | None = None
        for key, group in groupby(_stream(reports_cur), key=lambda r: r["agency_key"]):
            reports = list(group)
            agency_findings: list[dict[str, Any]] = []
            while True:
                if pending is None:
                    nxt = next(finding_groups, None)
                    if nxt is None:
                        break
                    pending = (nxt[0], list(nxt[1]))
                if pending[0] < key:
                    pending = None
                    continue
                if pending[0] == key:
                    agency_findings = pending[1]
                    pending = None
                break
            n_agencies += 1
            _agency_page(out, page, tpl_agency, key, reports, agency_findings, outcome_names)
    finally:
        con.close()
        con2.close()
    return {"regions": len(regions), "agencies": n_agencies}


def _agency_page(
    out: Path,
    page: Any,
    tpl: Any,
    key: str,
    reports: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    outcome_names: tuple[tuple[str, str], ...],
) -> None:
    name = reports[-1]["agency"] or key
    per_year: dict[int, dict[str, Any]] = {}
    for r in reports:
        if r["year"] is not None:
            per_year.setdefault(r["year"], r)  # the first report of a year (ordered by id) stands for it
    ys = sorted(per_year)
    yoy = []
    for y in ys:
        r = per_year[y]
        prev = per_year.get(y - 1)
        apps, prev_apps = r["applications"], prev["applications"] if prev else None
        change = None if apps is None or prev_apps is None else float(apps) - float(prev_apps)
        yoy.append(
            {
                "year": y,
                "applications": _n(apps),
                "prev": _n(prev_apps),
                "change": "" if change is None else (f"+{_n(change)}" if change > 0 else _n(change)),
                "granted": _n(r["granted"]),
                "withheld": _n(r["withheld"]),
                "carried_over": _n(r["carried_over"]),
                "carry_forward": _n(r["carry_forward"]),
                "review": _n(r["review_total"]),
                "litigation": _n(r["litigation_total"]),
            }
        )
    for f in findings:
        f["severity_zh"] = _SEVERITY.get(f["severity"], f["severity"])
    labels = [str(y) for y in ys]
    body = tpl.render(
        region=reports[-1]["region"],
        level=reports[-1]["level"],
        parent=reports[-1]["parent"],
        chart_apps=line_chart(
            labels,
            [
                ("申请量", [per_year[y]["applications"] for y in ys]),
                ("结转下年度", [per_year[y]["carry_forward"] for y in ys]),
            ],
            "逐年申请量",
        ),
        chart_outcomes=bar_chart(
            labels, [(zh, [per_year[y][k] for y in ys]) for zh, k in outcome_names], "逐年办理结果", stacked=True
        ),
        yoy=yoy,
        reports=reports,
        findings=findings[:MAX_FINDINGS_PER_AGENCY],
        more_findings=max(0, len(findings) - MAX_FINDINGS_PER_AGENCY),
    )
    region = reports[-1]["region"] or "（未识别）"
    crumbs = [(region, f"../regions/{_slug(region)}.html"), (name, f"{_slug(key)}.html")]
    page(out / "agencies" / f"{_slug(key)}.html", name, body, "../", crumbs)
