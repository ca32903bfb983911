"""The statutory tables of the format must be there: a table whose cells were not found at all is reported."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("structure.tables_present", Category.STRUCTURE, "法定表格齐全", "《条例》第五十条；年度报告格式附表")


def check(report: Report) -> Iterator[Finding]:
    fmt = report.schema
    if fmt.id == "legacy":
        if not report.values:
            yield RULE.finding(
                Severity.WARNING,
                "未识别出统计附表",
                basis="国办发〔2014〕32号（政府信息公开情况统计表）",
            )
        return
    for table in fmt.tables:
        standard = table.standard_keys
        have = [k for k in standard if k in report.values]
        if not have:
            yield RULE.finding(
                Severity.ERROR if table.id in ("applications", "review_litigation") else Severity.WARNING,
                f"未找到法定表格“{table.caption or table.title}”",
                evidence=table.caption or table.title,
            )
        elif len(have) < len(standard):
            missing = [k for k in standard if k not in report.values]
            if table.id == "applications" and any(k.startswith("applications.other.") for k in missing):
                # The single （六）其他处理 row in a 2021 table (a real, common variant) stands for the three sub-rows.
                if "applications.other.total" in report.values:
                    missing = [k for k in missing if not k.startswith("applications.other.")]
                    if not missing:
                        yield RULE.finding(
                            Severity.INFO,
                            "表三“（六）其他处理”只有一行，未按2021年格式分列1—3项",
                            keys=["applications.other.total"],
                            span=report.provenance.get("applications.other.total"),
                            basis="国办公开办函〔2021〕30号 表三（六）其他处理分为三项",
                        )
                        continue
            yield RULE.finding(
                Severity.WARNING,
                f"表格“{table.caption or table.title}”缺少{len(missing)}个单元格",
                keys=missing,
            )
