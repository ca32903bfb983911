"""The ``render`` and ``new-report`` commands: audit before rendering, --force, clean one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from random import Random

import pytest
import typer
import yaml
from typer.testing import CliRunner

from xxgk.render.commands import register
from xxgk.render.sample import sample_report

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    return app


def _write(path: Path, fmt_id: str = "2021", seed: int = 1, **changes: object) -> Path:
    report = sample_report(fmt_id, Random(seed))
    values: dict[str, object] = dict(report.values)
    values.update(changes)
    data = {
        "format": report.format,
        "year": report.year,
        "agency": report.agency,
        "published": report.published.isoformat() if report.published else None,
        "values": values,
        "narrative": report.narrative,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_registered_on_the_main_cli() -> None:
    from xxgk.cli import app as main_app

    names = {c.name for c in main_app.registered_commands}
    assert {"render", "new-report"} <= names


def test_new_report_to_stdout_and_file(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["new-report", "--format", "2021", "--year", "2025", "--agency", "某某市民政局"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["year"] == 2025 and data["format"] == "2021" and len(data["values"]) == 200
    out = tmp_path / "a.yaml"
    assert runner.invoke(app, ["new-report", "-y", "2020", "-a", "某局", "-f", "2019", "-o", str(out)]).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["format"] == "2019"
    again = runner.invoke(app, ["new-report", "-y", "2020", "-a", "某局", "-f", "2019", "-o", str(out)])
    assert again.exit_code == 2 and "文件已存在" in again.output
    bad = runner.invoke(app, ["new-report", "-y", "2015", "-a", "某局", "-f", "legacy"])
    assert bad.exit_code == 2 and "不支持" in bad.output and "Traceback" not in bad.output


def test_new_report_warns_on_wrong_template_year(app: typer.Typer) -> None:
    result = runner.invoke(app, ["new-report", "-y", "2023", "-a", "某局", "-f", "2019"])
    assert result.exit_code == 0 and "不适用" in result.output


def test_render_consistent_report(app: typer.Typer, tmp_path: Path) -> None:
    src = _write(tmp_path / "r.json")
    result = runner.invoke(app, ["render", str(src), "--to", "html"])
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "三、收到和处理政府信息公开申请情况" in html and "<img" in html
    out = tmp_path / "sub" / "x.md"
    result = runner.invoke(app, ["render", str(src), "-o", str(out)])  # kind from the suffix
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_render_refuses_on_audit_errors_and_lists_them(app: typer.Typer, tmp_path: Path) -> None:
    src = _write(tmp_path / "bad.json", **{"applications.new.total": 999_999, "review.total": 123_456})
    result = runner.invoke(app, ["render", str(src), "--to", "md"])
    assert result.exit_code == 1
    assert "审核发现" in result.output and "已拒绝生成" in result.output and "--force" in result.output
    assert "F-3.2" in result.output and "F-4.1" in result.output
    assert not (tmp_path / "bad.md").exists()
    forced = runner.invoke(app, ["render", str(src), "--to", "md", "--force"])
    assert forced.exit_code == 0 and (tmp_path / "bad.md").exists()
    assert "--force" in forced.output


def test_render_with_previous_year_chart(app: typer.Typer, tmp_path: Path) -> None:
    prev = _write(tmp_path / "prev.json", "2019", seed=3)
    src = _write(tmp_path / "cur.json", seed=4)
    result = runner.invoke(app, ["render", str(src), "--to", "html", "--previous", str(prev)])
    assert result.exit_code == 0, result.output
    assert "与上年度主要数据对比" in (tmp_path / "cur.html").read_text(encoding="utf-8")
    plain = runner.invoke(app, ["render", str(src), "--to", "html", "--no-charts", "-o", str(tmp_path / "n.html")])
    assert plain.exit_code == 0 and "<img" not in (tmp_path / "n.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "{tmp}/missing.yaml", "--to", "html"], "文件不存在"),
        (["render", "{tmp}/r.json", "--to", "odt"], "不支持的输出格式"),
        (["render", "{tmp}/r.json"], "--to"),
        (["render", "{tmp}/broken.yaml", "--to", "md"], "格式错误"),
        (["render", "{tmp}/unknown.json", "--to", "md"], "不属于"),
    ],
)
def test_render_errors_are_one_clear_line(app: typer.Typer, tmp_path: Path, args: list[str], message: str) -> None:
    _write(tmp_path / "r.json")
    (tmp_path / "broken.yaml").write_text("values: {a: [\n", encoding="utf-8")
    (tmp_path / "unknown.json").write_text(json.dumps({"values": {"nope.x": 1}}), encoding="utf-8")
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([ln for ln in result.output.splitlines() if ln.startswith("错误")]) == 1
