"""End-to-end tests of the ``xxgk`` command line (parse, audit) on real and broken inputs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, shared_path


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xxgk", *args], capture_output=True, text=True, cwd=ROOT, input=stdin, timeout=120
    )


def test_parse_json_lines_contract(seeds_dir: Path) -> None:
    result = run("parse", "--json", str(seeds_dir))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 5
    for obj in objects:
        assert {"source", "format", "year", "agency", "published", "values", "extra", "provenance"} <= set(obj)
        assert obj["format"] in ("legacy", "2019", "2021")
        assert set(obj["provenance"]) <= set(obj["values"])


def test_parse_csv(seeds_dir: Path) -> None:
    result = run("parse", "--csv", str(seeds_dir / "004_8f717617aab0bbc8.txt"))
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_key = {r["key"]: r for r in rows}
    assert by_key["art20_9.procurement.amount_wan"]["value"] == "180.616"
    assert by_key["art20_6.penalty.items_change"]["value"] == "-1"


def test_parse_rich_table(seeds_dir: Path) -> None:
    result = run("parse", str(seeds_dir / "002_f464fa55e38ddaf4.txt"))
    assert result.returncode == 0
    assert "鄂伦春自治旗民政局" in result.stdout
    assert "本年新收政府信息公开申请数量" in result.stdout


def test_bad_inputs_get_one_line_errors_and_others_still_run(tmp_path: Path, seeds_dir: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "other.txt").write_text("今天天气很好，我们去公园散步。", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    good = seeds_dir / "002_f464fa55e38ddaf4.txt"
    files = [str(p) for p in sorted(tmp_path.iterdir())] + [str(tmp_path / "missing.txt"), str(good)]
    result = run("parse", "--json", *files)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 5, result.stderr
    assert all("(" in line and ")" in line for line in errors)  # bilingual: 中文 (English)
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["source"] for o in outputs] == [str(good)]


def test_audit_exit_status_and_threshold(seeds_dir: Path) -> None:
    spam = seeds_dir / "000_15ed71d81f93ac9f.txt"
    clean = seeds_dir / "004_8f717617aab0bbc8.txt"
    assert run("audit", str(clean)).returncode == 0
    assert run("audit", str(spam)).returncode == 1
    assert run("audit", "--fail-on", "never", str(spam)).returncode == 0
    late = seeds_dir / "002_f464fa55e38ddaf4.txt"
    assert run("audit", str(late)).returncode == 0
    assert run("audit", "--fail-on", "warning", str(late)).returncode == 1
    result = run("audit", "--json", str(spam), str(clean))
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(o["source"]).name for o in objects] == [spam.name, clean.name]
    rules = {f["rule"] for f in objects[0]["findings"]}
    assert {"integrity.spam", "integrity.domains", "arithmetic.L-C.7a"} <= rules


def test_audit_rejects_bad_threshold(seeds_dir: Path) -> None:
    result = run("audit", "--fail-on", "sometimes", str(seeds_dir / "004_8f717617aab0bbc8.txt"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_corpus_files_through_cli() -> None:
    raw = shared_path("corpus", "raw")
    result = run("audit", "--json", "--fail-on", "never", str(raw / "kgc_03.txt"))
    assert result.returncode == 0
    assert json.loads(result.stdout)["agency"] == "沐阳县人民政府"
